import type { GBuf, KernelLaunch } from './kernel-lang';

export type WorkloadName =
  | 'BLUR' | 'CONV' | 'GEMV' | 'HIST' | 'KMEANS' | 'KNN' | 'TTRANS' | 'MAXP' | 'NW' | 'UPSAMP' | 'AXPY' | 'PR';

/** A workload built at one problem size: its buffers, kernel launches and a plain-TS reference. */
export interface WorkloadInstance {
  buffers: GBuf[];
  launches: KernelLaunch[];
  /** Outputs to compare with `reference()` after the kernels ran. */
  outputs: GBuf[];
  /** Plain TS implementation on the same inputs (inputs are never written by the kernels). */
  reference(): Map<string, ArrayLike<number>>;
  /** Relative tolerance of the functional check. */
  tolerance: number;
}

export interface WorkloadDef {
  name: WorkloadName;
  description: string;
  defaultSize: number;
  sizeUnit: string;
  /** Where the default size comes from. */
  source: string;
  minSize: number;
  maxSize: number;
  /** Sizes must be a multiple of this (tiled layouts); default 1. */
  sizeMultiple?: number;
  /** Bytes of global buffers at this size (for the memory budget check before building). */
  footprintBytes(size: number): number;
  /** Rough warp-instruction count at this size (for the cycle/time budget check). */
  estimateWarpInstructions(size: number): number;
  build(size: number, seed: number): WorkloadInstance;
}

export const SIM_SIZE_SOURCE = "MPU-Sim benchmark default input size (github.com/GD06/mpu-sim_distribution @db5cc64 benchmark/<name>/run.sh); probably but not confirmed the paper's";

/**
 * Launch shapes of the MPU-Sim benchmarks (benchmark/<name>/cta_config.h and <name>_sim.py defaults
 * @db5cc64): 512 blocks of 128 threads (4 blocks = 16 warps per core on 128 cores, i.e. every warp
 * slot), grid-stride loops, and data layouts chosen so that block b, which the MPU runtime maps to
 * core b mod 128, touches only its own core's banks. The paper's GPU baseline ran the same kernels
 * (benchmark/<name>/<name>_cuda.cu includes <name>_kernel.cu), so both models run them here.
 */
export const SIM_KERNEL_SOURCE = 'kernel, launch shape and data layout follow MPU-Sim benchmark/<name>/<name>_kernel.cu + cta_config.h @db5cc64 (re-written in reprolab\'s kernel language, not copied)';
export const NUM_BLOCKS = 512;
export const NUM_THREADS = 128;

/** Deterministic PRNG (the package's mulberry32) so every run sees the same inputs. */
export { mulberry32 as rng } from '../util/random';

export function randomF32(n: number, r: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * scale;
  return a;
}
