/**
 * Matrix and image workloads: GEMV, TTRANS, BLUR, CONV, MAXP, UPSAMP, following the MPU-Sim kernels
 * (see SIM_KERNEL_SOURCE). Their data layouts are part of the benchmark:
 * - GEMV stores A in 128-column chunks, chunk j of row r at (j*rows + r)*128, so row r lives on core
 *   r mod 128 where block r mod 512 runs; x is read from wherever it is allocated (remote for most
 *   cores; the MPU's network-interface read-only cache absorbs the repeats).
 * - TTRANS/BLUR/CONV store the image as 32x32 tiles cut into 8 slices of 32x4 pixels; slice s of tile
 *   t is at (s*tiles + t)*128 elements, so a whole tile lives on core t mod 128. The stencils clamp at
 *   tile borders (no halo) and TTRANS transposes within each tile, exactly as the MPU-Sim kernels do.
 * - MAXP keeps its input as 4 planes (one per 2x2 window position), UPSAMP writes 4 output planes.
 */
import { GBuf } from './kernel-lang';
import type { BlockCtx, Vec } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { NUM_BLOCKS, NUM_THREADS, SIM_KERNEL_SOURCE, SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';
import { reduceBlock } from './workloads-vector';

const B = NUM_THREADS;
const SRC = `${SIM_SIZE_SOURCE}; ${SIM_KERNEL_SOURCE}`;

export const GEMV: WorkloadDef = {
  name: 'GEMV',
  description: 'y = A x with A in 128-column chunks (chunk-major), one block per row (grid-stride over rows), shared-memory tree reduction (MPU-Sim "gemv")',
  defaultSize: 4096, sizeUnit: 'matrix rows (=cols)', source: SRC, minSize: B, maxSize: 16384, sizeMultiple: B,
  footprintBytes: (n) => 4 * n * n + 8 * n,
  estimateWarpInstructions: (n) => Math.ceil(n / NUM_BLOCKS) * NUM_BLOCKS * 4 * ((n / B) * 7 + 60),
  build(n, seed) {
    const r = rng(seed);
    const A = new GBuf('A', randomF32(n * n, r)); // chunked layout: A[(j*n + row)*128 + t] = a(row, j*128 + t)
    const x = new GBuf('x', randomF32(n, r));
    const y = new GBuf('y', new Float32Array(n));
    return {
      buffers: [A, x, y], outputs: [y], tolerance: 1e-5,
      launches: [{
        name: 'gemv', gridDim: NUM_BLOCKS, blockDim: B, smemWords: B,
        body: (k) => {
          k.forStride(k.bid, n, NUM_BLOCKS, (row) => {
            const sum = k.var(0);
            const col = k.var(k.tid);
            k.forStride(k.iadd(k.imul(row, B), k.tid), n * n, n * B, (gi) => {
              k.assign(sum, k.fma(k.ld(A, gi), k.ld(x, col), sum));
              k.assign(col, k.iadd(col, B));
            });
            const total = reduceBlock(k, sum);
            k.if(k.eq(k.tid, 0), () => k.st(y, row, total));
          });
        },
      }],
      reference: () => {
        const out = new Float32Array(n);
        const chunks = n / B;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < chunks; j++) for (let t = 0; t < B; t++) s += A.data[(j * n + i) * B + t]! * x.data[j * B + t]!;
          out[i] = s;
        }
        return new Map([['y', out]]);
      },
    };
  },
};

const TILE = 32;
const TX = 32, TY = 4; // MPU-Sim NUM_THREADS_X / NUM_THREADS_Y
const SLICE = TX * TY;

/** Element index of (slice y/TY, tile, tidy, tidx) in the tiled layout. */
function tiledIndex(k: BlockCtx, slice: number, tiles: number, tile: Vec): Vec {
  return k.iadd(k.fma(tile, SLICE, k.fma(k.tidy, TX, k.tidx)), slice * SLICE * tiles);
}

function tiledRef(n: number): (tile: number, ty: number, tx: number) => number {
  const tiles = (n * n) / (TILE * TILE);
  return (tile, ty, tx) => (Math.floor(ty / TY) * tiles + tile) * SLICE + (ty % TY) * TX + tx;
}

const tiledDoc = 'image as 32x32 tiles in 8 slices of 32x4 (MPU-Sim layout)';

export const TTRANS: WorkloadDef = {
  name: 'TTRANS',
  description: `tile transpose: every 32x32 tile transposed in place through a padded shared-memory tile, ${tiledDoc} (MPU-Sim "matrixtrans")`,
  defaultSize: 4096, sizeUnit: 'matrix rows (=cols)', source: SRC, minSize: TILE, maxSize: 16384, sizeMultiple: TILE,
  footprintBytes: (n) => 8 * n * n,
  estimateWarpInstructions: (n) => Math.ceil((n * n) / (TILE * TILE)) * 4 * 60,
  build(n, seed) {
    const r = rng(seed);
    const input = new GBuf('in', randomF32(n * n, r));
    const out = new GBuf('out', new Float32Array(n * n));
    const tiles = (n * n) / (TILE * TILE);
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'transpose', gridDim: NUM_BLOCKS, blockDim: TX * TY, blockDimX: TX, smemWords: TILE * (TILE + 1),
        body: (k) => {
          k.forStride(k.bid, tiles, NUM_BLOCKS, (tile) => {
            for (let y = 0; y < TILE; y += TY) k.sts(k.fma(k.iadd(k.tidy, y), TILE + 1, k.tidx), k.ld(input, tiledIndex(k, y / TY, tiles, tile)));
            k.sync();
            for (let y = 0; y < TILE; y += TY) k.st(out, tiledIndex(k, y / TY, tiles, tile), k.lds(k.fma(k.tidx, TILE + 1, k.iadd(k.tidy, y))));
            k.sync();
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(n * n);
        const at = tiledRef(n);
        for (let t = 0; t < tiles; t++) for (let yy = 0; yy < TILE; yy++) for (let xx = 0; xx < TILE; xx++) o[at(t, yy, xx)] = input.data[at(t, xx, yy)]!;
        return new Map([['out', o]]);
      },
    };
  },
};

const clampTile = (v: number) => Math.min(Math.max(v, 0), TILE - 1);

function stencilDef(name: 'BLUR' | 'CONV', description: string, filtered: boolean): WorkloadDef {
  const alpha = 1 / 9; // blur_sim.py passes alpha = 1/9
  return {
    name, description,
    defaultSize: 4096, sizeUnit: 'pixels per side', source: SRC, minSize: TILE, maxSize: 16384, sizeMultiple: TILE,
    footprintBytes: (n) => 8 * n * n + 36,
    estimateWarpInstructions: (n) => Math.ceil((n * n) / (TILE * TILE)) * 4 * (8 * 80 + 20),
    build(n, seed) {
      const r = rng(seed);
      const img = new GBuf('img', randomF32(n * n, r));
      const out = new GBuf('out', new Float32Array(n * n));
      const filt = new GBuf('filter', Float32Array.from({ length: 9 }, () => r() - 0.5));
      const tiles = (n * n) / (TILE * TILE);
      const KOFF = TILE * TILE; // CONV keeps the 3x3 filter after the tile in shared memory
      return {
        buffers: filtered ? [img, filt, out] : [img, out], outputs: [out], tolerance: 1e-5,
        launches: [{
          name: name.toLowerCase(), gridDim: NUM_BLOCKS, blockDim: TX * TY, blockDimX: TX, smemWords: TILE * TILE + (filtered ? 9 : 0),
          body: (k) => {
            if (filtered) {
              k.if(k.eq(k.tidy, 0), () => k.if(k.lt(k.tidx, 9), () => k.sts(k.iadd(k.tidx, KOFF), k.ld(filt, k.tidx))));
              k.sync();
            }
            k.forStride(k.bid, tiles, NUM_BLOCKS, (tile) => {
              for (let y = 0; y < TILE; y += TY) k.sts(k.fma(k.iadd(k.tidy, y), TILE, k.tidx), k.ld(img, tiledIndex(k, y / TY, tiles, tile)));
              k.sync();
              // clamped column indices are loop-invariant and each clamped row is computed once per
              // (y, ky): written as nvcc -O2 would hoist/CSE them (ASSUMPTION; the PTX was not inspected)
              const cols = [0, 1, 2].map((kx) => k.imin(k.imax(k.iadd(k.tidx, kx - 1), 0), TILE - 1));
              for (let y = 0; y < TILE; y += TY) {
                let sum: Vec | number = 0;
                for (let ky = 0; ky < 3; ky++) {
                  const rowBase = k.imul(k.imin(k.imax(k.iadd(k.tidy, y + ky - 1), 0), TILE - 1), TILE);
                  for (let kx = 0; kx < 3; kx++) {
                  const v = k.lds(k.iadd(rowBase, cols[kx]!));
                  sum = filtered ? k.fma(v, k.lds(KOFF + ky * 3 + kx), sum) : k.add(sum, v);
                  }
                }
                k.st(out, tiledIndex(k, y / TY, tiles, tile), filtered ? sum : k.mul(sum, alpha));
              }
              k.sync();
            });
          },
        }],
        reference: () => {
          const o = new Float32Array(n * n);
          const at = tiledRef(n);
          for (let t = 0; t < tiles; t++) for (let yy = 0; yy < TILE; yy++) for (let xx = 0; xx < TILE; xx++) {
            let s = 0;
            for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
              const v = img.data[at(t, clampTile(yy + ky - 1), clampTile(xx + kx - 1))]!;
              s = filtered ? v * filt.data[ky * 3 + kx]! + s : s + v;
            }
            o[at(t, yy, xx)] = filtered ? s : s * alpha;
          }
          return new Map([['out', o]]);
        },
      };
    },
  };
}

export const BLUR = stencilDef('BLUR', `3x3 box blur (sum x 1/9) per 32x32 tile through shared memory, clamped at tile borders, ${tiledDoc} (MPU-Sim "blur")`, false);
export const CONV = stencilDef('CONV', `3x3 convolution per 32x32 tile, filter staged in shared memory, clamped at tile borders, ${tiledDoc} (MPU-Sim "conv")`, true);

export const MAXP: WorkloadDef = {
  name: 'MAXP',
  description: '2x2 max-pooling; input stored as 4 planes (one per window position), staged through shared memory; size = output rows (=cols) (MPU-Sim "maxpool")',
  defaultSize: 1024, sizeUnit: 'output elements per side', source: SRC, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 20 * n * n,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (Math.ceil((n * n) / (NUM_BLOCKS * B)) * 30 + 4),
  build(n, seed) {
    const r = rng(seed);
    const ne = n * n;
    const input = new GBuf('in', randomF32(4 * ne, r)); // plane (kx*2+ky) at (kx*2+ky)*ne
    const out = new GBuf('out', new Float32Array(ne));
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'maxpool', gridDim: NUM_BLOCKS, blockDim: B, smemWords: 4 * B,
        body: (k) => {
          // the CUDA loop is `for (i = index; i < ne; i += threads)` with __syncthreads inside; here the
          // trip count is made uniform and the tail guarded (identical when ne is a multiple of 65536)
          const first = k.iadd(k.tid, k.bid * B);
          k.loop(Math.ceil(ne / (NUM_BLOCKS * B)), (it) => {
            const i = k.iadd(first, it * NUM_BLOCKS * B);
            const inRange = k.lt(i, ne);
            for (let kx = 0; kx < 2; kx++) for (let ky = 0; ky < 2; ky++) {
              const v = k.var(0);
              k.if(inRange, () => k.assign(v, k.ld(input, k.iadd(i, (kx * 2 + ky) * ne))));
              k.sts(k.iadd(k.tid, kx * 2 * B + ky * B), v);
            }
            k.sync();
            const mx = k.var(0);
            for (let kx = 0; kx < 2; kx++) for (let ky = 0; ky < 2; ky++) {
              k.assign(mx, k.max(mx, k.lds(k.fma(k.tid, 2, kx * 2 * B + ky))));
            }
            k.sync();
            k.if(inRange, () => k.st(out, i, mx));
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(ne);
        const d = input.data;
        for (let i = 0; i < ne; i++) {
          // thread tid of the block holding element i reads smem[kx][tid*2+ky], i.e. lanes 2tid+ky of the block's row
          const tid = i % B;
          const rowBase = i - tid; // first element handled by this block in this iteration
          let m = 0;
          for (let kx = 0; kx < 2; kx++) for (let ky = 0; ky < 2; ky++) {
            const s = tid * 2 + ky; // smem column in plane row kx
            const srcTid = s % B, srcKy = Math.floor(s / B);
            const idx = rowBase + srcTid;
            const v = idx < ne ? d[(kx * 2 + srcKy) * ne + idx]! : 0;
            if (v > m) m = v;
          }
          o[i] = m;
        }
        return new Map([['out', o]]);
      },
    };
  },
};

export const UPSAMP: WorkloadDef = {
  name: 'UPSAMP',
  description: '2x2 nearest up-sampling staged through shared memory, output stored as 4 planes; size = input rows (=cols), output is 2x per side (MPU-Sim "upsample")',
  defaultSize: 1024, sizeUnit: 'input elements per side', source: SRC, minSize: 1, maxSize: 16384,
  footprintBytes: (n) => 20 * n * n,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (Math.ceil((n * n) / (NUM_BLOCKS * B)) * 30 + 4),
  build(n, seed) {
    const r = rng(seed);
    const ne = n * n;
    const input = new GBuf('in', randomF32(ne, r));
    const out = new GBuf('out', new Float32Array(4 * ne));
    return {
      buffers: [input, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'upsample', gridDim: NUM_BLOCKS, blockDim: B, smemWords: B,
        body: (k) => {
          const first = k.iadd(k.tid, k.bid * B);
          k.loop(Math.ceil(ne / (NUM_BLOCKS * B)), (it) => { // uniform trip count, guarded tail (see MAXP)
            const i = k.iadd(first, it * NUM_BLOCKS * B);
            const inRange = k.lt(i, ne);
            const v = k.var(0);
            k.if(inRange, () => k.assign(v, k.ld(input, i)));
            k.sts(k.tid, v);
            k.sync();
            k.if(inRange, () => {
              for (let kx = 0; kx < 2; kx++) for (let ky = 0; ky < 2; ky++) {
                const local = k.idiv(k.iadd(k.tid, ky * B), 2);
                k.st(out, k.iadd(i, (kx * 2 + ky) * ne), k.lds(local));
              }
            });
            k.sync();
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(4 * ne);
        for (let i = 0; i < ne; i++) {
          const tid = i % B;
          const rowBase = i - tid;
          for (let kx = 0; kx < 2; kx++) for (let ky = 0; ky < 2; ky++) {
            const src = rowBase + Math.floor((ky * B + tid) / 2);
            o[(kx * 2 + ky) * ne + i] = src < ne ? input.data[src]! : 0;
          }
        }
        return new Map([['out', o]]);
      },
    };
  },
};
