/** Streaming vector workloads: AXPY (MPU-Sim "vectoradd"), PR (MPU-Sim "vectorsum"), KNN, HIST. */
import { GBuf } from './kernel-lang';
import type { BlockCtx } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';

const B = 256;

export const AXPY: WorkloadDef = {
  name: 'AXPY',
  description: 'element-wise vector add c = a + b (MPU-Sim "vectoradd")',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 12 * n,
  estimateWarpInstructions: (n) => Math.ceil(n / 32) * 8,
  build(n, seed) {
    const r = rng(seed);
    const a = new GBuf('a', randomF32(n, r));
    const b = new GBuf('b', randomF32(n, r));
    const c = new GBuf('c', new Float32Array(n));
    return {
      buffers: [a, b, c], outputs: [c], tolerance: 1e-6,
      launches: [{
        name: 'vectoradd', gridDim: Math.ceil(n / B), blockDim: B, smemWords: 0,
        body: (k: BlockCtx) => {
          const i = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(i, n), () => k.st(c, i, k.add(k.ld(a, i), k.ld(b, i))));
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

/** Block-level tree reduction in shared memory; thread 0 adds the partial with a global atomic. */
function reduceBlock(k: BlockCtx, acc: ReturnType<BlockCtx['var']>): ReturnType<BlockCtx['var']> {
  k.sts(k.tid, acc);
  k.sync();
  for (let s = k.bdim / 2; s >= 1; s >>= 1) {
    k.if(k.lt(k.tid, s), () => k.sts(k.tid, k.add(k.lds(k.tid), k.lds(k.iadd(k.tid, s)))));
    k.sync();
  }
  return k.lds(0);
}

const PR_PER_THREAD = 8;

export const PR: WorkloadDef = {
  name: 'PR',
  description: 'parallel reduction: sum of a vector (MPU-Sim "vectorsum")',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 4 * n + 4,
  estimateWarpInstructions: (n) => Math.ceil(n / 32) * 6 + Math.ceil(n / (B * PR_PER_THREAD)) * 8 * 40,
  build(n, seed) {
    const r = rng(seed);
    const x = new GBuf('x', randomF32(n, r));
    const out = new GBuf('sum', new Float32Array(1));
    const span = B * PR_PER_THREAD;
    return {
      buffers: [x, out], outputs: [out], tolerance: 1e-5,
      launches: [{
        name: 'vectorsum', gridDim: Math.ceil(n / span), blockDim: B, smemWords: B,
        body: (k) => {
          const acc = k.var(0);
          k.loop(PR_PER_THREAD, (j) => {
            const i = k.iadd(k.tid, k.bid * span + j * B);
            k.if(k.lt(i, n), () => k.assign(acc, k.add(acc, k.ld(x, i))));
          });
          const total = reduceBlock(k, acc);
          k.if(k.eq(k.tid, 0), () => k.atomicAdd(out, 0, total));
        },
      }],
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
  description: 'distance of every point to a query point (Rodinia nn-style, SoA lat/lng)',
  defaultSize: 1 << 24, sizeUnit: 'data points', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 12 * n,
  estimateWarpInstructions: (n) => Math.ceil(n / 32) * 12,
  build(n, seed) {
    const r = rng(seed);
    const lat = new GBuf('lat', randomF32(n, r, 180));
    const lng = new GBuf('lng', randomF32(n, r, 360));
    const dist = new GBuf('dist', new Float32Array(n));
    const qLat = 30.5, qLng = 90.25;
    return {
      buffers: [lat, lng, dist], outputs: [dist], tolerance: 1e-6,
      launches: [{
        name: 'knn', gridDim: Math.ceil(n / B), blockDim: B, smemWords: 0,
        body: (k) => {
          const i = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(i, n), () => {
            const dy = k.sub(k.ld(lat, i), qLat);
            const dx = k.sub(k.ld(lng, i), qLng);
            k.st(dist, i, k.sqrt(k.fma(dx, dx, k.mul(dy, dy))));
          });
        },
      }],
      reference: () => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const dy = lat.data[i]! - qLat, dx = lng.data[i]! - qLng;
          out[i] = Math.sqrt(dx * dx + dy * dy);
        }
        return new Map([['dist', out]]);
      },
    };
  },
};

const BINS = 256;
const HIST_PER_THREAD = 16;

export const HIST: WorkloadDef = {
  name: 'HIST',
  description: '256-bin histogram of values in [0,1), shared-memory privatised bins + global atomics',
  defaultSize: 1 << 24, sizeUnit: 'elements', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 27,
  footprintBytes: (n) => 4 * n + 4 * BINS,
  estimateWarpInstructions: (n) => Math.ceil(n / 32) * 9,
  build(n, seed) {
    const r = rng(seed);
    const data = new GBuf('data', randomF32(n, r));
    const hist = new GBuf('hist', new Float32Array(BINS));
    const span = B * HIST_PER_THREAD;
    return {
      buffers: [data, hist], outputs: [hist], tolerance: 0,
      launches: [{
        name: 'histogram', gridDim: Math.ceil(n / span), blockDim: B, smemWords: BINS,
        body: (k) => {
          k.sts(k.tid, 0);
          k.sync();
          k.loop(HIST_PER_THREAD, (j) => {
            const i = k.iadd(k.tid, k.bid * span + j * B);
            k.if(k.lt(i, n), () => {
              const bin = k.imin(k.floor(k.mul(k.ld(data, i), BINS)), BINS - 1);
              k.atomicAddShared(bin, 1);
            });
          });
          k.sync();
          k.atomicAdd(hist, k.tid, k.lds(k.tid));
        },
      }],
      reference: () => {
        const out = new Float32Array(BINS);
        for (let i = 0; i < n; i++) out[Math.min(Math.floor(data.data[i]! * BINS), BINS - 1)]! += 1;
        return new Map([['hist', out]]);
      },
    };
  },
};

export { reduceBlock };
