import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { applyOverrides, checkRecipeDocument, recipeForm } from './form';
import { RecipeValidationError } from './schema';

const recipes = join(import.meta.dirname, '..');
const smoke = readFileSync(join(recipes, 'smoke.yaml'), 'utf8');
const gap = readFileSync(join(recipes, 'gap-fashion-resnet.yaml'), 'utf8');

test('recipeForm: each step’s params as typed fields from its kind’s schema, recipe values first, defaults after', () => {
  const f = recipeForm(smoke, 'smoke.yaml');
  assert.equal(f.name, 'smoke');
  assert.equal(f.seed, 7);
  const pretrain = f.steps.find((s) => s.id === 'pretrain')!;
  assert.equal(pretrain.kind, 'pretrain');
  const field = (n: string) => pretrain.fields.find((x) => x.name === n)!;
  assert.deepEqual([field('epochs').type, field('epochs').value, field('epochs').set], ['integer', 1, true]);
  assert.ok(field('epochs').min! >= 0);
  assert.equal(field('learningRate').type, 'number');
  assert.equal(field('model').type, 'enum');
  assert.ok(field('model').options!.includes('small-cnn'));
  assert.deepEqual(pretrain.fields.slice(0, 6).map((x) => x.set), [true, true, true, true, true, true], 'set fields come first');
  assert.ok(pretrain.fields.some((x) => !x.set), 'unset fields are offered with their defaults');
  const evaluate = f.steps.find((s) => s.id === 'evaluate')!;
  assert.deepEqual(evaluate.fields.find((x) => x.name === 'split')!.options, ['test', 'train']);
});

test('recipeForm: a matrix step shows its axes as lists, not as fields', () => {
  const f = recipeForm(gap, 'gap-fashion-resnet.yaml');
  const sgap = f.steps.find((s) => s.id === 'sgap')!;
  assert.deepEqual(sgap.matrix!.seed, [1, 2, 3, 4, 5]);
  assert.ok(!sgap.fields.some((x) => x.name === 'seed' || x.name === 'sparsity'));
  assert.equal(sgap.fields.find((x) => x.name === 'kappa')!.value, 3, 'merge keys (<<: *protocol) are resolved');
});

test('applyOverrides: params merged key by key (null restores the default), matrix axes replaced, seed set; the result validates', () => {
  const { document, text } = applyOverrides(gap, { seed: 11, steps: { sgap: { params: { epochsPerStep: 2, trainLimit: null }, matrix: { seed: [1, 2] } } } });
  const sgap = (document.steps as { id: string; params: Record<string, unknown>; matrix: Record<string, unknown> }[]).find((s) => s.id === 'sgap')!;
  assert.equal(sgap.params.epochsPerStep, 2);
  assert.ok(!('trainLimit' in sgap.params));
  assert.deepEqual(sgap.matrix.seed, [1, 2]);
  assert.equal((parse(text) as { seed: number }).seed, 11);
  const { recipe, issues } = checkRecipeDocument(document);
  assert.deepEqual(issues, []);
  assert.equal(recipe!.steps.filter((s) => s.group === 'sgap').length, 2 * 2 * 2, '2 distributions × 2 sparsities × 2 seeds');
});

test('checkRecipeDocument: issues carry the form step and field, also through a matrix; an unknown step is refused', () => {
  const { recipe, issues } = checkRecipeDocument(applyOverrides(gap, { steps: { sgap: { params: { kappa: 0 } } } }).document);
  assert.equal(recipe, null);
  // Every expanded cell of sgap fails alike; each maps back to the one form field.
  assert.ok(issues.length >= 1 && issues.every((i) => i.step === 'sgap' && i.field === 'kappa'), JSON.stringify(issues));
  const axis = checkRecipeDocument(applyOverrides(gap, { steps: { dense: { matrix: { seed: [] } } } }).document).issues;
  assert.deepEqual(axis.map((i) => [i.step, i.path]), [['dense', 'steps[3].matrix.seed']]);
  assert.throws(() => applyOverrides(smoke, { steps: { nope: { params: { epochs: 2 } } } }), (e: unknown) => e instanceof RecipeValidationError && /no step "nope"; its steps: pretrain, evaluate/.test(e.message));
  assert.throws(() => applyOverrides(smoke, { steps: { pretrain: { matrix: { seed: [1] } } } }), /step "pretrain" has no matrix to change/);
  const small = applyOverrides(smoke, { steps: { pretrain: { params: { epochs: -1 } } } }).document;
  const r = checkRecipeDocument(small);
  assert.deepEqual(r.issues.map((i) => [i.step, i.field]), [['pretrain', 'epochs']]);
});

test('recipeForm: a simulate step shows the fields of the model it selects', () => {
  const tb = recipeForm(readFileSync(join(recipes, 'tas2-tight-binding.yaml'), 'utf8'), 'tas2-tight-binding.yaml');
  const fields = tb.steps[0]!.fields.map((x) => x.name);
  assert.ok(fields.includes('stackings') && fields.includes('hubbard') && !fields.includes('wireModel'), fields.join(', '));
  const i3d = recipeForm(readFileSync(join(recipes, '3d-integration.yaml'), 'utf8'), '3d-integration.yaml');
  assert.ok(i3d.steps[0]!.fields.some((x) => x.name === 'wireModel'));
});
