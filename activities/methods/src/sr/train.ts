/**
 * Training and evaluation of CSD and its comparison arms on HR tiles (method code: no Temporal,
 * storage or database). One teacher-sized EDSR holds the shared weights; every arm but
 * `student-alone` trains it through `edsrForward` at width 1 (teacher) and `width` (student):
 *  - csd:                  L1(HR, S) + λ_CL·CL(S; T, bicubic negatives) + λ_T·L1(HR, T)
 *  - split-no-contrastive: L1(HR, S) + λ_T·L1(HR, T)  (joint channel-splitting without CL, the paper's J-T1 arm)
 *  - teacher-alone:        L1(HR, T)
 *  - student-alone:        L1(HR, S) of a separately built width-w EDSR with its own initialisation
 *                          (the paper's "Baseline": the same small network trained alone)
 * With a stored teacher (`storedTeacher`: the conv weights of a trained teacher-sized EDSR), the
 * teacher is frozen and a separate width-w student trains against it (offline distillation): csd
 * keeps L1(HR, S) + λ_CL·CL(S; T, negatives) (the λ_T term is constant and dropped), and
 * split-no-contrastive becomes L1(HR, S) alone. The student starts from the teacher's leading
 * channels (`studentInit: 'teacher-split'`, as CSD's channel splitting cuts it) or from scratch.
 * Optimiser: Adam (β 0.9/0.999, ε 1e-8, EDSR's option.py) with a learning-rate schedule over
 * steps: constant, step decay (EDSR's `--decay 200-400-600-800`, γ 0.5) or cosine. Patches: LR crops
 * of the bicubic-downsampled tiles, with the matching HR crop, optionally flipped / rotated as
 * EDSR's `common.augment` does (hflip, vflip, transpose, each with p = 0.5, the same on LR and HR);
 * which tile, where and which flips depend only on (seed, step), so a resumed run draws the same
 * batches.
 */
import * as tf from '@tensorflow/tfjs';
import { captureState, restoreState } from '../train/classifier';
import type { TrainCheckpoint, TrainPosition } from '../train/checkpoint';
import { mixSeed, mulberry32 } from '../util/random';
import { countParams, srConvLayers, type EdsrArch } from './arch';
import { buildEdsr, edsrForward, loadConvWeights, readConvWeights, splitStudent, type ConvWeights } from './edsr';
import type { FeatureExtractor } from './features';
import { bicubicNegatives, bicubicUpsample, csdLoss, l1Loss } from './loss';
import { psnr, ssim } from './metrics';
import type { SrForward } from './infer';
import { copyPatch, flipStream, NO_AUGMENT, type SrBatchFn } from './patches';
import { bicubicDownsample } from './resize';

export const SR_METHODS = ['csd', 'student-alone', 'teacher-alone', 'split-no-contrastive'] as const;
export type SrMethod = (typeof SR_METHODS)[number];

/** HR tiles (N × tile × tile × 3, uint8) and their LR versions (rounded to uint8, as stored PNGs are). */
export interface SrTiles {
  count: number;
  tile: number;
  scale: number;
  hr: Uint8Array;
  lr: Float32Array;
}

export function makeSrTiles(hr: Uint8Array, tile: number, scale: number, limit?: number): SrTiles {
  const px = tile * tile * 3;
  if (hr.length % px !== 0) throw new Error(`HR data of ${hr.length} bytes is not a whole number of ${tile}×${tile}×3 tiles`);
  if (tile % scale !== 0) throw new Error(`tile ${tile} is not divisible by scale ${scale}`);
  const count = Math.min(hr.length / px, limit ?? Infinity);
  const lt = tile / scale;
  const lr = new Float32Array(count * lt * lt * 3);
  for (let i = 0; i < count; i++) {
    const d = bicubicDownsample({ height: tile, width: tile, channels: 3, data: hr.subarray(i * px, (i + 1) * px) }, scale).data;
    for (let k = 0; k < d.length; k++) lr[i * lt * lt * 3 + k] = Math.min(255, Math.max(0, Math.round(d[k]!)));
  }
  return { count, tile, scale, hr: hr.subarray(0, count * px), lr };
}

/**
 * A batch of aligned LR / HR patches, drawn from (seed, step) only. Values on 0–255. With `augment`
 * each patch pair is flipped / transposed alike (8 dihedral variants, uniformly).
 */
export function srBatch(t: SrTiles, patch: number, batchSize: number, seed: number, step: number, augment = false): { lr: tf.Tensor4D; hr: tf.Tensor4D } {
  const s = t.scale;
  const lt = t.tile / s;
  if (patch > lt) throw new Error(`LR patch ${patch} is larger than the LR tile ${lt} (tile ${t.tile} / scale ${s})`);
  const hp = patch * s;
  const rand = mulberry32(mixSeed(seed, 0x5a7c4, step));
  const flips = flipStream(seed, step);
  const lr = new Float32Array(batchSize * patch * patch * 3);
  const hr = new Float32Array(batchSize * hp * hp * 3);
  for (let b = 0; b < batchSize; b++) {
    const i = Math.floor(rand() * t.count);
    const y = Math.floor(rand() * (lt - patch + 1));
    const x = Math.floor(rand() * (lt - patch + 1));
    const aug = augment ? flips() : NO_AUGMENT;
    copyPatch(t.lr, lt, ((i * lt + y) * lt + x) * 3, patch, lr, b * patch * patch * 3, aug);
    copyPatch(t.hr, t.tile, ((i * t.tile + y * s) * t.tile + x * s) * 3, hp, hr, b * hp * hp * 3, aug);
  }
  return { lr: tf.tensor4d(lr, [batchSize, patch, patch, 3]), hr: tf.tensor4d(hr, [batchSize, hp, hp, 3]) };
}

export interface SrTrainOptions {
  method: SrMethod;
  arch: EdsrArch;
  /** Student width (channel-splitting ratio). */
  width: number;
  /** HR tiles, or any source of aligned LR/HR patch batches drawn from (seed, step) only (whole images: srPairBatch). */
  tiles: SrTiles | SrBatchFn;
  patch: number;
  batchSize: number;
  steps: number;
  learningRate: number;
  /** Default constant. */
  lrSchedule?: SrLrSchedule;
  /** EDSR's flip/rotation augmentation of training patches (default off). */
  augment?: boolean;
  lambdaCl: number;
  lambdaT: number;
  negatives: number;
  /** Needed by `csd` only. */
  extractor?: FeatureExtractor;
  /** A trained teacher (teacher-sized EDSR conv weights), frozen: the arm then trains a separate width-w student against it. */
  storedTeacher?: ConvWeights;
  /** How that student starts (default teacher-split); ignored on resume, which restores the student. */
  studentInit?: 'teacher-split' | 'scratch';
  seed: number;
  checkpointEvery: number;
  resumeFrom?: TrainCheckpoint;
  meta?: Record<string, unknown>;
  onStep?: (s: { step: number; totalSteps: number; loss: number; seconds: number }) => void | Promise<void>;
  onCheckpoint?: (ck: TrainCheckpoint) => Promise<void>;
}

/**
 * Learning rate over training steps. `step`: multiply by `gamma` at each milestone step (EDSR halves
 * it every 200k iterations). `cosine`: from the base down to `minFactor`·base at the last step.
 */
export type SrLrSchedule = { kind: 'constant' } | { kind: 'step'; milestones: readonly number[]; gamma: number } | { kind: 'cosine'; minFactor?: number };

export function srLearningRate(base: number, schedule: SrLrSchedule | undefined, step: number, totalSteps: number): number {
  const s = schedule ?? { kind: 'constant' };
  if (s.kind === 'constant') return base;
  if (s.kind === 'step') return base * s.gamma ** s.milestones.filter((m) => step >= m).length;
  const min = s.minFactor ?? 0;
  const t = Math.min(1, step / Math.max(1, totalSteps - 1));
  return base * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/**
 * The network an arm trains: the shared teacher-sized one, or a standalone width-w student
 * (student-alone, and every arm distilled from a stored teacher).
 */
export function buildSrModel(method: SrMethod, arch: EdsrArch, width: number, seed: number, standaloneStudent = method === 'student-alone'): tf.LayersModel {
  return buildEdsr({ arch, width: standaloneStudent ? width : 1, seed });
}

/** What a trained arm gives to run: its student (none for teacher-alone) and its teacher (none for student-alone). */
export interface SrNetworks {
  student?: SrForward;
  teacher?: SrForward;
}

/**
 * The forward functions of a trained arm's model. With `storedTeacher` the model is the standalone
 * student and the teacher is the stored one; otherwise student-alone's model is the student and
 * every other arm's is the shared network, sliced at `width` for the student.
 */
export function srNetworks(model: tf.LayersModel, method: SrMethod, arch: EdsrArch, width: number, storedTeacher?: ConvWeights): SrNetworks {
  const standalone: SrForward = (lr) => model.apply(lr) as tf.Tensor4D;
  if (storedTeacher) return { student: standalone, teacher: (lr) => edsrForward(storedTeacher, arch, 1, lr) };
  if (method === 'student-alone') return { student: standalone };
  const shared = readConvWeights(model, arch);
  const teacher: SrForward = (lr) => edsrForward(shared, arch, 1, lr);
  return method === 'teacher-alone' ? { teacher } : { student: (lr) => edsrForward(shared, arch, width, lr), teacher };
}

export function srParams(arch: EdsrArch, width: number): { student: number; teacher: number } {
  return { student: countParams(srConvLayers(arch, width)), teacher: countParams(srConvLayers(arch, 1)) };
}

export async function trainSr(o: SrTrainOptions): Promise<{ model: tf.LayersModel; position: TrainPosition; finalLoss: number; resumedFromStep: number; secondsPerStep: number }> {
  if (o.method === 'csd' && !o.extractor) throw new Error('csd needs a feature extractor');
  if (o.negatives > o.batchSize) throw new Error(`negatives (${o.negatives}) cannot exceed batchSize (${o.batchSize}): they are drawn from the batch`);
  const frozen = o.storedTeacher;
  if (frozen && (o.method === 'student-alone' || o.method === 'teacher-alone')) throw new Error(`${o.method} trains no student against a teacher; a stored teacher needs method csd or split-no-contrastive`);
  const model = buildSrModel(o.method, o.arch, o.width, o.seed, o.method === 'student-alone' || frozen !== undefined);
  const optimizer = tf.train.adam(o.learningRate, 0.9, 0.999, 1e-8);
  try {
    let pos: TrainPosition = { step: 0, epoch: 0, batchInEpoch: 0 };
    if (o.resumeFrom) {
      await restoreState(model, optimizer, o.resumeFrom);
      pos = { ...o.resumeFrom.position };
    } else if (frozen && (o.studentInit ?? 'teacher-split') === 'teacher-split') {
      const cut = splitStudent(frozen, o.arch, o.width);
      loadConvWeights(model, cut);
      for (const w of cut.values()) tf.dispose([w.kernel, w.bias]);
    }
    const resumedFromStep = pos.step;
    const nets = srNetworks(model, o.method, o.arch, o.width, frozen);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const student = nets.student!;
    const teacher = nets.teacher!;
    // A frozen teacher's output is a constant: computed outside the gradient tape.
    const lossOf = (lr: tf.Tensor4D, hr: tf.Tensor4D, frozenOut?: tf.Tensor4D): tf.Scalar => {
      switch (o.method) {
        case 'student-alone':
          return l1Loss(hr, student(lr));
        case 'teacher-alone':
          return l1Loss(hr, teacher(lr));
        case 'split-no-contrastive':
          if (frozenOut) return l1Loss(hr, student(lr));
          return tf.add(l1Loss(hr, student(lr)), tf.mul(l1Loss(hr, teacher(lr)), o.lambdaT));
        case 'csd': {
          const negatives = bicubicNegatives(lr, o.arch.scale, o.negatives);
          return csdLoss({ extractor: o.extractor!, anchor: student(lr), positive: frozenOut ?? teacher(lr), negatives, hr, lambdaCl: o.lambdaCl, lambdaT: frozenOut ? 0 : o.lambdaT }).total;
        }
      }
    };
    let lastLoss = NaN;
    let seconds = 0;
    const startStep = pos.step;
    while (pos.step < o.steps) {
      const t0 = performance.now();
      const augment = o.augment ?? false;
      const { lr, hr } = typeof o.tiles === 'function' ? o.tiles(o.patch, o.batchSize, o.seed, pos.step, augment) : srBatch(o.tiles, o.patch, o.batchSize, o.seed, pos.step, augment);
      // Adam reads `learningRate` on every step (see train/classifier.ts setLearningRate).
      (optimizer as unknown as { learningRate: number }).learningRate = srLearningRate(o.learningRate, o.lrSchedule, pos.step, o.steps);
      const frozenOut = frozen && o.method === 'csd' ? tf.tidy(() => teacher(lr)) : undefined;
      const loss = optimizer.minimize(() => lossOf(lr, hr, frozenOut), true, vars)!;
      lastLoss = (await loss.data())[0]!;
      tf.dispose([lr, hr, loss, ...(frozenOut ? [frozenOut] : [])]);
      seconds += (performance.now() - t0) / 1000;
      if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} at step ${pos.step + 1}; lower learningRate`);
      pos = { step: pos.step + 1, epoch: 0, batchInEpoch: pos.step + 1 };
      await o.onStep?.({ step: pos.step, totalSteps: o.steps, loss: lastLoss, seconds });
      if (pos.step % o.checkpointEvery === 0 && pos.step < o.steps && o.onCheckpoint) await o.onCheckpoint(await captureState(model, optimizer, pos, o.meta ?? {}));
    }
    return { model, position: pos, finalLoss: lastLoss, resumedFromStep, secondsPerStep: pos.step > startStep ? seconds / (pos.step - startStep) : NaN };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}

export interface SrEvalResult {
  /** The arm's own network: the student, or the teacher for teacher-alone. */
  psnr: number;
  ssim: number;
  teacherPsnr?: number;
  teacherSsim?: number;
  bicubicPsnr: number;
  bicubicSsim: number;
  images: number;
}

/**
 * Mean over whole test tiles of Y-PSNR/SSIM (scale pixels shaved), outputs rounded to uint8 as
 * EDSR's quantize does. `psnr`/`ssim` are the arm's own network (its student, or the teacher of
 * teacher-alone); the teacher's are given wherever the arm has one.
 */
export function evaluateSr(networks: SrNetworks, tiles: SrTiles): SrEvalResult {
  const s = tiles.scale;
  const lt = tiles.tile / s;
  const px = tiles.tile * tiles.tile * 3;
  const nets: Record<string, (lr: tf.Tensor4D) => tf.Tensor4D> = {
    main: (networks.student ?? networks.teacher)!,
    bicubic: (lr) => bicubicUpsample(lr, s),
  };
  if (networks.teacher) nets.teacher = networks.teacher;
  const sums: Record<string, { psnr: number; ssim: number }> = Object.fromEntries(Object.keys(nets).map((k) => [k, { psnr: 0, ssim: 0 }]));
  const chunk = 8;
  for (let i0 = 0; i0 < tiles.count; i0 += chunk) {
    const n = Math.min(chunk, tiles.count - i0);
    const lr = tf.tensor4d(tiles.lr.subarray(i0 * lt * lt * 3, (i0 + n) * lt * lt * 3), [n, lt, lt, 3]);
    for (const [k, f] of Object.entries(nets)) {
      const out = tf.tidy(() => tf.clipByValue(tf.round(f(lr)), 0, 255));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      for (let j = 0; j < n; j++) {
        const sr = { height: tiles.tile, width: tiles.tile, data: data.subarray(j * px, (j + 1) * px) };
        const hr = { height: tiles.tile, width: tiles.tile, data: tiles.hr.subarray((i0 + j) * px, (i0 + j + 1) * px) };
        sums[k]!.psnr += psnr(sr, hr, s);
        sums[k]!.ssim += ssim(sr, hr, s);
      }
    }
    lr.dispose();
  }
  const mean = (k: string, m: 'psnr' | 'ssim') => sums[k]![m] / tiles.count;
  return {
    psnr: mean('main', 'psnr'),
    ssim: mean('main', 'ssim'),
    ...(nets.teacher ? { teacherPsnr: mean('teacher', 'psnr'), teacherSsim: mean('teacher', 'ssim') } : {}),
    bicubicPsnr: mean('bicubic', 'psnr'),
    bicubicSsim: mean('bicubic', 'ssim'),
    images: tiles.count,
  };
}
