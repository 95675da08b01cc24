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

/** Fields of one instruction record (stride REC). */
export const F_OP = 0; // opcode
export const F_LOC = 1; // execution location
export const F_MASK = 2; // active-lane mask (int32 bit pattern)
export const F_DEP_A = 3; // index of a producing instruction in this warp, or -1
export const F_DEP_B = 4;
export const F_ADDR = 5; // offset into addrs for memory ops, else -1
export const F_AUX = 6; // bus bytes the instruction moves (addresses / transfer payload)
/** Address form of a memory op: ADDR_AFFINE (addrs[off] = lane-0 address, addrs[off+1] = stride) or ADDR_LIST (32 slots). */
export const F_AMODE = 7;
export const REC = 8;
export const ADDR_AFFINE = 0;
export const ADDR_LIST = 1;
/** Shared-memory op: addrs[off] holds the bank-conflict degree computed when the trace was generated. */
export const ADDR_SMEM = 2;

export class WarpTrace {
  recs: Int32Array = new Int32Array(REC * 64);
  addrs: Float64Array = new Float64Array(64);
  /** Generation-time only: operand producers (3 per record, -1 = constant/special register) and value availability bits. */
  opnd: Int32Array = new Int32Array(3 * 64);
  avail: Int32Array = new Int32Array(64);
  count = 0;
  addrCount = 0;

  reset(): void {
    this.count = 0;
    this.addrCount = 0;
  }

  push(op: number, loc: number, mask: number, depA: number, depB: number, addr: number, aux: number, amode = 0): number {
    const i = this.count;
    let r = this.recs;
    if ((i + 1) * REC > r.length) {
      const g = new Int32Array(r.length * 2);
      g.set(r);
      this.recs = r = g;
      const op3 = new Int32Array(this.opnd.length * 2); op3.set(this.opnd); this.opnd = op3;
      const av = new Int32Array(this.avail.length * 2); av.set(this.avail); this.avail = av;
    }
    const o = i * REC;
    r[o] = op;
    r[o + 1] = loc;
    r[o + 2] = mask;
    r[o + 3] = depA;
    r[o + 4] = depB;
    r[o + 5] = addr;
    r[o + 6] = aux;
    r[o + 7] = amode;
    this.count = i + 1;
    return i;
  }

  /** Reserves `n` address slots (2 for an affine access, 32 for a list) and returns their offset. */
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

  /** Byte address of `lane` for the memory instruction whose record starts at `o`. */
  laneAddr(o: number, lane: number): number {
    const off = this.recs[o + F_ADDR]!;
    return this.recs[o + F_AMODE] === ADDR_AFFINE ? this.addrs[off]! + this.addrs[off + 1]! * lane : this.addrs[off + lane]!;
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
