import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSimulationInput } from './check-input';
import { parseSimConfig, SimConfigError } from './sim-config';

test('[MPU] simulation input is checked without simulating, each problem named by its params field', () => {
  assert.deepEqual(checkSimulationInput({ workload: 'AXPY', sizeScale: 1 / 64, config: { mpu: { rowBuffers: 8 } } }), []);
  const [rb] = checkSimulationInput({ workload: 'AXPY', config: { mpu: { rowBuffers: 0 } } });
  assert.equal(rb!.field, 'config.mpu.rowBuffers');
  assert.match(rb!.message, /^0 out of range; allowed range \[1, 16\] \(integer\) per bank$/);
  assert.deepEqual(
    checkSimulationInput({ workload: 'AXPY', config: { offloadPolicy: 'nearest', bogus: 1 } }).map((i) => i.field),
    ['config.bogus'],
  );
  assert.equal(checkSimulationInput({ workload: 'AXPY', config: { offloadPolicy: 'nearest' } })[0]!.field, 'config.offloadPolicy');
  assert.equal(checkSimulationInput({ workload: 'AXPY', size: 0 })[0]!.field, 'size');
  assert.match(checkSimulationInput({ workload: 'AXPY', size: 0 })[0]!.message, /^AXPY size must be an integer in \[1, /);
  const budget = checkSimulationInput({ workload: 'MAXP', size: 16384 });
  assert.deepEqual(budget.map((i) => i.field), ['size']);
  assert.match(budget[0]!.message, /over the 2048 MiB budget/);
  const sweep = checkSimulationInput({ workload: 'AXPY', sweep: { parameter: 'mpu.rowBuffers', values: [1, 99] } });
  assert.deepEqual(sweep.map((i) => i.field), ['sweep.values[1]']);
  assert.match(sweep[0]!.message, /^mpu\.rowBuffers = 99: 99 out of range; allowed range \[1, 16\]/);
});

test('[MPU] config errors keep their messages and carry the field', () => {
  assert.throws(
    () => parseSimConfig({ mpu: { rowBuffers: 0 } }),
    (e: unknown) => e instanceof SimConfigError && e.field === 'mpu.rowBuffers' && /^mpu\.rowBuffers: 0 out of range; allowed range \[1, 16\]/.test(e.message),
  );
});
