import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { randomConvFeatures, type FeatureExtractor } from './features';
import { bicubicNegatives, bicubicUpsample, contrastiveLoss, csdLoss, l1Loss, stopGradient } from './loss';

/** The image itself as the only "feature": makes the loss checkable by hand. */
const identity: FeatureExtractor = { name: 'identity', description: 'test only', features: (x) => [x.clone()], dispose: () => undefined };

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

/** Printed by reference/bicubic_ref.py (OpenCV INTER_CUBIC). */
const BICUBIC_REF = {
  input: [0, 30, 10, 50, 60, 90, 70, 0, 10, 40, 20, 60],
  x2: [-9.4922, 1.1719, 18.9844, 20.4906, 3.8155, 13.2535, 42.8793, 60.7158, 12.1875, 22.8516, 40.6641, 43.5902, 29.7551, 25.7822, 33.3194, 37.7449, 48.5156, 59.1797, 76.9922, 82.3051, 73.2436, 46.7288, 17.1384, -0.9779, 51.8359, 62.5, 80.3125, 85.6255, 76.5639, 50.0491, 20.4587, 2.3424, 20.2734, 30.9375, 48.75, 51.6762, 37.841, 33.8681, 41.4053, 45.8308, 1.5625, 12.2266, 30.0391, 31.5453, 14.8701, 24.3082, 53.934, 71.7705],
  x3: [-10.0, -6.6667, 3.8889, 16.1111, 23.3333, 17.4692, 5.4939, 3.3333, 17.5514, 38.0041, 55.5555, 61.358, -3.3333, 0.0, 10.5556, 22.7778, 30.0, 24.8148, 13.5185, 10.0, 20.3704, 36.2963, 50.0, 54.4444, 18.3333, 21.6667, 32.2222, 44.4444, 51.6667, 48.7449, 39.7119, 31.6667, 29.2112, 30.048, 30.9259, 30.8436, 43.3333, 46.6667, 57.2222, 69.4444, 76.6667, 76.3477, 69.9177, 56.6667, 39.4616, 22.9458, 9.0741, 3.786, 56.6667, 60.0, 70.5555, 82.7778, 90.0, 90.9259, 85.7407, 70.0, 45.7407, 20.926, 0.0, -7.7778, 47.5926, 50.9259, 61.4815, 73.7037, 80.9259, 80.607, 74.1769, 60.9259, 43.7209, 27.2051, 13.3333, 8.0453, 25.7408, 29.0741, 39.6296, 51.8518, 59.0741, 56.1523, 47.1194, 39.0741, 36.6187, 37.4554, 38.3333, 38.251, 6.6667, 10.0, 20.5556, 32.7778, 40.0, 34.8148, 23.5185, 20.0, 30.3704, 46.2963, 60.0, 64.4444, 1.1111, 4.4444, 15.0, 27.2222, 34.4444, 28.5802, 16.605, 14.4444, 28.6626, 49.1152, 66.6667, 72.4691],
};

const img = (seed: number, b = 2, side = 16) => tf.tidy(() => tf.mul(tf.randomUniform([b, side, side, 3], 0, 1, 'float32', seed), 255) as tf.Tensor4D);

test('[CSD]: CL sums the distance over negatives and compares every anchor with every negative (hand-computed)', () => {
  // Two 1×1 RGB anchors S = 0 and 1, positives T = 1, negatives N = 2 and 0.
  const S = tf.tensor4d([0, 0, 0, 1, 1, 1], [2, 1, 1, 3]);
  const T = tf.tensor4d([1, 1, 1, 1, 1, 1], [2, 1, 1, 3]);
  const N = tf.tensor4d([2, 2, 2, 0, 0, 0], [2, 1, 1, 3]);
  // d(T,S) = 0.5; Σ_k mean_b |N_k − S_b| = 1.5 + 0.5 = 2; CL = 0.5 / (2 + 1e-7).
  const cl = value(contrastiveLoss({ extractor: identity, anchor: S, positive: T, negatives: N, weights: [1] }));
  assert.ok(Math.abs(cl - 0.25) < 1e-7, `CL = ${cl}`);
  // Layer weights scale the terms.
  assert.ok(Math.abs(value(contrastiveLoss({ extractor: identity, anchor: S, positive: T, negatives: N, weights: [0.25] })) - 0.0625) < 1e-7);
  tf.dispose([S, T, N]);
});

test('[CSD]: l1Loss has PyTorch\'s L1 gradient sign(a − b)/n (0 where equal), also for a broadcast operand', () => {
  const before = tf.memory().numTensors;
  const a = tf.tensor4d([3, -1, 2, 0, 5, 5], [2, 1, 1, 3]);
  const b = tf.tensor4d([1, 1, 2], [1, 1, 1, 3]);
  assert.ok(Math.abs(value(l1Loss(a, b)) - (2 + 2 + 0 + 1 + 4 + 3) / 6) < 1e-6);
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => l1Loss(x, y))([a, b]);
  assert.deepEqual(Array.from(ga!.dataSync()), [1, -1, 0, -1, 1, 1].map((v) => Math.fround(v / 6)));
  // b is broadcast over the batch of 2: its gradient is the sum over the batch, negated.
  assert.deepEqual(Array.from(gb!.dataSync(), (v) => v + 0), [0, 0, Math.fround(-1 / 6)]);
  tf.dispose([a, b, ga!, gb!]);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('[CSD]: with random-conv-features the loss is finite and falls as the anchor moves toward the positive', () => {
  const before = tf.memory().numTensors;
  const extractor = randomConvFeatures({ seed: 1 });
  // As in training, the student output is the teacher output plus an error; negatives are smooth bicubic images.
  const t = img(2);
  const error = tf.tidy(() => tf.mul(tf.randomNormal(t.shape, 0, 1, 'float32', 1), 30) as tf.Tensor4D);
  const lr = img(3, 4, 8);
  const negatives = bicubicNegatives(lr, 2, 3);
  const withError = (fraction: number) =>
    value(tf.tidy(() => contrastiveLoss({ extractor, anchor: tf.add(t, tf.mul(error, fraction)) as tf.Tensor4D, positive: t, negatives })));
  const losses = [1, 0.5, 0.25, 0.1].map(withError);
  assert.ok(losses.every(Number.isFinite) && losses[0]! > 0, `losses ${losses}`);
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i]! < losses[i - 1]!, `losses ${losses}`);
  assert.equal(value(contrastiveLoss({ extractor, anchor: t, positive: t, negatives })), 0, 'the anchor at the positive has zero loss');
  // One gradient step on the anchor alone lowers the loss.
  const s = tf.tidy(() => tf.add(t, error) as tf.Tensor4D);
  const f = (a: tf.Tensor) => contrastiveLoss({ extractor, anchor: a as tf.Tensor4D, positive: t, negatives });
  const stepped = tf.tidy(() => {
    const g = tf.grad(f)(s);
    return tf.sub(s, tf.mul(g, 0.1 / tf.max(tf.abs(g)).dataSync()[0]!)) as tf.Tensor4D;
  });
  assert.ok(value(f(stepped)) < value(f(s)));
  tf.dispose([s, t, error, lr, negatives, stepped]);
  extractor.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('[CSD]: gradient reaches only the anchor (teacher and negatives detached), unless the teacher is not detached', () => {
  const extractor = randomConvFeatures({ seed: 2, channels: [4, 4, 4, 4, 4] });
  const [s, t, n] = [img(4), img(5), img(6, 3)];
  const norms = (detachPositive: boolean) =>
    tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => contrastiveLoss({ extractor, anchor: a as tf.Tensor4D, positive: p as tf.Tensor4D, negatives: q as tf.Tensor4D, detachPositive }))([s, t, n]);
      return g.map((x) => tf.sum(tf.abs(x)).dataSync()[0]!);
    });
  const [ga, gp, gn] = norms(true);
  assert.ok(ga! > 0);
  assert.equal(gp, 0);
  assert.equal(gn, 0);
  assert.ok(norms(false)[1]! > 0, 'without --contrast_t_detach the teacher gets gradient');
  tf.dispose([s, t, n]);
  extractor.dispose();
});

test('[CSD]: no backward pass runs through the extractor for the detached teacher and negatives', async () => {
  // 5 conv stages: the anchor's features need 5 input-gradients; a detached teacher must add none
  // (detaching its image instead would run its 5 with zeros), an undetached one adds 5.
  const extractor = randomConvFeatures({ seed: 2, channels: [4, 4, 4, 4, 4] });
  const x = tf.variable(img(4));
  const n = img(6, 3);
  const backpropConvs = async (detachPositive: boolean) => {
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => contrastiveLoss({ extractor, anchor: tf.mul(x, 0.5) as tf.Tensor4D, positive: tf.add(x, 1) as tf.Tensor4D, negatives: n, detachPositive }), [x]);
      return [value, ...Object.values(grads)];
    });
    return info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length;
  };
  assert.equal(await backpropConvs(true), 5);
  assert.equal(await backpropConvs(false), 10);
  tf.dispose([x, n]);
  extractor.dispose();
});

test('[CSD]: no negatives, mismatched shapes or weights are errors that say why', () => {
  const [s, t] = [img(7), img(8)];
  const none = tf.zeros([0, 16, 16, 3]) as tf.Tensor4D;
  assert.throws(() => contrastiveLoss({ extractor: identity, anchor: s, positive: t, negatives: none }), /needs at least one negative \(got 0\)/);
  assert.throws(() => contrastiveLoss({ extractor: identity, anchor: s, positive: tf.slice(t, 0, 1), negatives: s }), /must have the same shape/);
  assert.throws(() => contrastiveLoss({ extractor: identity, anchor: s, positive: t, negatives: tf.zeros([1, 8, 8, 3]) }), /negatives .* must have the anchor's image shape/);
  assert.throws(() => contrastiveLoss({ extractor: identity, anchor: s, positive: t, negatives: s }), /5 layer weights for 1 feature maps of identity/);
  assert.throws(() => bicubicNegatives(img(9, 2, 4), 2, 3), /exceeds the batch/);
  assert.throws(() => bicubicNegatives(img(9, 2, 4), 2, 0), /positive integer/);
  tf.dispose([s, t, none]);
});

test('[CSD]: the stand-in extractor is named for what it is, is deterministic, and makes the loss scale-free', () => {
  const a = randomConvFeatures({ seed: 3 });
  const b = randomConvFeatures({ seed: 3 });
  assert.equal(a.name, 'random-conv-features');
  assert.doesNotMatch(a.name + a.description.replace('Stand-in for ImageNet VGG-19', ''), /vgg/i);
  const x = img(10, 1);
  const fa = a.features(x);
  const fb = b.features(x);
  assert.deepEqual(fa.map((f) => f.shape), [[1, 16, 16, 16], [1, 8, 8, 32], [1, 4, 4, 64], [1, 2, 2, 64], [1, 1, 1, 64]]);
  assert.equal(value(tf.max(tf.abs(tf.sub(fa[4]!, fb[4]!)))), 0);
  // Same loss on 0–255 and 0–1 images: no biases, so every feature is positively homogeneous.
  const [s, t, n] = [img(11), img(12), img(13, 3)];
  const on255 = value(contrastiveLoss({ extractor: a, anchor: s, positive: t, negatives: n }));
  const div = (v: tf.Tensor4D) => tf.div(v, 255) as tf.Tensor4D;
  const on1 = value(tf.tidy(() => contrastiveLoss({ extractor: a, anchor: div(s), positive: div(t), negatives: div(n) })));
  assert.ok(Math.abs(on255 - on1) < 1e-4 * on255, `${on255} vs ${on1}`);
  tf.dispose([x, ...fa, ...fb, s, t, n]);
  a.dispose();
  b.dispose();
});

test('[CSD]: bicubic upsampling matches OpenCV INTER_CUBIC (a = −0.75, half-pixel centres, clamped borders)', () => {
  const flat = tf.fill([1, 3, 4, 1], 7) as tf.Tensor4D;
  const up = bicubicUpsample(flat, 3);
  assert.deepEqual(up.shape, [1, 9, 12, 1]);
  assert.ok(value(tf.max(tf.abs(tf.sub(up, 7)))) < 1e-5);
  // a = −0.75 does not reproduce linear ramps (only Keys' a = −0.5 does): on v = x, output
  // column 4 samples x = 1.75 with taps at 0..3 weighted −0.03516, 0.26172, 0.87891, −0.10547 → 1.703125.
  const ramp = tf.tile(tf.reshape(tf.range(0, 8), [1, 1, 8, 1]), [1, 2, 1, 1]) as tf.Tensor4D;
  const r = bicubicUpsample(ramp, 2);
  assert.ok(Math.abs(r.dataSync()[4]! - 1.703125) < 1e-5, `column 4: ${r.dataSync()[4]}`);
  // Independent implementation: OpenCV INTER_CUBIC, printed by reference/bicubic_ref.py (4 decimals).
  const input = tf.tensor4d(BICUBIC_REF.input, [1, 3, 4, 1]);
  for (const [scale, want] of [[2, BICUBIC_REF.x2], [3, BICUBIC_REF.x3]] as const) {
    const got = bicubicUpsample(input, scale);
    assert.deepEqual(got.shape, [1, 3 * scale, 4 * scale, 1]);
    const worst = Math.max(...Array.from(got.dataSync()).map((v, i) => Math.abs(v - want[i]!)));
    assert.ok(worst < 1e-3, `×${scale}: max |tfjs − OpenCV| = ${worst}`);
    got.dispose();
  }
  input.dispose();
  const neg = bicubicNegatives(img(14, 4, 5), 4, 2);
  assert.deepEqual(neg.shape, [2, 20, 20, 3]);
  tf.dispose([flat, up, ramp, r, neg]);
});

test('[CSD]: csdLoss = L1(HR,S) + 200·CL + 1·L1(HR,T) with the README defaults', () => {
  const [hr, s, t, n] = [img(15), img(16), img(17), img(18, 2)];
  const terms = csdLoss({ extractor: identity, hr, anchor: s, positive: t, negatives: n, weights: [1] });
  const [total, l1s, l1t, cl] = [terms.total, terms.l1Student, terms.l1Teacher, terms.contrastive].map(value);
  assert.ok(Math.abs(total! - (l1s! + 200 * cl! + l1t!)) < 1e-4 * total!);
  assert.ok(Math.abs(l1s! - value(l1Loss(hr, s))) < 1e-6);
  const x = tf.tensor1d([1, 2]);
  assert.equal(value(stopGradient(x).sum()), 3, 'stopGradient is the identity forward');
  tf.dispose([hr, s, t, n, x]);
});
