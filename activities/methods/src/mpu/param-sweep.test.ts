import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runParameterSweep, sweepConfigs } from './param-sweep';
import { simulateWorkload } from './simulate';
import { SMALL_MACHINE } from './test-configs';

test('a parameter sweep gives one point per value, each equal to a plain simulation with that value', async () => {
  const r = await runParameterSweep({ workload: 'BLUR', size: 256, config: SMALL_MACHINE, sweep: { parameter: 'mpu.rowBuffers', values: [1, 4] } });
  assert.equal(r.parameter, 'mpu.rowBuffers');
  assert.deepEqual(r.points.map((p) => p.value), [1, 4]);
  const plain = await simulateWorkload({ workload: 'BLUR', size: 256, config: { ...SMALL_MACHINE, mpu: { ...SMALL_MACHINE.mpu, rowBuffers: 1 } } });
  assert.equal(r.points[0]!.mpuCycles, plain.mpu.cycles);
  assert.equal(r.points[0]!.speedup, plain.speedup);
  // BLUR conflicts on rows: one row buffer is slower than four
  assert.ok(r.points[0]!.mpuCycles > r.points[1]!.mpuCycles);
  assert.ok(r.points.every((p) => p.functionalOk));
});

test('sweeping the offload policy keeps the V100 side fixed', async () => {
  const r = await runParameterSweep({ workload: 'KNN', size: 1 << 12, config: SMALL_MACHINE, sweep: { parameter: 'offloadPolicy', values: ['far-only', 'compiler'] } });
  assert.equal(r.points[0]!.gpuCycles, r.points[1]!.gpuCycles);
  assert.notEqual(r.points[0]!.mpuCycles, r.points[1]!.mpuCycles);
});

test('bad sweeps are refused before simulating, naming the value, the parameter and the allowed range', () => {
  assert.throws(() => sweepConfigs({}, { parameter: 'mpu.rowBufers', values: [1, 2] }), /sweep\.parameter: "mpu\.rowBufers" is not a simulator parameter.*mpu\.rowBuffers/);
  assert.throws(() => sweepConfigs({}, { parameter: 'mpu.rowBuffers', values: [2] }), /sweep\.values: give 2 to 16 values \(got 1\)/);
  assert.throws(() => sweepConfigs({}, { parameter: 'mpu.rowBuffers', values: [2, 2] }), /repeated value/);
  assert.throws(() => sweepConfigs({}, { parameter: 'mpu.rowBuffers', values: [1, 0] }), /sweep\.values\[1\] \(mpu\.rowBuffers = 0\): mpu\.rowBuffers: 0 out of range; allowed range \[1,/);
  assert.throws(() => sweepConfigs({}, { parameter: 'offloadPolicy', values: ['compiler', 'magic'] }), /sweep\.values\[1\].*allowed: /);
  assert.equal(sweepConfigs({ mpu: { tRP: 20 } }, { parameter: 'mpu.rowBuffers', values: [1, 8] })[1]!.mpu.tRP, 20, 'the base config carries through');
});
