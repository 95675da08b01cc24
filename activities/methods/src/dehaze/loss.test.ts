import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from '../sr/features';
import { AECR_CR_WEIGHTS, aecrLoss, checkBeta, contrastiveRegularization } from './loss';

/** Five "features": the image average-pooled 1, 2, 4, 8, 16 times coarser. */
const pooling: FeatureExtractor = {
  name: 'test-pooling',
  description: 'test',
  features: (x) => tf.tidy(() => [1, 2, 4, 8, 16].map((s) => (s === 1 ? tf.clone(x) : tf.avgPool(x, s, s, 'valid')) as tf.Tensor4D)),
  dispose: () => undefined,
};

const meanAbs = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]!;

test('CR = Σ ω_i·L1(G_i(out), G_i(clear)) / (L1(G_i(out), G_i(hazy)) + 1e-7)', () => {
  const [out, clear, hazy] = [1, 2, 3].map((s) => tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', s) as tf.Tensor4D) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const got = contrastiveRegularization({ extractor: pooling, output: out, clear, hazy }).dataSync()[0]!;
  const [fo, fc, fh] = [out, clear, hazy].map((t) => pooling.features(t));
  const want = AECR_CR_WEIGHTS.reduce((s, w, i) => s + (w * meanAbs(fo![i]!, fc![i]!)) / (meanAbs(fo![i]!, fh![i]!) + 1e-7), 0);
  assert.ok(Math.abs(got - want) < 1e-5 * want, `${got} vs ${want}`);
  const terms = aecrLoss({ output: out, clear, hazy, beta: 0.5, extractor: pooling });
  assert.ok(Math.abs(terms.total.dataSync()[0]! - (meanAbs(out, clear) + 0.5 * want)) < 1e-5);
});

test('positive and negative are detached: no gradient reaches clear or hazy', () => {
  const [out, clear, hazy] = [4, 5, 6].map((s) => tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', s) as tf.Tensor4D);
  const [go, gc, gh] = tf.grads((o, c, h) => contrastiveRegularization({ extractor: pooling, output: o as tf.Tensor4D, clear: c as tf.Tensor4D, hazy: h as tf.Tensor4D }))([out!, clear!, hazy!]);
  assert.ok(tf.sum(tf.abs(go!)).dataSync()[0]! > 0);
  assert.equal(tf.sum(tf.abs(gc!)).dataSync()[0], 0);
  assert.equal(tf.sum(tf.abs(gh!)).dataSync()[0], 0);
});

test('beta: 0 never calls the extractor; negative, NaN, infinite refused naming beta', () => {
  const spy: FeatureExtractor = { ...pooling, features: () => assert.fail('extractor called with beta = 0') };
  const x = tf.ones([1, 8, 8, 3]) as tf.Tensor4D;
  const y = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  const t = aecrLoss({ output: x, clear: y, hazy: y, beta: 0, extractor: spy });
  assert.equal(t.total.dataSync()[0], 1);
  assert.equal(t.cr.dataSync()[0], 0);
  for (const bad of [-0.1, NaN, Infinity]) assert.throws(() => aecrLoss({ output: x, clear: y, hazy: y, beta: bad, extractor: pooling }), /^Error: beta/);
  assert.throws(() => checkBeta('1'), /beta/);
  assert.throws(() => aecrLoss({ output: x, clear: y, hazy: y, beta: 1 }), /needs a feature extractor/);
});
