/**
 * WebAssembly backend (@tensorflow/tfjs-backend-wasm 4.22.0, XNNPACK + SIMD).
 *
 * Two gaps are handled here:
 *  - it cannot train convnets on its own: Conv2DBackpropFilter and both
 *    DepthwiseConv2dNative backprops (plus UnsortedSegmentSum, Einsum, FFT,
 *    complex and ragged ops — 16 in 4.22) are not registered. Every kernel
 *    that the pure-JS 'cpu' backend has and wasm lacks is bridged: inputs are
 *    copied out of the wasm heap, the cpu kernel runs, outputs are copied
 *    back. Correct, but those kernels run at pure-JS speed, so training a
 *    convnet on wasm is no faster than on pure JS.
 *  - threads are disabled under Node by tfjs itself
 *    (WASM_HAS_MULTITHREAD_SUPPORT returns false when IS_NODE), so it is
 *    single-threaded here.
 * Resolved from the project's node_modules, or else from
 * <cache>/tensor/npm/node_modules (installed by infra/tensor/install.sh).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendLoadError } from './native.js';
import { PINS, projectRequire, shareProjectTfjs, tensorDir } from './paths.js';

export interface WasmLoaded {
  version: string;
  detail: string;
  bridged: string[];
  warnings: string[];
}

interface WasmModule {
  version_wasm: string;
  setWasmPaths(prefix: string): void;
}

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}
interface BackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface CpuBackendLike extends BackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfoLike;
}
interface WasmBackendLike extends BackendLike {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfoLike;
}

let loaded: WasmLoaded | undefined;

function locateWasmPackage(env: NodeJS.ProcessEnv): { main: string; root: string } {
  try {
    const main = projectRequire.resolve('@tensorflow/tfjs-backend-wasm');
    return { main, root: dirname(dirname(main)) };
  } catch {
    const root = join(tensorDir(env), 'npm', 'node_modules', '@tensorflow', 'tfjs-backend-wasm');
    const main = join(root, 'dist', 'tf-backend-wasm.node.js');
    if (existsSync(main)) return { main, root };
    throw new BackendLoadError(
      '@tensorflow/tfjs-backend-wasm is not installed',
      `add "@tensorflow/tfjs-backend-wasm": "${PINS.tfjs}" to activities/methods/package.json, or run \`bash infra/tensor/install.sh\``,
    );
  }
}

/**
 * wasm kernels that give wrong answers in 4.22 and are replaced by the bridge:
 *   MaxPoolGrad: drops the gradient of windows whose maximum is negative
 *   (found by numerics.test.ts 'maxPooling2d 2x2'; cpu and native TF agree).
 */
const BROKEN_WASM_KERNELS = ['MaxPoolGrad'];

/** Register on 'wasm' every kernel that 'cpu' has and 'wasm' lacks (or has broken). */
function bridgeMissingKernels(): string[] {
  for (const k of BROKEN_WASM_KERNELS) if (tf.getKernel(k, 'wasm')) tf.unregisterKernel(k, 'wasm');
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const bridged: string[] = [];
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (have.has(k.kernelName)) continue;
    const cpuKernel = k.kernelFunc;
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = backend as unknown as WasmBackendLike;
        const cpu = tf.findBackend('cpu') as unknown as CpuBackendLike;
        const cpuInputs: Record<string, TensorInfoLike> = {};
        for (const [name, t] of Object.entries(inputs)) {
          if (!t) continue;
          cpuInputs[name] = cpu.makeTensorInfo(t.shape, t.dtype, wasm.readSync(t.dataId));
        }
        try {
          const out = cpuKernel({ inputs: cpuInputs as tf.NamedTensorInfoMap, attrs, backend: cpu as unknown as tf.KernelBackend });
          const outs = (Array.isArray(out) ? out : [out]) as TensorInfoLike[];
          const moved = outs.map((o) => {
            const r = wasm.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
            cpu.disposeData(o.dataId, true);
            return r;
          });
          return (Array.isArray(out) ? moved : moved[0]) as tf.TensorInfo;
        } finally {
          for (const t of Object.values(cpuInputs)) cpu.disposeData(t.dataId, true);
        }
      },
    });
    bridged.push(k.kernelName);
  }
  return bridged;
}

export function loadWasm(env: NodeJS.ProcessEnv = process.env): WasmLoaded {
  if (loaded) return loaded;
  const { main, root } = locateWasmPackage(env);
  shareProjectTfjs(root);
  let mod: WasmModule;
  try {
    mod = projectRequire(main) as WasmModule;
  } catch (e) {
    throw new BackendLoadError(`tfjs-backend-wasm failed to load: ${(e as Error).message.split('\n')[0]}`, 'reinstall @tensorflow/tfjs-backend-wasm');
  }
  if (mod.version_wasm !== PINS.tfjs) {
    throw new BackendLoadError(`tfjs-backend-wasm ${mod.version_wasm} does not match @tensorflow/tfjs ${PINS.tfjs}`, `install @tensorflow/tfjs-backend-wasm@${PINS.tfjs}`);
  }
  mod.setWasmPaths(join(root, 'dist') + '/');
  const bridged = bridgeMissingKernels();
  loaded = {
    version: `tfjs-backend-wasm ${mod.version_wasm}`,
    detail: `XNNPACK/SIMD, 1 thread (tfjs disables wasm threads under Node); ${bridged.length} kernels bridged to pure JS (incl. Conv2DBackpropFilter), so convnet training runs at pure-JS speed`,
    bridged,
    warnings: [],
  };
  return loaded;
}
