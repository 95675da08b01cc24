import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export type SmallModelName = 'small-cnn' | 'tiny-mlp';

/**
 * Small classifiers for smoke runs on the pure-JS backend. Layer names are fixed and every
 * initializer is seeded, so a seed fully determines the initial weights.
 */
export function buildSmallModel(name: SmallModelName, inputShape: [number, number, number], classes: number, seed: number): tf.LayersModel {
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer ≥ 2, got ${classes}`);
  if (inputShape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`inputShape must be positive integers, got ${JSON.stringify(inputShape)}`);
  const init = (i: number) => tf.initializers.heNormal({ seed: mixSeed(seed, i) });
  const model = tf.sequential({ name });
  if (name === 'small-cnn') {
    // Strided convolutions instead of pooling: a quarter of the FLOPs of conv+pool at this size,
    // which keeps the smoke recipe within two minutes on the pure-JS backend.
    model.add(tf.layers.conv2d({ name: 'conv1', inputShape, filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
    model.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
    model.add(tf.layers.flatten({ name: 'flatten' }));
    model.add(tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, 3) }) }));
  } else if (name === 'tiny-mlp') {
    model.add(tf.layers.flatten({ name: 'flatten', inputShape }));
    model.add(tf.layers.dense({ name: 'hidden', units: 32, activation: 'relu', kernelInitializer: init(1) }));
    model.add(tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, 2) }) }));
  } else {
    throw new Error(`unknown model "${String(name)}"; known: small-cnn, tiny-mlp`);
  }
  return model;
}

/** Forward FLOPs per example (multiply-add = 2), counted from the layer shapes. */
export function forwardFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    if (layer.getClassName() === 'Conv2D') {
      const [kh, kw, cin, cout] = layer.getWeights()[0]!.shape as number[];
      flops += 2 * out[1]! * out[2]! * cout! * kh! * kw! * cin!;
    } else if (layer.getClassName() === 'Dense') {
      const [nin, nout] = layer.getWeights()[0]!.shape as number[];
      flops += 2 * nin! * nout!;
    }
  }
  return flops;
}
