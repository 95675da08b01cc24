/** MPU simulation as workflow steps on the `sim` queue: parallel workloads, then their geomeans. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { connect, finalMetrics, mpuMiniRecipe, startWorker, storedCounts, testDb, waitForRun, type Api } from '../support/harness';
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
    targets: [
      { claim: 'mpu-speedup-vs-v100', metric: 'summary.geomean_speedup', tolerance: 0.35 },
      { claim: 'mpu-energy-reduction-vs-v100', metric: 'summary.geomean_energy_ratio', tolerance: 0.26 },
    ],
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
  // The energy ratio is judged over the V100 static power's whole uncertain range, not one value.
  const energy = c.rows[1]!;
  assert.equal(energy.intervalKind, 'band');
  assert.ok(energy.interval![0] < energy.reproduced! && energy.reproduced! < energy.interval![1], `${energy.interval} around ${energy.reproduced}`);
  // Cut sizes make this a proxy: the paper's full-size number is shown, never judged.
  assert.equal(energy.label, 'not comparable at proxy scale');
  assert.match(energy.statement, /\[\d\.\d+, \d\.\d+\]/);
  assert.equal(m['summary.v100_static_power_band_lower_w'], 20);
});

test(`[MPU/${testDb()}] bad simulator input is refused at launch, naming the field and the allowed range, storing nothing`, async () => {
  const before = await storedCounts(api);
  const recipe = stringify({
    name: 'mpu-bad',
    version: 1,
    steps: [
      { id: 'axpy', kind: 'simulateMpu', params: { workload: 'AXPY', sizeScale: 1 / 64, config: { mpu: { rowBuffers: 0 } } } },
      { id: 'maxp', kind: 'simulateMpu', params: { workload: 'MAXP', size: 16384 } },
      { id: 'ttrans', kind: 'simulateMpu', params: { workload: 'TTRANS', sizeScale: 0.25, sweep: { parameter: 'mpu.rowBuffers', values: [8, 99] } } },
    ],
  });
  await assert.rejects(api.runs.launch({ recipe }), (e: unknown) => {
    const msg = (e as Error).message;
    assert.match(msg, /steps\[0\]\.params\.config\.mpu\.rowBuffers: 0 out of range; allowed range \[1, 16\] \(integer\)/);
    assert.match(msg, /steps\[1\]\.params\.size: MAXP at size 16384 needs ~\d+ MiB of buffers, over the \d+ MiB budget/);
    assert.match(msg, /steps\[2\]\.params\.sweep\.values\[1\]: mpu\.rowBuffers = 99: 99 out of range/);
    return true;
  });
  await assert.rejects(api.schedules.create({ recipe, id: 'mpu-bad-never', every: '1d' }), /steps\[0\]\.params\.config\.mpu\.rowBuffers/);
  assert.deepEqual(await storedCounts(api), before, 'no recipe version and no run stored');
  await assert.rejects(api.runs.launch({ recipe: recipe.replace('workload: AXPY', 'workload: FFT') }), /steps\[0\]\.params\.workload/);
});

test(`[MPU/${testDb()}] a sweep step records one indexed point per value, in the recipe's order, and a report`, async () => {
  const recipe = stringify({
    name: 'mpu-sweep-mini',
    version: 1,
    scale: 'proxy',
    steps: [
      { id: 'ttrans-rb', kind: 'simulateMpu', params: { workload: 'TTRANS', sizeScale: 0.25, sweep: { parameter: 'mpu.rowBuffers', values: [8, 1] } } },
      { id: 'knn-policy', kind: 'simulateMpu', params: { workload: 'KNN', size: 1024, sweep: { parameter: 'offloadPolicy', values: ['far-only', 'compiler'] } } },
    ],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 300_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const series = await api.metrics.series({ runId: launched.runId, prefix: 'sweep_' });
  const of = (step: string, name: string) => series.filter((p) => p.step === step && p.name === name).map((p) => [p.index, p.value]);
  assert.deepEqual(of('ttrans-rb', 'sweep_value'), [[0, 8], [1, 1]]);
  const cycles = of('ttrans-rb', 'sweep_mpu_cycles');
  assert.ok(cycles[1]![1]! > cycles[0]![1]!, `one row buffer must be slower than eight: ${JSON.stringify(cycles)}`);
  assert.equal(of('knn-policy', 'sweep_value').length, 0, 'policy names are not numbers');
  assert.equal(of('knn-policy', 'sweep_speedup').length, 2);
  // same V100 side for every offload policy
  const gpu = of('knn-policy', 'sweep_gpu_cycles');
  assert.equal(gpu[0]![1], gpu[1]![1]);
  // the prefix filter takes `_` literally: nothing else leaks in
  assert.ok(series.every((p) => p.name.startsWith('sweep_')));
  const report = done.artifacts.find((a) => a.name === 'mpu-sweep-TTRANS')!;
  const body = JSON.parse(new TextDecoder().decode(await store.getBytes(report.sha256))) as { parameter: string; points: { value: number }[] };
  assert.equal(body.parameter, 'mpu.rowBuffers');
  assert.deepEqual(body.points.map((p) => p.value), [8, 1]);
});

test(`[MPU/${testDb()}] a sweep value out of range is refused at launch, naming the value and the range`, async () => {
  const recipe = stringify({
    name: 'mpu-sweep-bad',
    version: 1,
    steps: [{ id: 'axpy', kind: 'simulateMpu', params: { workload: 'AXPY', size: 4096, sweep: { parameter: 'mpu.rowBuffers', values: [2, 99] } } }],
  });
  // (the worker refuses it too, for recipes stored before launch checks: activities/src/compute/jobs.test.ts)
  await assert.rejects(api.runs.launch({ recipe }), /steps\[0\]\.params\.sweep\.values\[1\]: mpu\.rowBuffers = 99: 99 out of range; allowed range \[1, 16\]/);
  await assert.rejects(api.runs.launch({ recipe: recipe.replace('- 99', '- 2') }), /steps\[0\]\.params\.sweep\.values: repeated value/);
  // a parameter that is not a path is refused at launch by the recipe schema
  await assert.rejects(api.runs.launch({ recipe: recipe.replace('parameter: mpu.rowBuffers', 'parameter: rowBuffers') }), /steps\[0\]\.params\.sweep\.parameter/);
});
