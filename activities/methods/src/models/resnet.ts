/**
 * ResNets with fixed layer names and seeded initialisers, so a seed fully determines the initial
 * weights and checkpoints/masks can refer to layers by name.
 *
 *  - buildResNetCifar: He et al. (2016) §4.2 ResNet for 32×32 inputs, depth 6n+2 (20/32/56/…),
 *    three stages of n basic blocks at width w, 2w, 4w (w = 16 in the paper).
 *  - buildResNet50: bottleneck ResNet-50 for 224×224 (stages 3-4-6-3, stride on the 3×3 conv as
 *    in torchvision's "v1.5"), 25,557,032 trainable parameters at 1000 classes.
 *
 * Shortcuts that change shape use a 1×1 projection conv + BN (the paper's option B); convs have no
 * bias because a BN follows each of them.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export interface ResNetCifarOptions {
  /** 6n+2 with n ≥ 1: 8, 14, 20, 32, 44, 56, 110 … */
  depth: number;
  /** Channels of the first stage (16 in the paper); stages use width, 2·width, 4·width. */
  width?: number;
  classes?: number;
  inputShape?: [number, number, number];
  seed: number;
}

export interface ResNet50Options {
  classes?: number;
  inputShape?: [number, number, number];
  /** Channels of the first bottleneck stage before expansion (64 in ResNet-50). */
  width?: number;
  seed: number;
}

function bad(name: string, value: unknown, want: string): never {
  throw new Error(`${name} must be ${want}, got ${JSON.stringify(value)}`);
}

function checkCommon(classes: number, inputShape: [number, number, number], minSide: number): void {
  if (!Number.isInteger(classes) || classes < 2) bad('classes', classes, 'an integer ≥ 2');
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    bad('inputShape', inputShape, 'three positive integers [height, width, channels]');
  }
  if (inputShape[0] < minSide || inputShape[1] < minSide) bad('inputShape', inputShape, `at least ${minSide}×${minSide} for this network's downsampling`);
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) bad('seed', seed, 'an integer');
}

/** Hands out seeded initialisers in a fixed order so every layer's init depends only on the seed. */
class Inits {
  private next = 0;
  constructor(private readonly seed: number) {}
  he(): ReturnType<typeof tf.initializers.heNormal> {
    return tf.initializers.heNormal({ seed: mixSeed(this.seed, ++this.next) });
  }
  glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: mixSeed(this.seed, ++this.next) });
  }
}

function convBn(x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number, strides: number, init: Inits, relu: boolean): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ name: `${name}_conv`, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init.he() }).apply(x) as tf.SymbolicTensor;
  // Keras-style momentum 0.9 (PyTorch 0.1): short runs need the moving statistics to catch up.
  y = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9, epsilon: 1e-5 }).apply(y) as tf.SymbolicTensor;
  return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor) : y;
}

function shortcut(x: tf.SymbolicTensor, name: string, filters: number, strides: number, init: Inits): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  if (strides === 1 && inChannels === filters) return x;
  return convBn(x, `${name}_proj`, filters, 1, strides, init, false);
}

function addRelu(a: tf.SymbolicTensor, b: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const s = tf.layers.add({ name: `${name}_add` }).apply([a, b]) as tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${name}_out` }).apply(s) as tf.SymbolicTensor;
}

function head(x: tf.SymbolicTensor, classes: number, init: Inits): tf.SymbolicTensor {
  const p = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: init.glorot() }).apply(p) as tf.SymbolicTensor;
}

export function resNetCifarBlocksPerStage(depth: number): number {
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) bad('depth', depth, 'of the form 6n+2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110 …)');
  return (depth - 2) / 6;
}

/** CIFAR ResNet-(6n+2). Layer names: stem_conv, s{1..3}b{1..n}_{a,b}_conv/_bn, …_proj_conv, logits. */
export function buildResNetCifar(o: ResNetCifarOptions): tf.LayersModel {
  const n = resNetCifarBlocksPerStage(o.depth);
  const width = o.width ?? 16;
  if (!Number.isInteger(width) || width < 1) bad('width', width, 'a positive integer');
  const classes = o.classes ?? 10;
  const inputShape = o.inputShape ?? [32, 32, 3];
  checkCommon(classes, inputShape, 4);
  checkSeed(o.seed);
  const init = new Inits(o.seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = convBn(input, 'stem', width, 3, 1, init, true);
  for (let s = 1; s <= 3; s++) {
    const filters = width * 2 ** (s - 1);
    for (let b = 1; b <= n; b++) {
      const name = `s${s}b${b}`;
      const strides = s > 1 && b === 1 ? 2 : 1;
      const sc = shortcut(x, name, filters, strides, init);
      let y = convBn(x, `${name}_a`, filters, 3, strides, init, true);
      y = convBn(y, `${name}_b`, filters, 3, 1, init, false);
      x = addRelu(y, sc, name);
    }
  }
  return tf.model({ inputs: input, outputs: head(x, classes, init), name: `resnet${o.depth}` });
}

/** ResNet-50 (bottleneck). Layer names: stem_conv, s{1..4}b{k}_{a,b,c}_conv/_bn, …_proj_conv, logits. */
export function buildResNet50(o: ResNet50Options): tf.LayersModel {
  const classes = o.classes ?? 1000;
  const inputShape = o.inputShape ?? [224, 224, 3];
  const width = o.width ?? 64;
  if (!Number.isInteger(width) || width < 1) bad('width', width, 'a positive integer');
  checkCommon(classes, inputShape, 32);
  checkSeed(o.seed);
  const init = new Inits(o.seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = convBn(input, 'stem', width, 7, 2, init, true);
  x = tf.layers.maxPooling2d({ name: 'stem_pool', poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const blocks = [3, 4, 6, 3];
  blocks.forEach((count, i) => {
    const s = i + 1;
    const mid = width * 2 ** i;
    for (let b = 1; b <= count; b++) {
      const name = `s${s}b${b}`;
      const strides = s > 1 && b === 1 ? 2 : 1;
      const sc = shortcut(x, name, mid * 4, strides, init);
      let y = convBn(x, `${name}_a`, mid, 1, 1, init, true);
      y = convBn(y, `${name}_b`, mid, 3, strides, init, true);
      y = convBn(y, `${name}_c`, mid * 4, 1, 1, init, false);
      x = addRelu(y, sc, name);
    }
  });
  return tf.model({ inputs: input, outputs: head(x, classes, init), name: 'resnet50' });
}

export function trainableParamCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
