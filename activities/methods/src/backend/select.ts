/**
 * Tensor backend selection at worker start.
 *
 *   auto:  tensorflow-gpu (only if a GPU is detected) > tensorflow (native CPU)
 *          > wasm > cpu (pure JS)
 *   REPROLAB_TF_BACKEND=auto|tensorflow-gpu|tensorflow|wasm|cpu overrides the
 *   starting point; on failure selection continues down the same chain.
 *
 * A backend that fails to load or fails the load-time self-check is skipped
 * with ONE warning line saying why and how to fix it. Never throws for a
 * backend problem: the pure-JS 'cpu' backend is always there.
 */
import * as tf from '@tensorflow/tfjs';
import { detectGpu, type GpuProbe } from './gpu.js';
import { BackendLoadError, loadNative } from './native.js';
import { installMissingGradients } from './gradients.js';
import { loadWasm } from './wasm.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendKind = 'gpu' | 'native-cpu' | 'wasm' | 'js';
export const BACKEND_CHAIN: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
export const BACKEND_ENV = 'REPROLAB_TF_BACKEND';

export interface BackendInfo {
  /** reprolab backend name (the env var vocabulary). */
  name: BackendName;
  kind: BackendKind;
  /** e.g. "tensorflow 2.20.0 (C API via tfjs-node 4.22.0 addon)". */
  version: string;
  detail: string;
  /** One line each: what was skipped, why, how to fix. Already printed. */
  warnings: string[];
  /** TF.js backend name now active ('tensorflow' | 'wasm' | 'cpu'). */
  tfBackend: string;
  /** What was asked for (env var / option), e.g. 'auto'. */
  requested: string;
  tfjsVersion: string;
}

export interface SelectOptions {
  /** Defaults to process.env.REPROLAB_TF_BACKEND ?? 'auto'. */
  prefer?: string;
  env?: NodeJS.ProcessEnv;
  /** Injected in tests. */
  detectGpu?: () => GpuProbe;
  /** Where warning lines go; defaults to console.warn. */
  warn?: (line: string) => void;
  /** Run the load-time numerical self-check (default true). */
  selfCheck?: boolean;
}

const KIND: Record<BackendName, BackendKind> = { 'tensorflow-gpu': 'gpu', tensorflow: 'native-cpu', wasm: 'wasm', cpu: 'js' };

interface Candidate {
  tfBackend: string;
  kind: BackendKind;
  version: string;
  detail: string;
  warnings: string[];
}

function load(name: BackendName, env: NodeJS.ProcessEnv): Candidate {
  switch (name) {
    case 'tensorflow-gpu': {
      const n = loadNative('gpu', env);
      if (!n.usingGpu) {
        throw new BackendLoadError(
          'TensorFlow GPU build loaded but sees no CUDA device (driver too old for CUDA 12.5, or CUDA_VISIBLE_DEVICES)',
          'check `nvidia-smi` (driver >= 525) and unset CUDA_VISIBLE_DEVICES',
        );
      }
      return { tfBackend: 'tensorflow', kind: 'gpu', version: n.version, detail: n.detail, warnings: n.warnings };
    }
    case 'tensorflow': {
      // If the GPU variant was already loaded into this process it also runs
      // on CPU; otherwise load the CPU variant.
      const n = loadNative('cpu', env);
      return { tfBackend: 'tensorflow', kind: n.usingGpu ? 'gpu' : 'native-cpu', version: n.version, detail: n.detail, warnings: n.warnings };
    }
    case 'wasm': {
      const w = loadWasm(env);
      quietCpuBanner(); // bridged kernels run on the cpu backend
      return { tfBackend: 'wasm', kind: 'wasm', version: w.version, detail: w.detail, warnings: w.warnings };
    }
    case 'cpu':
      quietCpuBanner();
      return { tfBackend: 'cpu', kind: 'js', version: `tfjs-backend-cpu ${tf.version_core}`, detail: 'pure JavaScript (~100x slower than native)', warnings: [] };
  }
}

/**
 * tfjs-backend-cpu prints a 4-line "install our node backend" banner on first
 * use; selection already printed a precise one-line warning instead.
 */
export function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Tiny conv → relu → mean forward/backward against values computed here in
 * float64. Catches an addon linked to a broken libtensorflow, wrong kernel
 * registration, or a wasm heap mix-up before any real work starts.
 */
export function selfCheck(): void {
  const xs = Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => ((i * 37) % 11) / 11 - 0.5);
  const ws = Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => ((i * 13) % 7) / 7 - 0.4);
  const [y, dw] = tf.tidy(() => {
    const x = tf.tensor4d(xs, [2, 5, 5, 2]);
    const w = tf.tensor4d(ws, [3, 3, 2, 3]);
    const f = (wt: tf.Tensor) => tf.relu(tf.conv2d(x, wt as tf.Tensor4D, 1, 'valid')).mean();
    const { value, grad } = tf.valueAndGrad(f)(w);
    return [value.dataSync()[0] ?? NaN, Array.from(grad.dataSync())];
  });
  // float64 reference
  let sum = 0;
  const g = new Float64Array(ws.length);
  const n = 2 * 3 * 3 * 3;
  for (let b = 0; b < 2; b++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let o = 0; o < 3; o++) {
          let acc = 0;
          for (let di = 0; di < 3; di++)
            for (let dj = 0; dj < 3; dj++)
              for (let c = 0; c < 2; c++) acc += (xs[((b * 5 + i + di) * 5 + j + dj) * 2 + c] ?? 0) * (ws[((di * 3 + dj) * 2 + c) * 3 + o] ?? 0);
          if (acc > 0) {
            sum += acc;
            for (let di = 0; di < 3; di++)
              for (let dj = 0; dj < 3; dj++)
                for (let c = 0; c < 2; c++) g[((di * 3 + dj) * 2 + c) * 3 + o]! += (xs[((b * 5 + i + di) * 5 + j + dj) * 2 + c] ?? 0) / n;
          }
        }
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 + 1e-3 * Math.abs(b);
  if (!close(y, sum / n)) throw new Error(`self-check forward mismatch: got ${y}, want ${sum / n}`);
  for (let i = 0; i < g.length; i++) {
    if (!close(dw[i] ?? NaN, g[i] ?? NaN)) throw new Error(`self-check gradient mismatch at ${i}: got ${dw[i]}, want ${g[i]}`);
  }
}

function parsePreference(raw: string | undefined, warn: (l: string) => void): BackendName | 'auto' {
  const v = (raw ?? 'auto').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if ((BACKEND_CHAIN as readonly string[]).includes(v)) return v as BackendName;
  warn(`reprolab: ${BACKEND_ENV}=${JSON.stringify(raw)} is not one of auto|${BACKEND_CHAIN.join('|')}; using auto`);
  return 'auto';
}

export async function selectBackend(opts: SelectOptions = {}): Promise<BackendInfo> {
  const env = opts.env ?? process.env;
  const warn = opts.warn ?? ((l: string) => console.warn(l));
  const requested = opts.prefer ?? env[BACKEND_ENV] ?? 'auto';
  const pref = parsePreference(requested, warn);
  installMissingGradients();
  const warnings: string[] = [];
  const emit = (line: string) => {
    warnings.push(line);
    warn(line);
  };

  let chain: BackendName[];
  if (pref === 'auto') {
    const gpu = (opts.detectGpu ?? (() => detectGpu(env)))();
    chain = gpu.present ? [...BACKEND_CHAIN] : BACKEND_CHAIN.slice(1);
  } else {
    chain = BACKEND_CHAIN.slice(BACKEND_CHAIN.indexOf(pref));
  }

  for (let i = 0; i < chain.length; i++) {
    const name = chain[i]!;
    const next = chain[i + 1];
    try {
      const c = load(name, env);
      const ok = await tf.setBackend(c.tfBackend);
      if (!ok) throw new BackendLoadError(`TF.js could not initialise backend '${c.tfBackend}'`, 'see the error logged above');
      await tf.ready();
      if (opts.selfCheck !== false) {
        try {
          selfCheck();
        } catch (e) {
          throw new BackendLoadError(`load-time self-check failed (${(e as Error).message})`, `reinstall it (bash infra/tensor/install.sh --force) or set ${BACKEND_ENV}=${next ?? 'cpu'}`);
        }
      }
      for (const w of c.warnings) emit(`reprolab: ${w}`);
      return { name, kind: c.kind ?? KIND[name], version: c.version, detail: c.detail, warnings, tfBackend: c.tfBackend, requested, tfjsVersion: tf.version_core };
    } catch (e) {
      const why = e instanceof BackendLoadError ? `${e.reason}; fix: ${e.fix}` : (e as Error).message.split('\n')[0];
      emit(`reprolab: tensor backend '${name}' unavailable: ${why} — falling back to '${next ?? 'none'}'`);
    }
  }
  // Unreachable in practice: 'cpu' is part of every chain and cannot fail to load.
  throw new Error('no TF.js backend could be initialised');
}

/** One line for `reprolab doctor`. */
export function describeBackend(info: BackendInfo): string {
  const req = info.requested === 'auto' ? '' : ` (requested ${info.requested})`;
  return `${info.name} [${info.kind}] ${info.version} — ${info.detail}${req}`;
}

/** What each run's environment record stores. */
export function backendRecord(info: BackendInfo): Record<string, string | string[]> {
  return { name: info.name, kind: info.kind, version: info.version, detail: info.detail, tfjs: info.tfjsVersion, requested: info.requested, warnings: info.warnings };
}
