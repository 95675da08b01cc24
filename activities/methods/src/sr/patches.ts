/**
 * Training-patch copying with EDSR's augmentation (common.augment: hflip, vflip, transpose, each
 * with p = 0.5, the same on the LR and the HR patch). Flips come from their own (seed, step)
 * stream, so turning augmentation on moves no patch.
 */
import type * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32 } from '../util/random';

export interface Augment {
  hflip: boolean;
  vflip: boolean;
  transpose: boolean;
}
export const NO_AUGMENT: Augment = { hflip: false, vflip: false, transpose: false };

/** A training-batch source: aligned LR / HR patches from (seed, step) only. */
export type SrBatchFn = (patch: number, batchSize: number, seed: number, step: number, augment: boolean) => { lr: tf.Tensor4D; hr: tf.Tensor4D };

/** Draws one patch pair's flips per call. */
export function flipStream(seed: number, step: number): () => Augment {
  const rand = mulberry32(mixSeed(seed, 0xf11b5, step));
  return () => ({ hflip: rand() < 0.5, vflip: rand() < 0.5, transpose: rand() < 0.5 });
}

/** Copies a side×side×3 patch at srcOffset of an image srcStride pixels wide: hflip, vflip, then transpose (H↔W). */
export function copyPatch(src: ArrayLike<number>, srcStride: number, srcOffset: number, side: number, dst: Float32Array, dstOffset: number, aug: Augment): void {
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      // Output (r, c) reads input (r', c'): transpose swaps, flips mirror.
      let sr = aug.transpose ? c : r;
      let sc = aug.transpose ? r : c;
      if (aug.vflip) sr = side - 1 - sr;
      if (aug.hflip) sc = side - 1 - sc;
      const from = srcOffset + (sr * srcStride + sc) * 3;
      const to = dstOffset + (r * side + c) * 3;
      dst[to] = src[from]!;
      dst[to + 1] = src[from + 1]!;
      dst[to + 2] = src[from + 2]!;
    }
  }
}
