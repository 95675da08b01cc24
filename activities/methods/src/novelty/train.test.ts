import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { NOVELTY_METHODS, oneClassSplit, runOneClass, type NoveltyOptions } from './train';

/**
 * Two classes on 8×8: class 0 a horizontal stroke at a seeded row and intensity, class 1 seeded
 * noise. Trained on class 0, every method must rank the noise as more novel than held-out strokes.
 */
function images(perClass: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out = new Uint8Array(perClass * 2 * 64), labels = new Uint8Array(perClass * 2);
  for (let i = 0; i < perClass * 2; i++) {
    const cls = i % 2;
    labels[i] = cls;
    const row = 1 + Math.floor(r() * 6), v = 150 + Math.floor(r() * 100);
    for (let k = 0; k < 64; k++) out[i * 64 + k] = cls === 0 ? (Math.floor(k / 8) === row && k % 8 > 0 && k % 8 < 7 ? v : 0) : Math.floor(r() * 256);
  }
  return { images: out, labels };
}
const data: ImageDataset = { name: 'strokes', shape: [8, 8, 1], classes: 2, train: images(32, 1), test: images(16, 2), source: 'test' };

const base = (method: NoveltyOptions['method']): NoveltyOptions => ({
  method, data: oneClassSplit(data, 0), epochs: 3, pretrainEpochs: 8, batchSize: 16, learningRate: 1e-2, latentDim: 4, projDim: 8,
  temperature: 0.2, lambdaContrastive: 1, nda: method === 'decoder-encoder' ? { transforms: ['rotate', 'jigsaw'], combine: 1 } : null, latentInit: 'pca', score: 'combined', seed: 3,
});

test('oneClassSplit keeps only the normal class for training and labels every other test class novel', () => {
  const d = oneClassSplit(data, 1, { testLimit: 10 });
  assert.equal(d.trainCount, 32);
  assert.equal(d.testNovel.length, 10);
  assert.deepEqual(d.testNovel, Array.from(data.test.labels.subarray(0, 10), (l) => l !== 1));
  assert.throws(() => oneClassSplit(data, 2), /normalClass 2 is outside dataset strokes, whose classes are 0–1/);
  assert.throws(() => oneClassSplit(data, -1), /normalClass -1/);
  assert.throws(() => oneClassSplit(data, 0, { testLimit: 1 }), /need both class 0 and other classes/);
  assert.throws(() => oneClassSplit({ ...data, shape: [10, 10, 1], train: { images: new Uint8Array(100 * 2), labels: new Uint8Array([0, 1]) } }, 0), /divide by 4/);
});

for (const method of NOVELTY_METHODS) {
  test(`${method} separates a drawn class from another, deterministically, with no tensor leak`, async () => {
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const a = await runOneClass({ ...base(method), onProgress: (p) => steps.push(p.step) });
    assert.ok(a.aurocPct > 80, `${method} AUROC ${a.aurocPct.toFixed(1)} %`);
    assert.equal(a.testNormal + a.testNovel, 32);
    assert.equal(steps.at(-1), a.steps);
    assert.ok(a.parameters > 0);
    if (method === 'decoder-encoder') assert.ok(a.termAurocPct && a.termAurocPct.reconstruction > 50);
    const b = await runOneClass(base(method));
    assert.deepEqual(Array.from(b.scores), Array.from(a.scores), 'same seed, same scores');
    assert.equal(tf.memory().numTensors, before, 'tensors left behind');
  });
}

test('runOneClass refuses bad budgets and weights, naming the field', async () => {
  await assert.rejects(runOneClass({ ...base('autoencoder'), epochs: 0 }), /epochs must be a positive whole number/);
  await assert.rejects(runOneClass({ ...base('decoder-encoder'), pretrainEpochs: 0 }), /needs pretrainEpochs ≥ 1/);
  await assert.rejects(runOneClass({ ...base('decoder-encoder'), lambdaContrastive: NaN }), /lambdaContrastive must be a finite number/);
  await assert.rejects(runOneClass({ ...base('decoder-encoder'), temperature: -1 }), /temperature must be a positive/);
});
