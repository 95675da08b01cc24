/**
 * Numerical suite shared by every backend: forward outputs and gradients of
 * each layer type the models use, on fixed (seeded, backend-independent)
 * inputs. `runCase` evaluates on the CURRENT backend; the tests compare each
 * backend against the pure-JS 'cpu' backend (TF.js's reference kernels), and
 * the pure-JS backend itself against float64 hand computations where cheap.
 */
import * as tf from '@tensorflow/tfjs';
import { spaceToDepth } from './gradients.js';

export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return a;
}

const T = (shape: number[], seed: number, scale = 1) => tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed, scale), shape);

export interface CaseResult {
  forward: Float32Array;
  grads: Float32Array[];
  /** layer state after forward + backward (e.g. BN moving statistics) */
  state: Float32Array[];
}

export interface NumericCase {
  name: string;
  /** Builds inputs (differentiated w.r.t. all) and the forward function. */
  make(): { inputs: tf.Tensor[]; f: (...xs: tf.Tensor[]) => tf.Tensor; state?: () => tf.Tensor[] };
  atol?: number;
  rtol?: number;
}

function layerCase(name: string, inputShape: number[], build: () => tf.layers.Layer, training: boolean, atol?: number): NumericCase {
  return {
    name,
    atol,
    make: () => {
      const layer = build();
      layer.build(inputShape);
      // deterministic weights
      // (moving variances must stay positive)
      layer.setWeights(layer.weights.map((w, i) => { const shape = w.shape as number[]; return /variance/.test(w.name) ? tf.add(tf.abs(T(shape, 100 + i)), 0.5) : T(shape, 100 + i, 0.5); }));
      const x = T(inputShape, 7);
      // state: the layer's weights after the calls (BN moving mean/variance updates)
      return { inputs: [x], f: (xi) => layer.apply(xi!, { training }) as tf.Tensor, state: () => layer.getWeights() };
    },
  };
}

export const CASES: NumericCase[] = [
  layerCase('conv2d 3x3 same + bias', [2, 8, 8, 3], () => tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), true),
  layerCase('conv2d 3x3 stride 2 valid', [2, 9, 9, 4], () => tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, useBias: false }), true),
  layerCase('conv2d 1x1 stride 2 same', [2, 8, 8, 4], () => tf.layers.conv2d({ filters: 6, kernelSize: 1, strides: 2, padding: 'same' }), true),
  layerCase('depthwiseConv2d 3x3 same', [2, 8, 8, 4], () => tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }), true),
  layerCase('separableConv2d 3x3', [2, 8, 8, 3], () => tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same' }), true),
  layerCase('dense', [4, 12], () => tf.layers.dense({ units: 5 }), true),
  layerCase('batchNorm training (4D)', [4, 5, 5, 3], () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }), true, 2e-3),
  layerCase('batchNorm inference (4D)', [4, 5, 5, 3], () => tf.layers.batchNormalization({ epsilon: 1e-3 }), false),
  layerCase('batchNorm training (2D)', [6, 5], () => tf.layers.batchNormalization({ epsilon: 1e-3 }), true, 2e-3),
  layerCase('maxPooling2d 2x2', [2, 8, 8, 3], () => tf.layers.maxPooling2d({ poolSize: 2 }), true),
  {
    name: 'relu → maxPool 2x2 with ties (zeros and repeated maxima)',
    make: () => {
      const base = seeded(2 * 8 * 8 * 3, 13);
      const q = base.map((v) => Math.round(v * 2) / 2); // many exact ties
      return { inputs: [tf.tensor4d(q, [2, 8, 8, 3])], f: (x) => tf.maxPool(tf.relu(x!) as tf.Tensor4D, 2, 2, 'valid') };
    },
  },
  {
    name: 'maxPool 2x2 with ties (no relu)',
    make: () => {
      const q = seeded(2 * 6 * 6 * 2, 14).map((v) => Math.round(v * 2) / 2);
      return { inputs: [tf.tensor4d(q, [2, 6, 6, 2])], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same') };
    },
  },
  layerCase('maxPooling2d 3x3 stride 2 (generic path)', [2, 9, 9, 3], () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }), true),
  layerCase('averagePooling2d 2x2', [2, 8, 8, 3], () => tf.layers.averagePooling2d({ poolSize: 2 }), true),
  layerCase('globalAveragePooling2d', [2, 4, 4, 3], () => tf.layers.globalAveragePooling2d({}), true),
  layerCase('upSampling2d nearest', [2, 4, 4, 3], () => tf.layers.upSampling2d({ size: [2, 2] }), true),
  layerCase('upSampling2d bilinear', [2, 4, 4, 3], () => tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), true),
  {
    name: 'depthToSpace (pixel shuffle) r=2',
    make: () => ({ inputs: [T([2, 4, 4, 8], 11)], f: (x) => tf.depthToSpace(x as tf.Tensor4D, 2) }),
  },
  {
    name: 'spaceToDepth (pixel unshuffle) r=2',
    make: () => ({ inputs: [T([2, 4, 4, 2], 12)], f: (x) => spaceToDepth(x as tf.Tensor4D, 2) }),
  },
  ...(
    [
      ['relu', (x: tf.Tensor) => tf.relu(x)],
      ['relu6', (x: tf.Tensor) => tf.relu6(tf.mul(x, 4))],
      ['leakyRelu', (x: tf.Tensor) => tf.leakyRelu(x, 0.2)],
      ['elu', (x: tf.Tensor) => tf.elu(x)],
      ['selu', (x: tf.Tensor) => tf.selu(x)],
      ['sigmoid', (x: tf.Tensor) => tf.sigmoid(x)],
      ['tanh', (x: tf.Tensor) => tf.tanh(x)],
      ['softplus', (x: tf.Tensor) => tf.softplus(x)],
      ['softmax', (x: tf.Tensor) => tf.softmax(x)],
      ['logSoftmax', (x: tf.Tensor) => tf.logSoftmax(x)],
      ['prelu', (x: tf.Tensor) => tf.prelu(x, tf.fill([5], 0.1))],
    ] as Array<[string, (x: tf.Tensor) => tf.Tensor]>
  ).map(([name, g]): NumericCase => ({ name: `activation ${name}`, make: () => ({ inputs: [T([3, 4, 5], 21, 2)], f: (x) => g(x!) }) })),
  {
    name: 'residual add + relu',
    make: () => ({ inputs: [T([2, 4, 4, 3], 31), T([2, 4, 4, 3], 32)], f: (a, b) => tf.relu(tf.add(a!, b!)) }),
  },
  {
    name: 'loss softmaxCrossEntropy',
    make: () => {
      const labels = tf.oneHot(tf.tensor1d([1, 0, 3, 2, 4, 1], 'int32'), 5);
      return { inputs: [T([6, 5], 41, 3)], f: (x) => tf.losses.softmaxCrossEntropy(labels, x!) };
    },
  },
  {
    name: 'loss sigmoidCrossEntropy',
    make: () => {
      const labels = tf.tensor(seeded(30, 42).map((v) => (v > 0 ? 1 : 0)), [6, 5]);
      return { inputs: [T([6, 5], 43, 3)], f: (x) => tf.losses.sigmoidCrossEntropy(labels, x!) };
    },
  },
  { name: 'loss meanSquaredError', make: () => ({ inputs: [T([6, 5], 44), T([6, 5], 45)], f: (a, b) => tf.losses.meanSquaredError(a!, b!) }) },
  { name: 'loss absoluteDifference (L1)', make: () => ({ inputs: [T([6, 5], 46), T([6, 5], 47)], f: (a, b) => tf.losses.absoluteDifference(a!, b!) }) },
  { name: 'loss huber', make: () => ({ inputs: [T([6, 5], 48), T([6, 5], 49)], f: (a, b) => tf.losses.huberLoss(a!, b!, undefined, 0.5) }) },
];

/** Forward + gradients of sum(f(inputs) * R) for a fixed random R. */
export function runCase(c: NumericCase): CaseResult {
  return tf.tidy(() => {
    const { inputs, f, state } = c.make();
    const y = f(...inputs);
    const r = tf.tensor(seeded(y.size, 999), y.shape);
    const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)));
    const grads = g(inputs);
    const st = state ? state().map((t) => t.dataSync() as Float32Array) : [];
    return { forward: y.dataSync() as Float32Array, grads: grads.map((t) => t.dataSync() as Float32Array), state: st };
  });
}

export function compare(got: CaseResult, want: CaseResult, atol = 1e-4, rtol = 1e-3): string | undefined {
  const cmp = (label: string, a: Float32Array, b: Float32Array): string | undefined => {
    if (a.length !== b.length) return `${label}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (!(d <= atol + rtol * Math.abs(b[i]!))) return `${label}[${i}]: got ${a[i]}, want ${b[i]} (|d|=${d.toExponential(2)})`;
    }
    return undefined;
  };
  const f = cmp('forward', got.forward, want.forward);
  if (f) return f;
  if (got.grads.length !== want.grads.length) return `gradient count ${got.grads.length} != ${want.grads.length}`;
  for (let i = 0; i < got.grads.length; i++) {
    const e = cmp(`grad[${i}]`, got.grads[i]!, want.grads[i]!);
    if (e) return e;
  }
  for (let i = 0; i < want.state.length; i++) {
    const e = cmp(`state[${i}]`, got.state[i] ?? new Float32Array(), want.state[i]!);
    if (e) return e;
  }
  return undefined;
}
