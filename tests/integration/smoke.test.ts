/** The platform core end to end: recipe → workflow → worker → MinIO + database, then the cache. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { connect, finalMetrics, mpuMiniRecipe, startWorker, testDb, trainEvalRecipe, waitForRun, type Api } from '../support/harness';
import type { ObjectStore } from '@reprolab/activities';

let api: Api;
let store: ObjectStore;

before(async () => {
  ({ api, store } = await connect());
  await startWorker();
});

test(`[RUNS/${testDb()}] the shipped smoke recipe validates and its steps form pretrain → evaluate`, async () => {
  const text = await readFile(`${REPO_ROOT}/workflows/recipes/smoke.yaml`, 'utf8');
  const r = await api.recipes.get({ file: 'smoke.yaml' });
  assert.equal(r.source, text);
  assert.deepEqual(r.recipe.steps.map((s) => [s.id, s.needs]), [['pretrain', []], ['evaluate', ['pretrain']]]);
});

test(`[RUNS/${testDb()}] a recipe runs to completion; metrics, artifacts, lineage and environment are recorded`, async () => {
  const launched = await api.runs.launch({ recipe: trainEvalRecipe('core-e2e') });
  const done = await waitForRun(api, launched.runId);
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  assert.deepEqual(done.steps.map((s) => [s.stepKey, s.status, s.cacheHit]), [['pretrain', 'completed', false], ['evaluate', 'completed', false]]);
  const metrics = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  // 640 examples, one epoch of a tiny MLP: clearly better than chance (0.1), not perfect.
  assert.ok(metrics['evaluate.test_accuracy']! > 0.5 && metrics['evaluate.test_accuracy']! < 1, `accuracy ${metrics['evaluate.test_accuracy']}`);
  assert.equal(metrics['evaluate.test_examples'], 500);
  assert.equal(metrics['pretrain.train_steps'], 20);
  const losses = (await api.metrics.series({ runId: launched.runId, name: 'train_loss' })).map((m) => m.index);
  assert.deepEqual(losses, Array.from({ length: 20 }, (_, i) => i + 1), 'one loss point per optimizer step');
  // Checkpoints every 10 steps (the last step writes the model instead), then the final model.
  const kinds = done.artifacts.map((a) => `${a.kind}:${a.name}`);
  assert.deepEqual(kinds, ['checkpoint:step-10', 'model:tiny-mlp-final']);
  for (const a of done.artifacts) {
    assert.equal(a.stepId, done.steps[0]!.id, 'lineage: artifact → producing step');
    const bytes = await store.getBytes(a.sha256); // verifies the digest
    assert.equal(bytes.length, a.size);
  }
  const env = done.environment!;
  assert.equal(env.seed, 3);
  assert.equal(env.nodeVersion, process.version);
  assert.match(env.tensorBackend, /\w/);
  assert.match(env.lockfileHash, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(env.codeVersion, '');
});

test(`[CACHE/${testDb()}] an identical run reuses every step; --force recomputes the same numbers`, async () => {
  const text = trainEvalRecipe('core-cache');
  const first = await api.runs.launch({ recipe: text });
  const a = await waitForRun(api, first.runId);
  assert.equal(a.run.status, 'completed');
  const second = await api.runs.launch({ recipe: text });
  const b = await waitForRun(api, second.runId);
  assert.equal(b.run.status, 'completed');
  assert.deepEqual(b.steps.map((s) => s.cacheHit), [true, true]);
  assert.deepEqual(b.steps.map((s) => s.attempts), [0, 0], 'cached steps ran no activity attempt');
  assert.deepEqual(finalMetrics(await api.metrics.series({ runId: second.runId })), finalMetrics(await api.metrics.series({ runId: first.runId })));
  const forced = await api.runs.launch({ recipe: text, force: true });
  const c = await waitForRun(api, forced.runId);
  assert.deepEqual(c.steps.map((s) => s.cacheHit), [false, false]);
  assert.deepEqual(finalMetrics(await api.metrics.series({ runId: forced.runId })), finalMetrics(await api.metrics.series({ runId: first.runId })), 'same seed, same backend → same metrics');
  assert.deepEqual(c.steps.map((s) => s.outputs), a.steps.map((s) => s.outputs), 'bit-identical model artifact');
  // A different seed is a different computation.
  const reseeded = await api.runs.launch({ recipe: text, seed: 11 });
  const d = await waitForRun(api, reseeded.runId);
  assert.deepEqual(d.steps.map((s) => s.cacheHit), [false, false]);
  assert.notDeepEqual(d.steps[0]!.outputs, a.steps[0]!.outputs);
});

test(`[RUNS/${testDb()}] runs.list and compare.run report the run`, async () => {
  const { runs } = await api.runs.list({ limit: 10 });
  assert.ok(runs.length >= 1);
  const c = await api.compare.run({ runId: runs[0]!.id });
  assert.equal(c.rows.length, 0);
  assert.ok(c.metrics.some((m) => m.name === 'test_accuracy'));
});

test(`[CACHE/${testDb()}] an aggregate over other steps is not reused: its fingerprint includes what it needs`, async () => {
  const seed = 1000 + Math.floor(Math.random() * 1e6); // nothing computed by other tests matches
  const one = await waitForRun(api, (await api.runs.launch({ recipe: mpuMiniRecipe('cache-agg-1', ['AXPY'], { scale: 'proxy', targets: [] }), seed })).runId);
  assert.equal(one.run.status, 'completed', one.run.error ?? '');
  const two = await waitForRun(api, (await api.runs.launch({ recipe: mpuMiniRecipe('cache-agg-2', ['AXPY', 'GEMV'], { scale: 'proxy', targets: [] }), seed })).runId);
  assert.equal(two.run.status, 'completed', two.run.error ?? '');
  assert.deepEqual(two.steps.map((s) => [s.stepKey, s.cacheHit]), [['axpy', true], ['gemv', false], ['summary', false]]);
  const m = finalMetrics(await api.metrics.series({ runId: two.run.id }));
  assert.equal(m['summary.workloads'], 2);
  const geo = Math.sqrt(m['axpy.speedup']! * m['gemv.speedup']!);
  assert.ok(Math.abs(m['summary.geomean_speedup']! - geo) < 1e-9 * geo, `${m['summary.geomean_speedup']} vs ${geo}`);
});
