import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { buildSmallModel } from '../models/small';
import { mixSeed } from '../util/random';
import { decodeCheckpoint, encodeCheckpoint, type TrainCheckpoint } from './checkpoint';
import { captureState, evaluateClassifier, trainClassifier } from './classifier';

// A learnable toy problem: the class is which quadrant of an 8×8 image is bright.
function quadrants(n: number, seed: number): ImageDataset {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const make = (count: number) => {
    const images = new Uint8Array(count * 64);
    const labels = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const q = Math.floor(rnd() * 4);
      labels[k] = q;
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const inside = (y < 4 ? 0 : 2) + (x < 4 ? 0 : 1) === q;
          images[k * 64 + y * 8 + x] = Math.min(255, Math.floor((inside ? 180 : 20) + rnd() * 60));
        }
    }
    return { images, labels };
  };
  return { name: 'quadrants', shape: [8, 8, 1], classes: 4, source: 'test', train: make(n), test: make(100) };
}

const data = quadrants(256, 1);
const opts = { data, epochs: 2, batchSize: 16, learningRate: 0.1, momentum: 0.9, seed: 5, checkpointEvery: 6 };

async function train(extra: Partial<Parameters<typeof trainClassifier>[0]> = {}) {
  const model = buildSmallModel('tiny-mlp', data.shape, data.classes, 5);
  const r = await trainClassifier({ ...opts, model, ...extra });
  const state = await captureState(model, undefined, r.position, {});
  const acc = evaluateClassifier(model, data, 'test', 50);
  model.dispose();
  return { r, state, acc };
}

test('[TRAIN] training learns a learnable problem and is deterministic for a seed', async () => {
  await tf.ready();
  const a = await train();
  const b = await train();
  assert.ok(a.acc.accuracy > 0.9, `accuracy ${a.acc.accuracy}`);
  assert.equal(a.r.position.step, 32);
  assert.deepEqual(a.state.weights.map((w) => [...w.values]), b.state.weights.map((w) => [...w.values]));
  assert.equal(a.r.finalLoss, b.r.finalLoss);
});

test('[TRAIN] resuming from any checkpoint reproduces the uninterrupted run bit for bit', async () => {
  const full = await train();
  const checkpoints: TrainCheckpoint[] = [];
  await train({ onCheckpoint: async (ck) => void checkpoints.push(decodeCheckpoint(encodeCheckpoint(ck))) });
  assert.deepEqual(checkpoints.map((c) => c.position.step), [6, 12, 18, 24, 30]);
  // Mid-epoch (step 18 is batch 2 of epoch 1) and at an epoch boundary-adjacent point.
  for (const ck of [checkpoints[1]!, checkpoints[2]!]) {
    const resumed = await train({ resumeFrom: ck });
    assert.equal(resumed.r.resumedFromStep, ck.position.step);
    assert.deepEqual(resumed.state.weights.map((w) => [...w.values]), full.state.weights.map((w) => [...w.values]));
    assert.equal(resumed.r.finalLoss, full.r.finalLoss);
  }
});

test('[TRAIN] bad hyper-parameters and mismatched checkpoints are named', async () => {
  const model = buildSmallModel('tiny-mlp', data.shape, data.classes, 1);
  await assert.rejects(trainClassifier({ ...opts, model, epochs: 0 }), /epochs must be a positive integer, got 0/);
  await assert.rejects(trainClassifier({ ...opts, model, momentum: 1 }), /momentum must be in \[0, 1\)/);
  const other = buildSmallModel('small-cnn', data.shape, data.classes, 1);
  const ck = await captureState(other, undefined, { step: 0, epoch: 0, batchInEpoch: 0 }, {});
  await assert.rejects(trainClassifier({ ...opts, model, resumeFrom: ck }), /different architecture|has shape/);
  assert.throws(() => buildSmallModel('tiny-mlp', data.shape, 1, 0), /classes must be an integer ≥ 2/);
  model.dispose();
  other.dispose();
});

test('[TRAIN] no tensors leak across a training run', async () => {
  await train();
  const before = tf.memory().numTensors;
  await train();
  assert.equal(tf.memory().numTensors, before);
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
});
