import { test } from 'node:test';
import assert from 'node:assert/strict';
import { energySensitivityOf, type ComparisonRow } from './compare';

const workload = (step: string, mpu: number, gpu: number, stat: number, s: number) => [
  { step, name: 'mpu_energy_nj', value: mpu, points: 1 },
  { step, name: 'gpu_energy_nj', value: gpu, points: 1 },
  { step, name: 'gpu_energy_static_nj', value: stat, points: 1 },
  { step, name: 'gpu_seconds', value: s, points: 1 },
];
const metrics = [
  ...workload('axpy', 1000, 3000, 1000, 10e-9),
  ...workload('gemv', 4000, 5000, 2000, 20e-9),
  ...workload('extra', 1, 1e9, 0, 1), // a simulateMpu step the geomean does not average
  { step: 'summary', name: 'geomean_energy_ratio', value: 1.2, points: 1 },
];
const rows = [{ metric: 'summary.geomean_energy_ratio', paperValue: 2.57, tolerance: 0.26 } as ComparisonRow];

test('energy sensitivity: only for a suite with a geomean energy ratio, over the steps it averaged, with the paper value', () => {
  const s = energySensitivityOf(metrics, rows, ['axpy', 'gemv'])!;
  assert.equal(s.workloads, 2);
  assert.deepEqual([s.paper, s.tolerance], [2.57, 0.26]);
  assert.deepEqual(s.curves.map((c) => c.model), ['bottom-up-static', 'board-power']);
  // the bottom-up curve at the model's 40 W static power is the ratio the steps recorded
  const at40 = s.curves[0]!.points.find(([w]) => w === 40)![1];
  assert.ok(Math.abs(at40 - Math.sqrt(((2000 + 400) / 1000) * ((3000 + 800) / 4000))) < 1e-12);
  assert.equal(energySensitivityOf(metrics, rows)!.workloads, 3, 'without the aggregate step: every workload step');
  assert.equal(energySensitivityOf(metrics.filter((m) => m.name !== 'geomean_energy_ratio'), rows), null, 'no suite, no chart');
  assert.equal(energySensitivityOf(metrics, [])!.paper, null, 'a run that targets no energy claim still shows its curves');
});
