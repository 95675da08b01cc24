import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { TrainCheckpoint } from '../train/checkpoint';
import type { EdsrArch } from './arch';
import { evaluateSr, makeSrTiles, srBatch, srParams, trainSr } from './train';

// Two 24×24 synthetic tiles (a smooth gradient), enough to exercise the loop; real data is tested in integration.
const tile = 24;
const hr = new Uint8Array(2 * tile * tile * 3);
for (let i = 0; i < hr.length; i++) hr[i] = (Math.floor(i / 3) % tile) * 8 + (i % 3) * 20;
const arch: EdsrArch = { kind: 'edsr', nResblocks: 1, nFeats: 8, resScale: 1, scale: 2 };

test('srBatch: same (seed, step) gives the same patches; the HR patch is the LR patch location × scale', () => {
  const t = makeSrTiles(hr, tile, 2);
  assert.equal(t.lr.length, 2 * 12 * 12 * 3);
  const a = srBatch(t, 4, 3, 7, 5);
  const b = srBatch(t, 4, 3, 7, 5);
  assert.deepEqual(a.lr.shape, [3, 4, 4, 3]);
  assert.deepEqual(a.hr.shape, [3, 8, 8, 3]);
  assert.deepEqual(a.lr.dataSync(), b.lr.dataSync());
  assert.deepEqual(a.hr.dataSync(), b.hr.dataSync());
  assert.notDeepEqual(srBatch(t, 4, 3, 7, 6).hr.dataSync(), a.hr.dataSync());
  assert.throws(() => srBatch(t, 13, 1, 0, 0), /larger than the LR tile/);
  tf.dispose([a.lr, a.hr, b.lr, b.hr]);
});

test('trainSr: every arm trains; a run resumed from its checkpoint ends where the uninterrupted one does', async () => {
  const t = makeSrTiles(hr, tile, 2);
  const common = { arch, width: 0.5, tiles: t, patch: 6, batchSize: 2, steps: 4, learningRate: 1e-3, lambdaCl: 200, lambdaT: 1, negatives: 2, seed: 3, checkpointEvery: 2 };
  const { randomConvFeatures } = await import('./features');
  const extractor = randomConvFeatures({ seed: 3, channels: [4, 4, 4, 4, 4] });
  for (const method of ['student-alone', 'teacher-alone', 'split-no-contrastive'] as const) {
    const r = await trainSr({ ...common, method });
    const e = evaluateSr(r.model, method, arch, 0.5, t);
    assert.ok(Number.isFinite(e.psnr) && Number.isFinite(e.bicubicPsnr), method);
    assert.equal(e.teacherPsnr !== undefined, method !== 'student-alone');
    r.model.dispose();
  }
  let ck: TrainCheckpoint | undefined;
  const full = await trainSr({ ...common, method: 'csd', extractor, onCheckpoint: async (c) => void (ck ??= c) });
  const resumed = await trainSr({ ...common, method: 'csd', extractor, resumeFrom: ck });
  assert.equal(resumed.resumedFromStep, 2);
  assert.ok(Math.abs(resumed.finalLoss - full.finalLoss) < 1e-4 * Math.abs(full.finalLoss), `${resumed.finalLoss} vs ${full.finalLoss}`);
  assert.deepEqual(srParams(arch, 0.5), { student: 3 * 9 * 4 + 4 + 2 * (4 * 9 * 4 + 4) + (4 * 9 * 4 + 4) + (4 * 9 * 16 + 16) + (4 * 9 * 3 + 3), teacher: srParams(arch, 1).teacher });
  full.model.dispose();
  resumed.model.dispose();
  extractor.dispose();
});
