/** growPrune through the real stack: child workflow, one activity per phase, then the seed intervals. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { connect, finalMetrics, growPruneStep, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
  await startWorker();
});

const step = growPruneStep;

test(`[GAP/${testDb()}] GaP, P-GaP and baselines run as phases; sparsity is exact and the summary gives seed intervals`, async () => {
  const steps = [
    ...[1, 2].flatMap((seed) => [
      step(`dense-${seed}`, { method: 'dense', sparsity: 0, seed }),
      step(`gap-${seed}`, { method: 'gap-serial', sparsity: 0.9, seed }),
      step(`gmp-${seed}`, { method: 'gmp', sparsity: 0.9, seed }),
    ]),
    step('pgap-1', { method: 'gap-parallel', sparsity: 0.9, seed: 1 }),
  ];
  const recipe = stringify({
    name: 'gap-mini',
    version: 1,
    datasets: { mnist: { builtin: 'mnist-10k' } },
    steps: [...steps, { id: 'summary', kind: 'aggregate', needs: steps.map((s) => s.id), params: { fn: 'sparse-gaps' } }],
    targets: [{ claim: 'gap-beats-prune-from-dense', metric: 'summary.gap_minus_prune_from_dense__gap_serial_0_9_uniform', scaleBy: 100 }],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 480_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  for (const id of ['gap-1', 'gap-2', 'gmp-1', 'gmp-2', 'pgap-1']) {
    assert.ok(Math.abs(m[`${id}.final_sparsity`]! - 0.9) < 0.002, `${id} sparsity ${m[`${id}.final_sparsity`]}`);
    assert.ok(m[`${id}.test_accuracy`]! > 0.1, `${id} learned something`);
  }
  assert.equal(m['dense-1.final_sparsity'], 0);
  // Every method trains the same budget: rounds·κ·T + fine-tune = 1·2·1 + 1 = 3 epochs of compute;
  // P-GaP's branches run side by side, so its critical path is rounds·T + fine-tune = 2.
  for (const id of ['dense-1', 'gap-1', 'gmp-1', 'pgap-1']) assert.equal(m[`${id}.compute_epochs`], 3, id);
  assert.equal(m['gap-1.budget_epochs'], 3);
  assert.equal(m['pgap-1.budget_epochs'], 2);
  // One phase series point per phase: serial GaP = init + κ grow steps + fine-tune.
  const phases = (await api.metrics.series({ runId: launched.runId, name: 'phase_sparsity' })).filter((p) => p.step === 'gap-1');
  assert.deepEqual(phases.map((p) => p.index), [0, 1, 2, 3]);
  // The model is evaluated where each GaP round ends (serial: its last grow step; parallel: the merge).
  const rounds = await api.metrics.series({ runId: launched.runId, name: 'round_test_accuracy' });
  assert.deepEqual(rounds.filter((p) => p.step === 'gap-1').map((p) => p.index), [2]);
  assert.deepEqual(rounds.filter((p) => p.step === 'pgap-1').map((p) => p.index), [3], 'P-GaP: init, two branches, then the merge');
  assert.ok(rounds.every((p) => p.value > 0.1 && p.value <= 1), JSON.stringify(rounds));
  assert.deepEqual(rounds.filter((p) => p.step?.startsWith('gmp') || p.step?.startsWith('dense')), [], 'baselines have no rounds');
  // The summary: interval over the two seeds, around the per-seed gaps.
  const gapMinusGmp = [1, 2].map((s) => m[`gap-${s}.test_accuracy`]! - m[`gmp-${s}.test_accuracy`]!);
  const mean = (gapMinusGmp[0]! + gapMinusGmp[1]!) / 2;
  const key = 'summary.gap_minus_prune_from_dense__gap_serial_0_9_uniform';
  assert.ok(Math.abs(m[`${key}_mean`]! - mean) < 1e-9);
  assert.ok(m[`${key}_lower`]! <= mean && mean <= m[`${key}_upper`]!);
  assert.equal(m[`${key}_n`], 2);
  const c = await api.compare.run({ runId: launched.runId });
  const row = c.rows[0]!;
  assert.ok(row.interval, 'the comparison carries the interval');
  assert.ok(Math.abs(row.reproduced! - mean * 100) < 1e-6);
  // "GaP beats pruning from dense" is tested as claimed: one-sided, over the two paired seeds.
  assert.equal(row.hypothesis, 'superiority');
  assert.equal(row.seeds, 2);
  assert.match(row.test, /one-sided t-test over 2 paired seeds/);
  assert.ok(row.p !== null && row.p >= 0 && row.p <= 1);
  assert.equal(row.fidelity, 'proxy');
  // Identical second launch: every step, child workflows included, comes from the cache.
  const again = await api.runs.launch({ recipe });
  const cached = await waitForRun(api, again.runId, { timeoutMs: 120_000 });
  assert.ok(cached.steps.every((s) => s.cacheHit), 'all steps cached');
});

test(`[GAP/${testDb()}] the Fashion-MNIST protocol, reduced for CI: a matrix of ResNet runs with the paper's schedule, one-shot baseline and judged orderings`, async () => {
  // gap-fashion-resnet.yaml at a CI size: two seeds, ResNet-20 at width 4, 256 images.
  const protocol = {
    model: { kind: 'resnet-cifar', depth: 20, width: 4 },
    exclude: 'stem-and-classifier',
    kappa: 2,
    rounds: 1,
    epochsPerStep: 1,
    fineTuneEpochs: 1,
    batchSize: 64,
    learningRate: 0.1,
    lrSchedule: { kind: 'cosine', restart: 'phase' },
    weightDecay: 0.0005,
    trainLimit: 256,
    evalLimit: 200,
    checkpointEvery: 50,
  };
  const recipe = stringify({
    name: 'gap-fashion-ci',
    version: 1,
    datasets: { fashion: { builtin: 'fashion-mnist' } },
    steps: [
      { id: 'm', kind: 'growPrune', inputs: { dataset: 'fashion' }, params: protocol, matrix: { method: ['gap-serial', 'oneshot'], sparsity: [0.9], seed: [1, 2] } },
      { id: 'dense', kind: 'growPrune', inputs: { dataset: 'fashion' }, params: { ...protocol, method: 'dense', sparsity: 0 }, matrix: { seed: [1, 2] } },
      { id: 'summary', kind: 'aggregate', needs: ['m', 'dense'], params: { fn: 'sparse-gaps' } },
    ],
    targets: [{ claim: 'gap-beats-prune-from-dense', metric: 'summary.gap_minus_prune_from_dense__gap_serial_0_9_uniform__vs_oneshot', scaleBy: 100 }],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 480_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  assert.deepEqual(done.steps.map((s) => s.stepKey).sort(), ['dense-1', 'dense-2', 'm-gap-serial-0-9-1', 'm-gap-serial-0-9-2', 'm-oneshot-0-9-1', 'm-oneshot-0-9-2', 'summary']);
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  // Stem and classifier stay dense, so the model's overall sparsity is below the target while every
  // pruned layer is at it; one-shot prunes exactly as GaP does.
  for (const id of ['m-gap-serial-0-9-1', 'm-oneshot-0-9-2']) assert.ok(Math.abs(m[`${id}.final_sparsity`]! - 0.9) < 0.002, `${id} ${m[`${id}.final_sparsity`]}`);
  assert.ok(m['m-oneshot-0-9-1.test_accuracy']! > 0.1, 'one-shot learned something');
  const key = 'summary.gap_minus_prune_from_dense__gap_serial_0_9_uniform__vs_oneshot';
  assert.equal(m[`${key}_n`], 2);
  assert.equal(m[`${key}_paired`], 1);
  const row = (await api.compare.run({ runId: launched.runId })).rows[0]!;
  assert.equal(row.hypothesis, 'superiority');
  assert.match(row.test, /one-sided t-test over 2 paired seeds/);
});

test(`[GAP/${testDb()}] bad sparse-training parameters are named (at launch, or at planning without compute)`, async () => {
  const bad = (params: Record<string, unknown>) =>
    stringify({ name: 'gap-bad', version: 1, datasets: { mnist: { builtin: 'mnist-10k' } }, steps: [step('g', { method: 'gap-serial', sparsity: 0.9, ...params })] });
  await assert.rejects(api.runs.launch({ recipe: bad({ sparsity: 1 }) }), /steps\[0\]\.params\.sparsity: sparsity must be below 1/);
  await assert.rejects(api.runs.launch({ recipe: bad({ epochsPerStep: 0 }) }), /steps\[0\]\.params\.epochsPerStep/);
  await assert.rejects(api.runs.launch({ recipe: bad({ method: 'magic' }) }), /steps\[0\]\.params\.method/);
  const launched = await api.runs.launch({ recipe: bad({ kappa: 9 }) });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'failed');
  assert.match(done.run.error ?? '', /kappa/);
  assert.equal(done.artifacts.filter((a) => a.kind === 'checkpoint').length, 0, 'no training happened');
});
