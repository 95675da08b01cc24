/**
 * Where the tensor backends live on disk, and how their CommonJS code is made
 * to share the project's single copy of TF.js.
 *
 * Everything native (the TensorFlow shared libraries from the pinned PyPI
 * wheel, the tfjs-node N-API addon built against them, the tfjs-node JS glue)
 * is installed by `infra/tensor/install.sh` into a cache OUTSIDE the clone:
 *   ${REPROLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/reprolab}/tensor/
 * and located at runtime from a manifest, so `npm install` never builds or
 * downloads anything native.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';

/** Versions the install script pins; the loader refuses anything else. */
export const PINS = {
  tensorflow: '2.20.0',
  tfjsNode: '4.22.0',
  tfjs: '4.22.0',
} as const;

export type NativeVariant = 'cpu' | 'gpu';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REPROLAB_CACHE_DIR) return resolve(env.REPROLAB_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(xdg, 'reprolab');
}

export function tensorDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'tensor');
}

/** Manifest written by infra/tensor/install.sh after a successful self-check. */
export interface NativeManifest {
  schema: 1;
  variant: NativeVariant;
  tensorflow: string;
  pipPackage: string;
  tfjsNode: string;
  root: string;
  addon: string;
  jsDir: string;
  libDir: string;
  python: string;
  builtWithNode: string;
  installedAt: string;
}

export function manifestPath(variant: NativeVariant, env: NodeJS.ProcessEnv = process.env): string {
  return join(tensorDir(env), `native-${variant}.json`);
}

export function readManifest(variant: NativeVariant, env: NodeJS.ProcessEnv = process.env): NativeManifest | undefined {
  const p = manifestPath(variant, env);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as NativeManifest;
}

/** `require` anchored at this package, so it resolves the project's TF.js. */
export const projectRequire = createRequire(import.meta.url);

export function tfjsVersion(): string {
  const pkg = projectRequire('@tensorflow/tfjs/package.json') as { version: string };
  return pkg.version;
}

const redirectedRoots = new Set<string>();
let hookInstalled = false;

/**
 * Make `require('@tensorflow/tfjs' | '@tensorflow/tfjs-core' | …)` issued by
 * code under `root` (tfjs-node's dist, a cached wasm backend) resolve to the
 * project's copy. Without this the backend would register its kernels in a
 * second TF.js engine that the method code never sees.
 */
export function shareProjectTfjs(root: string): void {
  redirectedRoots.add(resolve(root) + sep);
  if (hookInstalled) return;
  hookInstalled = true;
  const targets = new Map<string, string>();
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu']) {
    try {
      targets.set(name, projectRequire.resolve(name));
    } catch {
      // optional package not present in this project; leave default resolution
    }
  }
  type Resolve = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
  const mod = Module as unknown as { _resolveFilename: Resolve };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request, parent, ...rest) {
    const target = targets.get(request);
    const from = parent?.filename;
    if (target && from) {
      for (const r of redirectedRoots) if (from.startsWith(r)) return target;
    }
    return original.call(this, request, parent, ...rest);
  };
}
