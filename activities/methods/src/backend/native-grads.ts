/**
 * Faster gradients on the native 'tensorflow' backend. TF.js composes some
 * gradients from many full-size elementwise ops (and tfjs-node's Step kernel
 * even uploads a ones() tensor from JS on every call); here they are replaced,
 * ONLY while the active backend is 'tensorflow', by TensorFlow's own fused
 * gradient kernels:
 *   Relu gradient       → ReluGrad                       (was Step+Multiply)
 *   FusedBatchNorm grad → FusedBatchNormGradV3 (NHWC)    (was ~25 big ops)
 *   tf.layers.batchNormalization in training mode (4D, channels-last):
 *     moments + batchNorm + their gradients (~40 full-size ops)
 *     → FusedBatchNormV3(is_training) + FusedBatchNormGradV3(is_training)
 *     (same math, same moving-average update with the biased batch variance
 *     TF.js uses; checked against the pure-JS path by the numerical suite)
 *   MaxPoolGrad         → oneDNN's _MklNativeMaxPoolGrad (CPU builds only)
 *     TF's own CPU MaxPoolGrad re-derives the argmax with a scalar loop and
 *     was half of a small CNN's step time; Python TF's graph optimizer swaps
 *     in the oneDNN kernel, eager execution does not. Eager can still run it:
 *     the kernel is registered under the label "MklNameChangeOp", selected
 *     by the `_kernel` attribute. If the op is missing (a build without
 *     oneDNN, a GPU device) the first call says so and TF's kernel is used.
 * On every other backend the original TF.js gradient runs unchanged, and the
 * numerical suite checks both paths against the pure-JS reference.
 * (Tried and dropped: replacing TF's MaxPoolGrad by a first-max mask built
 * from native ops — cumsum variant 2× slower, slice variant 1.4× slower;
 * MaxPoolWithArgmax + MaxPoolGradWithArgmax — no faster, and int64 indices.)
 */
import * as tf from '@tensorflow/tfjs';

interface NodeBackendLike {
  binding: {
    TF_ATTR_FLOAT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_UINT8: number;
    isUsingGpuDevice(): boolean;
  };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.TensorInfo[], n: number): tf.Tensor[];
}

let installed = false;

export function installNativeGradients(): void {
  if (installed) return;
  installed = true;
  const native = () => tf.getBackend() === 'tensorflow';

  tf.registerKernel({
    kernelName: 'ReprolabReluGrad',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as NodeBackendLike;
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      return b.executeSingleOutput('ReluGrad', [{ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT }], [dy, x]);
    },
  });
  const reluGrad = tf.getGradient('Relu');
  if (reluGrad) {
    tf.registerGradient({
      ...reluGrad,
      gradFunc: (dy, saved, attrs) => {
        const x = saved[0];
        if (!native() || !x || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') return reluGrad.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel('ReprolabReluGrad', { dy: dy as tf.Tensor, x }) as tf.Tensor };
      },
    });
  }

  installFusedBatchNormLayer(native);
  installOneDnnMaxPoolGrad();

  tf.registerKernel({
    kernelName: 'ReprolabBatchNormGrad',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as NodeBackendLike;
      const { dy, x, scale, mean, variance } = inputs as Record<string, tf.TensorInfo>;
      const bb = b.binding;
      const opAttrs = [
        { name: 'T', type: bb.TF_ATTR_TYPE, value: bb.TF_FLOAT },
        { name: 'U', type: bb.TF_ATTR_TYPE, value: bb.TF_FLOAT },
        { name: 'epsilon', type: bb.TF_ATTR_FLOAT, value: (attrs as { varianceEpsilon: number }).varianceEpsilon },
        { name: 'data_format', type: bb.TF_ATTR_STRING, value: 'NHWC' },
        { name: 'is_training', type: bb.TF_ATTR_BOOL, value: false },
      ];
      // is_training=false: mean/variance are treated as inputs (as TF.js does);
      // their gradients are derived below from the per-channel outputs.
      const outs = b.executeMultipleOutputs('FusedBatchNormGradV3', opAttrs, [dy!, x!, scale!, mean!, variance!, mean!], 5);
      for (const t of outs.slice(3)) t.dispose();
      return outs.slice(0, 3);
    },
  });
  const bn = tf.getGradient('FusedBatchNorm');
  if (bn) {
    tf.registerGradient({
      ...bn,
      gradFunc: (dy, saved, attrs) => {
        const [x, mean, variance, scale] = saved;
        const d = dy as tf.Tensor;
        const c = x?.shape[3];
        const ok =
          native() && x && mean && variance && x.rank === 4 && d.dtype === 'float32' && x.dtype === 'float32' &&
          mean.rank === 1 && variance.rank === 1 && mean.shape[0] === c && variance.shape[0] === c && (!scale || (scale.rank === 1 && scale.shape[0] === c));
        if (!ok) return bn.gradFunc(dy, saved, attrs);
        const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
        const s = scale ?? tf.onesLike(mean);
        const [dx, dScale, dOffset] = tf.engine().runKernel('ReprolabBatchNormGrad', { dy: d, x, scale: s, mean, variance }, { varianceEpsilon: eps }) as tf.Tensor[];
        // y = (x-m)*s*r + o, r = (v+eps)^-1/2:
        //   dm = -sum(dy)*s*r = -dOffset*s*r ; dv = -1/2 * sum(dy*(x-m)) * s * r^3 = -1/2 * dScale * s * r^2
        const r = () => tf.rsqrt(tf.add(variance!, eps));
        return {
          x: () => dx!,
          scale: () => dScale!,
          offset: () => dOffset!,
          mean: () => tf.neg(tf.mul(tf.mul(dOffset!, s), r())),
          variance: () => tf.mul(tf.mul(tf.mul(dScale!, s), tf.square(r())), -0.5),
        };
      },
    });
  }
}

interface BnLayerLike {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(t: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(t: tf.Tensor): void };
}

function bnAttrs(b: NodeBackendLike, epsilon: number, training: boolean): unknown[] {
  const bb = b.binding;
  return [
    { name: 'T', type: bb.TF_ATTR_TYPE, value: bb.TF_FLOAT },
    { name: 'U', type: bb.TF_ATTR_TYPE, value: bb.TF_FLOAT },
    { name: 'epsilon', type: bb.TF_ATTR_FLOAT, value: epsilon },
    { name: 'exponential_avg_factor', type: bb.TF_ATTR_FLOAT, value: 1 },
    { name: 'data_format', type: bb.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: bb.TF_ATTR_BOOL, value: training },
  ];
}

/** y, biased batch mean, biased batch variance of a training-mode batch norm (NHWC). */
export function fusedBatchNormTraining(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon: number): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const stats: tf.Tensor[] = [];
  const f = tf.customGrad((...args: unknown[]) => {
    const [xi, si, oi, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const outs = tf.engine().runKernel('ReprolabFusedBNTrain', { x: xi, scale: si, offset: oi }, { epsilon }) as tf.Tensor[];
    const [y, mean, varBessel, r1, r2, r3] = outs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const n = xi.size / (xi.shape[3] ?? 1);
    stats.push(tf.keep(mean), tf.keep(n > 1 ? tf.mul(varBessel, (n - 1) / n) : varBessel));
    save([xi, si, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, ss, s1, s2, s3] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.engine().runKernel('ReprolabFusedBNTrainGrad', { dy: dy as tf.Tensor, x: sx, scale: ss, r1: s1, r2: s2, r3: s3 }, { epsilon }) as tf.Tensor[];
        return [g[0]!, g[1]!, g[2]!];
      },
    };
  });
  const y = f(x, scale, offset) as tf.Tensor4D;
  return [y, stats[0] as tf.Tensor1D, stats[1] as tf.Tensor1D];
}

let bnPatched = false;

function installFusedBatchNormLayer(native: () => boolean): void {
  if (bnPatched) return;
  bnPatched = true;
  tf.registerKernel({
    kernelName: 'ReprolabFusedBNTrain',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as NodeBackendLike;
      const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
      const empty = tf.tensor1d([], 'float32');
      try {
        return b.executeMultipleOutputs('FusedBatchNormV3', bnAttrs(b, (attrs as { epsilon: number }).epsilon, true), [x!, scale!, offset!, empty, empty], 6);
      } finally {
        empty.dispose();
      }
    },
  });
  tf.registerKernel({
    kernelName: 'ReprolabFusedBNTrainGrad',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as NodeBackendLike;
      const { dy, x, scale, r1, r2, r3 } = inputs as Record<string, tf.TensorInfo>;
      const attrsGrad = bnAttrs(b, (attrs as { epsilon: number }).epsilon, true).filter((a) => (a as { name: string }).name !== 'exponential_avg_factor');
      const outs = b.executeMultipleOutputs('FusedBatchNormGradV3', attrsGrad, [dy!, x!, scale!, r1!, r2!, r3!], 5);
      for (const t of outs.slice(3)) t.dispose();
      return outs.slice(0, 3);
    },
  });
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as {
    call(this: BnLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[];
  };
  const original = proto.call;
  proto.call = function (this: BnLayerLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs?.training ?? false;
    const ok = native() && training && input && input.rank === 4 && input.dtype === 'float32' && (this.axis === -1 || this.axis === 3) && this.gamma && this.beta;
    if (!ok) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = fusedBatchNormTraining(input as tf.Tensor4D, this.gamma!.read() as tf.Tensor1D, this.beta!.read() as tf.Tensor1D, this.epsilon);
      const decay = 1 - this.momentum;
      for (const [v, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        const orig = v.read();
        v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
      }
      tf.dispose([mean, variance]);
      return y;
    });
  };
}

/** Whether the oneDNN max-pool gradient ran here; null until the first attempt. */
let oneDnnMaxPool: boolean | null = null;

function installOneDnnMaxPoolGrad(): void {
  const original = tf.getKernel('MaxPoolGrad', 'tensorflow');
  if (!original) return;
  tf.unregisterKernel('MaxPoolGrad', 'tensorflow');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const b = args.backend as unknown as NodeBackendLike;
      const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
      const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      const usable = oneDnnMaxPool !== false && input.dtype === 'float32' && input.shape.length === 4 && (a.pad === 'valid' || a.pad === 'same') && !b.binding.isUsingGpuDevice();
      if (!usable) return original.kernelFunc(args);
      const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const bb = b.binding;
      const attrs = [
        { name: 'T', type: bb.TF_ATTR_TYPE, value: bb.TF_FLOAT },
        { name: 'ksize', type: bb.TF_ATTR_INT, value: [1, info.filterHeight, info.filterWidth, 1] },
        { name: 'strides', type: bb.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
        { name: 'padding', type: bb.TF_ATTR_STRING, value: info.padInfo.type },
        { name: 'data_format', type: bb.TF_ATTR_STRING, value: 'NHWC' },
        { name: 'workspace_enabled', type: bb.TF_ATTR_BOOL, value: true },
        { name: '_kernel', type: bb.TF_ATTR_STRING, value: 'MklNameChangeOp' },
      ];
      let pooled: tf.Tensor[] = [];
      try {
        // The gradient reads the argmax positions oneDNN's forward leaves in its workspace. The
        // forward is re-run here (cheap next to the gradient) rather than kept from the forward
        // pass, which would mean patching every caller of tf.maxPool to carry the workspace.
        pooled = b.executeMultipleOutputs('_MklNativeMaxPool', attrs, [input], 2);
        const dx = b.executeSingleOutput('_MklNativeMaxPoolGrad', attrs, [input, output, dy, pooled[1]!]);
        oneDnnMaxPool = true;
        return dx;
      } catch (e) {
        if (oneDnnMaxPool === true) throw e; // it worked before: a real failure, not a missing kernel
        oneDnnMaxPool = false;
        console.warn(`reprolab: oneDNN max-pool gradient unavailable (${(e as Error).message.split('\n')[0]}); using TensorFlow's slower MaxPoolGrad`);
        return original.kernelFunc(args);
      } finally {
        tf.dispose(pooled);
      }
    },
  });
}

/** true once oneDNN's max-pool gradient has run, false if it was found missing, null before the first max-pool gradient. */
export function oneDnnMaxPoolGradInUse(): boolean | null {
  return oneDnnMaxPool;
}
