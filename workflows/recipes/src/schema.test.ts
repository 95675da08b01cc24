import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { hashRecipe, parseRecipe, RecipeValidationError, validateRecipe } from './index';

const base = () => ({
  name: 'r',
  version: 1,
  datasets: { d: { builtin: 'mnist-10k' } },
  steps: [
    { id: 'train', kind: 'pretrain', inputs: { dataset: 'd' }, params: { epochs: 1 } },
    { id: 'eval', kind: 'evaluate', inputs: { dataset: 'd', model: 'train.model' } },
  ],
});

function issues(input: unknown): string[] {
  try {
    validateRecipe(input);
  } catch (e) {
    assert.ok(e instanceof RecipeValidationError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

test('[RECIPES] every shipped recipe validates', () => {
  const dir = new URL('../../recipes/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.includes('smoke.yaml'));
  for (const f of files) parseRecipe(readFileSync(new URL(f, dir), 'utf8'), f);
});

test('[RECIPES] defaults are filled in and input references imply dependencies', () => {
  const r = validateRecipe(base());
  assert.deepEqual(r.steps[1]!.needs, ['train']);
  assert.equal(r.steps[0]!.queue, 'cpu');
  assert.equal((r.steps[0]!.params as { batchSize: number }).batchSize, 32);
  assert.equal(r.scale, 'proxy');
});

test('[RECIPES] each bad field is reported with its path, all at once', () => {
  const bad = base() as Record<string, unknown>;
  bad.version = 0;
  bad.steps = [
    { id: 'train', kind: 'pretrain', inputs: { dataset: 'd' }, params: { epochs: 0, learningRate: -1, extra: 1 } },
    { id: 'Eval', kind: 'evaluate', inputs: { dataset: 'd', model: 'train.model' } },
  ];
  const found = issues(bad);
  for (const p of ['version', 'steps[1].id', 'steps[0].params.epochs', 'steps[0].params.learningRate', 'steps[0].params']) {
    assert.ok(found.some((f) => f.startsWith(`${p}: `)), `missing ${p} in ${found.join('\n')}`);
  }
});

test('[RECIPES] references, duplicates, unknown kinds, missing inputs and cycles are named', () => {
  const r = base();
  r.steps.push({ id: 'train', kind: 'nope', inputs: { dataset: 'd' }, params: { epochs: 1 } });
  const found = issues(r);
  assert.ok(found.includes('steps[2].id: duplicate step id "train"'));
  assert.ok(found.some((f) => f.startsWith('steps[2].kind: unknown step kind "nope"')));
  const missing = base();
  missing.steps[1] = { id: 'eval', kind: 'evaluate', inputs: { dataset: 'd' } } as never;
  assert.deepEqual(issues(missing), ['steps[1].inputs.model: missing input "model"']);
  const target = { ...base(), targets: [{ claim: 'x', metric: 'ghost.acc', tolerance: 1 }] };
  assert.deepEqual(issues(target), ['targets[0].metric: no step "ghost" in this recipe']);
  const noData = { ...base(), datasets: { d: {} } };
  assert.match(issues(noData).join("\n"), /datasets\.d: give a dataset `builtin: <name>`, `digest: sha256:…` or `imported: <name>`/);
});

test('[RECIPES] the content hash ignores formatting and key order but not values', () => {
  const a = parseRecipe('name: r\nversion: 1\ndatasets: {d: {builtin: mnist-10k}}\nsteps:\n  - {id: t, kind: pretrain, inputs: {dataset: d}, params: {epochs: 1}}\n');
  const b = parseRecipe('# same thing\nversion: 1\nname: r\nsteps:\n  - kind: pretrain\n    id: t\n    params: {epochs: 1}\n    inputs: {dataset: d}\ndatasets:\n  d: {builtin: mnist-10k}\n');
  assert.equal(a.contentHash, b.contentHash);
  const c = parseRecipe('name: r\nversion: 1\ndatasets: {d: {builtin: mnist-10k}}\nsteps:\n  - {id: t, kind: pretrain, inputs: {dataset: d}, params: {epochs: 2}}\n');
  assert.notEqual(a.contentHash, c.contentHash);
  assert.match(hashRecipe(a.recipe), /^sha256:[0-9a-f]{64}$/);
});

test('[RECIPES] YAML syntax errors are reported as recipe errors', () => {
  assert.throws(() => parseRecipe('steps: [', 'x.yaml'), (e: unknown) => e instanceof RecipeValidationError && /not valid YAML/.test(e.message) && /x\.yaml/.test(e.message));
});

test('[RECIPES] an aggregate that needs nothing it can read is refused, naming what it needs', () => {
  const sim = (id: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'simulateMpu', params: { workload: 'AXPY', ...extra } });
  const agg = (fn: string, needs: string[]) => ({ id: 'summary', kind: 'aggregate', needs, params: { fn } });
  const r = (steps: unknown[]) => ({ name: 'r', version: 1, steps });
  assert.deepEqual(issues(r([sim('a'), agg('mpu-geomean', ['a'])])), []);
  assert.deepEqual(issues(r([sim('a', { sweep: { parameter: 'mpu.rowBuffers', values: [1, 2] } }), agg('mpu-geomean', ['a'])])), [
    'steps[1].needs: aggregate mpu-geomean needs at least a simulateMpu step without a sweep (it averages their speedup and energy_ratio); it needs: a',
  ]);
  assert.match(issues(r([sim('a'), agg('sparse-gaps', ['a'])])).join('\n'), /steps\[1\]\.needs: aggregate sparse-gaps needs at least a growPrune step/);
  assert.match(issues(r([agg('mpu-geomean', [])])).join('\n'), /it needs: nothing/);
  assert.match(issues(r([sim('a'), agg('novelty-auroc', ['a'])])).join('\n'), /steps\[1\]\.needs: aggregate novelty-auroc needs at least a novelty step/);
  assert.match(issues(r([sim('a'), agg('sr-gaps', ['a'])])).join('\n'), /steps\[1\]\.needs: aggregate sr-gaps needs at least a distill step/);
});

test('[RECIPES] novelty: a class outside a built-in dataset, a one-class dataset, NaN or negative weights are refused at launch, naming the field', () => {
  const nd = (params: Record<string, unknown>, builtin = 'mnist-10k') => ({
    name: 'r',
    version: 1,
    datasets: { d: { builtin } },
    steps: [{ id: 'nd', kind: 'novelty', inputs: { dataset: 'd' }, params: { method: 'decoder-encoder', normalClass: 3, epochs: 1, ...params } }],
  });
  assert.deepEqual(issues(nd({})), []);
  assert.deepEqual(issues(nd({ normalClass: 10 })), ['steps[0].params.normalClass: normalClass 10 is outside mnist-10k, whose classes are 0–9']);
  assert.match(issues(nd({ normalClass: 0 }, 'photos-skimage')).join('\n'), /steps\[0\]\.inputs\.dataset: photos-skimage has one class/);
  assert.match(issues(nd({ normalClass: -1 })).join('\n'), /steps\[0\]\.params\.normalClass: normalClass must be ≥ 0/);
  assert.match(issues(nd({ normalClass: 1.5 })).join('\n'), /normalClass must be a whole number/);
  assert.match(issues(nd({ lambdaContrastive: -1 })).join('\n'), /steps\[0\]\.params\.lambdaContrastive: lambdaContrastive must not be negative/);
  assert.match(issues(nd({ temperature: Number.NaN })).join('\n'), /steps\[0\]\.params\.temperature/);
  assert.match(issues(nd({ pretrainEpochs: 0 })).join('\n'), /steps\[0\]\.params\.pretrainEpochs: decoder-encoder trains its decoder first/);
  assert.match(issues(nd({ nda: { transforms: ['rotate'], combine: 2 } })).join('\n'), /steps\[0\]\.params\.nda\.combine: combine 2 exceeds the 1 transforms listed/);
  assert.match(issues(nd({ nda: { transforms: ['blur'] } })).join('\n'), /steps\[0\]\.params\.nda: nda must be false \(in-batch negatives\) or \{ transforms: \[\.\.\.\], combine: N \} with transforms from jigsaw, rotate/);
});

test('[RECIPES] distill: a step-decay milestone at or past the last step, or an unknown schedule, is refused', () => {
  const distill = (params: Record<string, unknown>) => ({
    name: 'r',
    version: 1,
    datasets: { p: { builtin: 'photos-skimage' } },
    steps: [{ id: 'sr', kind: 'distill', inputs: { dataset: 'p' }, params: { method: 'csd', scale: 4, patch: 12, steps: 100, ...params } }],
  });
  assert.deepEqual(issues(distill({ lrSchedule: { kind: 'step', milestones: [50], gamma: 0.5 }, augment: true })), []);
  assert.match(issues(distill({ lrSchedule: { kind: 'step', milestones: [50, 100], gamma: 0.5 } })).join('\n'), /steps\[0\]\.params\.lrSchedule\.milestones: milestones 50, 100 must each be below steps \(100\)/);
  assert.match(issues(distill({ lrSchedule: { kind: 'linear' } })).join('\n'), /steps\[0\]\.params\.lrSchedule/);
  const r = validateRecipe(distill({}));
  assert.deepEqual((r.steps[0]!.params as { lrSchedule: unknown }).lrSchedule, { kind: 'constant' });
});

test('[RECIPES] csd-edsr-div2k: the paper\'s setting on imported DIV2K and benchmarks, every step on gpu, an HR patch of 192 allowed off photos-skimage', () => {
  const r = parseRecipe(readFileSync(new URL('../../recipes/csd-edsr-div2k.yaml', import.meta.url), 'utf8'), 'csd-edsr-div2k.yaml').recipe;
  assert.deepEqual(r.datasets, { div2k: { imported: 'div2k' }, benchmarks: { imported: 'sr-benchmarks' } });
  assert.ok(r.steps.every((s) => s.queue === 'gpu'));
  const distill = r.steps.filter((s) => s.kind === 'distill');
  assert.deepEqual(distill.map((s) => s.id), ['sr-csd', 'sr-student-alone', 'sr-split-no-contrastive', 'sr-teacher-alone']);
  for (const s of distill) {
    assert.deepEqual(s.params, { ...s.params, model: { kind: 'edsr', blocks: 32, feats: 256, resScale: 0.1 }, width: 0.25, scale: 4, patch: 48, batchSize: 16, learningRate: 1e-4, lambdaContrastive: 200, lambdaTeacher: 1, negatives: 10 });
  }
  const evals = r.steps.filter((s) => s.kind === 'evaluate');
  assert.ok(evals.length === 6 && evals.every((s) => (s.params as { selfEnsemble?: boolean }).selfEnsemble === true && s.inputs.dataset === 'benchmarks'));
  assert.equal(r.targets.length, 48);
  // The same patch on the built-in 96-pixel tiles is refused, naming the field.
  const onTiles = { name: 'r', version: 1, datasets: { p: { builtin: 'photos-skimage' } }, steps: [{ id: 'sr', kind: 'distill', inputs: { dataset: 'p' }, params: { method: 'csd', scale: 4, patch: 48, steps: 1 } }] };
  assert.deepEqual(issues(onTiles), ['steps[0].params.patch: patch · scale = 192 exceeds the 96-pixel HR tiles of photos-skimage; use patch ≤ 24']);
  assert.deepEqual(issues({ ...onTiles, datasets: { p: { imported: 'div2k' } } }), []);
});

test('[RECIPES] simulate steps: per-model params validated at launch, each bad field named', () => {
  const recipe = (params: Record<string, unknown>) => ({ name: 'sim', version: 1, steps: [{ id: 'm', kind: 'simulate', params }] });
  const ok = validateRecipe(recipe({ model: 'tight-binding', params: { tPerp: 0.05 } }));
  assert.equal(ok.steps[0]!.queue, 'sim');
  assert.deepEqual((ok.steps[0]!.params as { stackings: string[] }).stackings, ['AA', 'AC']);
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ model: 'tight-binding', params: { V: -0.1 } }, 'steps[0].params.params.V', /must not be negative/],
    [{ model: 'tight-binding', params: { U: -1 } }, 'steps[0].params.params.U', /must not be negative/],
    [{ model: 'tight-binding', params: { t0: Number.NaN } }, 'steps[0].params.params.t0', /./],
    [{ model: 'tight-binding', params: { kMesh: 0 } }, 'steps[0].params.params.kMesh', /./],
    [{ model: 'tight-binding', params: { kMesh: 2.5 } }, 'steps[0].params.params.kMesh', /./],
    [{ model: 'tight-binding', params: { broadening: 0 } }, 'steps[0].params.params.broadening', /broadening must be positive/],
    [{ model: 'tight-binding', params: { hoppingz: 1 } }, 'steps[0].params.params', /hoppingz/],
    [{ model: 'tight-binding', stackings: ['AX'] }, 'steps[0].params.stackings[0]', /./],
    [{ model: 'integration3d', params: { tiers: 0 } }, 'steps[0].params.params.tiers', /tiers must be at least 1/],
    [{ model: 'integration3d', params: { tiers: 1.5 } }, 'steps[0].params.params.tiers', /whole number/],
    [{ model: 'integration3d', params: { bondPitchUm: Number.POSITIVE_INFINITY } }, 'steps[0].params.params.bondPitchUm', /./],
    [{ model: 'integration3d', tierSweep: [0, 2] }, 'steps[0].params.tierSweep[0]', /at least 1/],
    [{ model: 'quantum' }, 'steps[0].params.model', /./],
  ];
  for (const [params, path, message] of cases) {
    const found = issues(recipe(params));
    assert.ok(found.some((f) => f.startsWith(`${path}: `) && message.test(f)), `${JSON.stringify(params)}: expected ${path} ${message}, got ${found.join(' | ')}`);
  }
});

test('[RECIPES] the model recipes target qualitative claims with fidelity qualitative-model', () => {
  for (const f of ['tas2-tight-binding.yaml', '3d-integration.yaml']) {
    const { recipe } = parseRecipe(readFileSync(new URL(`../../recipes/${f}`, import.meta.url), 'utf8'), f);
    assert.equal(recipe.fidelity, 'qualitative-model');
    assert.ok(recipe.steps.every((s) => s.kind === 'simulate' && s.queue === 'sim'));
    assert.ok(recipe.targets.length >= 4);
  }
});

test('[RECIPES] dehaze: beta must be given, finite and ≥ 0; patch fits the tiles and divides by 4; only RGB photographs', () => {
  const dz = (params: Record<string, unknown>, builtin = 'photos-skimage') => ({
    name: 'r',
    version: 1,
    datasets: { d: { builtin } },
    steps: [{ id: 'dz', kind: 'dehaze', inputs: { dataset: 'd' }, params: { beta: 0.1, steps: 10, ...params } }],
  });
  assert.deepEqual(issues(dz({})), []);
  assert.match(issues(dz({ beta: undefined })).join('\n'), /steps\[0\]\.params\.beta: beta \(the CR weight\) must be a number ≥ 0; the paper does not state it/);
  assert.match(issues(dz({ beta: -0.1 })).join('\n'), /steps\[0\]\.params\.beta: beta must not be negative/);
  assert.match(issues(dz({ beta: Number.NaN })).join('\n'), /steps\[0\]\.params\.beta/);
  assert.match(issues(dz({ patch: 30 })).join('\n'), /steps\[0\]\.params\.patch: patch 30 must be a multiple of 4/);
  assert.match(issues(dz({ patch: 128 })).join('\n'), /steps\[0\]\.params\.patch: patch 128 exceeds the 96-pixel tiles of photos-skimage/);
  assert.match(issues(dz({}, 'mnist-10k')).join('\n'), /steps\[0\]\.inputs\.dataset: dehaze needs RGB photographs/);
  assert.match(issues(dz({ haze: { betaRange: [2, 1] } })).join('\n'), /steps\[0\]\.params\.haze\.betaRange: haze\.betaRange must be \[low, high\] with low ≤ high/);
  assert.match(issues(dz({ model: { ngf: 8, dcn: 'dcnv3' } })).join('\n'), /steps\[0\]\.params\.model\.dcn/);
  assert.match(issues(dz({ haze: { airlightRange: [0.5, 1.5] } })).join('\n'), /steps\[0\]\.params\.haze\.airlightRange\[1\]: haze\.airlightRange values must be ≤ 1/);
  assert.match(issues(dz({ haze: { betaRange: [-1, 1] } })).join('\n'), /steps\[0\]\.params\.haze\.betaRange\[0\]: haze\.betaRange values must be ≥ 0/);
});
