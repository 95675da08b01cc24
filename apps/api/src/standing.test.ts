import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { outOfReachReason, shippedTargets } from './standing';

test('out-of-reach reasons name the missing data or hardware', () => {
  assert.match(outOfReachReason({ dataset: 'ImageNet-1k (val)', model: 'ResNet-50', task: null })!, /ImageNet/);
  assert.match(outOfReachReason({ dataset: 'Urban100 x4', model: 'EDSR+', task: null })!, /SR benchmarks/);
  assert.match(outOfReachReason({ dataset: 'SOTS-indoor', model: 'AECR-Net', task: null })!, /dehazing/);
  assert.equal(outOfReachReason({ dataset: 'n/a', model: 'EDSR+ width 0.25x', task: null }), null, 'a parameter count needs nothing');
});

test('shipped recipes are indexed by the claims they target', async () => {
  const t = await shippedTargets(join(import.meta.dirname, '../../../workflows/recipes'));
  assert.deepEqual(t.get('csd-edsrplus-w0.25-params'), ['csd-architecture.yaml']);
  assert.ok(t.get('gap-beats-prune-from-dense')!.includes('gap-fashion-resnet.yaml'));
  assert.ok(t.get('mpu-speedup-vs-v100')!.includes('mpu-vs-v100.yaml'));
});
