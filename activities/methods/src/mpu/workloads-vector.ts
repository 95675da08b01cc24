/**
 * Streaming vector workloads: AXPY (MPU-Sim "vectoradd"), PR ("vectorsum"), KNN, HIST ("histogram").
 * Each follows the MPU-Sim kernel (see SIM_KERNEL_SOURCE): grid-stride loops over 512 x 128 threads;
 * with 512 B per core in the address map, thread t of block b touches element b*128 + t + k*65536,
 * which lives on core b mod 128, the core the runtime puts block b on, and each warp stays in one PG.
 */
import { GBuf } from './kernel-lang';
import type { BlockCtx, Vec } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { NUM_BLOCKS, NUM_THREADS, SIM_KERNEL_SOURCE, SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';

const B = NUM_THREADS;
const SRC = `${SIM_SIZE_SOURCE}; ${SIM_KERNEL_SOURCE}`;
const loopIters = (n: number, threads: number) => Math.ceil(n / threads);

export const AXPY: WorkloadDef = {
  name: 'AXPY',
  description: 'element-wise vector add c = a + b, grid-stride over 512x128 threads (MPU-Sim "vectoradd")',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SRC, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 12 * n,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (loopIters(n, NUM_BLOCKS * B) * 7 + 4),
  build(n, seed) {
    const r = rng(seed);
    const a = new GBuf('a', randomF32(n, r));
    const b = new GBuf('b', randomF32(n, r));
    const c = new GBuf('c', new Float32Array(n));
    return {
      buffers: [a, b, c], outputs: [c], tolerance: 1e-6,
      launches: [{
        name: 'vectoradd', gridDim: NUM_BLOCKS, blockDim: B, smemWords: 0,
        body: (k: BlockCtx) => {
          k.forStride(k.iadd(k.tid, k.bid * B), n, NUM_BLOCKS * B, (i) => k.st(c, i, k.add(k.ld(a, i), k.ld(b, i))));
        },
      }],
      reference: () => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = a.data[i]! + b.data[i]!;
        return new Map([['c', out]]);
      },
    };
  },
};

/** Shared-memory tree reduction of `acc` over the block (psum[tid], halving strides, one sync each). */
export function reduceBlock(k: BlockCtx, acc: Vec | number): Vec {
  k.sts(k.tid, acc);
  k.sync();
  for (let s = k.bdim / 2; s >= 1; s >>= 1) {
    k.if(k.lt(k.tid, s), () => k.sts(k.tid, k.add(k.lds(k.tid), k.lds(k.iadd(k.tid, s)))));
    k.sync();
  }
  return k.lds(0);
}

/** vectorSum kernel: per-thread grid-stride sum, block tree reduction, thread 0 writes tmp[bid]. */
function vectorSum(x: GBuf, tmp: GBuf, n: number, grid: number) {
  return {
    name: 'vectorsum', gridDim: grid, blockDim: B, smemWords: B,
    body: (k: BlockCtx) => {
      const sum = k.var(0);
      k.forStride(k.iadd(k.tid, k.bid * B), n, grid * B, (i) => k.assign(sum, k.add(sum, k.ld(x, i))));
      const total = reduceBlock(k, sum);
      k.if(k.eq(k.tid, 0), () => k.st(tmp, k.bid, total));
    },
    // MPU-Sim's second pass runs its single block on core 0 (block_schedule {0: 0})
    mpuBlockCore: () => 0,
  };
}

export const PR: WorkloadDef = {
  name: 'PR',
  description: 'parallel reduction: 512 block partial sums, then one block sums them (MPU-Sim "vectorsum", two launches)',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SRC, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 4 * n + 4 * NUM_BLOCKS + 4,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (loopIters(n, NUM_BLOCKS * B) * 5 + 60) + 4 * (4 * 5 + 60),
  build(n, seed) {
    const r = rng(seed);
    const x = new GBuf('x', randomF32(n, r));
    const part = new GBuf('partial', new Float32Array(NUM_BLOCKS));
    const out = new GBuf('sum', new Float32Array(1));
    const first = vectorSum(x, part, n, NUM_BLOCKS);
    delete (first as { mpuBlockCore?: unknown }).mpuBlockCore;
    return {
      buffers: [x, part, out], outputs: [out], tolerance: 1e-5,
      launches: [first, vectorSum(part, out, NUM_BLOCKS, 1)],
      reference: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += x.data[i]!;
        return new Map([['sum', Float32Array.of(s)]]);
      },
    };
  },
};

export const KNN: WorkloadDef = {
  name: 'KNN',
  description: 'squared distance of every point to a query point, x/y arrays, grid-stride (MPU-Sim "knn")',
  defaultSize: 1 << 24, sizeUnit: 'data points', source: SRC, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 12 * n,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (loopIters(n, NUM_BLOCKS * B) * 10 + 4),
  build(n, seed) {
    const r = rng(seed);
    const xs = new GBuf('x', randomF32(n, r));
    const ys = new GBuf('y', randomF32(n, r));
    const dist = new GBuf('dist', new Float32Array(n));
    const px = 0.5, py = 0.25;
    return {
      buffers: [xs, ys, dist], outputs: [dist], tolerance: 1e-6,
      launches: [{
        name: 'knn', gridDim: NUM_BLOCKS, blockDim: B, smemWords: 0,
        body: (k) => {
          k.forStride(k.iadd(k.tid, k.bid * B), n, NUM_BLOCKS * B, (i) => {
            const dx = k.sub(k.ld(xs, i), px);
            const dy = k.sub(k.ld(ys, i), py);
            k.st(dist, i, k.fma(dy, dy, k.mul(dx, dx)));
          });
        },
      }],
      reference: () => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const dx = xs.data[i]! - px, dy = ys.data[i]! - py;
          out[i] = dx * dx + dy * dy;
        }
        return new Map([['dist', out]]);
      },
    };
  },
};

const BINS = 256;
const HIST_BLOCKS = 128; // MPU-Sim histogram cta_config.h NUM_BLOCKS

export const HIST: WorkloadDef = {
  name: 'HIST',
  description: '256-bin histogram: per-block shared-memory bins with atomics, per-block partial histograms, then a 2-block reduction (MPU-Sim "histogram")',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SRC, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 4 * n + 4 * BINS * (HIST_BLOCKS + 1),
  estimateWarpInstructions: (n) => HIST_BLOCKS * 4 * (loopIters(n, HIST_BLOCKS * B) * 9 + 30) + 8 * HIST_BLOCKS * 6,
  build(n, seed) {
    const r = rng(seed);
    const data = new GBuf('data', randomF32(n, r));
    const part = new GBuf('partial', new Int32Array(HIST_BLOCKS * BINS));
    const hist = new GBuf('hist', new Int32Array(BINS));
    return {
      buffers: [data, part, hist], outputs: [hist], tolerance: 0,
      launches: [{
        name: 'histogram', gridDim: HIST_BLOCKS, blockDim: B, smemWords: BINS,
        body: (k) => {
          k.forStride(k.tid, BINS, B, (i) => k.sts(i, 0));
          k.sync();
          k.forStride(k.iadd(k.tid, k.bid * B), n, HIST_BLOCKS * B, (i) => {
            const bin = k.imax(k.imin(k.floor(k.mul(k.ld(data, i), 255)), BINS - 1), 0);
            k.atomicAddShared(bin, 1);
          });
          k.sync();
          k.forStride(k.tid, BINS, B, (i) => k.st(part, k.iadd(i, k.bid * BINS), k.lds(i)));
        },
      }, {
        name: 'reduceAll', gridDim: 2, blockDim: B, smemWords: 0,
        body: (k) => {
          const index = k.iadd(k.tid, k.bid * B);
          k.if(k.lt(index, BINS), () => {
            const freq = k.var(0);
            k.loop(HIST_BLOCKS, (p) => k.assign(freq, k.iadd(freq, k.ld(part, k.iadd(index, p * BINS)))));
            k.st(hist, index, freq);
          });
        },
        mpuBlockCore: (b) => b, // MPU-Sim block_schedule {0: 0, 1: 1}
      }],
      reference: () => {
        const out = new Int32Array(BINS);
        for (let i = 0; i < n; i++) out[Math.max(0, Math.min(Math.floor(data.data[i]! * 255), BINS - 1))]! += 1;
        return new Map([['hist', out]]);
      },
    };
  },
};
