/**
 * Native TensorFlow backend: the tfjs-node 4.22.0 N-API addon, compiled by
 * infra/tensor/install.sh against libtensorflow_cc.so.2 /
 * libtensorflow_framework.so.2 taken from the pinned PyPI wheel
 * (tensorflow-cpu for the CPU variant, tensorflow[and-cuda] for the GPU one).
 * Loaded from the cache dir at runtime — never a package.json dependency.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { installNativeGradients } from './native-grads.js';
import { PINS, manifestPath, projectRequire, readManifest, shareProjectTfjs, tfjsVersion, type NativeVariant } from './paths.js';

export const INSTALL_HINT = 'bash infra/tensor/install.sh';

export class BackendLoadError extends Error {
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${reason}; fix: ${fix}`);
  }
}

export interface NativeLoaded {
  version: string;
  detail: string;
  usingGpu: boolean;
  warnings: string[];
}

interface TfjsBinding {
  TF_Version: string;
  isUsingGpuDevice(): boolean;
}

let loaded: { variant: NativeVariant; binding: TfjsBinding; libDir: string } | undefined;

/** Registers the 'tensorflow' TF.js backend (does not make it current). */
export function loadNative(variant: NativeVariant, env: NodeJS.ProcessEnv = process.env): NativeLoaded {
  const warnings: string[] = [];
  if (!loaded) {
    const m = readManifest(variant, env);
    const installCmd = variant === 'gpu' ? `${INSTALL_HINT} --gpu` : INSTALL_HINT;
    if (!m) {
      throw new BackendLoadError(`native TensorFlow (${variant}) is not installed (no ${manifestPath(variant, env)})`, `run \`${installCmd}\``);
    }
    if (m.tfjsNode !== PINS.tfjsNode || m.tensorflow !== PINS.tensorflow) {
      throw new BackendLoadError(
        `installed native backend is tf ${m.tensorflow}/tfjs-node ${m.tfjsNode}, this checkout pins tf ${PINS.tensorflow}/tfjs-node ${PINS.tfjsNode}`,
        `run \`${installCmd}\``,
      );
    }
    const tfjs = tfjsVersion();
    if (tfjs !== m.tfjsNode) {
      throw new BackendLoadError(`project uses @tensorflow/tfjs ${tfjs} but the addon glue is tfjs-node ${m.tfjsNode}`, `pin @tensorflow/tfjs to ${m.tfjsNode} or bump PINS and rerun \`${installCmd}\``);
    }
    for (const f of [m.addon, join(m.libDir, 'libtensorflow_cc.so.2'), join(m.jsDir, 'dist', 'nodejs_kernel_backend.js')]) {
      if (!existsSync(f)) throw new BackendLoadError(`native backend install is incomplete (missing ${f})`, `run \`${installCmd} --force\``);
    }
    // Silence TF's C++ INFO banner (oneDNN notice etc.) unless asked for.
    if (env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
    shareProjectTfjs(m.jsDir);
    let binding: TfjsBinding;
    try {
      binding = requireCjs(m.addon) as TfjsBinding;
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0] ?? String(e);
      throw new BackendLoadError(`native addon failed to load: ${msg}`, `run \`${installCmd} --force\``);
    }
    try {
      requireCjs(join(m.jsDir, 'dist', 'register_all_kernels.js'));
      const { NodeJSKernelBackend } = requireCjs(join(m.jsDir, 'dist', 'nodejs_kernel_backend.js')) as {
        NodeJSKernelBackend: new (binding: unknown, packageName: string) => tf.KernelBackend;
      };
      const pkgName = variant === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      tf.registerBackend('tensorflow', () => new NodeJSKernelBackend(binding, pkgName), 3);
      if (env.REPROLAB_TF_NATIVE_GRADS !== '0') installNativeGradients();
    } catch (e) {
      throw new BackendLoadError(`tfjs-node kernels failed to register: ${(e as Error).message}`, `run \`${installCmd} --force\``);
    }
    loaded = { variant, binding, libDir: m.libDir };
  } else if (loaded.variant !== variant) {
    warnings.push(`native TensorFlow (${loaded.variant}) already loaded in this process; ${variant} variant not loaded`);
  }
  const usingGpu = loaded.binding.isUsingGpuDevice();
  return {
    version: `tensorflow ${loaded.binding.TF_Version} (C API via tfjs-node ${PINS.tfjsNode} addon)`,
    detail: `libtensorflow from ${loaded.libDir}${usingGpu ? ', GPU device visible' : ''}`,
    usingGpu,
    warnings,
  };
}

function requireCjs(p: string): unknown {
  return projectRequire(p);
}
