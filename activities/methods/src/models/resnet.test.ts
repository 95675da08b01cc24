import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildResNet50, buildResNetCifar, trainableParamCount } from './resnet';
import { buildProxyCnn } from './proxy';

test('CIFAR ResNet-20/32/56: 6n+2 layers, logits of shape [batch, classes]', () => {
  const before = tf.memory().numTensors;
  const r20 = buildResNetCifar({ depth: 20, seed: 1 });
  assert.equal(trainableParamCount(r20), 272474); // 0.27M as in He et al. (option-B shortcuts)
  const convs = r20.layers.filter((l) => l.getClassName() === 'Conv2D' && !l.name.includes('proj'));
  assert.equal(convs.length + 1, 20, 'depth counts the convs on the main path plus the classifier');
  const y = tf.tidy(() => (r20.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor).shape);
  assert.deepEqual(y, [2, 10]);
  assert.deepEqual(r20.getLayer('s3b3_out').outputShape, [null, 8, 8, 64]);
  r20.dispose();
  for (const depth of [32, 56]) {
    const m = buildResNetCifar({ depth, width: 8, classes: 100, seed: 2 });
    assert.deepEqual(m.outputShape, [null, 100]);
    assert.equal(m.layers.filter((l) => l.getClassName() === 'Conv2D' && !l.name.includes('proj')).length + 1, depth);
    m.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'building and disposing leaks no tensors');
});

test('one seed, one initialisation', () => {
  const a = buildResNetCifar({ depth: 8, width: 4, seed: 3 });
  const b = buildResNetCifar({ depth: 8, width: 4, seed: 3 });
  const c = buildResNetCifar({ depth: 8, width: 4, seed: 4 });
  const w = (m: tf.LayersModel) => Array.from(m.getLayer('s2b1_a_conv').getWeights()[0]!.dataSync());
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('ResNet-50: 25,557,032 parameters and the standard stage shapes at 224×224', () => {
  const m = buildResNet50({ seed: 1 });
  assert.equal(trainableParamCount(m), 25557032);
  assert.deepEqual(m.outputShape, [null, 1000]);
  assert.deepEqual(m.getLayer('stem_pool').outputShape, [null, 56, 56, 64]);
  assert.deepEqual(m.getLayer('s1b3_out').outputShape, [null, 56, 56, 256]);
  assert.deepEqual(m.getLayer('s2b4_out').outputShape, [null, 28, 28, 512]);
  assert.deepEqual(m.getLayer('s3b6_out').outputShape, [null, 14, 14, 1024]);
  assert.deepEqual(m.getLayer('s4b3_out').outputShape, [null, 7, 7, 2048]);
  assert.equal(m.layers.filter((l) => l.getClassName() === 'Conv2D').length, 53);
  m.dispose();
  // A narrow, low-resolution copy runs a real forward pass quickly.
  const small = buildResNet50({ seed: 1, width: 4, inputShape: [64, 64, 3], classes: 5 });
  assert.deepEqual(tf.tidy(() => (small.predict(tf.zeros([1, 64, 64, 3])) as tf.Tensor).shape), [1, 5]);
  small.dispose();
});

test('factories reject bad arguments naming the parameter', () => {
  assert.throws(() => buildResNetCifar({ depth: 21, seed: 1 }), /depth must be of the form 6n\+2/);
  assert.throws(() => buildResNetCifar({ depth: 2, seed: 1 }), /depth/);
  assert.throws(() => buildResNetCifar({ depth: 20, width: 0, seed: 1 }), /width must be a positive integer/);
  assert.throws(() => buildResNetCifar({ depth: 20, classes: 1, seed: 1 }), /classes must be an integer ≥ 2/);
  assert.throws(() => buildResNetCifar({ depth: 20, inputShape: [32, 32, 0], seed: 1 }), /inputShape/);
  assert.throws(() => buildResNetCifar({ depth: 20, seed: 1.5 }), /seed/);
  assert.throws(() => buildResNet50({ seed: 1, inputShape: [16, 16, 3] }), /inputShape must be at least 32×32/);
  assert.throws(() => buildResNet50({ seed: 1, width: -2 }), /width/);
  assert.throws(() => buildProxyCnn({ seed: 1, classes: 0 }), /classes/);
});

test('the proxy CNN fits 28×28×1 MNIST', () => {
  const m = buildProxyCnn({ seed: 1 });
  assert.deepEqual(tf.tidy(() => (m.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).shape), [3, 10]);
  m.dispose();
});
