import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negativeBatch, NDA_TRANSFORMS } from './nda';

const img = (n: number, h: number, w: number) => Float32Array.from({ length: n * h * w }, (_, i) => (i % (h * w)) / (h * w) + Math.floor(i / (h * w)) * 0.001);

test('every NDA transform changes the image, keeps its shape and its value range', () => {
  const x = img(3, 8, 8);
  for (const t of NDA_TRANSFORMS) {
    const y = negativeBatch(x, 3, 8, 8, 1, { transforms: [t], combine: 1 }, 1);
    assert.equal(y.length, x.length, t);
    for (let i = 0; i < 3; i++) {
      const a = x.subarray(i * 64, (i + 1) * 64), b = y.subarray(i * 64, (i + 1) * 64);
      assert.ok(b.some((v, k) => v !== a[k]), `${t} left image ${i} unchanged`);
      assert.ok(Math.min(...b) >= 0 && Math.max(...b) <= 1.01, t);
    }
  }
});

test('NDA is deterministic in its seed and combines distinct transforms', () => {
  const x = img(4, 8, 8);
  const o = { transforms: [...NDA_TRANSFORMS], combine: 2 };
  assert.deepEqual(negativeBatch(x, 4, 8, 8, 1, o, 5), negativeBatch(x, 4, 8, 8, 1, o, 5));
  assert.notDeepEqual(negativeBatch(x, 4, 8, 8, 1, o, 5), negativeBatch(x, 4, 8, 8, 1, o, 6));
});

test('NDA refuses unknown transforms, bad combine counts and mis-sized batches', () => {
  const x = img(2, 8, 8);
  assert.throws(() => negativeBatch(x, 2, 8, 8, 1, { transforms: ['blur' as never], combine: 1 }, 1), /unknown transform "blur"/);
  assert.throws(() => negativeBatch(x, 2, 8, 8, 1, { transforms: ['rotate'], combine: 2 }, 1), /combine must be a whole number from 1 to 1/);
  assert.throws(() => negativeBatch(x, 2, 8, 8, 1, { transforms: [], combine: 1 }, 1), /transforms is empty/);
  assert.throws(() => negativeBatch(x, 3, 8, 8, 1, { transforms: ['rotate'], combine: 1 }, 1), /not 3 images/);
});
