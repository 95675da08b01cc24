/**
 * A small SIMT kernel language. Kernel code is written per thread (every operation acts on all
 * threads of a block); executing one block both computes the values (reference semantics) and,
 * when tracing, emits one warp-level instruction per warp that has active lanes.
 * Executing a whole block op-by-op is a legal SIMT interleaving for race-free kernels, so
 * barriers and shared memory behave as on hardware.
 */
import {
  LOC_FAR, OP_ATOMG, OP_ATOMS, OP_BAR, OP_BRA, OP_FADD, OP_FDIV, OP_FFMA, OP_IADD, OP_IMUL,
  OP_LDG, OP_LDS, OP_SFU, OP_STG, OP_STS, OP_XFER, WarpTrace,
} from './trace';
import type { BlockTrace } from './trace';

export const WARP = 32;
export const ELEM_BYTES = 4;
/** Location bitmask: bit 0 = far-bank, bit 1+pg = near-bank processing group pg. */
export const LOC_ALL = 0x1f;

/** A global buffer. `replicated` buffers are small read-only inputs the MPU runtime copies into every core. */
export class GBuf {
  base = 0;
  constructor(
    readonly name: string,
    readonly data: Float32Array | Int32Array,
    readonly replicated = false,
  ) {}
}

/** Decides where ALU instructions run and where loaded data lands (the offload policy). */
export interface OffloadPolicy {
  readonly name: string;
  /** Loads/shared loads keep data near-bank (true) or return it to the subcore (false). */
  readonly memNear: boolean;
  /** Location code (0 far, 1+pg near) for an ALU op given operand location bitmasks (LOC_ALL for constants). */
  aluLocation(locA: number, locB: number, locC: number, homePg: number): number;
}

/** Hooks from the timing model that the language needs to place values. */
export interface Placement {
  policy: OffloadPolicy;
  /** Processing group holding a global byte address (0 when the model has no PGs). */
  pgOf(addr: number, buf: GBuf): number;
  homePg(warp: number): number;
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
  smemWords: number;
  body: (k: BlockCtx) => void;
}

const NO_DEP = -1;

export class BlockCtx {
  readonly lanes: number;
  readonly numWarps: number;
  bid = 0;
  gdim = 0;
  readonly tid: Vec;
  readonly smem: Float64Array;
  private mask: Uint8Array;
  private warpMask: Int32Array;
  private arena: Vec[] = [];
  private arenaNext = 0;
  private traces: WarpTrace[] | null = null;
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
    this.tid = this.newVec();
    for (let i = 0; i < this.lanes; i++) this.tid.v[i] = i;
    this.tid.loc.fill(LOC_ALL);
    this.arena.length = 0; // tid lives outside the arena
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
  }

  // ---------- values ----------
  private newVec(): Vec {
    let vec = this.arena[this.arenaNext];
    if (!vec) {
      vec = new Vec(new Float64Array(this.lanes), new Int32Array(this.numWarps), new Uint8Array(this.numWarps));
      this.arena.push(vec);
    }
    this.arenaNext++;
    vec.seq.fill(NO_DEP);
    vec.loc.fill(LOC_ALL);
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
    x.seq[w] = t.push(OP_XFER, loc, this.warpMask[w]!, x.seq[w]!, NO_DEP, -1, bytes);
    x.loc[w]! |= bit;
    this.instructions++;
  }

  private emitAlu(op: number, r: Vec, a: Val, b: Val, c: Val): void {
    const nW = this.numWarps;
    if (!this.traces) {
      for (let w = 0; w < nW; w++) if (this.warpMask[w] !== 0) this.instructions++;
      return;
    }
    const pl = this.placement!;
    for (let w = 0; w < nW; w++) {
      const m = this.warpMask[w]!;
      if (m === 0) continue;
      const loc = pl.policy.aluLocation(this.operandLoc(a, w), this.operandLoc(b, w), this.operandLoc(c, w), pl.homePg(w));
      const bytes = 4 * activeLanes(m);
      this.ensureAt(a, w, loc, bytes);
      this.ensureAt(b, w, loc, bytes);
      this.ensureAt(c, w, loc, bytes);
      const { hi, lo } = twoLatest(this.seqOf(a, w), this.seqOf(b, w), this.seqOf(c, w));
      r.seq[w] = this.traces[w]!.push(op, loc, m, hi, lo, -1, 0);
      r.loc[w] = 1 << loc;
      this.instructions++;
    }
  }

  private un(op: number, a: Val, f: (x: number) => number): Vec {
    const r = this.newVec();
    const o = r.v;
    if (typeof a === 'number') o.fill(f(a));
    else for (let i = 0; i < this.lanes; i++) o[i] = f(a.v[i]!);
    this.emitAlu(op, r, a, 0, 0);
    return r;
  }

  private bin(op: number, a: Val, b: Val, kind: number): Vec {
    const r = this.newVec();
    const o = r.v;
    const n = this.lanes;
    const av = typeof a === 'number' ? null : a.v;
    const bv = typeof b === 'number' ? null : b.v;
    const as = typeof a === 'number' ? a : 0;
    const bs = typeof b === 'number' ? b : 0;
    for (let i = 0; i < n; i++) {
      const x = av ? av[i]! : as;
      const y = bv ? bv[i]! : bs;
      o[i] = binop(kind, x, y);
    }
    this.emitAlu(op, r, a, b, 0);
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
    for (let i = 0; i < this.lanes; i++) r.v[i] = lane(a, i) * lane(b, i) + lane(c, i);
    this.emitAlu(OP_FFMA, r, a, b, c);
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
    for (let i = 0; i < this.lanes; i++) r.v[i] = lane(c, i) !== 0 ? lane(a, i) : lane(b, i);
    this.emitAlu(OP_IADD, r, c, a, b);
    return r;
  }

  // ---------- global memory ----------
  private checkIndex(buf: GBuf, idx: number): void {
    if (!(idx >= 0 && idx < buf.data.length) || idx !== Math.floor(idx)) {
      throw new Error(`kernel ${this.launch.name}: ${buf.name}[${idx}] out of bounds (length ${buf.data.length})`);
    }
  }

  /** Bus bytes to ship warp w's addresses to location `loc`: 8 B when affine (base + stride), else 4 B per lane. */
  private addressBytes(idx: Val, w: number, loc: number): number {
    if (typeof idx === 'number') return loc === LOC_FAR ? 0 : 8;
    if (idx.loc[w]! & (1 << loc)) return 0;
    const m = this.warpMask[w]!;
    const v = idx.v;
    const base = w * WARP;
    let first = -1;
    let stride = NaN;
    let prev = 0;
    let affine = true;
    for (let l = 0; l < WARP; l++) {
      if (!((m >>> l) & 1)) continue;
      const x = v[base + l]!;
      if (first < 0) first = l;
      else if (Number.isNaN(stride)) stride = x - prev;
      else if (x - prev !== stride) { affine = false; break; }
      prev = x;
    }
    return affine ? 8 : 4 * activeLanes(m);
  }

  private emitMem(op: number, buf: GBuf | null, idx: Val, val: Val, r: Vec | null): void {
    const nW = this.numWarps;
    if (!this.traces) {
      for (let w = 0; w < nW; w++) if (this.warpMask[w] !== 0) this.instructions++;
      return;
    }
    const pl = this.placement!;
    const isLoad = op === OP_LDG || op === OP_LDS;
    const base = buf ? buf.base : 0;
    for (let w = 0; w < nW; w++) {
      const m = this.warpMask[w]!;
      if (m === 0) continue;
      const t = this.traces[w]!;
      const off = t.allocAddrs();
      let firstAddr = -1;
      for (let l = 0; l < WARP; l++) {
        if (!((m >>> l) & 1)) continue;
        const a = base + ELEM_BYTES * lane(idx, w * WARP + l);
        t.addrs[off + l] = a;
        if (firstAddr < 0) firstAddr = a;
      }
      let loc: number;
      const targetPg = buf ? pl.pgOf(firstAddr, buf) : pl.homePg(w);
      if (isLoad) loc = pl.policy.memNear ? 1 + targetPg : LOC_FAR;
      else {
        // stores/atomics run where their value lives: near in the target PG if it is there
        const vl = this.operandLoc(val, w);
        loc = vl & (1 << (1 + targetPg)) ? 1 + targetPg : (vl & 1 ? LOC_FAR : 1 + firstNearPg(vl));
      }
      const aux = this.addressBytes(idx, w, loc);
      const { hi, lo } = twoLatest(this.seqOf(idx, w), this.seqOf(val, w), NO_DEP);
      const s = t.push(op, loc, m, hi, lo, off, aux);
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
    const d = buf.data;
    for (let i = 0; i < this.lanes; i++) {
      if (!m[i]) continue;
      const j = lane(idx, i);
      this.checkIndex(buf, j);
      r.v[i] = d[j]!;
    }
    this.emitMem(OP_LDG, buf, idx, 0, r);
    return r;
  }

  st(buf: GBuf, idx: Val, val: Val): void {
    const m = this.mask;
    const d = buf.data;
    for (let i = 0; i < this.lanes; i++) {
      if (!m[i]) continue;
      const j = lane(idx, i);
      this.checkIndex(buf, j);
      d[j] = lane(val, i);
    }
    this.emitMem(OP_STG, buf, idx, val, null);
  }

  atomicAdd(buf: GBuf, idx: Val, val: Val): void {
    const m = this.mask;
    const d = buf.data;
    for (let i = 0; i < this.lanes; i++) {
      if (!m[i]) continue;
      const j = lane(idx, i);
      this.checkIndex(buf, j);
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
    for (let i = 0; i < this.lanes; i++) {
      if (!this.mask[i]) continue;
      const j = lane(idx, i);
      this.checkSmem(j);
      r.v[i] = this.smem[j]!;
    }
    this.emitMem(OP_LDS, null, idx, 0, r);
    return r;
  }

  sts(idx: Val, val: Val): void {
    for (let i = 0; i < this.lanes; i++) {
      if (!this.mask[i]) continue;
      const j = lane(idx, i);
      this.checkSmem(j);
      this.smem[j] = lane(val, i);
    }
    this.emitMem(OP_STS, null, idx, val, null);
  }

  atomicAddShared(idx: Val, val: Val): void {
    for (let i = 0; i < this.lanes; i++) {
      if (!this.mask[i]) continue;
      const j = lane(idx, i);
      this.checkSmem(j);
      this.smem[j] = this.smem[j]! + lane(val, i);
    }
    this.emitMem(OP_ATOMS, null, idx, val, null);
  }

  /** __syncthreads(): must be reached by every thread (call from uniform code only). */
  sync(): void {
    for (let w = 0; w < this.numWarps; w++) {
      if (this.warpMask[w] !== -1) throw new Error(`kernel ${this.launch.name}: sync() under divergent control flow`);
      this.instructions++;
      if (this.traces) this.traces[w]!.push(OP_BAR, LOC_FAR, -1, NO_DEP, NO_DEP, -1, 0);
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
      if (cond !== null) this.ensureAt(cond, w, LOC_FAR, 4);
      const dep = cond === null ? NO_DEP : this.seqOf(cond, w);
      this.traces[w]!.push(OP_BRA, LOC_FAR, m, dep, NO_DEP, -1, 0);
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

  if(cond: Val, then: () => void, otherwise?: () => void): void {
    this.emitBranch(cond);
    const saved = this.mask;
    const tMask = new Uint8Array(this.lanes);
    const eMask = new Uint8Array(this.lanes);
    for (let i = 0; i < this.lanes; i++) {
      const c = lane(cond, i) !== 0;
      tMask[i] = saved[i]! & (c ? 1 : 0);
      eMask[i] = saved[i]! & (c ? 0 : 1);
    }
    this.setMask(tMask);
    if (this.anyActive()) then();
    if (otherwise) {
      this.setMask(eMask);
      if (this.anyActive()) otherwise();
    }
    this.setMask(saved);
  }

  /** Uniform counted loop; emits the counter update and branch per iteration. */
  loop(count: number, body: (i: number) => void): void {
    for (let i = 0; i < count; i++) {
      body(i);
      for (let w = 0; w < this.numWarps; w++) {
        const m = this.warpMask[w]!;
        if (m === 0) continue;
        this.instructions++;
        if (this.traces) this.traces[w]!.push(OP_IADD, LOC_FAR, m, NO_DEP, NO_DEP, -1, 0);
      }
      this.emitBranch(null);
    }
  }

  /** Divergent while loop: lanes leave when cond() is false. */
  while(cond: () => Vec, body: () => void): void {
    const saved = this.mask;
    for (;;) {
      const c = cond();
      this.emitBranch(c);
      const next = new Uint8Array(this.lanes);
      let any = false;
      for (let i = 0; i < this.lanes; i++) {
        next[i] = this.mask[i]! & (c.v[i] !== 0 ? 1 : 0);
        if (next[i]) any = true;
      }
      if (!any) break;
      this.setMask(next);
      body();
    }
    this.setMask(saved);
  }
}

const K_ADD = 0, K_SUB = 1, K_MUL = 2, K_DIV = 3, K_MIN = 4, K_MAX = 5, K_IDIV = 6, K_IMOD = 7,
  K_LT = 8, K_LE = 9, K_GT = 10, K_GE = 11, K_EQ = 12, K_AND = 13;

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
