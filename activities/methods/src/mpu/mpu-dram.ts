/**
 * Near-bank DRAM of the MPU: per-PG FR-FCFS controllers issuing SIMD commands to the PG's 8 banks,
 * multiple row buffers per bank (LRU victim), the MPU-Sim timing set (per bank: tRCD/CL/CWL/tRAS/tRP/
 * tCCDL/tRTPL/tWTRL, plus tWR; dramTimingPolicy 0 adds per-core tCCDS/tRRDS/tFAW/tWTRS and per-PG
 * tRRDL), read-modify-write stores (storeReadModifyWrite) and refresh (refreshPolicy). Times are in
 * DRAM cycles here.
 */
import type { MpuConfig } from './mpu-params';

/**
 * The owner's side of the DRAM model (the MPU machine). An interface with methods rather than two
 * closures: every run made new closures, and code optimised for one run's deoptimised on the next.
 * The time of each call is in the DRAM's regs[REG_CB] (see NearBankDram.regs).
 */
export interface DramOwner {
  /** Asks for a serve(pgId) call at DRAM time regs[REG_CB] (made with regs[REG_T] = that time). */
  scheduleServe(pgId: number): void;
  /** The request enqueued with `tag` has its data done at DRAM time regs[REG_CB]. */
  dramDone(tag: number): void;
}

/** NearBankDram.regs slots (see there). */
export const REG_T = 0;
const REG_NEXT = 1;
/** Time of an owner callback (scheduleServe, dramDone). */
export const REG_CB = 2;
/** Arrival time of the request enqueue() queues (set by the caller). */
export const REG_ARRIVAL = 3;

export interface DramCounters { act: number; pre: number; read: number; write: number; rowHits: number; rowMisses: number }

export class NearBankDram {
  private readonly R: number;
  private readonly pgs: number;
  private readonly pes: number;
  private readonly openRow: Int32Array;
  private readonly openedAt: Float64Array;
  /** refreshEpoch(core, openedAt) of each open row buffer, kept when the row is opened (valid where openRow >= 0). */
  private readonly openEpoch: Float64Array;
  private readonly lastUse: Float64Array;
  private readonly bankLastRead: Float64Array;
  private readonly bankLastWriteEnd: Float64Array;
  private readonly pgColFree: Float64Array;
  private readonly pgLastAct: Float64Array;
  private readonly pgLastWriteEnd: Float64Array;
  private readonly pgNextServe: Float64Array;
  private readonly coreLastCol: Float64Array;
  private readonly coreLastColPg: Int32Array;
  private readonly coreLastAct: Float64Array;
  private readonly coreLastWriteEnd: Float64Array;
  private readonly faw: Float64Array;
  private readonly fawPos: Int32Array;
  /**
   * Requests are ids into the req* arrays (a free list recycles them); each PG's queue is an id array
   * in arrival order of enqueue. Scanning typed arrays instead of request objects keeps FR-FCFS cheap.
   */
  private readonly queues: Int32Array[];
  private readonly queueLen: Int32Array;
  private reqRow = new Int32Array(256);
  private reqPeMask = new Int32Array(256);
  private reqWrite = new Uint8Array(256);
  private reqAtomic = new Uint8Array(256);
  private reqArrival = new Float64Array(256);
  private reqTag = new Int32Array(256);
  private reqFree: number[] = [];
  private reqUsed = 0;
  /** Scratch: row-buffer slots one request opens (one per PE at most). */
  private readonly victims: Int32Array;
  readonly counters: DramCounters = { act: 0, pre: 0, read: 0, write: 0, rowHits: 0, rowMisses: 0 };

  constructor(
    private readonly c: MpuConfig,
    readonly cores: number,
    private readonly owner: DramOwner,
  ) {
    this.R = c.rowBuffers;
    this.pgs = c.pgsPerCore;
    this.pes = c.pesPerPg;
    const banks = cores * this.pgs * this.pes;
    const pgTotal = cores * this.pgs;
    this.openRow = new Int32Array(banks * this.R).fill(-1);
    this.openedAt = new Float64Array(banks * this.R);
    this.openEpoch = new Float64Array(banks * this.R);
    this.lastUse = new Float64Array(banks * this.R);
    this.bankLastRead = new Float64Array(banks).fill(-1e9);
    this.bankLastWriteEnd = new Float64Array(banks).fill(-1e9);
    this.pgColFree = new Float64Array(pgTotal);
    this.pgLastAct = new Float64Array(pgTotal).fill(-1e9);
    this.pgLastWriteEnd = new Float64Array(pgTotal).fill(-1e9);
    this.pgNextServe = new Float64Array(pgTotal).fill(Infinity);
    this.coreLastCol = new Float64Array(cores).fill(-1e9);
    this.coreLastColPg = new Int32Array(cores).fill(-1);
    this.coreLastAct = new Float64Array(cores).fill(-1e9);
    this.coreLastWriteEnd = new Float64Array(cores).fill(-1e9);
    this.faw = new Float64Array(cores * 4).fill(-1e9);
    this.fawPos = new Int32Array(cores);
    this.queues = Array.from({ length: pgTotal }, () => new Int32Array(16));
    this.queueLen = new Int32Array(pgTotal);
    this.victims = new Int32Array(Math.max(1, this.pes));
  }

  get totalBanks(): number {
    return this.cores * this.pgs * this.pes;
  }

  // ---- refresh (refreshPolicy): 0 = all banks of a core together every tREFI, cores staggered;
  // 1 = MPU-Sim: a bank refreshes once tREFI has passed since its previous refresh ended, every bank
  // starting at time 0 (simulator/bank.py:151-165, 452-463), so windows repeat every tREFI + tRFC
  // and all banks refresh in step. Both close every row buffer (bank.py:463: _close_all_row_buf).
  /** Start of the refresh period grid of `core`: windows start at refreshOffset + k * refreshPeriod, k >= 1. */
  private refreshOffset(core: number): number {
    return this.c.refreshPolicy === 1 ? -this.c.tRFC : (core * this.c.tREFI) / this.cores;
  }

  private get refreshPeriod(): number {
    return this.c.refreshPolicy === 1 ? this.c.tREFI + this.c.tRFC : this.c.tREFI;
  }

  /** Earliest time >= t outside a refresh window of `core`. */
  private outsideRefresh(core: number, t: number): number {
    if (!this.c.refreshEnabled) return t;
    const off = this.refreshOffset(core);
    const period = this.refreshPeriod;
    const k = Math.floor((t - off) / period);
    if (k < 1) return t;
    const start = off + k * period;
    return t < start + this.c.tRFC ? start + this.c.tRFC : t;
  }

  private refreshEpoch(core: number, t: number): number {
    if (!this.c.refreshEnabled) return 0;
    return Math.max(0, Math.floor((t - this.refreshOffset(core)) / this.refreshPeriod));
  }

  refreshesUpTo(t: number): number {
    if (!this.c.refreshEnabled) return 0;
    let n = 0;
    for (let core = 0; core < this.cores; core++) n += this.refreshEpoch(core, t);
    return n * this.pgs * this.pes;
  }

  /** Row-buffer slot of `bank` holding `row` opened in refresh epoch `epoch` (that of the query time), or -1. */
  private rowOpenInEpoch(bank: number, row: number, epoch: number): number {
    const base = bank * this.R;
    for (let r = 0; r < this.R; r++) {
      if (this.openRow[base + r] === row && this.openEpoch[base + r] === epoch) return r;
    }
    return -1;
  }

  private isHit(pgId: number, row: number, peMask: number, epoch: number): boolean {
    const bank0 = pgId * this.pes;
    for (let pe = 0; pe < this.pes; pe++) {
      if (((peMask >>> pe) & 1) && this.rowOpenInEpoch(bank0 + pe, row, epoch) < 0) return false;
    }
    return true;
  }

  /**
   * Queues a SIMD column request, arriving at regs[REG_ARRIVAL], for the PEs in peMask of PG pgId;
   * `tag` comes back through the done callback.
   */
  enqueue(pgId: number, row: number, peMask: number, write: boolean, atomic: boolean, tag: number): void {
    const arrival = this.regs[REG_ARRIVAL]!;
    const id = this.newRequest();
    this.reqRow[id] = row; this.reqPeMask[id] = peMask; this.reqWrite[id] = write ? 1 : 0; this.reqAtomic[id] = atomic ? 1 : 0;
    this.reqArrival[id] = arrival; this.reqTag[id] = tag;
    let q = this.queues[pgId]!;
    const n = this.queueLen[pgId]!;
    if (n === q.length) { const g = new Int32Array(n * 2); g.set(q); this.queues[pgId] = q = g; }
    q[n] = id;
    this.queueLen[pgId] = n + 1;
    const at = Math.max(arrival, this.pgColFree[pgId]! - this.c.tCCDL);
    if (at < this.pgNextServe[pgId]!) {
      this.pgNextServe[pgId] = at;
      this.regs[REG_CB] = at;
      this.owner.scheduleServe(pgId);
    }
  }

  private newRequest(): number {
    if (this.reqFree.length > 0) return this.reqFree.pop()!;
    const id = this.reqUsed++;
    if (id === this.reqRow.length) {
      const n = id * 2;
      const i32 = (a: Int32Array) => { const g = new Int32Array(n); g.set(a); return g; };
      const u8 = (a: Uint8Array) => { const g = new Uint8Array(n); g.set(a); return g; };
      this.reqRow = i32(this.reqRow); this.reqPeMask = i32(this.reqPeMask); this.reqTag = i32(this.reqTag);
      this.reqWrite = u8(this.reqWrite); this.reqAtomic = u8(this.reqAtomic);
      const f = new Float64Array(n); f.set(this.reqArrival); this.reqArrival = f;
    }
    return id;
  }

  /** FR-FCFS: the oldest arrived row hit, else the oldest arrived request. */
  /**
   * Times crossing calls, passed in this array rather than as arguments and results (they are
   * fractional, and V8 boxes such doubles at every call it does not inline): REG_T the serve/issue
   * time (set by the caller), REG_NEXT the PG's next decision time that issue() returns, REG_CB the
   * time of an owner callback, REG_ARRIVAL the arrival of an enqueued request.
   */
  readonly regs = new Float64Array(4);

  /** FR-FCFS decision for PG pgId at DRAM time regs[REG_T]. */
  serve(pgId: number): void {
    let t = this.regs[REG_T]!;
    if (Math.abs(this.pgNextServe[pgId]! - t) > 1e-6) return; // superseded event
    t = this.pgNextServe[pgId]!;
    this.pgNextServe[pgId] = Infinity;
    const q = this.queues[pgId]!;
    const len = this.queueLen[pgId]!;
    if (len === 0) return;
    let pick = -1;
    let oldest = -1;
    let minArrival = Infinity;
    const core = Math.floor(pgId / this.pgs);
    const epoch = this.refreshEpoch(core, t);
    const arrival = this.reqArrival, rowOf = this.reqRow, maskOf = this.reqPeMask;
    // requests of one access stream share (row, PEs): remember the last miss instead of re-checking
    let missRow = -1, missMask = 0;
    for (let i = 0; i < len; i++) {
      const r = q[i]!;
      const a = arrival[r]!;
      if (a > t) { if (a < minArrival) minArrival = a; continue; }
      if (oldest < 0) oldest = i;
      const row = rowOf[r]!, peMask = maskOf[r]!;
      if (row === missRow && peMask === missMask) continue;
      if (this.isHit(pgId, row, peMask, epoch)) { pick = i; break; }
      missRow = row; missMask = peMask;
    }
    if (pick < 0) pick = oldest;
    if (pick < 0) {
      this.pgNextServe[pgId] = minArrival;
      this.regs[REG_CB] = minArrival;
      this.owner.scheduleServe(pgId);
      return;
    }
    // remove q[pick] keeping the order
    const req = q[pick]!;
    q.copyWithin(pick, pick + 1, len);
    this.queueLen[pgId] = len - 1;
    this.regs[REG_T] = t;
    this.issue(pgId, req);
    const next = this.regs[REG_NEXT]!;
    if (len > 1) {
      const at = Math.max(t + 1, next);
      this.pgNextServe[pgId] = at;
      this.regs[REG_CB] = at;
      this.owner.scheduleServe(pgId);
    }
  }

  /** Issues PRE/ACT/column commands for request `id` at regs[REG_T] (then frees it); sets regs[REG_NEXT] to the PG's next decision time. */
  private issue(pgId: number, id: number): void {
    const now = this.regs[REG_T]!;
    const c = this.c;
    const core = Math.floor(pgId / this.pgs);
    const pg = pgId % this.pgs;
    const bank0 = pgId * this.pes;
    const row = this.reqRow[id]!, peMask = this.reqPeMask[id]!, write = this.reqWrite[id] === 1;
    // an atomic, and under storeReadModifyWrite every store, reads the column before writing it
    const atomic = this.reqAtomic[id] === 1 || (write && c.storeReadModifyWrite === 1);
    const mpuSimTiming = c.dramTimingPolicy === 1;
    const tag = this.reqTag[id]!;
    this.reqFree.push(id);
    const nowEpoch = this.refreshEpoch(core, now);
    let needAct = false;
    let preDone = now; // all victims precharged by this time
    const victims = this.victims;
    let nVictims = 0;
    for (let pe = 0; pe < this.pes; pe++) {
      if (!((peMask >>> pe) & 1)) continue;
      const bank = bank0 + pe;
      if (this.rowOpenInEpoch(bank, row, nowEpoch) >= 0) continue;
      needAct = true;
      // pick a free (or refresh-closed) row buffer, else the least recently used one
      const base = bank * this.R;
      let slot = -1;
      let lru = 0;
      for (let r = 0; r < this.R; r++) {
        if (this.openRow[base + r] === -1 || this.openEpoch[base + r] !== nowEpoch) { slot = r; break; }
        if (this.lastUse[base + r]! < this.lastUse[base + lru]!) lru = r;
      }
      if (slot < 0) {
        slot = lru;
        const pre = Math.max(now, this.openedAt[base + slot]! + c.tRAS, this.bankLastRead[bank]! + c.tRTPL, this.bankLastWriteEnd[bank]! + c.tWR);
        preDone = Math.max(preDone, pre + c.tRP);
        this.counters.pre++;
      }
      victims[nVictims++] = base + slot;
    }
    let col = Math.max(now, this.pgColFree[pgId]!);
    if (!mpuSimTiming && this.coreLastColPg[core] !== pg) col = Math.max(col, this.coreLastCol[core]! + c.tCCDS);
    let actAt = -1;
    if (needAct) {
      const fawSlot = core * 4 + this.fawPos[core]!;
      // dramTimingPolicy 1 (MPU-Sim): no tRRD at all, and tFAW counts one bank's own ACTs, which
      // tRCD + a column command keep further apart than tFAW (bank.py:170-180)
      actAt = mpuSimTiming ? preDone : Math.max(preDone, this.pgLastAct[pgId]! + c.tRRDL, this.coreLastAct[core]! + c.tRRDS, this.faw[fawSlot]! + c.tFAW);
      actAt = this.outsideRefresh(core, actAt);
      this.pgLastAct[pgId] = actAt;
      this.coreLastAct[core] = actAt;
      this.faw[fawSlot] = actAt;
      this.fawPos[core] = (this.fawPos[core]! + 1) & 3;
      for (let i = 0; i < nVictims; i++) {
        const v = victims[i]!;
        this.openRow[v] = row;
        this.openedAt[v] = actAt;
        this.openEpoch[v] = this.refreshEpoch(core, actAt);
        this.counters.act++;
      }
      col = Math.max(col, actAt + (write ? c.tRCDW : c.tRCDR));
      this.counters.rowMisses++;
    } else this.counters.rowHits++;
    // read after write turnaround
    if (!write || atomic) col = Math.max(col, this.pgLastWriteEnd[pgId]! + c.tWTRL, mpuSimTiming ? -1e9 : this.coreLastWriteEnd[core]! + c.tWTRS);
    col = this.outsideRefresh(core, col);
    let done: number;
    let lastCol = col;
    const lanes = popcount8(peMask);
    if (write && !atomic) {
      done = col + c.tCWL + 1;
      this.counters.write += lanes;
    } else {
      done = col + c.tCL + 1;
      this.counters.read += lanes;
      if (atomic) {
        // read-modify-write: the write follows once the read data is back
        lastCol = Math.max(done, col + c.tCCDL);
        done = lastCol + c.tCWL + 1;
        this.counters.write += lanes;
      }
    }
    const lastColEpoch = this.refreshEpoch(core, lastCol);
    for (let pe = 0; pe < this.pes; pe++) {
      if (!((peMask >>> pe) & 1)) continue;
      const bank = bank0 + pe;
      const slot = this.rowOpenInEpoch(bank, row, lastColEpoch);
      if (slot >= 0) this.lastUse[bank * this.R + slot] = lastCol;
      if (write || atomic) this.bankLastWriteEnd[bank] = done;
      if (!write || atomic) this.bankLastRead[bank] = col;
    }
    if (write || atomic) { this.pgLastWriteEnd[pgId] = done; this.coreLastWriteEnd[core] = done; }
    this.pgColFree[pgId] = lastCol + c.tCCDL;
    this.coreLastCol[core] = lastCol;
    this.coreLastColPg[core] = pg;
    this.regs[REG_CB] = done;
    this.owner.dramDone(tag);
    // next decision: another ACT can go after tRRD, a column command after tCCD
    this.regs[REG_NEXT] = needAct ? Math.min(actAt + (mpuSimTiming ? 1 : c.tRRDL), lastCol + c.tCCDL) : lastCol + c.tCCDL;
  }
}

function popcount8(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
