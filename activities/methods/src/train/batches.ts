import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';

/** Gathers examples `idx` of a split into a normalised float batch and one-hot labels. */
export function makeBatch(d: ImageDataset, split: 'train' | 'test', idx: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const [h, w, c] = d.shape;
  const px = h * w * c;
  const src = d[split];
  const xs = new Float32Array(idx.length * px);
  const ys = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    const base = k * px;
    for (let p = 0; p < px; p++) xs[i * px + p] = src.images[base + p]! / 255;
    ys[i] = src.labels[k]!;
  }
  return tf.tidy(() => ({
    x: tf.tensor4d(xs, [idx.length, h, w, c]),
    y: tf.oneHot(tf.tensor1d(ys, 'int32'), d.classes).toFloat() as tf.Tensor2D,
  }));
}
