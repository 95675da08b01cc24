/**
 * A small SIMT kernel language. Kernel code is written per thread (every operation acts on all
 * threads of a block); executing one block both computes the values (reference semantics) and,
 * when tracing, emits one warp-level instruction per warp that has active lanes.
 * Executing a whole block op-by-op is a legal SIMT interleaving for race-free kernels, so
 * barriers and shared memory behave as on hardware.
 */
import {
  ADDR_AFFINE, ADDR_LIST, ADDR_SMEM, F_MASK, LOC_FAR, LOC_PENDING, REC, addAux, recLoc, withLoc, OP_ATOMG, OP_ATOMS, OP_BAR, OP_BRA, OP_FADD, OP_FDIV, OP_FFMA, OP_IADD, OP_IMUL,
  OP_LDG, OP_LDS, OP_SFU, OP_STG, OP_STS, OP_XFER, type WarpTrace,
} from './trace';
import type { BlockTrace } from './trace';

export const WARP = 32;
export const ELEM_BYTES = 4;
/** Location bitmask: bit 0 = far-bank, bit 1+pg = near-bank processing group pg. */
export const LOC_ALL = 0x1f;

/** A global buffer (placed by the model's allocator). */
export class GBuf {
  base = 0;
  constructor(
    readonly name: string,
    readonly data: Float32Array | Int32Array,
  ) {}
}

/** Decides where ALU instructions run and where loaded data lands (the offload policy). */
export interface OffloadPolicy {
  readonly name: string;
  /** Loads/shared loads keep data near-bank (true) or return it to the subcore (false). */
  readonly memNear: boolean;
  /** Location code (0 far, 1+pg near) for an ALU op given operand location bitmasks (LOC_ALL for constants). */
  aluLocation(locA: number, locB: number, locC: number, homePg: number): number;
  /**
   * Demand-driven placement (MPU-Sim's backend/annotate_location.py, read not copied): ALU ops stay
   * undecided until a consumer fixes where their value must be (global addresses and branch
   * predicates far-bank; loaded data, store values and shared-memory operands near-bank); the demand
   * propagates back through the producers. A value needed in two places crosses the bus once.
   * Values no anchor reaches run near-bank when all their operands are there, else far-bank
   * (MPU-Sim's instr_offload_engine hardware policy). aluLocation is unused when set.
   */
  readonly deferred?: boolean;
}

/** Hooks from the timing model that the language needs to place values. */
export interface Placement {
  policy: OffloadPolicy;
  /** Processing group holding a global byte address (0 when the model has no PGs). */
  pgOf(addr: number, buf: GBuf): number;
  homePg(warp: number): number;
  /** Shared-memory banks (4 B wide) for the bank-conflict degree recorded with each shared access. */
  smemBanks: number;
}

export class Vec {
  constructor(
    readonly v: Float64Array,
    readonly seq: Int32Array,
    readonly loc: Uint8Array,
  ) {}
}

export type Val = Vec | number;

export interface KernelLaunch {
  name: string;
  gridDim: number;
  blockDim: number;
  /** x extent of a 2D block (threadIdx.x = tid % blockDimX, threadIdx.y = tid / blockDimX); default blockDim. */
  blockDimX?: number;
  smemWords: number;
  body: (k: BlockCtx) => void;
  /**
   * MPU runtime block-to-core mapping (MPU-Sim's `mapping_dict`); default block i -> core i mod cores,
   * the default of every MPU-Sim benchmark script except NW.
   */
  mpuBlockCore?: (bid: number, cores: number) => number;
}

const NO_DEP = -1;

/**
 * Generation-time data of one warp's stream, indexed by record: operand producers (3 per record;
 * -1 constant/special register, -2 no operand) and the locations where each value is available.
 * Owned by the BlockCtx and reused for every block (the machines never read it), which keeps the
 * traces that stay resident while a block runs small.
 */
class GenInfo {
  opnd = new Int32Array(3 * 64);
  avail = new Int32Array(64);

  /** Makes record index i addressable. */
  ensure(i: number): void {
    if (i < this.avail.length) return;
    let n = this.avail.length * 2;
    while (n <= i) n *= 2;
    const op3 = new Int32Array(3 * n); op3.set(this.opnd); this.opnd = op3;
    const av = new Int32Array(n); av.set(this.avail); this.avail = av;
  }
}

export class BlockCtx {
  readonly lanes: number;
  readonly numWarps: number;
  bid = 0;
  gdim = 0;
  readonly tid: Vec;
  /** threadIdx.x / threadIdx.y of a 2D block (special registers: no instruction). */
  readonly tidx: Vec;
  readonly tidy: Vec;
  readonly smem: Float64Array;
  private mask: Uint8Array;
  private warpMask: Int32Array;
  private arena: Vec[] = [];
  private arenaNext = 0;
  private traces: WarpTrace[] | null = null;
  private readonly gen: GenInfo[] = [];
  private placement: Placement | null = null;
  /** Number of warp instructions emitted (counted even when not tracing). */
  instructions = 0;

  constructor(readonly launch: KernelLaunch) {
    if (launch.blockDim % WARP !== 0) throw new Error(`kernel ${launch.name}: blockDim must be a multiple of ${WARP}`);
    this.lanes = launch.blockDim;
    this.numWarps = launch.blockDim / WARP;
    this.mask = new Uint8Array(this.lanes).fill(1);
    this.warpMask = new Int32Array(this.numWarps).fill(-1);
    this.smem = new Float64Array(launch.smemWords);
    for (let w = 0; w < this.numWarps; w++) this.gen.push(new GenInfo());
    this.tid = this.newVec();
    for (let i = 0; i < this.lanes; i++) this.tid.v[i] = i;
    this.tid.loc.fill(LOC_ALL);
    const bx = launch.blockDimX ?? launch.blockDim;
    if (launch.blockDim % bx !== 0) throw new Error(`kernel ${launch.name}: blockDimX must divide blockDim`);
    this.tidx = this.newVec();
    this.tidy = this.newVec();
    for (let i = 0; i < this.lanes; i++) { this.tidx.v[i] = i % bx; this.tidy.v[i] = Math.floor(i / bx); }
    this.arena.length = 0; // tid, tidx, tidy live outside the arena
    this.arenaNext = 0;
  }

  get bdim(): number {
    return this.lanes;
  }

  /** Runs one block. `trace` receives the warp streams when given. */
  runBlock(bid: number, gdim: number, trace: BlockTrace | null, placement: Placement | null): void {
    this.bid = bid;
    this.gdim = gdim;
    this.arenaNext = 0;
    this.mask.fill(1);
    this.warpMask.fill(-1);
    this.smem.fill(0);
    this.traces = trace ? trace.warps : null;
    this.placement = placement;
    if (trace) for (const w of trace.warps) w.reset();
    this.launch.body(this);
    this.settlePending();
  }

  // ---------- values ----------
  private newVec(): Vec {
    let vec = this.arena[this.arenaNext];
    if (!vec) {
      vec = new Vec(new Float64Array(this.lanes), new Int32Array(this.numWarps), new Uint8Array(this.numWarps));
      this.arena.push(vec);
    }
    this.arenaNext++;
    // a few warps per block: plain loops beat fill() calls here
    const seq = vec.seq, loc = vec.loc;
    for (let w = 0; w < seq.length; w++) { seq[w] = NO_DEP; loc[w] = LOC_ALL; }
    return vec;
  }

  /** A mutable register initialised to `init` (no instruction for constants). */
  var(init: Val): Vec {
    const r = this.newVec();
    if (typeof init === 'number') r.v.fill(init);
    else {
      r.v.set(init.v);
      r.seq.set(init.seq);
      r.loc.set(init.loc);
    }
    return r;
  }

  /** Masked register write: the producing instruction writes `dst` directly, so no instruction. */
  assign(dst: Vec, src: Val): void {
    const m = this.mask;
    if (typeof src === 'number') {
      for (let i = 0; i < this.lanes; i++) if (m[i]) dst.v[i] = src;
      for (let w = 0; w < this.numWarps; w++) if (this.warpMask[w] !== 0) {
        dst.seq[w] = NO_DEP;
        dst.loc[w] = LOC_ALL;
      }
      return;
    }
    for (let i = 0; i < this.lanes; i++) if (m[i]) dst.v[i] = src.v[i]!;
    for (let w = 0; w < this.numWarps; w++) if (this.warpMask[w] !== 0) {
      dst.seq[w] = src.seq[w]!;
      dst.loc[w] = src.loc[w]!;
    }
  }

  // ---------- emission helpers ----------
  private operandLoc(x: Val, w: number): number {
    return typeof x === 'number' ? LOC_ALL : x.loc[w]!;
  }

  private seqOf(x: Val, w: number): number {
    return typeof x === 'number' ? NO_DEP : x.seq[w]!;
  }

  /** Moves operand x of warp w to location `loc` over the bus when it is not already there. */
  private ensureAt(x: Val, w: number, loc: number, bytes: number): void {
    if (typeof x === 'number') return;
    const bit = 1 << loc;
    if (x.loc[w]! & bit) return;
    const t = this.traces![w]!;
    x.seq[w] = t.push(OP_XFER, loc, this.warpMask[w]!, x.seq[w]!, NO_DEP, bytes);
    x.loc[w]! |= bit;
    this.instructions++;
  }

  // ---------- demand-driven placement (policy.deferred) ----------
  /** Work stack of (record, location) pairs; a typed array because `length = 0` + push reallocated per call. */
  private stack = new Int32Array(64);

  /** Bytes that must cross the bus so that value `p` (a record of trace t) is available at `loc`; fixes pending producers. */
  private need(t: WarpTrace, g: GenInfo, p: number, loc: number, bytes: number): number {
    if (p < 0) return 0;
    const recs = t.recs;
    if (recLoc(recs[p * REC]!) === LOC_PENDING) { this.resolve(t, g, p, loc); return 0; }
    const bit = 1 << loc;
    if (g.avail[p]! & bit) return 0;
    g.avail[p]! |= bit;
    return bytes;
  }

  /** Places pending record p at `loc` and pulls its operands there (iteratively). */
  private resolve(t: WarpTrace, g: GenInfo, p0: number, loc0: number): void {
    let st = this.stack;
    st[0] = p0; st[1] = loc0;
    let top = 2;
    const recs = t.recs;
    while (top > 0) {
      const loc = st[--top]!;
      const p = st[--top]!;
      const o = p * REC;
      if (recLoc(recs[o]!) !== LOC_PENDING) continue;
      recs[o] = withLoc(recs[o]!, loc);
      g.avail[p] = 1 << loc;
      const bytes = 4 * activeLanes(recs[o + F_MASK]!);
      for (let j = 0; j < 3; j++) {
        const q = g.opnd[3 * p + j]!;
        if (q < 0) continue;
        if (recLoc(recs[q * REC]!) === LOC_PENDING) {
          if (top + 2 > st.length) { const grown = new Int32Array(st.length * 2); grown.set(st); this.stack = st = grown; }
          st[top++] = q; st[top++] = loc;
          continue;
        }
        const bit = 1 << loc;
        if (!(g.avail[q]! & bit)) { g.avail[q]! |= bit; recs[o] = addAux(recs[o]!, bytes); }
      }
    }
  }

  /** End of block: values no consumer placed run near-bank if all operands are in one PG, else far-bank. */
  private settlePending(): void {
    if (!this.traces || !this.placement?.policy.deferred) return;
    for (let w = 0; w < this.traces.length; w++) {
      const t = this.traces[w]!;
      const g = this.gen[w]!;
      const recs = t.recs;
      for (let p = 0; p < t.count; p++) {
        if (recLoc(recs[p * REC]!) !== LOC_PENDING) continue;
        // near locations every operand has; immediates, parameters and special registers count as
        // far-bank (MPU-Sim default_{imm,param,specialreg}_loc_is_near_bank = false)
        let common = LOC_ALL & ~1;
        for (let j = 0; j < 3; j++) {
          const q = g.opnd[3 * p + j]!;
          if (q >= 0) common &= g.avail[q]!;
          else if (q === -1) common = 0;
        }
        let loc = LOC_FAR;
        for (let pg = 0; pg < 4; pg++) if (common & (2 << pg)) { loc = 1 + pg; break; }
        this.resolve(t, g, p, loc);
      }
    }
  }

  private emitAlu(op: number, r: Vec, a: Val, b: Val, c: Val, nOps: number): void {
    const nW = this.numWarps;
    if (!this.traces) {
      for (let w = 0; w < nW; w++) if (this.warpMask[w] !== 0) this.instructions++;
      return;
    }
    const pl = this.placement!;
    if (pl.policy.deferred) {
      const traces = this.traces, gen = this.gen, wm = this.warpMask;
      const aSeq = typeof a === 'number' ? null : a.seq, bSeq = typeof b === 'number' ? null : b.seq, cSeq = typeof c === 'number' ? null : c.seq;
      for (let w = 0; w < nW; w++) {
        const m = wm[w]!;
        if (m === 0) continue;
        const t: WarpTrace = traces[w]!;
        const sa = aSeq ? aSeq[w]! : NO_DEP, sb = bSeq ? bSeq[w]! : NO_DEP, sc = cSeq ? cSeq[w]! : NO_DEP;
        const { hi, lo } = twoLatest(sa, sb, sc);
        const i = t.push(op, LOC_PENDING, m, hi, lo, 0);
        const g = gen[w]!;
        g.ensure(i);
        // -1: immediate / special register operand; -2: no operand
        g.opnd[3 * i] = sa; g.opnd[3 * i + 1] = nOps > 1 ? sb : -2; g.opnd[3 * i + 2] = nOps > 2 ? sc : -2;
        g.avail[i] = 0;
        r.seq[w] = i;
        r.loc[w] = 0;
        this.instructions++;
      }
      return;
    }
    for (let w = 0; w < nW; w++) {
      const m = this.warpMask[w]!;
      if (m === 0) continue;
      const loc = pl.policy.aluLocation(this.operandLoc(a, w), this.operandLoc(b, w), this.operandLoc(c, w), pl.homePg(w));
      const bytes = 4 * activeLanes(m);
      this.ensureAt(a, w, loc, bytes);
      this.ensureAt(b, w, loc, bytes);
      this.ensureAt(c, w, loc, bytes);
      const { hi, lo } = twoLatest(this.seqOf(a, w), this.seqOf(b, w), this.seqOf(c, w));
      r.seq[w] = this.traces[w]!.push(op, loc, m, hi, lo, 0);
      r.loc[w] = 1 << loc;
      this.instructions++;
    }
  }

  private un(op: number, a: Val, f: (x: number) => number): Vec {
    const r = this.newVec();
    const o = r.v;
    if (typeof a === 'number') o.fill(f(a));
    else for (let i = 0; i < this.lanes; i++) o[i] = f(a.v[i]!);
    this.emitAlu(op, r, a, 0, 0, 1);
    return r;
  }

  private bin(op: number, a: Val, b: Val, kind: number): Vec {
    const r = this.newVec();
    binLanes(kind, r.v, a, b, this.lanes);
    this.emitAlu(op, r, a, b, 0, 2);
    return r;
  }

  // ---------- arithmetic (fp32 class) ----------
  add(a: Val, b: Val): Vec { return this.bin(OP_FADD, a, b, K_ADD); }
  sub(a: Val, b: Val): Vec { return this.bin(OP_FADD, a, b, K_SUB); }
  mul(a: Val, b: Val): Vec { return this.bin(OP_FFMA, a, b, K_MUL); }
  div(a: Val, b: Val): Vec { return this.bin(OP_FDIV, a, b, K_DIV); }
  min(a: Val, b: Val): Vec { return this.bin(OP_FADD, a, b, K_MIN); }
  max(a: Val, b: Val): Vec { return this.bin(OP_FADD, a, b, K_MAX); }
  fma(a: Val, b: Val, c: Val): Vec {
    const r = this.newVec();
    const o = r.v, n = this.lanes;
    if (typeof a !== 'number' && typeof b === 'number' && typeof c !== 'number') {
      const x = a.v, z = c.v;
      for (let i = 0; i < n; i++) o[i] = x[i]! * b + z[i]!;
    } else if (typeof a !== 'number' && typeof b !== 'number' && typeof c !== 'number') {
      const x = a.v, y = b.v, z = c.v;
      for (let i = 0; i < n; i++) o[i] = x[i]! * y[i]! + z[i]!;
    } else {
      // mixed scalar/vector operands: per-operand array or constant, no polymorphic per-lane helper
      const x = typeof a === 'number' ? null : a.v, y = typeof b === 'number' ? null : b.v, z = typeof c === 'number' ? null : c.v;
      const xs = typeof a === 'number' ? a : 0, ys = typeof b === 'number' ? b : 0, zs = typeof c === 'number' ? c : 0;
      for (let i = 0; i < n; i++) o[i] = (x ? x[i]! : xs) * (y ? y[i]! : ys) + (z ? z[i]! : zs);
    }
    this.emitAlu(OP_FFMA, r, a, b, c, 3);
    return r;
  }
  sqrt(a: Val): Vec { return this.un(OP_SFU, a, Math.sqrt); }
  floor(a: Val): Vec { return this.un(OP_IADD, a, Math.floor); }
  // ---------- integer class ----------
  iadd(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_ADD); }
  isub(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_SUB); }
  imul(a: Val, b: Val): Vec { return this.bin(OP_IMUL, a, b, K_MUL); }
  /** Integer division/modulo by a value (compiled to multiply-shift sequences: IMUL class). */
  idiv(a: Val, b: Val): Vec { return this.bin(OP_IMUL, a, b, K_IDIV); }
  imod(a: Val, b: Val): Vec { return this.bin(OP_IMUL, a, b, K_IMOD); }
  imin(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_MIN); }
  imax(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_MAX); }
  lt(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_LT); }
  le(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_LE); }
  gt(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_GT); }
  ge(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_GE); }
  eq(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_EQ); }
  and(a: Val, b: Val): Vec { return this.bin(OP_IADD, a, b, K_AND); }
  select(c: Val, a: Val, b: Val): Vec {
    const r = this.newVec();
    const o = r.v;
    const cv = typeof c === 'number' ? null : c.v, x = typeof a === 'number' ? null : a.v, y = typeof b === 'number' ? null : b.v;
    const cs = typeof c === 'number' ? c : 0, xs = typeof a === 'number' ? a : 0, ys = typeof b === 'number' ? b : 0;
    for (let i = 0; i < this.lanes; i++) o[i] = (cv ? cv[i]! : cs) !== 0 ? (x ? x[i]! : xs) : (y ? y[i]! : ys);
    this.emitAlu(OP_IADD, r, c, a, b, 3);
    return r;
  }

  // ---------- global memory ----------
  private checkIndex(buf: GBuf, idx: number): void {
    if (!(idx >= 0 && idx < buf.data.length) || idx !== Math.floor(idx)) {
      throw new Error(`kernel ${this.launch.name}: ${buf.name}[${idx}] out of bounds (length ${buf.data.length})`);
    }
  }

  /**
   * Records warp w's addresses compactly: affine accesses (base + stride * lane, the common case)
   * keep two numbers, others 32. Returns the bus bytes needed to ship the addresses to `loc`
   * (8 B when affine, else 4 B per active lane; none when the index already lives there).
   */
  private emitMem(op: number, buf: GBuf | null, idx: Val, val: Val, r: Vec | null): void {
    const nW = this.numWarps;
    if (!this.traces) {
      for (let w = 0; w < nW; w++) if (this.warpMask[w] !== 0) this.instructions++;
      return;
    }
    const pl = this.placement!;
    const isLoad = op === OP_LDG || op === OP_LDS;
    const base = buf ? buf.base : 0;
    const scalar = typeof idx === 'number';
    const iv = scalar ? null : idx.v;
    for (let w = 0; w < nW; w++) {
      const m = this.warpMask[w]!;
      if (m === 0) continue;
      const t: WarpTrace = this.traces[w]!;
      // affine test over the active lanes (in element units)
      let first = -1, firstIdx = 0, stride = 0, affine = true, prevLane = -1, prevIdx = 0;
      if (!scalar && m === -1) {
        // full warp (the common case): indices are integers (checked by the caller), so the stride is too
        const b0 = w * WARP;
        first = 0; firstIdx = iv![b0]!; stride = iv![b0 + 1]! - firstIdx;
        for (let l = 2; l < WARP; l++) if (iv![b0 + l]! - iv![b0 + l - 1]! !== stride) { affine = false; break; }
      } else if (!scalar) {
        const b0 = w * WARP;
        for (let l = 0; l < WARP; l++) {
          if (!((m >>> l) & 1)) continue;
          const x = iv![b0 + l]!;
          if (first < 0) { first = l; firstIdx = x; }
          else if (prevLane === first) {
            stride = (x - prevIdx) / (l - prevLane);
            if (!Number.isInteger(stride)) { affine = false; break; }
          }
          else if (x - prevIdx !== stride * (l - prevLane)) { affine = false; break; }
          prevLane = l; prevIdx = x;
        }
      } else { first = 31 - Math.clz32(m & -m); firstIdx = idx; }
      let off: number;
      let firstAddr: number;
      if (!buf) {
        // shared memory: only the bank-conflict degree is kept
        off = t.allocAddrs(1);
        t.addrs[off] = smemConflictDegree(scalar ? null : iv!, w * WARP, m, op === OP_ATOMS, pl.smemBanks, affine, stride, this.scratch);
        firstAddr = 0;
      } else if (affine) {
        off = t.allocAddrs(2);
        t.addrs[off] = base + ELEM_BYTES * (firstIdx - stride * first);
        t.addrs[off + 1] = ELEM_BYTES * stride;
        firstAddr = base + ELEM_BYTES * firstIdx;
      } else {
        off = t.allocAddrs(WARP);
        const b0 = w * WARP;
        for (let l = 0; l < WARP; l++) if ((m >>> l) & 1) t.addrs[off + l] = base + ELEM_BYTES * iv![b0 + l]!;
        firstAddr = t.addrs[off + first]!;
      }
      let loc: number;
      let aux: number;
      const targetPg = buf ? pl.pgOf(firstAddr, buf) : pl.homePg(w);
      if (pl.policy.deferred) {
        // MPU-Sim annotate_location: global addresses are far-bank registers (the LSU ships them down
        // to the PG), loaded data and store values are near-bank; shared memory is near-bank
        // (default_smem_loc_is_near_bank), so its address and data registers are near-bank too.
        loc = 1 + targetPg;
        const lanesBytes = 4 * activeLanes(m);
        const g = this.gen[w]!;
        if (buf) aux = this.need(t, g, this.seqOf(idx, w), LOC_FAR, lanesBytes) + (affine ? 8 : lanesBytes);
        else aux = this.need(t, g, this.seqOf(idx, w), loc, lanesBytes);
        if (!isLoad) aux += this.need(t, g, this.seqOf(val, w), loc, lanesBytes);
      } else {
        if (isLoad) loc = pl.policy.memNear ? 1 + targetPg : LOC_FAR;
        else {
          // stores/atomics run where their value lives: near in the target PG if it is there
          const vl = this.operandLoc(val, w);
          loc = vl & (1 << (1 + targetPg)) ? 1 + targetPg : (vl & 1 ? LOC_FAR : 1 + firstNearPg(vl));
        }
        aux = scalar ? (loc === LOC_FAR ? 0 : 8) : (idx.loc[w]! & (1 << loc)) ? 0 : affine ? 8 : 4 * activeLanes(m);
      }
      const { hi, lo } = twoLatest(this.seqOf(idx, w), this.seqOf(val, w), NO_DEP);
      const s = t.push(op, loc, m, hi, lo, aux, !buf ? ADDR_SMEM : affine ? ADDR_AFFINE : ADDR_LIST);
      const g = this.gen[w]!;
      g.ensure(s);
      g.avail[s] = 1 << loc;
      this.instructions++;
      if (r) {
        r.seq[w] = s;
        r.loc[w] = 1 << loc;
      }
    }
  }

  ld(buf: GBuf, idx: Val): Vec {
    const r = this.newVec();
    const m = this.mask;
    const d = buf.data, len = d.length;
    const o = r.v;
    if (typeof idx === 'number') {
      for (let i = 0; i < this.lanes; i++) if (m[i]) { if (!inRange(idx, len)) this.checkIndex(buf, idx); o[i] = d[idx]!; }
    } else {
      const iv = idx.v;
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = iv[i]!;
        if (!inRange(j, len)) this.checkIndex(buf, j);
        o[i] = d[j]!;
      }
    }
    this.emitMem(OP_LDG, buf, idx, 0, r);
    return r;
  }

  st(buf: GBuf, idx: Val, val: Val): void {
    const m = this.mask;
    const d = buf.data, len = d.length;
    if (typeof idx !== 'number' && typeof val !== 'number') {
      const iv = idx.v, vv = val.v;
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = iv[i]!;
        if (!inRange(j, len)) this.checkIndex(buf, j);
        d[j] = vv[i]!;
      }
    } else {
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = lane(idx, i);
        if (!inRange(j, len)) this.checkIndex(buf, j);
        d[j] = lane(val, i);
      }
    }
    this.emitMem(OP_STG, buf, idx, val, null);
  }

  atomicAdd(buf: GBuf, idx: Val, val: Val): void {
    const m = this.mask;
    const d = buf.data, len = d.length;
    for (let i = 0; i < this.lanes; i++) {
      if (!m[i]) continue;
      const j = lane(idx, i);
      if (!inRange(j, len)) this.checkIndex(buf, j);
      d[j] = d[j]! + lane(val, i);
    }
    this.emitMem(OP_ATOMG, buf, idx, val, null);
  }

  // ---------- shared memory (word-indexed) ----------
  private checkSmem(j: number): void {
    if (!(j >= 0 && j < this.smem.length) || j !== Math.floor(j)) throw new Error(`kernel ${this.launch.name}: smem[${j}] out of bounds`);
  }

  lds(idx: Val): Vec {
    const r = this.newVec();
    const m = this.mask, sm = this.smem, len = sm.length, o = r.v;
    if (typeof idx === 'number') {
      for (let i = 0; i < this.lanes; i++) if (m[i]) { if (!inRange(idx, len)) this.checkSmem(idx); o[i] = sm[idx]!; }
    } else {
      const iv = idx.v;
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = iv[i]!;
        if (!inRange(j, len)) this.checkSmem(j);
        o[i] = sm[j]!;
      }
    }
    this.emitMem(OP_LDS, null, idx, 0, r);
    return r;
  }

  sts(idx: Val, val: Val): void {
    const m = this.mask, sm = this.smem, len = sm.length;
    if (typeof idx !== 'number' && typeof val !== 'number') {
      const iv = idx.v, vv = val.v;
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = iv[i]!;
        if (!inRange(j, len)) this.checkSmem(j);
        sm[j] = vv[i]!;
      }
    } else {
      for (let i = 0; i < this.lanes; i++) {
        if (!m[i]) continue;
        const j = lane(idx, i);
        if (!inRange(j, len)) this.checkSmem(j);
        sm[j] = lane(val, i);
      }
    }
    this.emitMem(OP_STS, null, idx, val, null);
  }

  atomicAddShared(idx: Val, val: Val): void {
    const m = this.mask, sm = this.smem, len = sm.length;
    for (let i = 0; i < this.lanes; i++) {
      if (!m[i]) continue;
      const j = lane(idx, i);
      if (!inRange(j, len)) this.checkSmem(j);
      sm[j] = sm[j]! + lane(val, i);
    }
    this.emitMem(OP_ATOMS, null, idx, val, null);
  }

  /** __syncthreads(): must be reached by every thread (call from uniform code only). */
  sync(): void {
    for (let w = 0; w < this.numWarps; w++) {
      if (this.warpMask[w] !== -1) throw new Error(`kernel ${this.launch.name}: sync() under divergent control flow`);
      this.instructions++;
      if (this.traces) this.traces[w]!.push(OP_BAR, LOC_FAR, -1, NO_DEP, NO_DEP, 0);
    }
  }

  // ---------- control flow ----------
  private emitBranch(cond: Val | null): void {
    for (let w = 0; w < this.numWarps; w++) {
      const m = this.warpMask[w]!;
      if (m === 0) continue;
      this.instructions++;
      if (!this.traces) continue;
      // the branch unit is far-bank: a near predicate crosses the bus (4 B mask)
      const t = this.traces[w]!;
      let aux = 0;
      if (cond !== null) {
        if (this.placement!.policy.deferred) aux = this.need(t, this.gen[w]!, this.seqOf(cond, w), LOC_FAR, 4);
        else this.ensureAt(cond, w, LOC_FAR, 4);
      }
      const dep = cond === null ? NO_DEP : this.seqOf(cond, w);
      t.push(OP_BRA, LOC_FAR, m, dep, NO_DEP, aux);
    }
  }

  private setMask(next: Uint8Array): void {
    this.mask = next;
    for (let w = 0; w < this.numWarps; w++) {
      let bits = 0;
      const b = w * WARP;
      for (let l = 0; l < WARP; l++) if (next[b + l]) bits |= 1 << l;
      this.warpMask[w] = bits;
    }
  }

  private anyActive(): boolean {
    for (let w = 0; w < this.numWarps; w++) if (this.warpMask[w] !== 0) return true;
    return false;
  }

  private readonly scratch: SmemScratch = {
    word: new Float64Array(32), count: new Int32Array(64), head: new Int32Array(64), next: new Int32Array(32),
    seen: new Int32Array(64), firstWord: new Float64Array(64), stamp: 0,
  };
  private maskPool: Uint8Array[] = [];
  private depth = 0;
  private maskAt(i: number): Uint8Array {
    let m = this.maskPool[i];
    if (!m) { m = new Uint8Array(this.lanes); this.maskPool[i] = m; }
    return m;
  }

  if(cond: Val, then: () => void, otherwise?: () => void): void {
    this.emitBranch(cond);
    const saved = this.mask;
    const d = this.depth++;
    const tMask = this.maskAt(2 * d);
    const eMask = this.maskAt(2 * d + 1);
    if (typeof cond === 'number') {
      const c = cond !== 0;
      for (let i = 0; i < this.lanes; i++) { tMask[i] = c ? saved[i]! : 0; eMask[i] = c ? 0 : saved[i]!; }
    } else {
      const cv = cond.v;
      for (let i = 0; i < this.lanes; i++) {
        const c = cv[i] !== 0;
        tMask[i] = c ? saved[i]! : 0;
        eMask[i] = c ? 0 : saved[i]!;
      }
    }
    this.setMask(tMask);
    if (this.anyActive()) then();
    if (otherwise) {
      this.setMask(eMask);
      if (this.anyActive()) otherwise();
    }
    this.setMask(saved);
    this.depth--;
  }

  /**
   * Uniform counted loop; emits the counter update and branch per iteration. Values created inside
   * the body are recycled after each iteration (carry results out through var()/assign()).
   */
  loop(count: number, body: (i: number) => void): void {
    for (let i = 0; i < count; i++) {
      const mark = this.arenaNext;
      body(i);
      this.arenaNext = mark;
      for (let w = 0; w < this.numWarps; w++) {
        const m = this.warpMask[w]!;
        if (m === 0) continue;
        this.instructions++;
        if (this.traces) this.traces[w]!.push(OP_IADD, LOC_FAR, m, NO_DEP, NO_DEP, 0);
      }
      this.emitBranch(null);
    }
  }

  /** Divergent while loop: lanes leave when cond() is false. Values created inside are recycled per iteration. */
  while(cond: () => Vec, body: () => void): void {
    const saved = this.mask;
    const d = this.depth++;
    let flip = 0;
    for (;;) {
      const mark = this.arenaNext;
      const c = cond();
      this.emitBranch(c);
      const next = this.maskAt(2 * d + flip);
      flip ^= 1;
      let any = false;
      const cur = this.mask;
      for (let i = 0; i < this.lanes; i++) {
        const on = cur[i]! & (c.v[i] !== 0 ? 1 : 0);
        next[i] = on;
        if (on) any = true;
      }
      if (!any) { this.arenaNext = mark; break; }
      this.setMask(next);
      body();
      this.arenaNext = mark;
    }
    this.setMask(saved);
    this.depth--;
  }

  /** CUDA grid-stride style loop `for (i = start; i < end; i += step) body(i)` (compare, branch, body, add). */
  forStride(start: Val, end: number, step: number, body: (i: Vec) => void): void {
    const i = this.var(start);
    this.while(() => this.lt(i, end), () => {
      body(i);
      this.assign(i, this.iadd(i, step));
    });
  }
}

const K_ADD = 0, K_SUB = 1, K_MUL = 2, K_DIV = 3, K_MIN = 4, K_MAX = 5, K_IDIV = 6, K_IMOD = 7,
  K_LT = 8, K_LE = 9, K_GT = 10, K_GE = 11, K_EQ = 12, K_AND = 13;

/** Lane loops specialised per operation (a switch per lane was a hot spot). */
function binLanes(kind: number, o: Float64Array, a: Val, b: Val, n: number): void {
  if (typeof a === 'number' && typeof b === 'number') { o.fill(binop(kind, a, b), 0, n); return; }
  if (typeof a !== 'number' && typeof b !== 'number') {
    const x = a.v, y = b.v;
    switch (kind) {
      case K_ADD: for (let i = 0; i < n; i++) o[i] = x[i]! + y[i]!; return;
      case K_SUB: for (let i = 0; i < n; i++) o[i] = x[i]! - y[i]!; return;
      case K_MUL: for (let i = 0; i < n; i++) o[i] = x[i]! * y[i]!; return;
      case K_MAX: for (let i = 0; i < n; i++) { const p = x[i]!, q = y[i]!; o[i] = p > q ? p : q; } return;
      case K_MIN: for (let i = 0; i < n; i++) { const p = x[i]!, q = y[i]!; o[i] = p < q ? p : q; } return;
      default: for (let i = 0; i < n; i++) o[i] = binop(kind, x[i]!, y[i]!); return;
    }
  }
  if (typeof b === 'number') {
    const x = (a as Vec).v;
    switch (kind) {
      case K_ADD: for (let i = 0; i < n; i++) o[i] = x[i]! + b; return;
      case K_SUB: for (let i = 0; i < n; i++) o[i] = x[i]! - b; return;
      case K_MUL: for (let i = 0; i < n; i++) o[i] = x[i]! * b; return;
      case K_LT: for (let i = 0; i < n; i++) o[i] = x[i]! < b ? 1 : 0; return;
      case K_LE: for (let i = 0; i < n; i++) o[i] = x[i]! <= b ? 1 : 0; return;
      case K_GT: for (let i = 0; i < n; i++) o[i] = x[i]! > b ? 1 : 0; return;
      case K_GE: for (let i = 0; i < n; i++) o[i] = x[i]! >= b ? 1 : 0; return;
      case K_EQ: for (let i = 0; i < n; i++) o[i] = x[i]! === b ? 1 : 0; return;
      case K_MIN: for (let i = 0; i < n; i++) { const p = x[i]!; o[i] = p < b ? p : b; } return;
      case K_MAX: for (let i = 0; i < n; i++) { const p = x[i]!; o[i] = p > b ? p : b; } return;
      default: for (let i = 0; i < n; i++) o[i] = binop(kind, x[i]!, b); return;
    }
  }
  const y = (b as Vec).v;
  const s = a as number;
  switch (kind) {
    case K_ADD: for (let i = 0; i < n; i++) o[i] = s + y[i]!; return;
    case K_SUB: for (let i = 0; i < n; i++) o[i] = s - y[i]!; return;
    case K_MUL: for (let i = 0; i < n; i++) o[i] = s * y[i]!; return;
    default: for (let i = 0; i < n; i++) o[i] = binop(kind, s, y[i]!);
  }
}

function binop(kind: number, x: number, y: number): number {
  switch (kind) {
    case K_ADD: return x + y;
    case K_SUB: return x - y;
    case K_MUL: return x * y;
    case K_DIV: return x / y;
    case K_MIN: return x < y ? x : y;
    case K_MAX: return x > y ? x : y;
    case K_IDIV: return Math.trunc(x / y);
    case K_IMOD: return x - Math.trunc(x / y) * y;
    case K_LT: return x < y ? 1 : 0;
    case K_LE: return x <= y ? 1 : 0;
    case K_GT: return x > y ? 1 : 0;
    case K_GE: return x >= y ? 1 : 0;
    case K_EQ: return x === y ? 1 : 0;
    default: return x !== 0 && y !== 0 ? 1 : 0;
  }
}

/** True when j is an integer index in [0, len) (the checkIndex/checkSmem condition; len < 2^32). */
function inRange(j: number, len: number): boolean {
  return (j >>> 0) === j && j < len;
}

function lane(x: Val, i: number): number {
  return typeof x === 'number' ? x : x.v[i]!;
}

function activeLanes(mask: number): number {
  let x = mask;
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function firstNearPg(locBits: number): number {
  for (let pg = 0; pg < 4; pg++) if (locBits & (1 << (1 + pg))) return pg;
  return 0;
}

const pair = { hi: NO_DEP, lo: NO_DEP };
/** The two most recent producers among three (in-order issue makes older ones rarely binding). */
function twoLatest(a: number, b: number, c: number): { hi: number; lo: number } {
  let hi = a, lo = b;
  if (lo > hi) { const t = hi; hi = lo; lo = t; }
  if (c > hi) { lo = hi; hi = c; } else if (c > lo) lo = c;
  pair.hi = hi;
  pair.lo = lo;
  return pair;
}

/**
 * Shared-memory bank conflicts of one warp access (word-indexed): the most distinct words in one bank;
 * atomics serialise every lane of a bank. Broadcasts and odd strides over 32 banks are conflict-free.
 */
interface SmemScratch {
  word: Float64Array; count: Int32Array; head: Int32Array; next: Int32Array;
  /** Conflict-free check: seen[b] === stamp when bank b has a word in this access (firstWord[b]). */
  seen: Int32Array; firstWord: Float64Array; stamp: number;
}

/** gcd(|s|, 32) of an integer s (32 when s is a multiple of 32). */
function gcdWith32(s: number): number {
  let g = 32;
  while (g > 1 && s % g !== 0) g >>= 1;
  return g;
}

function smemConflictDegree(idx: Float64Array | null, base: number, mask: number, atomic: boolean, banks: number,
  affine: boolean, stride: number, sc: SmemScratch): number {
  if (!atomic && affine && stride === 0) return 1;
  // a full warp at integer stride s over 32 banks puts exactly gcd(|s|, 32) distinct words in each bank it touches
  if (!atomic && affine && banks === 32 && mask === -1) return gcdWith32(stride);
  if (!idx) return atomic ? activeLanes(mask) : 1;
  const { word, count, head, next } = sc;
  const nb = Math.min(banks, count.length);
  // bank of a non-negative integer word when that is a bit mask (power-of-two banks, the usual case), else -1
  const bankBits = (banks & (banks - 1)) === 0 && nb === banks ? banks - 1 : -1;
  if (!atomic) {
    // common case first: no bank holds two distinct words (degree 1); the chains below only run on a conflict
    const seen = sc.seen, firstWord = sc.firstWord;
    if (sc.stamp >= 0x3fffffff) { seen.fill(0); sc.stamp = 0; }
    const stamp = ++sc.stamp;
    let conflict = false;
    for (let l = 0; l < WARP; l++) {
      if (!((mask >>> l) & 1)) continue;
      const w = idx[base + l]!;
      const wi = w | 0;
      const b = wi === w && wi >= 0 && bankBits >= 0 ? wi & bankBits : wi === w ? (((wi % banks) + banks) % banks) % nb : ((w % banks) + banks) % banks % nb;
      if (seen[b] !== stamp) { seen[b] = stamp; firstWord[b] = w; } else if (firstWord[b] !== w) { conflict = true; break; }
    }
    if (!conflict) return 1;
  }
  count.fill(0, 0, nb);
  head.fill(-1, 0, nb);
  // an affine access with a non-zero stride touches distinct words: count lanes per bank, no duplicate search
  const distinct = atomic || (affine && stride !== 0);
  let n = 0;
  let worst = 1;
  for (let l = 0; l < WARP; l++) {
    if (!((mask >>> l) & 1)) continue;
    const w = idx[base + l]!;
    // integer words (the normal case) take the int32 path; the result is the same as the double one
    const wi = w | 0;
    const b = wi === w && wi >= 0 && bankBits >= 0 ? wi & bankBits : wi === w ? (((wi % banks) + banks) % banks) % nb : ((w % banks) + banks) % banks % nb;
    if (!distinct) {
      // words already seen in this bank (chained per bank): a repeated word costs no extra pass
      let dup = false;
      for (let j = head[b]!; j >= 0; j = next[j]!) if (word[j] === w) { dup = true; break; }
      word[n] = w; next[n] = head[b]!; head[b] = n; n++;
      if (dup) continue;
    }
    const k = ++count[b]!;
    if (k > worst) worst = k;
  }
  return worst;
}
