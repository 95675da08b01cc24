/**
 * Whole-image SR inference and evaluation (method code: no Temporal, storage or database):
 *  - selfEnsemble: the ×8 geometric self-ensemble of the paper's "+" rows (EDSR's forward_x8):
 *    the LR is flipped (width, then height) and transposed in all 8 combinations, each output is
 *    mapped back by the inverse transform, and the 8 are averaged before rounding;
 *  - chopForward: inference on overlapping LR tiles, pasted back without the overlap (EDSR's
 *    forward_chop idea), for images whose activations do not fit in memory at once;
 *  - evaluateSrPairs: mean Y-PSNR / SSIM (scale pixels shaved, outputs rounded to uint8) and
 *    measured inference seconds per image over a set of whole images.
 */
import * as tf from '@tensorflow/tfjs';
import type { SrPair } from './dataset';
import { psnr, ssim } from './metrics';

export type SrForward = (lr: tf.Tensor4D) => tf.Tensor4D;

/** The k-th of the 8 dihedral transforms (bit 0: flip width, bit 1: flip height, bit 2: transpose), applied in that order. */
export function dihedral(x: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    if (k & 1) y = tf.reverse(y, 2);
    if (k & 2) y = tf.reverse(y, 1);
    if (k & 4) y = tf.transpose(y, [0, 2, 1, 3]);
    return y;
  });
}

/** The inverse of dihedral(·, k): the same three operations in reverse order (each is its own inverse). */
export function dihedralInverse(y: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    let x = y;
    if (k & 4) x = tf.transpose(x, [0, 2, 1, 3]);
    if (k & 2) x = tf.reverse(x, 1);
    if (k & 1) x = tf.reverse(x, 2);
    return x;
  });
}

/** ×8 self-ensemble of `f`: mean over k of dihedralInverse(f(dihedral(lr, k)), k). */
export function selfEnsemble(f: SrForward): SrForward {
  return (lr) =>
    tf.tidy(() => {
      let sum: tf.Tensor4D | undefined;
      for (let k = 0; k < 8; k++) {
        const out = dihedralInverse(f(dihedral(lr, k)), k);
        sum = sum ? (tf.add(sum, out) as tf.Tensor4D) : out;
      }
      return tf.div(sum!, 8) as tf.Tensor4D;
    });
}

/**
 * `f` run on LR tiles of `tile`×`tile` pixels, each extended by `overlap` LR pixels of context on
 * every side that has them; only the tile's own ×scale region of each output is kept. Equal to the
 * whole-image output when the network's receptive field reaches no further than `overlap`.
 */
export function chopForward(f: SrForward, scale: number, tile: number, overlap: number): SrForward {
  if (!Number.isInteger(tile) || tile < 1) throw new Error(`chop tile must be a positive integer (LR pixels), got ${tile}`);
  if (!Number.isInteger(overlap) || overlap < 0) throw new Error(`chop overlap must be a non-negative integer, got ${overlap}`);
  return (lr) => {
    const [n, h, w, c] = lr.shape;
    if (h <= tile && w <= tile) return f(lr);
    const out = new Float32Array(n * h * scale * w * scale * 3);
    const ow = w * scale;
    for (let y0 = 0; y0 < h; y0 += tile) {
      for (let x0 = 0; x0 < w; x0 += tile) {
        const y1 = Math.min(h, y0 + tile);
        const x1 = Math.min(w, x0 + tile);
        const py0 = Math.max(0, y0 - overlap);
        const px0 = Math.max(0, x0 - overlap);
        const py1 = Math.min(h, y1 + overlap);
        const px1 = Math.min(w, x1 + overlap);
        const part = tf.tidy(() => f(tf.slice(lr, [0, py0, px0, 0], [n, py1 - py0, px1 - px0, c])));
        const data = part.dataSync();
        part.dispose();
        const pw = (px1 - px0) * scale;
        const ph = (py1 - py0) * scale;
        for (let b = 0; b < n; b++) {
          for (let y = (y0 - py0) * scale; y < (y1 - py0) * scale; y++) {
            const from = ((b * ph + y) * pw + (x0 - px0) * scale) * 3;
            const to = ((b * h * scale + py0 * scale + y) * ow + x0 * scale) * 3;
            out.set(data.subarray(from, from + (x1 - x0) * scale * 3), to);
          }
        }
      }
    }
    return tf.tensor4d(out, [n, h * scale, w * scale, 3]);
  };
}

export interface SrSetResult {
  psnr: number;
  ssim: number;
  images: number;
  /** Mean wall-clock seconds of one image's inference (LR in, rounded SR read back). */
  secondsPerImage: number;
}

/**
 * Mean Y-PSNR and SSIM of `f` over whole images, `scale` pixels shaved, outputs rounded and
 * clipped to 0–255 (EDSR's quantize). One image at a time (their sizes differ). The first image is
 * preceded by an untimed warm-up on a small crop so backend start-up is not counted.
 */
export function evaluateSrPairs(f: SrForward, pairs: readonly SrPair[], scale: number): SrSetResult {
  if (!pairs.length) throw new Error('no images to evaluate');
  const run = (p: SrPair) =>
    tf.tidy(() => {
      const lr = tf.tensor4d(Float32Array.from(p.lr.data), [1, p.lr.height, p.lr.width, 3]);
      return tf.clipByValue(tf.round(f(lr)), 0, 255);
    });
  const warm = pairs[0]!;
  const side = Math.min(8, warm.lr.height, warm.lr.width);
  tf.tidy(() => f(tf.zeros([1, side, side, 3]) as tf.Tensor4D).dataSync());
  let sumP = 0;
  let sumS = 0;
  let seconds = 0;
  for (const p of pairs) {
    const t0 = performance.now();
    const out = run(p);
    const data = out.dataSync() as Float32Array;
    seconds += (performance.now() - t0) / 1000;
    out.dispose();
    if (out.shape[1] !== p.hr.height || out.shape[2] !== p.hr.width) throw new Error(`${p.name}: the model made ${out.shape[2]}×${out.shape[1]} from a ${p.lr.width}×${p.lr.height} LR, expected the HR's ${p.hr.width}×${p.hr.height}`);
    const sr = { height: p.hr.height, width: p.hr.width, data };
    sumP += psnr(sr, p.hr, scale);
    sumS += ssim(sr, p.hr, scale);
  }
  return { psnr: sumP / pairs.length, ssim: sumS / pairs.length, images: pairs.length, secondsPerImage: seconds / pairs.length };
}
