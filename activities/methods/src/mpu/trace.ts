/** Warp-level instruction stream produced by the kernel language and consumed by both timing models. */

export const OP_IADD = 0; // integer add/compare/select/logic/move
export const OP_IMUL = 1;
export const OP_FADD = 2;
export const OP_FFMA = 3; // fp mul / fma
export const OP_FDIV = 4;
export const OP_SFU = 5; // sqrt, exp
export const OP_LDG = 6;
export const OP_STG = 7;
export const OP_ATOMG = 8;
export const OP_LDS = 9;
export const OP_STS = 10;
export const OP_ATOMS = 11;
export const OP_BAR = 12;
export const OP_BRA = 13;
export const OP_XFER = 14; // register transfer over the subcore<->PG bus (MPU only)
export const NUM_OPS = 15;

export const OP_NAMES = ['iadd', 'imul', 'fadd', 'ffma', 'fdiv', 'sfu', 'ldg', 'stg', 'atomg', 'lds', 'sts', 'atoms', 'bar', 'bra', 'xfer'] as const;

/** Location codes: 0 = far-bank (subcore); 1 + pg = near-bank in processing group pg. */
export const LOC_FAR = 0;
/** ALU instruction whose location is decided later, when a consumer needs its value somewhere (never seen by the machines). */
export const LOC_PENDING = 31;

/**
 * One instruction record is REC = 4 int32 (16 B). The engine reads each record once, long after the
 * block's trace was generated and interleaved with thousands of other warps, so record size sets its
 * cache misses (8 fields cost about a tenth of the host time); hence the packing.
 * - F_HEAD: opcode (bits 0-3) | location (4-8) | address mode (9-10) | aux (11-31: bus bytes the
 *   instruction moves: addresses / transfer payload / operands; at most a few hundred, see MAX_AUX)
 * - F_MASK: active-lane mask (int32 bit pattern)
 * - F_DEP_A, F_DEP_B: index of a producing instruction in this warp, or -1
 * Memory instructions keep their addresses in `addrs`, in program order; a warp executes them in
 * that order, so consumers walk the stream with takeAddrs() instead of storing offsets.
 */
export const F_HEAD = 0;
export const F_MASK = 1;
export const F_DEP_A = 2;
export const F_DEP_B = 3;
export const REC = 4;
/**
 * Once the engine has issued instruction i, its dependency fields are dead, and the same 8 bytes
 * (float64 slot i * 2 + DONE_SLOT of doneTimes()) hold its completion time (-1: not yet known):
 * a separate completion array was a second cache miss per instruction, plus a fill per block.
 */
export const DONE_SLOT = 1; // bytes 8-15 of the record: F_DEP_A, F_DEP_B
const LOC_SHIFT = 4;
const AMODE_SHIFT = 9;
const AUX_SHIFT = 11;
/** Largest aux a record holds (2^20 - 1 B; real values stay below 3 operands x 32 lanes x 4 B + 8). */
export const MAX_AUX = (1 << (31 - AUX_SHIFT)) - 1;
/** Address form of a memory op: ADDR_AFFINE (addrs[off] = lane-0 address, addrs[off+1] = stride) or ADDR_LIST (32 slots). */
export const ADDR_AFFINE = 0;
export const ADDR_LIST = 1;
/** Shared-memory op: addrs[off] holds the bank-conflict degree computed when the trace was generated. */
export const ADDR_SMEM = 2;

export function recOp(head: number): number { return head & 15; }
export function recLoc(head: number): number { return (head >>> LOC_SHIFT) & 31; }
export function recAmode(head: number): number { return (head >>> AMODE_SHIFT) & 3; }
export function recAux(head: number): number { return head >>> AUX_SHIFT; }
/** `head` with its location replaced. */
export function withLoc(head: number, loc: number): number { return (head & ~(31 << LOC_SHIFT)) | (loc << LOC_SHIFT); }
/** `head` with `bytes` added to its aux. */
export function addAux(head: number, bytes: number): number {
  if (recAux(head) + bytes > MAX_AUX) throw new Error(`trace: aux ${recAux(head) + bytes} B exceeds ${MAX_AUX}`);
  return head + bytes * (1 << AUX_SHIFT);
}

export class WarpTrace {
  recs: Int32Array;
  addrs: Float64Array;
  count = 0;
  addrCount = 0;
  /** Next unread address slot (consumers: takeAddrs). */
  private addrCursor = 0;
  /** Float64 view of `recs` (see DONE_SLOT), remade only when `recs` is replaced. */
  private doneView: Float64Array | null = null;
  private doneViewOf: Int32Array | null = null;

  /** Room for `records` instructions and `addrSlots` address slots before the arrays grow. */
  constructor(records = 64, addrSlots = 64) {
    this.recs = new Int32Array(REC * Math.max(1, records));
    this.addrs = new Float64Array(Math.max(1, addrSlots));
  }

  /** Grows the arrays (discarding their contents) to hold at least `records` instructions and `addrSlots` address slots. */
  reserve(records: number, addrSlots: number): void {
    if (this.recs.length < REC * records) this.recs = new Int32Array(REC * records);
    if (this.addrs.length < addrSlots) this.addrs = new Float64Array(addrSlots);
  }

  /** `recs` as float64 slots, for the completion times the engine writes over issued records (DONE_SLOT). */
  doneTimes(): Float64Array {
    if (this.doneViewOf !== this.recs) {
      this.doneView = new Float64Array(this.recs.buffer, this.recs.byteOffset, this.recs.length >> 1);
      this.doneViewOf = this.recs;
    }
    return this.doneView!;
  }

  reset(): void {
    this.count = 0;
    this.addrCount = 0;
    this.addrCursor = 0;
  }

  push(op: number, loc: number, mask: number, depA: number, depB: number, aux: number, amode = 0): number {
    const i = this.count;
    let r = this.recs;
    if ((i + 1) * REC > r.length) {
      const g = new Int32Array(r.length * 2);
      g.set(r);
      this.recs = r = g;
    }
    if (aux > MAX_AUX) throw new Error(`trace: aux ${aux} B exceeds ${MAX_AUX}`);
    // the engine relies on this: an issued record's dependency fields become its completion time (DONE_SLOT)
    if (depA >= i || depB >= i) throw new Error(`trace: record ${i} depends on a later record (${depA}, ${depB})`);
    const o = i * REC;
    r[o] = op | (loc << LOC_SHIFT) | (amode << AMODE_SHIFT) | (aux << AUX_SHIFT);
    r[o + 1] = mask;
    r[o + 2] = depA;
    r[o + 3] = depB;
    this.count = i + 1;
    return i;
  }

  /** Reserves `n` address slots (1 shared, 2 affine, 32 list) for the next memory instruction; returns their offset. */
  allocAddrs(n: number): number {
    const off = this.addrCount;
    if (off + n > this.addrs.length) {
      const g = new Float64Array(Math.max(this.addrs.length * 2, off + n));
      g.set(this.addrs);
      this.addrs = g;
    }
    this.addrCount = off + n;
    return off;
  }

  /**
   * Offset of the address slots of the memory instruction whose record header is `head`; call once per
   * memory instruction, in program order (the engine issues a warp's instructions in order).
   */
  takeAddrs(head: number): number {
    const off = this.addrCursor;
    const mode = recAmode(head);
    this.addrCursor = off + (mode === ADDR_SMEM ? 1 : mode === ADDR_AFFINE ? 2 : 32);
    return off;
  }
}

/** Per-block trace: one stream per warp. */
export interface BlockTrace {
  warps: WarpTrace[];
  numWarps: number;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
