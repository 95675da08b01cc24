/**
 * Gradients TF.js 4.22 lacks on every backend but our models need.
 *   DepthToSpace (pixel shuffle): "Cannot compute gradient: gradient function
 *   not found for DepthToSpace". Its adjoint is SpaceToDepth, written here
 *   with reshape/transpose (NHWC, DCR order, matching tf.depthToSpace).
 *   ResizeNearestNeighborGrad on the pure-JS 'cpu' backend (used by
 *   upSampling2d's gradient) reads dy at image-sized batch offsets, so every
 *   batch element after the first gets a wrong gradient (tfjs-backend-cpu
 *   4.22 kernels/ResizeNearestNeighborGrad.js: `dyROffset = batchOffset + …`
 *   with batchOffset from the *images* strides). Patched by running it one
 *   batch element at a time. The wasm backend borrows this kernel, so it is
 *   fixed there too. Native TensorFlow is correct.
 * Installed by selectBackend(); idempotent.
 */
import * as tf from '@tensorflow/tfjs';

let installed = false;

export function spaceToDepth(x: tf.Tensor4D, blockSize: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = blockSize;
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [n, h / r, r, w / r, r, c]), [0, 1, 3, 2, 4, 5]), [n, h / r, w / r, r * r * c]),
  );
}

interface CpuLike {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  disposeData(id: object, force?: boolean): boolean;
}

function patchCpuResizeNearestGrad(): void {
  const name = 'ResizeNearestNeighborGrad';
  const orig = tf.getKernel(name, 'cpu');
  if (!orig) return;
  const origFunc = orig.kernelFunc;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const batch = images.shape[0] ?? 1;
      if (batch <= 1) return origFunc(args);
      const cpu = args.backend as unknown as CpuLike;
      const dyVals = cpu.data.get(dy.dataId).values;
      const perDy = dyVals.length / batch;
      const imgShape1 = [1, ...images.shape.slice(1)];
      const perX = imgShape1.reduce((a, b) => a * b, 1);
      const out = new Float32Array(batch * perX);
      const img1 = cpu.makeTensorInfo(imgShape1, 'float32', new Float32Array(perX)); // only its shape is read
      for (let b = 0; b < batch; b++) {
        const dy1 = cpu.makeTensorInfo([1, ...dy.shape.slice(1)], dy.dtype, dyVals.slice(b * perDy, (b + 1) * perDy));
        const r = origFunc({ ...args, inputs: { images: img1, dy: dy1 } }) as tf.TensorInfo;
        out.set(cpu.data.get(r.dataId).values, b * perX);
        cpu.disposeData(dy1.dataId, true);
        cpu.disposeData(r.dataId, true);
      }
      cpu.disposeData(img1.dataId, true);
      return cpu.makeTensorInfo(images.shape, 'float32', out);
    },
  });
}

export function installMissingGradients(): void {
  if (installed) return;
  installed = true;
  patchCpuResizeNearestGrad();
  if (!tf.getGradient('DepthToSpace')) {
    tf.registerGradient({
      kernelName: 'DepthToSpace',
      gradFunc: (dy, _saved, attrs) => {
        const { blockSize, dataFormat } = attrs as { blockSize: number; dataFormat: string };
        if (dataFormat !== 'NHWC') throw new Error(`DepthToSpace gradient: only NHWC is supported (got ${dataFormat})`);
        return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize) };
      },
    });
  }
}
