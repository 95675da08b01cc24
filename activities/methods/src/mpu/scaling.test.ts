import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalingReport } from './scaling';
import { simulateWorkload } from './simulate';

test('scaling report: cycles at 4x the data over cycles at the base size, per model, from real runs', async () => {
  const r = await scalingReport({ workloads: ['AXPY', 'TTRANS'], sizeScale: 1 / 64, jobs: 2 });
  assert.equal(r.factor, 4);
  const [axpy, ttrans] = r.rows;
  assert.equal(axpy!.to, axpy!.from * 4);
  assert.equal(ttrans!.to, ttrans!.from * 2, '2D: twice per side');
  assert.equal(ttrans!.dataFactor, 4);
  // the ratios are the runs' own cycles: one workload re-run alone gives the same numbers
  const again = await simulateWorkload({ workload: 'AXPY', size: axpy!.to });
  assert.equal(again.mpu.cycles, axpy!.mpuCycles[1]);
  assert.equal(axpy!.mpuRatio, axpy!.mpuCycles[1] / axpy!.mpuCycles[0]);
  assert.equal(axpy!.mpuWithin, Math.abs(axpy!.mpuRatio / 4 - 1) <= 0.1);
  assert.equal(r.allWithin, r.rows.every((x) => x.mpuWithin && x.v100Within));
});

test('scaling report: bad factors, tolerances and sizes past the maximum are named', async () => {
  await assert.rejects(scalingReport({ workloads: ['AXPY'], factor: 1 }), /factor: 1 must be above 1/);
  await assert.rejects(scalingReport({ workloads: ['AXPY'], tolerance: 0 }), /tolerance: 0 must be in \(0, 1\)/);
  await assert.rejects(scalingReport({ workloads: ['AXPY'], sizeScale: 8 }), /AXPY: 4x the data is size \d+, above its maximum/);
});
