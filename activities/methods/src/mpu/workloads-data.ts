/** Data-analytics workloads: KMEANS (assignment stage) and NW (Needleman-Wunsch, one thread per pair). */
import { GBuf } from './kernel-lang';
import type { Vec } from './kernel-lang';
import type { WorkloadDef } from './workload-types';
import { SIM_SIZE_SOURCE, randomF32, rng } from './workload-types';

const B = 256;
// Rodinia kmeans uses 34 features / 5 clusters on its kdd input; MPU-Sim's values were not recorded.
const FEATURES = 8; // ASSUMPTION (reprolab)
const CLUSTERS = 8; // ASSUMPTION (reprolab)

export const KMEANS: WorkloadDef = {
  name: 'KMEANS',
  description: `k-means cluster assignment (Rodinia-style, one array per feature), ${FEATURES} features x ${CLUSTERS} clusters (assumed), centroids replicated per MPU core`,
  defaultSize: 1 << 20, sizeUnit: 'data points', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 25,
  footprintBytes: (n) => 4 * n * (FEATURES + 1) + 4 * FEATURES * CLUSTERS,
  estimateWarpInstructions: (n) => Math.ceil(n / 32) * (FEATURES + CLUSTERS * (3 * FEATURES + 4) + 8),
  build(n, seed) {
    const r = rng(seed);
    // one array per feature (SoA): each is aligned by the allocator, so a point's features share a core/bank
    const feats = Array.from({ length: FEATURES }, (_, f) => new GBuf(`feature${f}`, randomF32(n, r)));
    const cent = new GBuf('centroids', randomF32(CLUSTERS * FEATURES, r), true);
    const member = new GBuf('membership', new Float32Array(n));
    return {
      buffers: [...feats, cent, member], outputs: [member], tolerance: 0,
      launches: [{
        name: 'kmeans_assign', gridDim: Math.ceil(n / B), blockDim: B, smemWords: 0,
        body: (k) => {
          const i = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(i, n), () => {
            const x: Vec[] = [];
            for (let f = 0; f < FEATURES; f++) x.push(k.ld(feats[f]!, i));
            const best = k.var(0);
            const bestD = k.var(Infinity);
            for (let c = 0; c < CLUSTERS; c++) {
              let d: Vec | number = 0;
              for (let f = 0; f < FEATURES; f++) {
                const diff = k.sub(x[f]!, k.ld(cent, c * FEATURES + f));
                d = k.fma(diff, diff, d);
              }
              const closer = k.lt(d, bestD);
              k.assign(bestD, k.select(closer, d, bestD));
              k.assign(best, k.select(closer, c, best));
            }
            k.st(member, i, best);
          });
        },
      }],
      reference: () => {
        const o = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let best = 0, bestD = Infinity;
          for (let c = 0; c < CLUSTERS; c++) {
            let d = 0;
            for (let f = 0; f < FEATURES; f++) {
              const diff = feats[f]!.data[i]! - cent.data[c * FEATURES + f]!;
              d = diff * diff + d;
            }
            if (d < bestD) { bestD = d; best = c; }
          }
          o[i] = best;
        }
        return new Map([['membership', o]]);
      },
    };
  },
};

const SEQ_LEN = 32; // ASSUMPTION (reprolab): MPU-Sim's per-pair sequence length was not recorded
const MATCH = 1, MISMATCH = -1, GAP = 1;

export const NW: WorkloadDef = {
  name: 'NW',
  description: `Needleman-Wunsch global alignment, one thread per sequence pair, length ${SEQ_LEN} (assumed), pair-interleaved DP matrix`,
  defaultSize: 4096, sizeUnit: 'sequence pairs', source: SIM_SIZE_SOURCE, minSize: 1, maxSize: 1 << 18,
  footprintBytes: (p) => 4 * p * ((SEQ_LEN + 1) ** 2 + 2 * SEQ_LEN + 1),
  estimateWarpInstructions: (p) => Math.ceil(p / 32) * SEQ_LEN * SEQ_LEN * 14,
  build(p, seed) {
    const r = rng(seed);
    const letters = (len: number) => Float32Array.from({ length: len }, () => Math.floor(r() * 4));
    const seqA = new GBuf('seqA', letters(SEQ_LEN * p));
    const seqB = new GBuf('seqB', letters(SEQ_LEN * p));
    const W = SEQ_LEN + 1;
    const H = new GBuf('H', new Float32Array(W * W * p));
    const score = new GBuf('score', new Float32Array(p));
    return {
      buffers: [seqA, seqB, H, score], outputs: [score, H], tolerance: 0,
      launches: [{
        name: 'nw', gridDim: Math.ceil(p / B), blockDim: B, smemWords: 0,
        body: (k) => {
          const q = k.iadd(k.tid, k.bid * k.bdim);
          k.if(k.lt(q, p), () => {
            k.loop(W, (j) => k.st(H, k.iadd(q, j * p), -GAP * j));
            k.loop(SEQ_LEN, (i0) => {
              const i = i0 + 1;
              k.st(H, k.iadd(q, i * W * p), -GAP * i);
              const a = k.ld(seqA, k.iadd(q, i0 * p));
              const left = k.var(-GAP * i);
              const diag = k.var(-GAP * (i - 1));
              k.loop(SEQ_LEN, (j0) => {
                const j = j0 + 1;
                const up = k.ld(H, k.iadd(q, ((i - 1) * W + j) * p));
                const s = k.select(k.eq(a, k.ld(seqB, k.iadd(q, j0 * p))), MATCH, MISMATCH);
                const h = k.max(k.max(k.add(diag, s), k.sub(up, GAP)), k.sub(left, GAP));
                k.st(H, k.iadd(q, (i * W + j) * p), h);
                k.assign(diag, up);
                k.assign(left, h);
              });
            });
            k.st(score, q, k.ld(H, k.iadd(q, (W * W - 1) * p)));
          });
        },
      }],
      reference: () => {
        const h = new Float32Array(W * W * p);
        const sc = new Float32Array(p);
        for (let q = 0; q < p; q++) {
          const at = (i: number, j: number) => (i * W + j) * p + q;
          for (let j = 0; j < W; j++) h[at(0, j)] = -GAP * j;
          for (let i = 1; i < W; i++) {
            h[at(i, 0)] = -GAP * i;
            for (let j = 1; j < W; j++) {
              const s = seqA.data[(i - 1) * p + q] === seqB.data[(j - 1) * p + q] ? MATCH : MISMATCH;
              h[at(i, j)] = Math.max(h[at(i - 1, j - 1)]! + s, h[at(i - 1, j)]! - GAP, h[at(i, j - 1)]! - GAP);
            }
          }
          sc[q] = h[at(SEQ_LEN, SEQ_LEN)]!;
        }
        return new Map([['score', sc], ['H', h]]);
      },
    };
  },
};
