/** Data-analytics workloads: KMEANS (assignment step) and NW (Needleman-Wunsch), following the MPU-Sim kernels. */
import { GBuf } from './kernel-lang';
import type { Vec } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { NUM_BLOCKS, NUM_THREADS, SIM_KERNEL_SOURCE, SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';

const B = NUM_THREADS;
const SRC = `${SIM_SIZE_SOURCE}; ${SIM_KERNEL_SOURCE}`;
const CLUSTERS = 4; // MPU-Sim kmeans cta_config.h NUM_CLUSTERS
const FEATURES = 4; // MPU-Sim kmeans cta_config.h NUM_FEATURES

export const KMEANS: WorkloadDef = {
  name: 'KMEANS',
  description: `k-means cluster assignment, ${FEATURES} features x ${CLUSTERS} clusters, feature-major points, centres staged in shared memory, grid-stride (MPU-Sim "kmeans")`,
  // run.sh (the GPU run) uses 1048576 points; kmeans_sim.py defaults to 262144 for the simulator.
  defaultSize: 1 << 20, sizeUnit: 'data points', source: `${SRC}; kmeans_sim.py's own default is 262144 points`, minSize: 1, maxSize: 1 << 25,
  footprintBytes: (n) => 4 * n * (FEATURES + 1) + 4 * FEATURES * CLUSTERS,
  estimateWarpInstructions: (n) => NUM_BLOCKS * 4 * (Math.ceil(n / (NUM_BLOCKS * B)) * (FEATURES + CLUSTERS * (4 * FEATURES + 4) + 8) + 8),
  build(n, seed) {
    const r = rng(seed);
    const points = new GBuf('points', randomF32(n * FEATURES, r)); // points[f*n + i]
    const cent = new GBuf('centers', randomF32(CLUSTERS * FEATURES, r)); // centers[f*CLUSTERS + c]
    const member = new GBuf('membership', new Int32Array(n));
    return {
      buffers: [points, cent, member], outputs: [member], tolerance: 0,
      launches: [{
        name: 'kmeans', gridDim: NUM_BLOCKS, blockDim: B, smemWords: CLUSTERS * FEATURES,
        body: (k) => {
          k.forStride(k.tid, CLUSTERS * FEATURES, B, (i) => k.sts(i, k.ld(cent, i)));
          k.sync();
          k.forStride(k.iadd(k.tid, k.bid * B), n, NUM_BLOCKS * B, (p) => {
            // ASSUMPTION: nvcc -O2 loads each point feature once (the unrolled loops re-read the same
            // address with no store in between) but re-reads the shared-memory centres per point
            const x: Vec[] = [];
            for (let f = 0; f < FEATURES; f++) x.push(k.ld(points, k.iadd(p, f * n)));
            const minId = k.var(0);
            const minD = k.var(0);
            for (let c = 0; c < CLUSTERS; c++) {
              let d: Vec | number = 0;
              for (let f = 0; f < FEATURES; f++) {
                const diff = k.sub(x[f]!, k.lds(f * CLUSTERS + c));
                d = k.fma(diff, diff, d);
              }
              if (c === 0) k.assign(minD, d);
              else {
                const closer = k.lt(d, minD);
                k.assign(minD, k.select(closer, d, minD));
                k.assign(minId, k.select(closer, c, minId));
              }
            }
            k.st(member, p, minId);
          });
        },
      }],
      reference: () => {
        const o = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          let best = 0, bestD = 0;
          for (let c = 0; c < CLUSTERS; c++) {
            let d = 0;
            for (let f = 0; f < FEATURES; f++) {
              const diff = points.data[f * n + i]! - cent.data[f * CLUSTERS + c]!;
              d = diff * diff + d;
            }
            if (c === 0) bestD = d;
            else if (d < bestD) { bestD = d; best = c; }
          }
          o[i] = best;
        }
        return new Map([['membership', o]]);
      },
    };
  },
};

const SEQ_LEN = 32; // MPU-Sim nw cta_config.h SEQ_LEN (= NUM_THREADS)
const NW_BLOCKS = 2048; // MPU-Sim nw cta_config.h NUM_BLOCKS
const PENALTY = 1; // nw_sim.py
const W = SEQ_LEN + 1;

export const NW: WorkloadDef = {
  name: 'NW',
  description: `Needleman-Wunsch, one 32-thread block per sequence pair (length ${SEQ_LEN}), anti-diagonal wavefront in shared memory with a reference score matrix (MPU-Sim "nw")`,
  defaultSize: 4096, sizeUnit: 'sequence pairs', source: SRC, minSize: 1, maxSize: 1 << 18,
  footprintBytes: (p) => 4 * p * (2 * SEQ_LEN + 2 * SEQ_LEN * SEQ_LEN),
  estimateWarpInstructions: (p) => Math.max(p, NW_BLOCKS) * (SEQ_LEN * 8 + 63 * 16),
  build(p, seed) {
    const r = rng(seed);
    const ints = (len: number) => Int32Array.from({ length: len }, () => Math.floor(r() * 10));
    const seq1 = new GBuf('seq1', ints(SEQ_LEN * p));
    const seq2 = new GBuf('seq2', ints(SEQ_LEN * p));
    const ref = new GBuf('ref', ints(SEQ_LEN * SEQ_LEN * p)); // ref[ty*p*32 + pair*32 + x]
    const out = new GBuf('out', new Int32Array(SEQ_LEN * SEQ_LEN * p));
    const REF = 0, TMP = SEQ_LEN * SEQ_LEN; // shared memory: ref[32][32], tmp[33][33]
    return {
      buffers: [seq1, seq2, ref, out], outputs: [out], tolerance: 0,
      launches: [{
        name: 'nw', gridDim: NW_BLOCKS, blockDim: SEQ_LEN, smemWords: SEQ_LEN * SEQ_LEN + W * W,
        // nw_sim.py: block i -> core (i // num_subcore) mod cores, 4 consecutive blocks per core
        mpuBlockCore: (b, cores) => Math.floor(b / 4) % cores,
        body: (k) => {
          const tid = k.tid;
          const cell = (y: Vec, x: Vec, m: number) => {
            const diag = k.add(k.lds(k.iadd(k.fma(k.isub(y, 1), W, x), TMP - 1)), k.lds(k.iadd(k.fma(k.isub(y, 1), SEQ_LEN, x), REF - 1)));
            const left = k.isub(k.lds(k.iadd(k.fma(y, W, x), TMP - 1)), PENALTY);
            const up = k.isub(k.lds(k.iadd(k.fma(k.isub(y, 1), W, x), TMP)), PENALTY);
            k.sts(k.iadd(k.fma(y, W, x), TMP), k.imax(k.imax(diag, left), up));
            void m;
          };
          k.forStride(k.bid, p, NW_BLOCKS, (seq) => {
            k.if(k.eq(tid, 0), () => k.sts(TMP, 0));
            const base = k.fma(seq, SEQ_LEN, tid);
            k.sts(k.iadd(tid, TMP + 1), k.ld(seq1, base));
            k.sts(k.fma(k.iadd(tid, 1), W, TMP), k.ld(seq2, base));
            k.sync();
            k.loop(SEQ_LEN, (ty) => k.sts(k.iadd(tid, REF + ty * SEQ_LEN), k.ld(ref, k.iadd(base, ty * p * SEQ_LEN))));
            k.sync();
            k.loop(SEQ_LEN, (m) => {
              k.if(k.le(tid, m), () => cell(k.isub(m + 1, tid), k.iadd(tid, 1), m));
              k.sync();
            });
            k.loop(SEQ_LEN - 1, (j) => {
              const m = SEQ_LEN - 2 - j;
              k.if(k.le(tid, m), () => cell(k.isub(SEQ_LEN, tid), k.iadd(tid, SEQ_LEN - m), m));
              k.sync();
            });
            k.loop(SEQ_LEN, (ty) => k.st(out, k.iadd(base, ty * p * SEQ_LEN), k.lds(k.iadd(tid, TMP + (ty + 1) * W + 1))));
            k.sync();
          });
        },
      }],
      reference: () => {
        const o = new Int32Array(SEQ_LEN * SEQ_LEN * p);
        const tmp = new Int32Array(W * W);
        for (let q = 0; q < p; q++) {
          tmp[0] = 0;
          for (let x = 0; x < SEQ_LEN; x++) { tmp[x + 1] = seq1.data[q * SEQ_LEN + x]!; tmp[(x + 1) * W] = seq2.data[q * SEQ_LEN + x]!; }
          for (let y = 1; y < W; y++) for (let x = 1; x < W; x++) {
            const rv = ref.data[(y - 1) * p * SEQ_LEN + q * SEQ_LEN + x - 1]!;
            tmp[y * W + x] = Math.max(tmp[(y - 1) * W + x - 1]! + rv, tmp[y * W + x - 1]! - PENALTY, tmp[(y - 1) * W + x]! - PENALTY);
          }
          for (let y = 0; y < SEQ_LEN; y++) for (let x = 0; x < SEQ_LEN; x++) o[y * p * SEQ_LEN + q * SEQ_LEN + x] = tmp[(y + 1) * W + x + 1]!;
        }
        return new Map([['out', o]]);
      },
    };
  },
};
