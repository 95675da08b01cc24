/** Matrix and image workloads: GEMV, TTRANS, BLUR, CONV, MAXP, UPSAMP. */
import { GBuf } from './kernel-lang';
import type { BlockCtx, Val, Vec } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';
import { reduceBlock } from './workloads-vector';

const B = 256;

export const GEMV: WorkloadDef = {
  name: 'GEMV',
  description: 'y = A x, A n x n row-major; one block per row, shared-memory reduction; x replicated per MPU core',
  defaultSize: 4096, sizeUnit: 'matrix rows (=cols)', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 4 * n * n + 8 * n,
  estimateWarpInstructions: (n) => n * 8 * (Math.ceil(n / B) * 7 + 40),
  build(n, seed) {
    const r = rng(seed);
    const A = new GBuf('A', randomF32(n * n, r));
    const x = new GBuf('x', randomF32(n, r), true);
    const y = new GBuf('y', new Float32Array(n));
    const iters = Math.ceil(n / B);
    return {
      buffers: [A, x, y], outputs: [y], tolerance: 1e-5,
      launches: [{
        name: 'gemv', gridDim: n, blockDim: B, smemWords: B,
        body: (k) => {
          const row = k.bid;
          const acc = k.var(0);
          k.loop(iters, (it) => {
            const j = k.iadd(k.tid, it * B);
            k.if(k.lt(j, n), () => k.assign(acc, k.fma(k.ld(A, k.iadd(j, row * n)), k.ld(x, j), acc)));
          });
          const total = reduceBlock(k, acc);
          k.if(k.eq(k.tid, 0), () => k.st(y, row, total));
        },
      }],
      reference: () => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += A.data[i * n + j]! * x.data[j]!;
          out[i] = s;
        }
        return new Map([['y', out]]);
      },
    };
  },
};

const TILE = 32;
const ROWS = 8; // threads per tile column: 32 x 8 block, 4 elements per thread

export const TTRANS: WorkloadDef = {
  name: 'TTRANS',
  description: 'matrix transpose through a padded 32x32 shared-memory tile',
  defaultSize: 4096, sizeUnit: 'matrix rows (=cols)', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 8 * n * n,
  estimateWarpInstructions: (n) => Math.ceil(n / TILE) ** 2 * 8 * 48,
  build(n, seed) {
    const r = rng(seed);
    const input = new GBuf('in', randomF32(n * n, r));
    const out = new GBuf('out', new Float32Array(n * n));
    const tilesPerRow = Math.ceil(n / TILE);
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'transpose', gridDim: tilesPerRow * tilesPerRow, blockDim: TILE * ROWS, smemWords: TILE * (TILE + 1),
        body: (k) => {
          const bx = k.bid % tilesPerRow, by = Math.floor(k.bid / tilesPerRow);
          const tx = k.imod(k.tid, TILE), ty = k.idiv(k.tid, TILE);
          k.loop(TILE / ROWS, (j) => {
            const row = k.iadd(ty, by * TILE + j * ROWS);
            const col = k.iadd(tx, bx * TILE);
            k.if(k.and(k.lt(row, n), k.lt(col, n)), () =>
              k.sts(k.fma(k.iadd(ty, j * ROWS), TILE + 1, tx), k.ld(input, k.fma(row, n, col))));
          });
          k.sync();
          k.loop(TILE / ROWS, (j) => {
            const row = k.iadd(ty, bx * TILE + j * ROWS);
            const col = k.iadd(tx, by * TILE);
            k.if(k.and(k.lt(row, n), k.lt(col, n)), () =>
              k.st(out, k.fma(row, n, col), k.lds(k.fma(tx, TILE + 1, k.iadd(ty, j * ROWS)))));
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) o[j * n + i] = input.data[i * n + j]!;
        return new Map([['out', o]]);
      },
    };
  },
};

/** 3x3 stencil with clamped borders; weights are constants (BLUR) or loaded from a buffer (CONV). */
function stencil3x3(k: BlockCtx, img: GBuf, out: GBuf, n: number, weight: (t: number) => Val): void {
  const p = k.iadd(k.tid, k.bid * k.bdim);
  k.if(k.lt(p, n * n), () => {
    const y = k.idiv(p, n), x = k.imod(p, n);
    const xs = [k.imax(k.isub(x, 1), 0), x, k.imin(k.iadd(x, 1), n - 1)];
    const rows = [k.imul(k.imax(k.isub(y, 1), 0), n), k.imul(y, n), k.imul(k.imin(k.iadd(y, 1), n - 1), n)];
    let acc: Vec | number = 0;
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) {
      acc = k.fma(k.ld(img, k.iadd(rows[dy]!, xs[dx]!)), weight(dy * 3 + dx), acc);
    }
    k.st(out, p, acc);
  });
}

function stencilReference(img: ArrayLike<number>, n: number, w: ArrayLike<number>): Float32Array {
  const o = new Float32Array(n * n);
  const cl = (v: number) => Math.min(Math.max(v, 0), n - 1);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    let s = 0;
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) s += img[cl(y + dy - 1) * n + cl(x + dx - 1)]! * w[dy * 3 + dx]!;
    o[y * n + x] = s;
  }
  return o;
}

const GAUSS = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);

function stencilDef(name: 'BLUR' | 'CONV', description: string, loadedWeights: boolean): WorkloadDef {
  return {
    name, description,
    defaultSize: 4096, sizeUnit: 'pixels per side', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 16384,
    footprintBytes: (n) => 8 * n * n + 36,
    estimateWarpInstructions: (n) => Math.ceil((n * n) / 32) * 42,
    build(n, seed) {
      const r = rng(seed);
      const img = new GBuf('img', randomF32(n * n, r));
      const out = new GBuf('out', new Float32Array(n * n));
      const filt = new GBuf('filter', Float32Array.from({ length: 9 }, () => r() - 0.5), true);
      const weights: ArrayLike<number> = loadedWeights ? filt.data : GAUSS;
      return {
        buffers: [img, out, filt], outputs: [out], tolerance: 1e-5,
        launches: [{
          name: name.toLowerCase(), gridDim: Math.ceil((n * n) / B), blockDim: B, smemWords: 0,
          body: (k) => stencil3x3(k, img, out, n, (t) => (loadedWeights ? k.ld(filt, t) : GAUSS[t]!)),
        }],
        reference: () => new Map([['out', stencilReference(img.data, n, weights)]]),
      };
    },
  };
}

export const BLUR = stencilDef('BLUR', '3x3 Gaussian blur, clamped borders', false);
export const CONV = stencilDef('CONV', '3x3 convolution with a filter held in memory (replicated per MPU core), clamped borders', true);

export const MAXP: WorkloadDef = {
  name: 'MAXP',
  description: '2x2 max-pooling; size = output rows (=cols), input is 2x per dimension',
  defaultSize: 1024, sizeUnit: 'output elements per side', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 20 * n * n,
  estimateWarpInstructions: (n) => Math.ceil((n * n) / 32) * 16,
  build(n, seed) {
    const r = rng(seed);
    const w = 2 * n;
    const input = new GBuf('in', randomF32(w * w, r));
    const out = new GBuf('out', new Float32Array(n * n));
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'maxpool', gridDim: Math.ceil((n * n) / B), blockDim: B, smemWords: 0,
        body: (k) => {
          const p = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(p, n * n), () => {
            const y = k.idiv(p, n), x = k.imod(p, n);
            const i0 = k.fma(y, 2 * w, k.imul(x, 2));
            const i1 = k.iadd(i0, w);
            const m0 = k.max(k.ld(input, i0), k.ld(input, k.iadd(i0, 1)));
            const m1 = k.max(k.ld(input, i1), k.ld(input, k.iadd(i1, 1)));
            k.st(out, p, k.max(m0, m1));
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(n * n);
        const d = input.data;
        for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
          const i = 2 * y * w + 2 * x;
          o[y * n + x] = Math.max(d[i]!, d[i + 1]!, d[i + w]!, d[i + w + 1]!);
        }
        return new Map([['out', o]]);
      },
    };
  },
};

export const UPSAMP: WorkloadDef = {
  name: 'UPSAMP',
  description: '2x2 nearest up-sampling; size = output rows (=cols), input is ceil(size/2) per dimension',
  defaultSize: 1024, sizeUnit: 'output elements per side', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 5 * n * n + 16,
  estimateWarpInstructions: (n) => Math.ceil((n * n) / 32) * 12,
  build(n, seed) {
    const r = rng(seed);
    const m = Math.ceil(n / 2);
    const input = new GBuf('in', randomF32(m * m, r));
    const out = new GBuf('out', new Float32Array(n * n));
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'upsample', gridDim: Math.ceil((n * n) / B), blockDim: B, smemWords: 0,
        body: (k) => {
          const p = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(p, n * n), () => {
            const y = k.idiv(p, n), x = k.imod(p, n);
            k.st(out, p, k.ld(input, k.fma(k.idiv(y, 2), m, k.idiv(x, 2))));
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(n * n);
        for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) o[y * n + x] = input.data[(y >> 1) * m + (x >> 1)]!;
        return new Map([['out', o]]);
      },
    };
  },
};
