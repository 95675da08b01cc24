/**
 * V100 timing model built from public figures: 80 SMs x 4 warp schedulers, FP32/INT/SFU pipes,
 * sector coalescing, per-SM L1 (write-through) and a shared write-back L2 with LRU tag arrays
 * (hit rates come from the simulated access stream), 64 L2 slices sharing the measured L2
 * bandwidth, and 32 HBM2 channels with open-row bank timing and refresh (FCFS per channel).
 */
import { TagCache } from './cache';
import { FAR_ONLY } from './offload-policy';
import type { Placement } from './kernel-lang';
import { T_DONE, T_ISSUE } from './simt-engine';
import type { Machine, SimtEngine } from './simt-engine';
import {
  ADDR_AFFINE, F_HEAD, F_MASK, OP_ATOMG, OP_ATOMS, OP_BRA, OP_FDIV, OP_IADD, OP_IMUL, OP_LDG, OP_LDS, OP_SFU,
  OP_STG, OP_STS, OP_XFER, REC, popcount32, recAmode, recOp,
} from './trace';
import type { WarpTrace } from './trace';
import type { V100Config } from './v100-params';

const LINE = 128;
const SECTOR = 32;

export interface V100Counters {
  instr: number;
  laneOps: Float64Array;
  rfReads: number;
  rfWrites: number;
  l1Sectors: number;
  l2Sectors: number;
  dramReadSectors: number;
  dramWriteSectors: number;
  dramActs: number;
  smemAccesses: number;
}

export class V100Machine implements Machine {
  readonly units: number;
  readonly warpSlotsPerUnit: number;
  readonly portsPerUnit: number;
  readonly smemWordsPerUnit: number;
  readonly placement: Placement = { policy: FAR_ONLY, pgOf: () => 0, homePg: () => 0, smemBanks: 32 };
  engine!: SimtEngine;
  readonly l1: TagCache[];
  readonly l2: TagCache;
  readonly counters: V100Counters;
  readonly issueFree: Float64Array;
  readonly times = new Float64Array(2);
  private readonly fpFree: Float64Array;
  private readonly intFree: Float64Array;
  private readonly sfuFree: Float64Array;
  private readonly l1Free: Float64Array;
  private readonly smemFree: Float64Array;
  private readonly sliceFree: Float64Array;
  private readonly chanFree: Float64Array;
  private readonly bankRow: Float64Array;
  private readonly bankReady: Float64Array;
  private readonly bankActAt: Float64Array;
  private readonly nsToCyc: number;
  private readonly sectorCyclesSlice: number;
  private readonly sectorCyclesChan: number;
  // scratch of one warp access (at most 32 lines): typed arrays with a count, no per-access allocation
  private readonly lines = new Float64Array(32);
  private readonly sectorMasks = new Int32Array(32);
  private nLines = 0;

  constructor(readonly c: V100Config) {
    this.units = c.sms;
    this.warpSlotsPerUnit = c.maxWarpsPerSm;
    this.portsPerUnit = c.subPartitions;
    this.smemWordsPerUnit = Math.floor(c.smemPerSmBytes / 4);
    const ports = this.units * this.portsPerUnit;
    this.issueFree = new Float64Array(ports);
    this.fpFree = new Float64Array(ports);
    this.intFree = new Float64Array(ports);
    this.sfuFree = new Float64Array(ports);
    this.l1Free = new Float64Array(this.units);
    this.smemFree = new Float64Array(this.units);
    this.l1 = Array.from({ length: this.units }, () => new TagCache(c.l1Bytes, LINE, c.l1Ways));
    this.l2 = new TagCache(c.l2Bytes, LINE, c.l2Ways);
    this.sliceFree = new Float64Array(c.l2Slices);
    this.chanFree = new Float64Array(c.hbmChannels);
    const banks = c.hbmChannels * c.hbmBanksPerChannel;
    this.bankRow = new Float64Array(banks).fill(-1);
    this.bankReady = new Float64Array(banks);
    this.bankActAt = new Float64Array(banks).fill(-1e9);
    this.nsToCyc = c.clockMHz / 1000;
    const l2BytesPerCycle = (c.l2BandwidthGBs * 1000) / c.clockMHz;
    this.sectorCyclesSlice = SECTOR / (l2BytesPerCycle / c.l2Slices);
    const chanBytesPerCycle = ((c.hbmBusBitsPerChannel / 8) * c.hbmDataRateMTs) / c.clockMHz;
    this.sectorCyclesChan = SECTOR / chanBytesPerCycle;
    this.counters = {
      instr: 0, laneOps: new Float64Array(16), rfReads: 0, rfWrites: 0, l1Sectors: 0, l2Sectors: 0,
      dramReadSectors: 0, dramWriteSectors: 0, dramActs: 0, smemAccesses: 0,
    };
  }

  /** Peak HBM bandwidth of the model in bytes per SM cycle, derated by refresh. */
  peakDramBytesPerCycle(): number {
    const c = this.c;
    return (c.hbmChannels * SECTOR) / this.sectorCyclesChan * (1 - c.hbmTRFCns / c.hbmTREFIns);
  }

  /** GPU hardware block scheduler: any SM with room takes the next block. */
  blockUnit(): number {
    return -1;
  }

  handleEvent(): void {}

  execute(sm: number, sub: number, _warpId: number, trace: WarpTrace, idx: number): void {
    const c = this.c;
    const times = this.times;
    const t = times[T_ISSUE]!;
    const o = idx * REC;
    const recs = trace.recs;
    const head = recs[o + F_HEAD]!;
    const op = recOp(head);
    const mask = recs[o + F_MASK]!;
    const active = popcount32(mask);
    const port = sm * this.portsPerUnit + sub;
    const cnt = this.counters;
    this.issueFree[port] = t + 1;
    if (op === OP_XFER) { times[T_DONE] = t + 1; return; } // MPU-only
    cnt.instr++;
    cnt.laneOps[op] = cnt.laneOps[op]! + active;
    switch (op) {
      case OP_BRA:
        cnt.rfReads++;
        times[T_DONE] = t + 1;
        return;
      case OP_SFU: case OP_FDIV: {
        cnt.rfReads += 2; cnt.rfWrites++;
        const occ = Math.ceil(active / c.sfuLanesPerPartition);
        const start = Math.max(t, this.sfuFree[port]!);
        this.sfuFree[port] = start + occ;
        times[T_DONE] = start + occ - 1 + (op === OP_SFU ? c.sfuLatency : c.fpDivLatency);
        return;
      }
      case OP_LDS: case OP_STS: case OP_ATOMS: {
        cnt.rfReads += 2; if (op === OP_LDS) cnt.rfWrites++;
        cnt.smemAccesses += active;
        const conflicts = trace.addrs[trace.takeAddrs(head)]!; // recorded at trace generation (kernel-lang)
        const start = Math.max(t, this.smemFree[sm]!);
        this.smemFree[sm] = start + conflicts;
        times[T_DONE] = op === OP_LDS ? start + conflicts - 1 + c.smemLatency : t + 1;
        return;
      }
      case OP_LDG: case OP_STG: case OP_ATOMG:
        cnt.rfReads += 2; if (op === OP_LDG) cnt.rfWrites++;
        this.global(sm, op, mask, trace, head);
        return;
      default: {
        cnt.rfReads += 2; cnt.rfWrites++;
        const pipe = op === OP_IADD || op === OP_IMUL ? this.intFree : this.fpFree;
        const occ = Math.ceil(active / c.fp32LanesPerPartition);
        const start = Math.max(t, pipe[port]!);
        pipe[port] = start + occ;
        times[T_DONE] = start + occ - 1 + c.aluLatency;
        return;
      }
    }
  }

  /** Coalesces into 128 B lines with 32 B sector masks. */
  private coalesce(trace: WarpTrace, head: number, mask: number): void {
    const lines = this.lines, sm = this.sectorMasks;
    let n = 0;
    const off = trace.takeAddrs(head);
    const affine = recAmode(head) === ADDR_AFFINE;
    const a0 = affine ? trace.addrs[off]! : 0, stride = affine ? trace.addrs[off + 1]! : 0;
    let lastLine = -1, lastK = -1;
    for (let l = 0; l < 32; l++) {
      if (!((mask >>> l) & 1)) continue;
      const a = affine ? a0 + stride * l : trace.addrs[off + l]!;
      const line = Math.floor(a / LINE);
      const sector = Math.floor((a - line * LINE) / SECTOR);
      let k = lastK;
      if (line !== lastLine) {
        k = 0;
        while (k < n && lines[k] !== line) k++;
        if (k === n) { lines[n] = line; sm[n] = 0; n++; }
        lastLine = line; lastK = k;
      }
      sm[k]! |= 1 << sector;
    }
    this.nLines = n;
  }

  /** Global access issued at times[T_ISSUE]; sets times[T_DONE]. */
  private global(sm: number, op: number, mask: number, trace: WarpTrace, head: number): void {
    const c = this.c;
    const t = this.times[T_ISSUE]!;
    this.coalesce(trace, head, mask);
    const cnt = this.counters;
    const l1 = this.l1[sm]!;
    const start = Math.max(t, this.l1Free[sm]!);
    const nLines = this.nLines;
    this.l1Free[sm] = start + nLines;
    let done = t + 1;
    for (let k = 0; k < nLines; k++) {
      const line = this.lines[k]!;
      const sectors = popcount32(this.sectorMasks[k]!);
      cnt.l1Sectors += sectors;
      const at = start + k;
      if (op === OP_LDG) {
        if (l1.access(line, false)) { done = Math.max(done, at + c.l1HitLatency); continue; }
        l1.fill(line, false);
        done = Math.max(done, this.l2Access(line, sectors, false, at));
      } else {
        l1.invalidate(line); // write-through, no allocate; atomics execute at L2
        this.l2Access(line, sectors, true, at);
      }
    }
    this.times[T_DONE] = op === OP_LDG ? done : t + 1;
  }

  private sliceOf(line: number): number {
    return (line ^ Math.floor(line / this.c.l2Slices)) % this.c.l2Slices;
  }

  /** L2 access for `sectors` of a line; returns data-ready time at the SM. */
  private l2Access(line: number, sectors: number, write: boolean, t: number): number {
    const c = this.c;
    const cnt = this.counters;
    cnt.l2Sectors += sectors;
    const s = this.sliceOf(line);
    const start = Math.max(t, this.sliceFree[s]!);
    this.sliceFree[s] = start + sectors * this.sectorCyclesSlice;
    if (this.l2.access(line, write)) return start + c.l2HitLatency;
    // miss: fetch the line's sectors (full-sector writes need no fetch), allocate, write back a dirty victim
    const victim = this.l2.fill(line, write);
    if (victim >= 0) this.dram(victim, LINE / SECTOR, true, start);
    if (write) return start + 1;
    const ready = this.dram(line, sectors, false, start + c.l2HitLatency / 2);
    return ready + c.dramExtraLatency;
  }

  private dram(line: number, sectors: number, write: boolean, t: number): number {
    const c = this.c;
    const cnt = this.counters;
    if (write) cnt.dramWriteSectors += sectors; else cnt.dramReadSectors += sectors;
    const g = Math.floor((line * LINE) / 256);
    const ch = (g ^ Math.floor(g / c.hbmChannels) ^ Math.floor(g / (c.hbmChannels * 7))) % c.hbmChannels;
    const rest = Math.floor(g / c.hbmChannels);
    const bank = ch * c.hbmBanksPerChannel + (rest % c.hbmBanksPerChannel);
    const row = Math.floor(rest / c.hbmBanksPerChannel / (c.hbmRowBytes / 256));
    const cyc = this.nsToCyc;
    let at = this.afterRefresh(ch, Math.max(t, this.bankReady[bank]!));
    if (this.bankRow[bank] !== row) {
      const pre = this.bankRow[bank]! >= 0 ? Math.max(at, this.bankActAt[bank]! + c.hbmTRASns * cyc) + c.hbmTRPns * cyc : at;
      at = this.afterRefresh(ch, pre);
      this.bankActAt[bank] = at;
      this.bankRow[bank] = row;
      cnt.dramActs++;
      at += c.hbmTRCDns * cyc;
    }
    const busStart = this.afterRefresh(ch, Math.max(at + c.hbmTCLns * cyc, this.chanFree[ch]!));
    const end = busStart + sectors * this.sectorCyclesChan;
    this.chanFree[ch] = end;
    this.bankReady[bank] = at;
    return end;
  }

  /** Writes every dirty L2 line back to HBM from t (through the channel and bank timing); returns when the last write ends. */
  writeBackL2(t: number): number {
    let end = t;
    this.l2.cleanDirty((line) => { end = Math.max(end, this.dram(line, LINE / SECTOR, true, t)); });
    return end;
  }

  private afterRefresh(ch: number, t: number): number {
    const c = this.c;
    const refi = c.hbmTREFIns * this.nsToCyc;
    const rfc = c.hbmTRFCns * this.nsToCyc;
    const off = (ch * refi) / c.hbmChannels;
    const k = Math.floor((t - off) / refi);
    if (k < 1) return t;
    const s = off + k * refi;
    return t < s + rfc ? s + rfc : t;
  }
}

