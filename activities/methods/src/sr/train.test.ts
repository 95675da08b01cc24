import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { TrainCheckpoint } from '../train/checkpoint';
import type { EdsrArch } from './arch';
import { edsrForward, readConvWeights, splitStudent } from './edsr';
import { evaluateSr, makeSrTiles, srBatch, srLearningRate, srNetworks, srParams, trainSr } from './train';

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

/** The 8 dihedral transforms of a side×side×3 patch, as (r, c) → source index maps. */
function dihedral(data: Float32Array, side: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (const t of [false, true])
    for (const v of [false, true])
      for (const h of [false, true]) {
        const o = new Float32Array(side * side * 3);
        for (let r = 0; r < side; r++)
          for (let c = 0; c < side; c++) {
            let sr = t ? c : r;
            let sc = t ? r : c;
            if (v) sr = side - 1 - sr;
            if (h) sc = side - 1 - sc;
            for (let k = 0; k < 3; k++) o[(r * side + c) * 3 + k] = data[(sr * side + sc) * 3 + k]!;
          }
        out.push(o);
      }
  return out;
}

test('srBatch augment: same patches as without, each LR/HR pair under one shared flip/transpose, all 8 used', () => {
  // Asymmetric content: value depends on row, column and channel differently.
  const img = new Uint8Array(2 * tile * tile * 3);
  for (let i = 0; i < img.length; i++) {
    const p = Math.floor(i / 3) % (tile * tile);
    img[i] = ((Math.floor(p / tile) * 7 + (p % tile) * 3 + (i % 3) * 50 + (i >= tile * tile * 3 ? 90 : 0)) % 256);
  }
  const t = makeSrTiles(img, tile, 2);
  const seen = new Set<number>();
  for (let step = 0; step < 12; step++) {
    const plain = srBatch(t, 4, 4, 9, step);
    const aug = srBatch(t, 4, 4, 9, step, true);
    const [pl, ph, al, ah] = [plain.lr.dataSync(), plain.hr.dataSync(), aug.lr.dataSync(), aug.hr.dataSync()] as Float32Array[];
    for (let b = 0; b < 4; b++) {
      const lrOf = (d: Float32Array) => d.slice(b * 48, (b + 1) * 48);
      const hrOf = (d: Float32Array) => d.slice(b * 192, (b + 1) * 192);
      const k = dihedral(lrOf(pl!), 4).findIndex((x) => x.every((v, j) => v === lrOf(al!)[j]));
      assert.ok(k >= 0, `step ${step} patch ${b}: augmented LR is no flip/transpose of the plain one`);
      assert.deepEqual(hrOf(ah!), dihedral(hrOf(ph!), 8)[k], `step ${step} patch ${b}: HR transformed differently from LR`);
      seen.add(k);
    }
    tf.dispose([plain.lr, plain.hr, aug.lr, aug.hr]);
  }
  assert.equal(seen.size, 8, `only ${[...seen]} of the 8 variants drawn in 48 patches`);
});

test('srLearningRate: constant, EDSR step decay, cosine to minFactor', () => {
  assert.equal(srLearningRate(1e-3, undefined, 500, 1000), 1e-3);
  const step = { kind: 'step', milestones: [200, 400], gamma: 0.5 } as const;
  assert.deepEqual([0, 199, 200, 399, 400, 999].map((s) => srLearningRate(1e-3, step, s, 1000)), [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 2.5e-4]);
  const cos = { kind: 'cosine', minFactor: 0.1 } as const;
  assert.equal(srLearningRate(1e-3, cos, 0, 101), 1e-3);
  assert.ok(Math.abs(srLearningRate(1e-3, cos, 50, 101) - 0.55e-3) < 1e-12);
  assert.ok(Math.abs(srLearningRate(1e-3, cos, 100, 101) - 1e-4) < 1e-12);
});

test('trainSr: every arm trains; a run resumed from its checkpoint ends where the uninterrupted one does', async () => {
  const t = makeSrTiles(hr, tile, 2);
  const common = { arch, width: 0.5, tiles: t, patch: 6, batchSize: 2, steps: 4, learningRate: 1e-3, lrSchedule: { kind: 'cosine' as const }, augment: true, lambdaCl: 200, lambdaT: 1, negatives: 2, seed: 3, checkpointEvery: 2 };
  const { randomConvFeatures } = await import('./features');
  const extractor = randomConvFeatures({ seed: 3, channels: [4, 4, 4, 4, 4] });
  for (const method of ['student-alone', 'teacher-alone', 'split-no-contrastive'] as const) {
    const r = await trainSr({ ...common, method });
    const e = evaluateSr(srNetworks(r.model, method, arch, 0.5), t);
    assert.ok(Number.isFinite(e.psnr) && Number.isFinite(e.bicubicPsnr), method);
    assert.equal(e.teacherPsnr !== undefined, method !== 'student-alone');
    r.model.dispose();
  }
  let ck: TrainCheckpoint | undefined;
  const full = await trainSr({ ...common, method: 'csd', extractor, onCheckpoint: async (c) => void (ck ??= c) });
  const resumed = await trainSr({ ...common, method: 'csd', extractor, resumeFrom: ck });
  assert.equal(resumed.resumedFromStep, 2);
  // Exactly: Adam's β powers are checkpointed, not recomputed (train/classifier.ts captureState).
  assert.equal(resumed.finalLoss, full.finalLoss);
  assert.deepEqual(resumed.model.getWeights().map((w) => Array.from(w.dataSync())), full.model.getWeights().map((w) => Array.from(w.dataSync())));
  assert.deepEqual(srParams(arch, 0.5), { student: 3 * 9 * 4 + 4 + 2 * (4 * 9 * 4 + 4) + (4 * 9 * 4 + 4) + (4 * 9 * 16 + 16) + (4 * 9 * 3 + 3), teacher: srParams(arch, 1).teacher });
  full.model.dispose();
  resumed.model.dispose();
  extractor.dispose();
});

test('trainSr from a stored teacher: the teacher stays frozen, the student starts as its leading channels and learns', async () => {
  const t = makeSrTiles(hr, tile, 2);
  const common = { arch, width: 0.5, tiles: t, patch: 6, batchSize: 2, steps: 3, learningRate: 1e-3, lambdaCl: 200, lambdaT: 1, negatives: 2, seed: 5, checkpointEvery: 100 };
  const trained = await trainSr({ ...common, method: 'teacher-alone' });
  const teacherWeights = readConvWeights(trained.model, arch);
  const before = [...teacherWeights.values()].map((w) => Array.from(w.kernel.dataSync()));
  const { randomConvFeatures } = await import('./features');
  const extractor = randomConvFeatures({ seed: 5, channels: [4, 4, 4, 4, 4] });
  // Zero steps: the student is exactly the teacher's width-0.5 slice, and runs as such.
  const cut = await trainSr({ ...common, steps: 0, method: 'csd', extractor, storedTeacher: teacherWeights });
  const split = splitStudent(teacherWeights, arch, 0.5);
  for (const [name, w] of split) assert.deepEqual(Array.from(cut.model.getLayer(name).getWeights()[0]!.dataSync()), Array.from(w.kernel.dataSync()), name);
  const lr = tf.tensor4d(t.lr.subarray(0, 8 * 8 * 3), [1, 8, 8, 3]);
  const sliced = edsrForward(teacherWeights, arch, 0.5, lr);
  const nets = srNetworks(cut.model, 'csd', arch, 0.5, teacherWeights);
  const standalone = nets.student!(lr);
  assert.ok(tf.max(tf.abs(tf.sub(sliced, standalone))).dataSync()[0]! < 1e-3, 'the standalone student computes what the slice does');
  for (const method of ['csd', 'split-no-contrastive'] as const) {
    const r = await trainSr({ ...common, method, extractor, storedTeacher: teacherWeights });
    assert.ok(Number.isFinite(r.finalLoss), method);
    const moved = [...split].some(([name, w]) => Array.from(r.model.getLayer(name).getWeights()[0]!.dataSync()).some((v, j) => v !== w.kernel.dataSync()[j]));
    assert.ok(moved, `${method}: the student trained`);
    const e = evaluateSr(srNetworks(r.model, method, arch, 0.5, teacherWeights), t);
    assert.ok(Number.isFinite(e.psnr) && Number.isFinite(e.teacherPsnr!), method);
    r.model.dispose();
  }
  // From scratch: not the slice.
  const scratch = await trainSr({ ...common, steps: 0, method: 'csd', extractor, storedTeacher: teacherWeights, studentInit: 'scratch' });
  assert.notDeepEqual(Array.from(scratch.model.getLayer('head').getWeights()[0]!.dataSync()), Array.from(split.get('head')!.kernel.dataSync()));
  assert.deepEqual([...teacherWeights.values()].map((w) => Array.from(w.kernel.dataSync())), before, 'the stored teacher is never updated');
  await assert.rejects(trainSr({ ...common, method: 'student-alone', storedTeacher: teacherWeights }), /student-alone trains no student against a teacher/);
  tf.dispose([lr, sliced, standalone, ...[...split.values()].flatMap((w) => [w.kernel, w.bias])]);
  for (const m of [cut.model, scratch.model, trained.model]) m.dispose();
  extractor.dispose();
});
