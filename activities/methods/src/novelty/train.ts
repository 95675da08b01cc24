/**
 * One-class novelty detection (train on the images of one class, score every test image, AUROC with
 * the other classes as novel) by three methods at one shared budget:
 *
 * - `decoder-encoder`: our reading of arXiv 2106.09958 (NOTES §1). Only its outline is known; every
 *   detail below marked GUESS is a named option, recorded with each result.
 *   1. Decoder G, trained non-adversarially as in GLO: one free latent per training image, initialised
 *      from the whole training set's distribution (GUESS `latentInit`: `pca`, the images' top principal
 *      components, or `random`), kept on the unit sphere, fitted jointly with G by squared error for
 *      `pretrainEpochs`.
 *   2. Encoder E with two heads: `z` learns to invert G (squared error to each image's latent), `h` is
 *      a contrastive embedding trained by InfoNCE (GUESS: the mutual-information estimator), with each
 *      target x and its decoding G(z_x) as the positive pair. With NDA (GUESS `nda`: which transforms,
 *      how many combined) the negatives are the batch's NDA images, so targets are not pushed apart;
 *      without NDA the negatives are the other targets of the batch (instance discrimination).
 *   3. Score (GUESS `score`): `combined` = standardised reconstruction error ‖x − G(E_z(x))‖² plus
 *      standardised disagreement 1 − cos(h(x), h(G(E_z(x)))), each standardised by its mean and
 *      spread over the training targets; or either term alone.
 * - `autoencoder`: a convolutional autoencoder of the same encoder trunk and decoder, trained by
 *   squared error for pretrainEpochs + epochs; score = reconstruction error (the DCAE baseline).
 * - `deep-svdd`: One-Class Deep SVDD (Ruff et al., ICML 2018): a bias-free network pretrained as an
 *   autoencoder for `pretrainEpochs`, centre c = mean representation of the targets (near-zero entries
 *   pushed to ±0.1 as in their code), then `epochs` minimising mean ‖φ(x) − c‖²; score ‖φ(x) − c‖².
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { mixSeed, permutation } from '../util/random';
import { auroc } from './auroc';
import { checkNdaOptions, negativeBatch, type NdaOptions } from './nda';
import { checkImageShape, decoder, encoderTrunk, head, svddDecoder, svddNetwork, type ImageShape } from './nets';

export const NOVELTY_METHODS = ['decoder-encoder', 'autoencoder', 'deep-svdd'] as const;
export type NoveltyMethod = (typeof NOVELTY_METHODS)[number];
export const NOVELTY_SCORES = ['combined', 'reconstruction', 'contrastive'] as const;
export type NoveltyScore = (typeof NOVELTY_SCORES)[number];
export const LATENT_INITS = ['pca', 'random'] as const;
export type LatentInit = (typeof LATENT_INITS)[number];

/** One class's training images and the whole (or limited) test set, pixels scaled to [0, 1]. */
export interface OneClassData {
  shape: ImageShape;
  normalClass: number;
  train: Float32Array;
  trainCount: number;
  test: Float32Array;
  testNovel: boolean[];
}

/**
 * The standard one-class protocol: train on the training images of `normalClass` only (the first
 * `trainLimit` of them), test on the first `testLimit` test images of every class, novel = any
 * other class.
 */
export function oneClassSplit(d: ImageDataset, normalClass: number, o: { trainLimit?: number; testLimit?: number } = {}): OneClassData {
  if (!Number.isInteger(normalClass) || normalClass < 0 || normalClass >= d.classes) throw new Error(`normalClass ${normalClass} is outside dataset ${d.name}, whose classes are 0–${d.classes - 1}`);
  const [h, w, c] = d.shape;
  const shape = { h, w, c };
  checkImageShape(shape);
  const px = h * w * c;
  const trainIdx: number[] = [];
  d.train.labels.forEach((l, i) => {
    if (l === normalClass && trainIdx.length < (o.trainLimit ?? Infinity)) trainIdx.push(i);
  });
  const testCount = Math.min(d.test.labels.length, o.testLimit ?? Infinity);
  const gather = (src: Uint8Array, idx: ArrayLike<number>) => {
    const out = new Float32Array(idx.length * px);
    for (let k = 0; k < idx.length; k++) for (let p = 0; p < px; p++) out[k * px + p] = src[idx[k]! * px + p]! / 255;
    return out;
  };
  const testNovel = Array.from(d.test.labels.subarray(0, testCount), (l) => l !== normalClass);
  if (!trainIdx.length) throw new Error(`dataset ${d.name} has no training image of class ${normalClass}`);
  if (testNovel.every((n) => n) || testNovel.every((n) => !n)) throw new Error(`the first ${testCount} test images of ${d.name} need both class ${normalClass} and other classes; raise testLimit`);
  return { shape, normalClass, train: gather(d.train.images, trainIdx), trainCount: trainIdx.length, test: gather(d.test.images, Array.from({ length: testCount }, (_, i) => i)), testNovel };
}

export interface NoveltyOptions {
  method: NoveltyMethod;
  data: OneClassData;
  /** Epochs of the main objective (E for decoder-encoder, the SVDD objective, the AE's second part). */
  epochs: number;
  /** Epochs of the first stage (G and latents; SVDD's AE pretraining; the AE's first part). */
  pretrainEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Latent size of G and the autoencoder; Deep SVDD's representation size. */
  latentDim: number;
  /** decoder-encoder: the contrastive head's size, InfoNCE temperature and weight. */
  projDim: number;
  temperature: number;
  lambdaContrastive: number;
  /** decoder-encoder: NDA negatives, or null for in-batch negatives (the "without NDA" ablation). */
  nda: NdaOptions | null;
  latentInit: LatentInit;
  score: NoveltyScore;
  seed: number;
  onProgress?: (p: { stage: string; step: number; totalSteps: number; loss: number }) => void;
}

export interface NoveltyResult {
  /** AUROC in percent (the unit the literature tables use). */
  aurocPct: number;
  /** Per test image, higher = more novel. */
  scores: Float32Array;
  /** decoder-encoder: the two terms' AUROCs alone, for the record. */
  termAurocPct?: { reconstruction: number; contrastive: number };
  finalLoss: number;
  trainImages: number;
  testNormal: number;
  testNovel: number;
  parameters: number;
  seconds: number;
  steps: number;
}

export function checkNoveltyOptions(o: NoveltyOptions): void {
  const pos = (k: keyof NoveltyOptions, v: number, int = false) => {
    if (!Number.isFinite(v) || v <= 0 || (int && !Number.isInteger(v))) throw new Error(`${k} must be a positive ${int ? 'whole ' : ''}number, got ${v}`);
  };
  if (!NOVELTY_METHODS.includes(o.method)) throw new Error(`method must be one of ${NOVELTY_METHODS.join(', ')}, got ${o.method}`);
  pos('epochs', o.epochs, true);
  if (!Number.isInteger(o.pretrainEpochs) || o.pretrainEpochs < 0) throw new Error(`pretrainEpochs must be a whole number ≥ 0, got ${o.pretrainEpochs}`);
  if (o.method === 'decoder-encoder' && o.pretrainEpochs < 1) throw new Error('decoder-encoder needs pretrainEpochs ≥ 1: the decoder is trained first');
  pos('batchSize', o.batchSize, true);
  pos('learningRate', o.learningRate);
  pos('latentDim', o.latentDim, true);
  pos('projDim', o.projDim, true);
  pos('temperature', o.temperature);
  if (!Number.isFinite(o.lambdaContrastive) || o.lambdaContrastive < 0) throw new Error(`lambdaContrastive must be a finite number ≥ 0, got ${o.lambdaContrastive}`);
  if (o.nda) checkNdaOptions(o.nda);
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
}

const px = (s: ImageShape) => s.h * s.w * s.c;

function batchTensor(data: Float32Array, s: ImageShape, idx: ArrayLike<number>): tf.Tensor4D {
  const p = px(s);
  const out = new Float32Array(idx.length * p);
  for (let k = 0; k < idx.length; k++) out.set(data.subarray(idx[k]! * p, (idx[k]! + 1) * p), k * p);
  return tf.tensor4d(out, [idx.length, s.h, s.w, s.c]);
}

const paramCount = (...models: tf.LayersModel[]) => models.reduce((n, m) => n + m.countParams(), 0);

/** Squared error per image, averaged over pixels. */
const perImageMse = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.mean(tf.squaredDifference(a, b), [1, 2, 3]) as tf.Tensor1D;

interface Loop {
  stage: string;
  epochs: number;
  /** One optimiser step on these training indices; returns the loss (a scalar kept alive). */
  step: (idx: Uint32Array, stepNo: number) => tf.Scalar;
}

/** Runs the stages in order over seeded epoch permutations; returns the last loss and steps taken. */
async function runLoops(o: NoveltyOptions, loops: Loop[]): Promise<{ finalLoss: number; steps: number }> {
  const n = o.data.trainCount;
  const perEpoch = Math.ceil(n / o.batchSize);
  const totalSteps = loops.reduce((t, l) => t + l.epochs * perEpoch, 0);
  let steps = 0;
  let finalLoss = NaN;
  for (const [li, loop] of loops.entries()) {
    for (let e = 0; e < loop.epochs; e++) {
      const order = permutation(n, mixSeed(o.seed, 0x0c1a55, li, e));
      for (let b = 0; b < perEpoch; b++) {
        const idx = order.subarray(b * o.batchSize, Math.min(n, (b + 1) * o.batchSize));
        const loss = loop.step(idx, steps);
        finalLoss = (await loss.data())[0]!;
        loss.dispose();
        steps++;
        if (!Number.isFinite(finalLoss)) throw new Error(`${o.method}: loss became ${finalLoss} at step ${steps} (${loop.stage}); lower learningRate`);
        o.onProgress?.({ stage: loop.stage, step: steps, totalSteps, loss: finalLoss });
      }
    }
  }
  return { finalLoss, steps };
}

/**
 * `fn` over the first `count` images in batches, flattened: one value per image (a score, higher =
 * more novel) or `width` values per image (a representation).
 */
function scoreAll(data: Float32Array, count: number, s: ImageShape, fn: (x: tf.Tensor4D) => tf.Tensor, width = 1, batch = 256): Float32Array {
  const out = new Float32Array(count * width);
  for (let i = 0; i < count; i += batch) {
    const idx = Uint32Array.from({ length: Math.min(batch, count - i) }, (_, k) => i + k);
    const v = tf.tidy(() => fn(batchTensor(data, s, idx)));
    out.set(v.dataSync(), i * width);
    v.dispose();
  }
  return out;
}

/** Top-d principal directions of the training images by subspace iteration, as unit-norm latents. */
function pcaLatents(data: Float32Array, n: number, s: ImageShape, d: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(data.subarray(0, n * px(s)), [n, px(s)]);
    const xc = tf.sub(x, tf.mean(x, 0, true));
    let q = tf.randomNormal([px(s), d], 0, 1, 'float32', mixSeed(seed, 0x9ca)) as tf.Tensor2D;
    for (let it = 0; it < 8; it++) {
      const y = tf.matMul(xc, tf.matMul(xc, q), true, false) as tf.Tensor2D; // Xᵀ X q
      q = tf.transpose(tf.linalg.gramSchmidt(tf.transpose(y) as tf.Tensor2D) as tf.Tensor2D) as tf.Tensor2D;
    }
    return unitRows(tf.matMul(xc, q) as tf.Tensor2D);
  });
}

const unitRows = (z: tf.Tensor2D) => tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-8)) as tf.Tensor2D;

export async function runOneClass(o: NoveltyOptions): Promise<NoveltyResult> {
  checkNoveltyOptions(o);
  const t0 = performance.now();
  const s = o.data.shape;
  const n = o.data.trainCount;
  const testCount = o.data.testNovel.length;
  const opt = tf.train.adam(o.learningRate);
  const disposables: { dispose(): void }[] = [opt];
  try {
    let scores: Float32Array;
    let termAurocPct: NoveltyResult['termAurocPct'];
    let parameters: number;
    let run: { finalLoss: number; steps: number };
    if (o.method === 'autoencoder') {
      const enc = encoderTrunk(s, o.seed), zHead = head(128, o.latentDim, o.seed, 4), dec = decoder(s, o.latentDim, o.seed);
      disposables.push(enc, zHead, dec);
      const recon = (x: tf.Tensor4D) => dec.apply(zHead.apply(enc.apply(x))) as tf.Tensor4D;
      const vars = [...enc.trainableWeights, ...zHead.trainableWeights, ...dec.trainableWeights].map((w) => w.read() as tf.Variable);
      run = await runLoops(o, [{ stage: 'autoencoder', epochs: o.pretrainEpochs + o.epochs, step: (idx) => {
        const x = batchTensor(o.data.train, s, idx);
        const l = opt.minimize(() => tf.mean(perImageMse(recon(x), x)) as tf.Scalar, true, vars)!;
        x.dispose();
        return l;
      } }]);
      scores = scoreAll(o.data.test, testCount, s, (x) => perImageMse(recon(x), x));
      parameters = paramCount(enc, zHead, dec);
    } else if (o.method === 'deep-svdd') {
      const net = svddNetwork(s, o.latentDim, o.seed), dec = svddDecoder(s, o.latentDim, o.seed);
      disposables.push(net, dec);
      const netVars = net.trainableWeights.map((w) => w.read() as tf.Variable);
      const aeVars = [...netVars, ...dec.trainableWeights.map((w) => w.read() as tf.Variable)];
      let centre: tf.Tensor1D | undefined;
      const decay = 1e-6; // their weight decay on the network
      run = await runLoops(o, [
        { stage: 'svdd-pretrain', epochs: o.pretrainEpochs, step: (idx) => {
          const x = batchTensor(o.data.train, s, idx);
          const l = opt.minimize(() => tf.mean(perImageMse(dec.apply(net.apply(x)) as tf.Tensor4D, x)) as tf.Scalar, true, aeVars)!;
          x.dispose();
          return l;
        } },
        { stage: 'svdd', epochs: o.epochs, step: (idx) => {
          if (!centre) {
            const sum = tf.tidy(() => tf.mean(tf.tensor2d(scoreAll(o.data.train, n, s, (x) => net.apply(x) as tf.Tensor2D, o.latentDim), [n, o.latentDim]), 0) as tf.Tensor1D);
            const eps = 0.1;
            centre = tf.tidy(() => tf.where(tf.less(tf.abs(sum), eps), tf.mul(tf.sign(tf.add(sum, 1e-12)), eps), sum) as tf.Tensor1D);
            sum.dispose();
            disposables.push(centre);
          }
          const c = centre;
          const x = batchTensor(o.data.train, s, idx);
          const l = opt.minimize(() => tf.tidy(() => {
            const d = tf.mean(tf.sum(tf.square(tf.sub(net.apply(x) as tf.Tensor2D, c)), 1));
            const wd = tf.addN(netVars.map((v) => tf.sum(tf.square(v))));
            return tf.add(d, tf.mul(wd, decay / 2)) as tf.Scalar;
          }), true, netVars)!;
          x.dispose();
          return l;
        } },
      ]);
      const c = centre!;
      scores = scoreAll(o.data.test, testCount, s, (x) => tf.sum(tf.square(tf.sub(net.apply(x) as tf.Tensor2D, c)), 1) as tf.Tensor1D);
      parameters = paramCount(net);
    } else {
      const dec = decoder(s, o.latentDim, o.seed);
      const enc = encoderTrunk(s, mixSeed(o.seed, 7)), zHead = head(128, o.latentDim, o.seed, 5), hHead = head(128, o.projDim, o.seed, 6);
      disposables.push(dec, enc, zHead, hHead);
      const z0 = o.latentInit === 'pca' ? pcaLatents(o.data.train, n, s, o.latentDim, o.seed) : tf.tidy(() => unitRows(tf.randomNormal([n, o.latentDim], 0, 1, 'float32', mixSeed(o.seed, 0x1a7)) as tf.Tensor2D));
      const latents = tf.variable(z0, true);
      z0.dispose();
      disposables.push(latents);
      const decVars = [...dec.trainableWeights.map((w) => w.read() as tf.Variable), latents];
      const encVars = [enc, zHead, hHead].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
      const embed = (x: tf.Tensor4D) => tf.tidy(() => unitRows(hHead.apply(enc.apply(x)) as tf.Tensor2D));
      const encodeZ = (x: tf.Tensor4D) => tf.tidy(() => unitRows(zHead.apply(enc.apply(x)) as tf.Tensor2D));
      const ndaOpts = o.nda;
      const encOpt = tf.train.adam(o.learningRate);
      disposables.push(encOpt);
      run = await runLoops(o, [
        { stage: 'decoder', epochs: o.pretrainEpochs, step: (idx) => {
          const x = batchTensor(o.data.train, s, idx);
          const ids = tf.tensor1d(Array.from(idx), 'int32');
          const l = opt.minimize(() => tf.mean(perImageMse(dec.apply(unitRows(tf.gather(latents, ids) as tf.Tensor2D)) as tf.Tensor4D, x)) as tf.Scalar, true, decVars)!;
          // GLO keeps the latents on the unit sphere.
          tf.tidy(() => { latents.assign(unitRows(latents)); });
          tf.dispose([x, ids]);
          return l;
        } },
        { stage: 'encoder', epochs: o.epochs, step: (idx, stepNo) => {
          const x = batchTensor(o.data.train, s, idx);
          const ids = tf.tensor1d(Array.from(idx), 'int32');
          const z = tf.tidy(() => tf.gather(latents, ids) as tf.Tensor2D);
          const gz = tf.tidy(() => dec.apply(z) as tf.Tensor4D);
          const neg = ndaOpts ? tf.tensor4d(negativeBatch(x.dataSync() as Float32Array, idx.length, s.h, s.w, s.c, ndaOpts, mixSeed(o.seed, 0x4e6, stepNo)), x.shape) : undefined;
          const l = encOpt.minimize(() => tf.tidy(() => {
            const zLoss = tf.mean(tf.sum(tf.square(tf.sub(unitRows(zHead.apply(enc.apply(x)) as tf.Tensor2D), z)), 1));
            const a = unitRows(hHead.apply(enc.apply(x)) as tf.Tensor2D);
            const p = unitRows(hHead.apply(enc.apply(gz)) as tf.Tensor2D);
            const pos = tf.sum(tf.mul(a, p), 1, true); // [B, 1]
            let logits: tf.Tensor2D;
            if (neg) {
              const ng = unitRows(hHead.apply(enc.apply(neg)) as tf.Tensor2D);
              logits = tf.concat([pos, tf.matMul(a, ng, false, true)], 1) as tf.Tensor2D;
            } else {
              // Other targets' positives as negatives: the diagonal of a·pᵀ is each row's positive.
              logits = tf.matMul(a, p, false, true) as tf.Tensor2D;
            }
            const labels = neg ? tf.oneHot(tf.zeros([idx.length], 'int32') as tf.Tensor1D, logits.shape[1]) : tf.oneHot(tf.range(0, idx.length, 1, 'int32') as tf.Tensor1D, idx.length);
            const nce = tf.losses.softmaxCrossEntropy(labels, tf.div(logits, o.temperature));
            return tf.add(zLoss, tf.mul(nce, o.lambdaContrastive)) as tf.Scalar;
          }), true, encVars)!;
          tf.dispose([x, ids, z, gz, ...(neg ? [neg] : [])]);
          return l;
        } },
      ]);
      const recTerm = (x: tf.Tensor4D) => perImageMse(dec.apply(encodeZ(x)) as tf.Tensor4D, x);
      const conTerm = (x: tf.Tensor4D) => tf.sub(1, tf.sum(tf.mul(embed(x), embed(dec.apply(encodeZ(x)) as tf.Tensor4D)), 1)) as tf.Tensor1D;
      const rec = scoreAll(o.data.test, testCount, s, recTerm);
      const con = scoreAll(o.data.test, testCount, s, conTerm);
      // Standardised by the training targets' own spread (at most 1,000 of them).
      const m = Math.min(n, 1000);
      const stats = (v: Float32Array) => {
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
        return { mean, sd };
      };
      const rs = stats(scoreAll(o.data.train, m, s, recTerm)), cs = stats(scoreAll(o.data.train, m, s, conTerm));
      const combined = rec.map((r, i) => (r - rs.mean) / rs.sd + (con[i]! - cs.mean) / cs.sd);
      scores = o.score === 'reconstruction' ? rec : o.score === 'contrastive' ? con : combined;
      termAurocPct = { reconstruction: 100 * auroc(rec, o.data.testNovel), contrastive: 100 * auroc(con, o.data.testNovel) };
      parameters = paramCount(dec, enc, zHead, hHead) + n * o.latentDim;
    }
    const novel = o.data.testNovel.filter(Boolean).length;
    return {
      aurocPct: 100 * auroc(scores, o.data.testNovel),
      scores,
      ...(termAurocPct ? { termAurocPct } : {}),
      finalLoss: run.finalLoss,
      trainImages: n,
      testNormal: testCount - novel,
      testNovel: novel,
      parameters,
      seconds: (performance.now() - t0) / 1000,
      steps: run.steps,
    };
  } finally {
    for (const d of disposables) d.dispose();
  }
}
