import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest } from './recipe-checks';

test('[API] an unknown claim id is matched to a near known one, or to none', () => {
  const known = ['mpu-speedup-vs-v100', 'mpu-energy-reduction-vs-v100', 'gap-resnet50-90-nonuniform-top1-abstract'];
  assert.equal(closest('mpu-speedup-vs-v10', known), 'mpu-speedup-vs-v100');
  assert.equal(closest('mpu-sppedup-vs-v100', known), 'mpu-speedup-vs-v100');
  assert.equal(closest('no-such-claim', known), undefined);
  assert.equal(closest('x', []), undefined);
});
