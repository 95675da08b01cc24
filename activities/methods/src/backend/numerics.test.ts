/**
 * Same numerical suite on every backend that loads here, against the pure-JS
 * 'cpu' backend. A backend that is not installed is skipped WITH the reason
 * (the one-line warning selection would print). Force failure instead of skip
 * with REPROLAB_REQUIRE_BACKENDS=tensorflow,wasm (or 1; `.ci/run` sets it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { CASES, compare, runCase, type CaseResult } from './numerics.js';
import { detectGpu } from './gpu.js';
import { installMissingGradients, spaceToDepth } from './gradients.js';
import { oneDnnMaxPoolGradInUse } from './native-grads.js';
import { requiredBackends, skipUnlessRequired } from './required.js';
import { quietCpuBanner, selectBackend, selfCheck, type BackendName } from './select.js';

const required = requiredBackends();

installMissingGradients();
// Load every backend BEFORE registering tests: node:test starts running
// registered tests while later top-level awaits are still pending.
const infos = new Map<BackendName, Awaited<ReturnType<typeof selectBackend>>>();
const BACKENDS: BackendName[] = [...(detectGpu().present ? (['tensorflow-gpu'] as const) : []), 'tensorflow', 'wasm'];
for (const backend of BACKENDS) infos.set(backend, await selectBackend({ prefer: backend, warn: () => {} }));
// Reference values on the pure-JS backend, computed once.
await tf.setBackend('cpu');
quietCpuBanner();
const reference = new Map<string, CaseResult>(CASES.map((c) => [c.name, runCase(c)]));

test('pure-JS reference passes the float64 conv self-check', async () => {
  await tf.setBackend('cpu');
  selfCheck();
});

test('depthToSpace gradient equals the gradient of its reshape/transpose form', async () => {
  await tf.setBackend('cpu');
  const x = tf.tensor4d(Array.from({ length: 2 * 3 * 3 * 8 }, (_, i) => Math.sin(i)), [2, 3, 3, 8]);
  const manual = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [2, 3, 3, 2, 2, 2]), [0, 1, 3, 2, 4, 5]), [2, 6, 6, 2]);
  assert.deepEqual(Array.from(tf.depthToSpace(x, 2).dataSync()), Array.from(manual(x).dataSync()));
  const r = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => Math.cos(i)), [2, 6, 6, 2]);
  const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(t as tf.Tensor4D, 2), r)))(x);
  const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(manual(t), r)))(x);
  assert.deepEqual(Array.from(g1.dataSync()), Array.from(g2.dataSync()));
  assert.deepEqual(Array.from(spaceToDepth(tf.depthToSpace(x, 2), 2).dataSync()), Array.from(x.dataSync()));
});

test('pure-JS upsampling gradient (patched) equals float64 block sums for batch > 1', async () => {
  await tf.setBackend('cpu');
  const [N, H, W, C] = [2, 3, 4, 3];
  const x = tf.zeros([N, H, W, C]) as tf.Tensor4D;
  const rv = Array.from({ length: N * H * W * C * 4 }, (_, i) => (i * 7) % 13);
  const r = tf.tensor4d(rv, [N, 2 * H, 2 * W, C]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [2 * H, 2 * W]), r)))(x);
  const want: number[] = [];
  for (let n = 0; n < N; n++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (const di of [0, 1]) for (const dj of [0, 1]) s += rv[((n * 2 * H + 2 * i + di) * 2 * W + 2 * j + dj) * C + c]!;
          want.push(s);
        }
  assert.deepEqual(Array.from(g.dataSync()), want);
});

test('reference suite is deterministic', async () => {
  await tf.setBackend('cpu');
  for (const c of CASES) assert.equal(compare(runCase(c), reference.get(c.name)!, 0, 0), undefined, c.name);
});

for (const backend of BACKENDS) {
  const info = infos.get(backend)!;
  const skip = info.name === backend ? false : (info.warnings[0] ?? `not available`);
  if (skip && required.has(backend)) {
    test(`${backend} is required`, () => assert.fail(String(skip)));
    continue;
  }
  test(`numerical suite on ${backend}`, { skip }, async (t) => {
    for (const c of CASES) {
      await t.test(c.name, async () => {
        await tf.setBackend(info.tfBackend);
        const got = runCase(c);
        const err = compare(got, reference.get(c.name)!, c.atol ?? 2e-4, c.rtol ?? 2e-3);
        assert.equal(err, undefined, `${backend} / ${c.name}: ${err}`);
      });
    }
  });
}

const nativeLoaded = infos.get('tensorflow')?.name === 'tensorflow';
test('the native CPU backend computes max-pool gradients with oneDNN (TF eager alone would not)', { skip: skipUnlessRequired('tensorflow', nativeLoaded, 'native backend not available', required) }, async () => {
  assert.ok(nativeLoaded, `native backend required but not available: ${infos.get('tensorflow')?.warnings[0] ?? 'not loaded'}`);
  await tf.setBackend(infos.get('tensorflow')!.tfBackend);
  const x = tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => Math.sin(i * 1.7)), [2, 4, 4, 3]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
  // every 2×2 window passes its gradient to exactly one position
  assert.equal(tf.sum(g).dataSync()[0], 2 * 2 * 2 * 3);
  assert.equal(oneDnnMaxPoolGradInUse(), true);
});
