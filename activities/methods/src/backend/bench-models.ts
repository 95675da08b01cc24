/**
 * The two benchmark models of `npm run bench:train`, mirrored exactly by
 * activities/methods/bench/reference_tf.py (Keras) for the Python reference.
 *   cnn3:     3× [conv3x3 (16/32/64, same, relu) → maxpool2] → dense(10); 32×32×3
 *   resnet20: He et al. CIFAR ResNet-20 (3 stages × 3 basic blocks, 16/32/64
 *             filters, BN momentum 0.9, 1×1 conv+BN projection shortcuts)
 * Training step: softmax cross-entropy, SGD momentum 0.9, lr 0.01.
 */
import * as tf from '@tensorflow/tfjs';

export type BenchModel = 'cnn3' | 'resnet20';

export function buildCnn3(): tf.LayersModel {
  const inp = tf.input({ shape: [32, 32, 3] });
  let x: tf.SymbolicTensor = inp;
  for (const filters of [16, 32, 64]) {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}

export function buildResnet20(): tf.LayersModel {
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
  const conv = (filters: number, kernelSize: number, strides = 1) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false });
  const relu = () => tf.layers.reLU();
  const apply = (l: tf.layers.Layer, t: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(t) as tf.SymbolicTensor;

  const inp = tf.input({ shape: [32, 32, 3] });
  let x = apply(relu(), apply(bn(), apply(conv(16, 3), inp)));
  let channels = 16;
  [16, 32, 64].forEach((filters, stage) => {
    for (let block = 0; block < 3; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let y = apply(relu(), apply(bn(), apply(conv(filters, 3, stride), x)));
      y = apply(bn(), apply(conv(filters, 3), y));
      if (stride !== 1 || channels !== filters) x = apply(bn(), apply(conv(filters, 1, stride), x));
      x = apply(relu(), apply(tf.layers.add(), [x, y]));
      channels = filters;
    }
  });
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  const out = apply(tf.layers.dense({ units: 10 }), x);
  return tf.model({ inputs: inp, outputs: out });
}

export function buildBenchModel(name: BenchModel): tf.LayersModel {
  return name === 'cnn3' ? buildCnn3() : buildResnet20();
}

/**
 * Nominal training FLOPs per image: 3 × forward multiply-adds×2 of conv and
 * dense layers (forward + input-grad + weight-grad), the usual convention.
 * BN/ReLU/pooling are ignored. Winograd etc. in a library do not change it.
 */
export function trainingFlopsPerImage(model: tf.LayersModel): number {
  let fwd = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Dense') continue;
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const outShape = layer.outputShape as number[];
    const outPositions = outShape.slice(1, -1).reduce((a, b) => a * (b ?? 1), 1);
    fwd += 2 * outPositions * kernel.size; // kernel.size = kh*kw*cin*cout (or in*out)
  }
  return 3 * fwd;
}

/** Deterministic inputs (not tf.random: identical on every backend). */
export function benchBatch(batch: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = batch * 32 * 32 * 3;
  const xs = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    xs[i] = (s / 2 ** 32) * 2 - 1;
  }
  const labels = Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  return { x: tf.tensor4d(xs, [batch, 32, 32, 3]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
}

/** One SGD-momentum training step per call; returns the loss tensor. */
export function makeTrainStep(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D): () => tf.Scalar {
  const opt = tf.train.momentum(0.01, 0.9);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return () =>
    tf.tidy(() => {
      const cost = opt.minimize(
        () => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        },
        true,
        vars,
      );
      return cost as tf.Scalar;
    });
}
