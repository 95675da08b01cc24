import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { TrainCheckpoint } from '../train/checkpoint';
import { randomConvFeatures, type FeatureExtractor } from '../sr/features';
import type { AecrConfig } from './aecr';
import { synthesizeHaze } from './haze';
import { dehazeLearningRate, evaluateDehazer, trainDehazer, type DehazePair, type DehazeTrainOptions } from './train';

const CFG: AecrConfig = { ngf: 4, sharedFaBlock: true, dcn: 'deformable' };

function pairs(h = 16, w = 20): DehazePair[] {
  return [0, 1].map((k) => {
    const clear = { height: h, width: w, data: new Uint8Array(h * w * 3).map((_, i) => (i * (31 + 17 * k) + ((i / 3) | 0) * 7) % 256) };
    return { name: `img${k}`, clear, hazy: synthesizeHaze(clear, { seed: k + 1 }).hazy };
  });
}

const base = (over: Partial<DehazeTrainOptions> = {}): DehazeTrainOptions => ({ config: CFG, pairs: pairs(), patch: 16, batchSize: 2, steps: 6, learningRate: 3e-3, beta: 0, seed: 5, ...over });

test('a few steps on 2 tiny images lower the loss; same seed, same losses; beta = 0 never calls the extractor', async () => {
  const spy: FeatureExtractor = { name: 'spy', description: 'spy', features: () => assert.fail('extractor called with beta = 0'), dispose: () => undefined };
  const a = await trainDehazer(base({ extractor: spy, steps: 8, patch: 8 }));
  const b = await trainDehazer(base({ extractor: spy, steps: 8, patch: 8 }));
  assert.deepEqual(a.losses, b.losses);
  const head = (a.losses[0]! + a.losses[1]!) / 2;
  const tail = (a.losses[6]! + a.losses[7]!) / 2;
  assert.ok(tail < head, `losses ${a.losses.map((l) => l.toFixed(4)).join(' ')}`);
  assert.match(a.description, /deformable/);
  a.net.dispose();
  b.net.dispose();
});

test('beta > 0 uses the extractor (CR term reported); resume from a checkpoint equals an uninterrupted run', async () => {
  const extractor = randomConvFeatures({ seed: 1, channels: [4, 4, 4, 4, 4] });
  let crSeen = 0;
  const checkpoints: TrainCheckpoint[] = [];
  const full = await trainDehazer(base({ beta: 0.1, extractor, steps: 4, batchSize: 1, lrSchedule: { kind: 'cosine' }, augment: true, checkpointEvery: 2, onCheckpoint: async (ck) => void checkpoints.push(ck), onStep: (s) => void (crSeen += s.cr) }));
  assert.ok(crSeen > 0);
  assert.equal(checkpoints.length, 1);
  const resumed = await trainDehazer(base({ beta: 0.1, extractor, steps: 4, batchSize: 1, lrSchedule: { kind: 'cosine' }, augment: true, resumeFrom: checkpoints[0] }));
  assert.equal(resumed.resumedFromStep, 2);
  assert.deepEqual(resumed.losses, full.losses.slice(2));
  for (const [name, v] of full.net.params) assert.deepEqual([...v.dataSync()], [...resumed.net.params.get(name)!.dataSync()], name);
  full.net.dispose();
  resumed.net.dispose();
  extractor.dispose();
});

test('evaluateDehazer: per-image outputs at the input size (padding sizes not divisible by 4), RGB PSNR/SSIM', async () => {
  const ps = pairs(10, 9);
  const identity = (x: tf.Tensor4D) => tf.clone(x);
  const r = evaluateDehazer(identity, ps);
  assert.equal(r.count, 2);
  assert.equal(r.images[0]!.dehazed.data.length, 10 * 9 * 3);
  // The identity "dehazer" returns the hazy input: its scores are the hazy baseline's.
  assert.ok(Math.abs(r.psnr - r.hazyPsnr) < 1e-4 && Math.abs(r.ssim - r.hazySsim) < 1e-6);
  await assert.rejects(() => trainDehazer(base({ beta: -1 })), /beta/);
});

test('cosine schedule is the released lr_schedule_cosdecay', () => {
  assert.equal(dehazeLearningRate(1e-4, { kind: 'constant' }, 5, 10), 1e-4);
  assert.ok(Math.abs(dehazeLearningRate(1e-4, { kind: 'cosine' }, 4, 10) - 0.5e-4) < 1e-12);
  assert.ok(Math.abs(dehazeLearningRate(1e-4, { kind: 'cosine' }, 9, 10)) < 1e-12);
});
