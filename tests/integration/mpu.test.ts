/** MPU simulation as workflow steps on the `sim` queue: parallel workloads, then their geomeans. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { connect, finalMetrics, mpuMiniRecipe, startWorker, testDb, waitForRun, type Api } from '../support/harness';
import type { ObjectStore } from '@reprolab/activities';

let api: Api;
let store: ObjectStore;
before(async () => {
  ({ api, store } = await connect());
  await startWorker();
});

const workloads = ['AXPY', 'GEMV', 'HIST'];

test(`[MPU/${testDb()}] workloads fan out in parallel, store reports and metrics, and the summary computes geomeans`, async () => {
  const recipe = mpuMiniRecipe('mpu-mini', workloads, {
    scale: 'proxy',
    targets: [{ claim: 'mpu-speedup-vs-v100', metric: 'summary.geomean_speedup', tolerance: 0.35 }],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 300_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  assert.deepEqual(done.steps.map((s) => s.queue), ['sim', 'sim', 'sim', 'cpu']);
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const speedups = workloads.map((w) => m[`${w.toLowerCase()}.speedup`]!);
  for (const [i, s] of speedups.entries()) assert.ok(s > 0 && Number.isFinite(s), `${workloads[i]} speedup ${s}`);
  for (const w of workloads) {
    assert.equal(m[`${w.toLowerCase()}.functional_ok`], 1, `${w} computes the right answer`);
    assert.ok(m[`${w.toLowerCase()}.mpu_cycles`]! > 0);
    assert.ok(m[`${w.toLowerCase()}.mpu_energy_dram_activate_nj`]! >= 0);
  }
  const expected = Math.exp(speedups.reduce((a, s) => a + Math.log(s), 0) / speedups.length);
  assert.ok(Math.abs(m['summary.geomean_speedup']! - expected) < 1e-9 * expected);
  const report = done.artifacts.find((a) => a.name === 'mpu-summary')!;
  const summary = JSON.parse(new TextDecoder().decode(await store.getBytes(report.sha256))) as { workloads: unknown[] };
  assert.equal(summary.workloads.length, 3);
  const c = await api.compare.run({ runId: launched.runId });
  assert.equal(c.rows[0]!.paperValue, 3.46);
  assert.ok(Math.abs(c.rows[0]!.reproduced! - expected) < 1e-9 * expected);
});

test(`[MPU/${testDb()}] a bad simulator config fails the step without retrying, naming the field`, async () => {
  const recipe = stringify({
    name: 'mpu-bad',
    version: 1,
    steps: [{ id: 'axpy', kind: 'simulateMpu', params: { workload: 'AXPY', sizeScale: 1 / 64, config: { mpu: { rowBuffers: 0 } } } }],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 120_000 });
  assert.equal(done.run.status, 'failed');
  assert.match(done.run.error ?? '', /rowBuffers/);
  assert.equal(done.steps[0]!.attempts, 1, 'bad input is not retried');
  await assert.rejects(api.runs.launch({ recipe: recipe.replace('workload: AXPY', 'workload: FFT') }), /steps\[0\]\.params\.workload/);
});
