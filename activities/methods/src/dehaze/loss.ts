/**
 * AECR-Net's training loss, as the released code computes it (models/CR.py ContrastLoss,
 * train_aecrnet.py):
 *
 *   total = L1(out, clear) + β · CR
 *   CR    = Σ_i ω_i · L1(G_i(out), G_i(clear)) / (L1(G_i(out), G_i(hazy)) + 1e-7)
 *
 * ω = 1/32, 1/16, 1/8, 1/4, 1 over the extractor's five outputs (VGG-19 relu1_1 … relu5_1 in the
 * paper); the clear image is the positive and the hazy input the negative, both detached
 * (`p_vgg[i].detach()`, `n_vgg[i].detach()`); L1 is the mean absolute difference. The released
 * script weights CR by `--w_loss_vgg7` (default 0); the paper's β is not confirmed here.
 * β = 0 skips the extractor entirely.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from '../sr/features';
import { l1Loss } from '../sr/loss';

export const AECR_CR_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1] as const;
const EPS = 1e-7;

/** Refuses a negative, NaN or infinite β with an Error naming it. */
export function checkBeta(beta: unknown): number {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) throw new Error(`beta (the CR weight) must be a finite number ≥ 0, got ${String(beta)}`);
  return beta;
}

/**
 * The extractor's features of x with no gradient (PyTorch's .detach()), computed inside one
 * custom-gradient op so that the tape does not record the extractor's layers.
 */
export function detachedFeatures(extractor: FeatureExtractor, x: tf.Tensor4D): tf.Tensor4D[] {
  let shapes: [number, number, number, number][] = [];
  const packed = tf.customGrad((input, _save) => {
    const fs = extractor.features(input as tf.Tensor4D);
    shapes = fs.map((f) => f.shape);
    const shape = (input as tf.Tensor).shape;
    const value = tf.concat(fs.map((f) => tf.reshape(f, [-1])));
    tf.dispose(fs);
    return { value, gradFunc: () => tf.zeros(shape) };
  })(x);
  const parts = tf.split(packed, shapes.map((s) => s.reduce((a, b) => a * b, 1)));
  packed.dispose();
  return parts.map((p, i) => {
    const r = tf.reshape(p, shapes[i]!) as tf.Tensor4D;
    p.dispose();
    return r;
  });
}

export interface CrInputs {
  extractor: FeatureExtractor;
  /** Network output (anchor): gradients flow into it only. */
  output: tf.Tensor4D;
  /** Positive. */
  clear: tf.Tensor4D;
  /** Negative. */
  hazy: tf.Tensor4D;
  weights?: readonly number[];
  /** Images are multiplied by this before the extractor (e.g. 255 for an extractor that wants 0–255); default 1. */
  extractorScale?: number;
}

/** CR = Σ_i ω_i · L1(G_i(out), G_i(clear)) / (L1(G_i(out), G_i(hazy)) + 1e-7). */
export function contrastiveRegularization(o: CrInputs): tf.Scalar {
  const weights = o.weights ?? AECR_CR_WEIGHTS;
  if (o.clear.shape.join() !== o.output.shape.join() || o.hazy.shape.join() !== o.output.shape.join()) throw new Error(`output ${o.output.shape}, clear ${o.clear.shape} and hazy ${o.hazy.shape} must have the same shape`);
  const scale = o.extractorScale ?? 1;
  return tf.tidy(() => {
    const s = (x: tf.Tensor4D) => (scale === 1 ? x : (tf.mul(x, scale) as tf.Tensor4D));
    const fa = o.extractor.features(s(o.output));
    const fp = detachedFeatures(o.extractor, s(o.clear));
    const fn = detachedFeatures(o.extractor, s(o.hazy));
    if (fa.length !== weights.length) throw new Error(`${weights.length} CR weights for ${fa.length} feature maps of ${o.extractor.name}`);
    let loss = tf.scalar(0);
    fa.forEach((a, i) => {
      loss = tf.add(loss, tf.mul(tf.div(l1Loss(a, fp[i]!), tf.add(l1Loss(a, fn[i]!), EPS)), weights[i]!));
    });
    return loss as tf.Scalar;
  });
}

export interface AecrLossInputs {
  output: tf.Tensor4D;
  clear: tf.Tensor4D;
  hazy: tf.Tensor4D;
  beta: number;
  /** Needed when beta > 0; never called when beta = 0. */
  extractor?: FeatureExtractor;
  weights?: readonly number[];
  extractorScale?: number;
}

export interface AecrLossTerms {
  total: tf.Scalar;
  l1: tf.Scalar;
  /** 0 when beta = 0 (not computed). */
  cr: tf.Scalar;
}

export function aecrLoss(o: AecrLossInputs): AecrLossTerms {
  const beta = checkBeta(o.beta);
  if (beta > 0 && !o.extractor) throw new Error('beta > 0 needs a feature extractor for CR');
  const l1 = l1Loss(o.output, o.clear);
  if (beta === 0) return { total: l1, l1, cr: tf.scalar(0) };
  const cr = contrastiveRegularization({ extractor: o.extractor!, output: o.output, clear: o.clear, hazy: o.hazy, weights: o.weights, extractorScale: o.extractorScale });
  const total = tf.tidy(() => tf.add(l1, tf.mul(cr, beta)) as tf.Scalar);
  return { total, l1, cr };
}
