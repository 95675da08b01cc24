import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecipeValidationError, validateRecipe } from './schema';

const recipe = (steps: unknown[]) => ({ name: 'm', version: 1, datasets: { d: { builtin: 'mnist-10k' } }, steps });
const grid = (matrix: unknown, params: Record<string, unknown> = {}) => ({ id: 'fm', kind: 'growPrune', inputs: { dataset: 'd' }, params: { kappa: 2, ...params }, matrix });
const issuesOf = (doc: unknown) => {
  try {
    validateRecipe(doc);
  } catch (e) {
    if (e instanceof RecipeValidationError) return e.issues;
    throw e;
  }
  assert.fail('expected the recipe to be refused');
};

test('a matrix expands into one validated step per cell, first key slowest; needs on the group means every cell', () => {
  const r = validateRecipe(recipe([grid({ method: ['gap-serial', 'gmp'], sparsity: [0.8, 0.9], seed: [1, 2] }), { id: 'summary', kind: 'aggregate', needs: ['fm'], params: { fn: 'sparse-gaps' } }]));
  const cells = r.steps.filter((s) => s.group === 'fm');
  assert.equal(cells.length, 8);
  assert.deepEqual(cells.slice(0, 3).map((s) => s.id), ['fm-gap-serial-0-8-1', 'fm-gap-serial-0-8-2', 'fm-gap-serial-0-9-1']);
  assert.deepEqual(cells[7]!.cell, { method: 'gmp', sparsity: 0.9, seed: 2 });
  assert.equal(cells[7]!.params.sparsity, 0.9, 'the cell is merged into params');
  assert.equal(cells[7]!.params.kappa, 2, 'shared params are kept');
  assert.equal(cells[7]!.params.learningRate, 0.05, 'and defaults filled in by the kind');
  assert.deepEqual(r.steps.find((s) => s.id === 'summary')!.needs, cells.map((s) => s.id));
});

test('bad matrices are named with their path and the fix', () => {
  const msgs = (m: unknown, p?: Record<string, unknown>) => issuesOf(recipe([grid(m, p)])).map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(msgs([1, 2]), /steps\[0\]\.matrix: matrix must map parameter names/);
  assert.match(msgs({ seed: [] }), /steps\[0\]\.matrix\.seed: give a non-empty list/);
  assert.match(msgs({ seed: [{ a: 1 }] }), /numbers, strings or booleans/);
  assert.match(msgs({ seed: [1, 1] }), /values repeat/);
  assert.match(msgs({ kappa: [2, 3] }), /"kappa" is set in params and in matrix; keep one/);
  assert.match(msgs({}), /matrix is empty/);
  assert.match(msgs({ seed: Array.from({ length: 40 }, (_, i) => i), trainLimit: Array.from({ length: 30 }, (_, i) => i + 1) }), /1200 cells; at most 1000/);
  // A bad value reaches the kind's own validation with the generated step's path.
  assert.match(msgs({ method: ['gap-serial', 'magic'] }), /steps\[1\]\.params\.method/);
});

test('group and cell are the expansion\'s to set', () => {
  const issues = issuesOf(recipe([{ ...grid({ seed: [1] }), group: 'x' }]));
  assert.match(issues[0]!.message, /set by matrix expansion/);
});
