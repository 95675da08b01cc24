/**
 * The small convolutional networks of the one-class methods, for images whose sides divide by 4
 * (MNIST and Fashion-MNIST: 28×28×1). Every initialiser is seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export interface ImageShape {
  h: number;
  w: number;
  c: number;
}

export function checkImageShape(s: ImageShape): void {
  if (s.h % 4 || s.w % 4) throw new Error(`the one-class networks down-sample by 4: image sides ${s.h}×${s.w} must both divide by 4 (MNIST and Fashion-MNIST are 28×28)`);
}

const init = (seed: number, i: number) => tf.initializers.glorotUniform({ seed: mixSeed(seed, i) });

/** conv 32 s2 → conv 64 s2 → dense 128 (ReLU): the encoder trunk of the autoencoder and of E. */
export function encoderTrunk(s: ImageShape, seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [s.h, s.w, s.c], filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(seed, 1) }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(seed, 2) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(seed, 3) }),
    ],
  });
}

/** A dense head on a feature vector. */
export function head(inputDim: number, units: number, seed: number, i: number): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [inputDim], units, kernelInitializer: init(seed, i) })] });
}

/** latent (d) → dense → 64 maps at ¼ size → deconv 32 s2 → deconv c s2, sigmoid: images in [0, 1]. */
export function decoder(s: ImageShape, latentDim: number, seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: (s.h / 4) * (s.w / 4) * 64, activation: 'relu', kernelInitializer: init(seed, 11) }),
      tf.layers.reshape({ targetShape: [s.h / 4, s.w / 4, 64] }),
      tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(seed, 12) }),
      tf.layers.conv2dTranspose({ filters: s.c, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: init(seed, 13) }),
    ],
  });
}

/**
 * Deep SVDD's network (Ruff et al. 2018, their MNIST LeNet: 8 and 4 5×5 filters, a 32-d
 * representation) with no bias anywhere, which rules out the trivial constant solution.
 * BatchNorm is left out (their network has it without affine terms).
 */
export function svddNetwork(s: ImageShape, repDim: number, seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [s.h, s.w, s.c], filters: 8, kernelSize: 5, padding: 'same', useBias: false, kernelInitializer: init(seed, 21) }),
      tf.layers.leakyReLU({ alpha: 0.01 }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 5, padding: 'same', useBias: false, kernelInitializer: init(seed, 22) }),
      tf.layers.leakyReLU({ alpha: 0.01 }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: repDim, useBias: false, kernelInitializer: init(seed, 23) }),
    ],
  });
}

/** The bias-free decoder Deep SVDD pretrains its network with (as an autoencoder). */
export function svddDecoder(s: ImageShape, repDim: number, seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [repDim], units: (s.h / 4) * (s.w / 4) * 4, useBias: false, kernelInitializer: init(seed, 31) }),
      tf.layers.leakyReLU({ alpha: 0.01 }),
      tf.layers.reshape({ targetShape: [s.h / 4, s.w / 4, 4] }),
      tf.layers.conv2dTranspose({ filters: 8, kernelSize: 5, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(seed, 32) }),
      tf.layers.leakyReLU({ alpha: 0.01 }),
      tf.layers.conv2dTranspose({ filters: s.c, kernelSize: 5, strides: 2, padding: 'same', useBias: false, activation: 'sigmoid', kernelInitializer: init(seed, 33) }),
    ],
  });
}
