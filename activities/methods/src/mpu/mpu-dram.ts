/**
 * Near-bank DRAM of the MPU: per-PG FR-FCFS controllers issuing SIMD commands to the PG's 8 banks,
 * multiple row buffers per bank (LRU victim), the MPU-Sim timing set (tRCD/CL/CWL/tRAS/tRP/tRRD/tCCD/
 * tRTP/tWTR/tWR/tFAW) and staggered all-bank refresh. Times are in DRAM cycles here.
 */
import type { MpuConfig } from './mpu-params';

export interface DramRequest {
  row: number;
  col: number;
  peMask: number;
  write: boolean;
  atomic: boolean;
  arrival: number;
  /** Opaque owner data for the done callback (the machine's load token), or null. */
  tag: unknown;
}

export interface DramCounters { act: number; pre: number; read: number; write: number; rowHits: number; rowMisses: number }

export class NearBankDram {
  private readonly R: number;
  private readonly pgs: number;
  private readonly pes: number;
  private readonly openRow: Int32Array;
  private readonly openedAt: Float64Array;
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
  private readonly queues: DramRequest[][];
  /** Scratch: row-buffer slots one request opens (one per PE at most). */
  private readonly victims: Int32Array;
  readonly counters: DramCounters = { act: 0, pre: 0, read: 0, write: 0, rowHits: 0, rowMisses: 0 };

  constructor(
    private readonly c: MpuConfig,
    readonly cores: number,
    private readonly schedule: (t: number, pgId: number) => void,
    /** Called once per request when its data is done (DRAM cycles); the request may be reused afterwards. */
    private readonly done: (req: DramRequest, t: number) => void,
  ) {
    this.R = c.rowBuffers;
    this.pgs = c.pgsPerCore;
    this.pes = c.pesPerPg;
    const banks = cores * this.pgs * this.pes;
    const pgTotal = cores * this.pgs;
    this.openRow = new Int32Array(banks * this.R).fill(-1);
    this.openedAt = new Float64Array(banks * this.R);
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
    this.queues = Array.from({ length: pgTotal }, () => []);
    this.victims = new Int32Array(Math.max(1, this.pes));
  }

  get totalBanks(): number {
    return this.cores * this.pgs * this.pes;
  }

  // ---- refresh: all banks of a core refresh together every tREFI, cores staggered ----
  private refreshOffset(core: number): number {
    return (core * this.c.tREFI) / this.cores;
  }

  /** Earliest time >= t outside a refresh window of `core`. */
  private outsideRefresh(core: number, t: number): number {
    if (!this.c.refreshEnabled) return t;
    const off = this.refreshOffset(core);
    const k = Math.floor((t - off) / this.c.tREFI);
    if (k < 1) return t;
    const start = off + k * this.c.tREFI;
    return t < start + this.c.tRFC ? start + this.c.tRFC : t;
  }

  private refreshEpoch(core: number, t: number): number {
    if (!this.c.refreshEnabled) return 0;
    return Math.max(0, Math.floor((t - this.refreshOffset(core)) / this.c.tREFI));
  }

  refreshesUpTo(t: number): number {
    if (!this.c.refreshEnabled) return 0;
    let n = 0;
    for (let core = 0; core < this.cores; core++) n += this.refreshEpoch(core, t);
    return n * this.pgs * this.pes;
  }

  private rowOpen(bank: number, row: number, core: number, t: number): number {
    return this.rowOpenInEpoch(bank, row, core, this.refreshEpoch(core, t));
  }

  /** rowOpen with the refresh epoch of the query time already computed. */
  private rowOpenInEpoch(bank: number, row: number, core: number, epoch: number): number {
    const base = bank * this.R;
    for (let r = 0; r < this.R; r++) {
      if (this.openRow[base + r] === row && this.refreshEpoch(core, this.openedAt[base + r]!) === epoch) return r;
    }
    return -1;
  }

  private isHit(pgId: number, req: DramRequest, core: number, epoch: number): boolean {
    const bank0 = pgId * this.pes;
    for (let pe = 0; pe < this.pes; pe++) {
      if (((req.peMask >>> pe) & 1) && this.rowOpenInEpoch(bank0 + pe, req.row, core, epoch) < 0) return false;
    }
    return true;
  }

  enqueue(pgId: number, req: DramRequest): void {
    this.queues[pgId]!.push(req);
    const at = Math.max(req.arrival, this.pgColFree[pgId]! - this.c.tCCDL);
    if (at < this.pgNextServe[pgId]!) {
      this.pgNextServe[pgId] = at;
      this.schedule(at, pgId);
    }
  }

  /** FR-FCFS: the oldest arrived row hit, else the oldest arrived request. */
  serve(pgId: number, t: number): void {
    if (Math.abs(this.pgNextServe[pgId]! - t) > 1e-6) return; // superseded event
    t = this.pgNextServe[pgId]!;
    this.pgNextServe[pgId] = Infinity;
    const q = this.queues[pgId]!;
    if (q.length === 0) return;
    let pick = -1;
    let oldest = -1;
    let minArrival = Infinity;
    const core = Math.floor(pgId / this.pgs);
    const epoch = this.refreshEpoch(core, t);
    for (let i = 0; i < q.length; i++) {
      const r = q[i]!;
      if (r.arrival > t) { if (r.arrival < minArrival) minArrival = r.arrival; continue; }
      if (oldest < 0) oldest = i;
      if (this.isHit(pgId, r, core, epoch)) { pick = i; break; }
    }
    if (pick < 0) pick = oldest;
    if (pick < 0) {
      this.pgNextServe[pgId] = minArrival;
      this.schedule(minArrival, pgId);
      return;
    }
    // remove q[pick] keeping the order (splice allocated an array per call)
    const req = q[pick]!;
    for (let i = pick + 1; i < q.length; i++) q[i - 1] = q[i]!;
    q.pop();
    const next = this.issue(pgId, req, t);
    if (q.length > 0) {
      const at = Math.max(t + 1, next);
      this.pgNextServe[pgId] = at;
      this.schedule(at, pgId);
    }
  }

  /** Issues PRE/ACT/column commands for one request; returns the PG's next decision time. */
  private issue(pgId: number, req: DramRequest, now: number): number {
    const c = this.c;
    const core = Math.floor(pgId / this.pgs);
    const pg = pgId % this.pgs;
    const bank0 = pgId * this.pes;
    let needAct = false;
    let preDone = now; // all victims precharged by this time
    const victims = this.victims;
    let nVictims = 0;
    for (let pe = 0; pe < this.pes; pe++) {
      if (!((req.peMask >>> pe) & 1)) continue;
      const bank = bank0 + pe;
      if (this.rowOpen(bank, req.row, core, now) >= 0) continue;
      needAct = true;
      // pick a free (or refresh-closed) row buffer, else the least recently used one
      const base = bank * this.R;
      let slot = -1;
      let lru = 0;
      for (let r = 0; r < this.R; r++) {
        if (this.openRow[base + r] === -1 || this.refreshEpoch(core, this.openedAt[base + r]!) !== this.refreshEpoch(core, now)) { slot = r; break; }
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
    if (this.coreLastColPg[core] !== pg) col = Math.max(col, this.coreLastCol[core]! + c.tCCDS);
    let actAt = -1;
    if (needAct) {
      const fawSlot = core * 4 + this.fawPos[core]!;
      actAt = Math.max(preDone, this.pgLastAct[pgId]! + c.tRRDL, this.coreLastAct[core]! + c.tRRDS, this.faw[fawSlot]! + c.tFAW);
      actAt = this.outsideRefresh(core, actAt);
      this.pgLastAct[pgId] = actAt;
      this.coreLastAct[core] = actAt;
      this.faw[fawSlot] = actAt;
      this.fawPos[core] = (this.fawPos[core]! + 1) & 3;
      for (let i = 0; i < nVictims; i++) {
        const v = victims[i]!;
        this.openRow[v] = req.row;
        this.openedAt[v] = actAt;
        this.counters.act++;
      }
      col = Math.max(col, actAt + (req.write ? c.tRCDW : c.tRCDR));
      this.counters.rowMisses++;
    } else this.counters.rowHits++;
    // read after write turnaround
    if (!req.write || req.atomic) col = Math.max(col, this.pgLastWriteEnd[pgId]! + c.tWTRL, this.coreLastWriteEnd[core]! + c.tWTRS);
    col = this.outsideRefresh(core, col);
    let done: number;
    let lastCol = col;
    const lanes = popcount8(req.peMask);
    if (req.write && !req.atomic) {
      done = col + c.tCWL + 1;
      this.counters.write += lanes;
    } else {
      done = col + c.tCL + 1;
      this.counters.read += lanes;
      if (req.atomic) {
        // read-modify-write: the write follows once the read data is back
        lastCol = Math.max(done, col + c.tCCDL);
        done = lastCol + c.tCWL + 1;
        this.counters.write += lanes;
      }
    }
    for (let pe = 0; pe < this.pes; pe++) {
      if (!((req.peMask >>> pe) & 1)) continue;
      const bank = bank0 + pe;
      const slot = this.rowOpen(bank, req.row, core, lastCol);
      if (slot >= 0) this.lastUse[bank * this.R + slot] = lastCol;
      if (req.write || req.atomic) this.bankLastWriteEnd[bank] = done;
      if (!req.write || req.atomic) this.bankLastRead[bank] = col;
    }
    if (req.write || req.atomic) { this.pgLastWriteEnd[pgId] = done; this.coreLastWriteEnd[core] = done; }
    this.pgColFree[pgId] = lastCol + c.tCCDL;
    this.coreLastCol[core] = lastCol;
    this.coreLastColPg[core] = pg;
    this.done(req, done);
    // next decision: another ACT can go after tRRD, a column command after tCCD
    return needAct ? Math.min(actAt + c.tRRDL, lastCol + c.tCCDL) : lastCol + c.tCCDL;
  }
}

function popcount8(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
