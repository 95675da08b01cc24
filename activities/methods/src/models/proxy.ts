/**
 * A five-layer CNN for fast GaP proxy runs on 28×28×1 (MNIST-like) inputs on the pure-JS backend:
 * about 0.5 MFLOP forward per image, five prunable layers so κ up to 5 can be tried.
 * No batch-norm, to keep a step cheap; fixed layer names and seeded initialisers.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export interface ProxyCnnOptions {
  inputShape?: [number, number, number];
  classes?: number;
  seed: number;
}

export const PROXY_CNN_LAYERS = ['conv1', 'conv2', 'conv3', 'fc1', 'logits'] as const;

export function buildProxyCnn(o: ProxyCnnOptions): tf.LayersModel {
  const inputShape = o.inputShape ?? [28, 28, 1];
  const classes = o.classes ?? 10;
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer ≥ 2, got ${classes}`);
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`inputShape must be three positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  const he = (i: number) => tf.initializers.heNormal({ seed: mixSeed(o.seed, i) });
  const m = tf.sequential({ name: 'proxy-cnn' });
  m.add(tf.layers.conv2d({ name: 'conv1', inputShape, filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(1) }));
  m.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(2) }));
  m.add(tf.layers.conv2d({ name: 'conv3', filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: he(3) }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ name: 'fc1', units: 32, activation: 'relu', kernelInitializer: he(4) }));
  m.add(tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(o.seed, 5) }) }));
  return m;
}
