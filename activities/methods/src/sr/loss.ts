/**
 * CSD's training losses, as in the authors' PyTorch code (github.com/Booooooooooo/CSD,
 * "PyTorch version/loss/contrast_loss.py" L1_forward and trainer/slim_contrast_trainer.py):
 *
 *   total = L1(HR, S) + λ_CL · CL + λ_T · L1(HR, T)
 *   CL    = Σ_i w_i · d(φ_i(T), φ_i(S)) / (Σ_k d(φ_i(N_k), φ_i(S)) + 1e-7)
 *
 * S / T: student / teacher SR outputs (anchor / positive); N_k: bicubic-upsampled LR images
 * (negatives); d: mean absolute difference over all elements; φ_i: extractor features.
 * Details taken from the code:
 *  - the denominator SUMS over the K negatives (`torch.abs(neg_i - student).sum(0)`, then the
 *    mean over batch and elements), it is not a mean over negatives;
 *  - every anchor in the batch is compared with the same K negatives, which are the first K LR
 *    images of the batch (`lr[torch.randperm(neg_num)]`), so an anchor's own bicubic input is one
 *    of its negatives when its index is < K;
 *  - negatives are detached; the teacher is detached with `--contrast_t_detach` (README command);
 *  - w = 1/32, 1/16, 1/8, 1/4, 1 (option.py --vgg_weight), λ_CL = 200 and λ_T = 1, K = 10
 *    (README training command; option.py defaults are 1, 0 and 8).
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from './features';

/** option.py --vgg_weight: shallow-to-deep feature weights. */
export const CSD_LAYER_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1] as const;
/** README training command: --contra_lambda 200 --t_lambda 1 --neg_num 10. */
export const CSD_LAMBDA_CL = 200;
export const CSD_LAMBDA_T = 1;
export const CSD_NEG_NUM = 10;
/** contrast_loss.py: d_ts / (d_sn + 1e-7). */
const EPS = 1e-7;

/** Identity forward, zero gradient: tfjs has no public stopGradient (PyTorch's .detach()). */
const detached = tf.customGrad((x, _save) => ({ value: (x as tf.Tensor).clone(), gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor) }));
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(x) as T;
}

/**
 * mean(|d|) with PyTorch's gradient sign(d)/n (0 where d = 0). TF.js' own Abs gradient is
 * dy·step(d, −1), which on the native backend runs as five full-size kernels plus a ones()
 * tensor uploaded from JS, and the mean's gradient adds a full-size ones(); with the 57 L1
 * distances of a CSD step that was a quarter of the step (bench:distill --profile).
 */
const meanAbs = tf.customGrad((d, save) => {
  (save as tf.GradSaveFunc)([d as tf.Tensor]);
  return { value: tf.mean(tf.abs(d as tf.Tensor)), gradFunc: (dy, [saved]) => tf.mul(tf.sign(saved!), tf.div(dy as tf.Tensor, saved!.size)) };
});

/** Mean absolute error over all elements (PyTorch nn.L1Loss, reduction 'mean', gradient sign(a − b)/n). */
export function l1Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => meanAbs(tf.sub(a, b)) as tf.Scalar);
}

/**
 * Bicubic upsampling as PyTorch's nn.Upsample(scale_factor, mode='bicubic') does it: cubic
 * convolution with a = −0.75, half-pixel centres (align_corners=False), border taps clamped,
 * no output clamping. Returns the [out, in] interpolation matrix for one axis.
 */
export function bicubicMatrix(inSize: number, scale: number): tf.Tensor2D {
  const a = -0.75;
  const cubic = (t: number) => {
    const x = Math.abs(t);
    if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
    if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
    return 0;
  };
  const outSize = inSize * scale;
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) / scale - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    for (let k = -1; k <= 2; k++) {
      const i = Math.min(inSize - 1, Math.max(0, i0 + k));
      m[o * inSize + i] = m[o * inSize + i]! + cubic(k - t);
    }
  }
  return tf.tensor2d(m, [outSize, inSize]);
}

/** Bicubic ×scale of an NHWC batch (separable: rows then columns). */
export function bicubicUpsample(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a positive integer, got ${scale}`);
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    const mh = bicubicMatrix(h, scale);
    const mw = bicubicMatrix(w, scale);
    // [b,h,w,c] → [b,c,h,w] → resample w → resample h → back to NHWC.
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c * h, w]);
    const alongW = tf.reshape(tf.matMul(planes, mw, false, true), [b * c, h, w * scale]);
    const cols = tf.reshape(tf.transpose(alongW, [0, 2, 1]), [b * c * w * scale, h]);
    const alongH = tf.reshape(tf.matMul(cols, mh, false, true), [b, c, w * scale, h * scale]);
    return tf.transpose(alongH, [0, 3, 2, 1]) as tf.Tensor4D;
  });
}

/** CSD's negatives: the first `count` LR images of the batch, bicubic-upsampled to HR size. */
export function bicubicNegatives(lr: tf.Tensor4D, scale: number, count: number): tf.Tensor4D {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count of negatives must be a positive integer, got ${count}`);
  if (count > lr.shape[0]) throw new Error(`count of negatives (${count}) exceeds the batch (${lr.shape[0]}): negatives are drawn from the batch`);
  return tf.tidy(() => bicubicUpsample(tf.slice(lr, [0, 0, 0, 0], [count, -1, -1, -1]), scale));
}

export interface ContrastiveInputs {
  extractor: FeatureExtractor;
  /** Student output S, [B, H, W, 3]: the only term gradients flow into. */
  anchor: tf.Tensor4D;
  /** Teacher output T, [B, H, W, 3]. */
  positive: tf.Tensor4D;
  /** Bicubic-upsampled LR images, [K, H, W, 3], K ≥ 1, shared by every anchor. */
  negatives: tf.Tensor4D;
  weights?: readonly number[];
  /** Stop the gradient through the teacher (--contrast_t_detach, used in the paper's runs). Default true. */
  detachPositive?: boolean;
}

/** Σ_k mean_{b, elements} |n_k − a_b|: every anchor against every negative (broadcast over the batch). */
function summedNegativeDistance(anchor: tf.Tensor4D, negatives: tf.Tensor4D): tf.Scalar {
  const k = negatives.shape[0];
  let sum = tf.scalar(0);
  for (let i = 0; i < k; i++) sum = tf.add(sum, l1Loss(anchor, tf.slice(negatives, [i, 0, 0, 0], [1, -1, -1, -1])));
  return sum;
}

/**
 * The extractor's features of x with no gradient (PyTorch's `.detach()` on the input), computed
 * inside one custom-gradient op so that the tape never records the extractor's layers. Detaching
 * the input with stopGradient gives the same values and zero gradient, but tfjs still runs the
 * backward pass through every extractor layer, multiplying zeros: with VGG-19 and a detached
 * teacher that is 13 of the step's 26 conv input-gradients.
 */
function detachedFeatures(extractor: FeatureExtractor, x: tf.Tensor4D): tf.Tensor4D[] {
  let shapes: [number, number, number, number][] = [];
  const packed = tf.customGrad((input, _save) => {
    const fs = extractor.features(input as tf.Tensor4D);
    shapes = fs.map((f) => f.shape);
    const shape = (input as tf.Tensor).shape;
    return { value: tf.concat(fs.map((f) => tf.reshape(f, [-1]))), gradFunc: () => tf.zeros(shape) };
  })(x);
  const parts = tf.split(packed, shapes.map((s) => s.reduce((a, b) => a * b, 1)));
  return parts.map((p, i) => tf.reshape(p, shapes[i]!) as tf.Tensor4D);
}

/** CL = Σ_i w_i · d(T_i, S_i) / (Σ_k d(N_k,i, S_i) + 1e-7). */
export function contrastiveLoss(o: ContrastiveInputs): tf.Scalar {
  const weights = o.weights ?? CSD_LAYER_WEIGHTS;
  const [b, k] = [o.anchor.shape[0], o.negatives.shape[0]];
  if (k < 1) throw new Error('contrastive loss needs at least one negative (got 0): the denominator would be 0 and the loss undefined');
  if (o.positive.shape.join() !== o.anchor.shape.join()) throw new Error(`positive ${o.positive.shape} and anchor ${o.anchor.shape} must have the same shape`);
  if (o.negatives.shape.slice(1).join() !== o.anchor.shape.slice(1).join()) throw new Error(`negatives ${o.negatives.shape} must have the anchor's image shape ${o.anchor.shape.slice(1)}`);
  if (b < 1) throw new Error('contrastive loss needs at least one anchor');
  return tf.tidy(() => {
    const fa = o.extractor.features(o.anchor);
    const fp = o.detachPositive === false ? o.extractor.features(o.positive) : detachedFeatures(o.extractor, o.positive);
    const fn = detachedFeatures(o.extractor, o.negatives);
    if (fa.length !== weights.length) throw new Error(`${weights.length} layer weights for ${fa.length} feature maps of ${o.extractor.name}`);
    let loss = tf.scalar(0);
    fa.forEach((a, i) => {
      const ratio = tf.div(l1Loss(fp[i]!, a), tf.add(summedNegativeDistance(a, fn[i]!), EPS));
      loss = tf.add(loss, tf.mul(ratio, weights[i]!));
    });
    return loss as tf.Scalar;
  });
}

export interface CsdLossInputs extends ContrastiveInputs {
  hr: tf.Tensor4D;
  lambdaCl?: number;
  /** The authors zero it from epoch --t_l_remove (400, = the run length, so it stays 1 in their command). */
  lambdaT?: number;
}

export interface CsdLossTerms {
  total: tf.Scalar;
  l1Student: tf.Scalar;
  l1Teacher: tf.Scalar;
  contrastive: tf.Scalar;
}

/** total = L1(HR, S) + λ_CL·CL + λ_T·L1(HR, T); the teacher L1 is not detached (joint training). */
export function csdLoss(o: CsdLossInputs): CsdLossTerms {
  const lambdaCl = o.lambdaCl ?? CSD_LAMBDA_CL;
  const lambdaT = o.lambdaT ?? CSD_LAMBDA_T;
  const l1Student = l1Loss(o.hr, o.anchor);
  const l1Teacher = l1Loss(o.hr, o.positive);
  const contrastive = contrastiveLoss(o);
  const total = tf.tidy(() => tf.addN([l1Student, tf.mul(contrastive, lambdaCl), tf.mul(l1Teacher, lambdaT)]) as tf.Scalar);
  return { total, l1Student, l1Teacher, contrastive };
}
