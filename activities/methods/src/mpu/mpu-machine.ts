/**
 * MPU timing model: 8 processors x 16 cores; each core has 4 subcores (issue, far-bank ALUs, SFU,
 * LSU), a 128 B x 2 GHz subcore<->PG bus, 4 PGs with one near-bank ALU each, near-bank shared memory,
 * and near-bank DRAM (mpu-dram.ts). Remote-core accesses cross a 2D mesh network.
 */
import { AddressMap, REPLICA_BASE } from './address-map';
import type { BankAddress } from './address-map';
import type { OffloadPolicy, Placement } from './kernel-lang';
import { NearBankDram } from './mpu-dram';
import type { MpuConfig } from './mpu-params';
import type { Machine, SimtEngine } from './simt-engine';
import {
  F_ADDR, F_AUX, F_LOC, F_MASK, F_OP, OP_ATOMG, OP_ATOMS, OP_BRA, OP_FADD, OP_FDIV, OP_FFMA, OP_IADD, OP_IMUL,
  OP_LDG, OP_LDS, OP_SFU, OP_STG, OP_STS, OP_XFER, REC, popcount32,
} from './trace';
import type { BlockTrace, WarpTrace } from './trace';

export interface MpuCounters {
  busBytes: number;
  networkBitHopsOn: number;
  networkBitHopsOff: number;
  networkFlitHops: number;
  remoteAccesses: number;
  nearAluInstr: number;
  farAluInstr: number;
  xferInstr: number;
  laneOps: Float64Array; // per opcode, lane operations
  instr: number;
  rfReads: number;
  rfWrites: number;
  smemReads: number;
  smemWrites: number;
}

export class MpuMachine implements Machine {
  readonly units: number;
  readonly warpSlotsPerUnit: number;
  readonly portsPerUnit: number;
  readonly smemWordsPerUnit: number;
  readonly placement: Placement;
  readonly map: AddressMap;
  readonly dram: NearBankDram;
  engine!: SimtEngine;
  readonly counters: MpuCounters;
  private readonly d2c: number; // core cycles per DRAM cycle
  private readonly busBpc: number; // bus bytes per core cycle
  private readonly netBpc: number;
  private readonly offBpc: number;
  private readonly hopCycles: number;
  private readonly coresPerProc: number;
  private readonly issueFree: Float64Array;
  private readonly aluFree: Float64Array;
  private readonly sfuFree: Float64Array;
  private readonly busFree: Float64Array;
  private readonly nbAluFree: Float64Array;
  private readonly smemFree: Float64Array;
  private readonly ingressFree: Float64Array;
  private readonly egressFree: Float64Array;
  private readonly offchipFree: Float64Array;
  private readonly dec: BankAddress = { core: 0, pg: 0, pe: 0, row: 0, col: 0 };
  private readonly cmdKeys: number[] = [];
  private readonly cmdMasks: number[] = [];
  private readonly remoteLanes = new Map<number, number>();
  private readonly remoteGranules = new Set<number>();

  constructor(readonly c: MpuConfig, policy: OffloadPolicy) {
    this.coresPerProc = c.coresX * c.coresY;
    this.units = c.processorsX * c.processorsY * this.coresPerProc;
    this.warpSlotsPerUnit = c.subcoresPerCore * c.maxWarpsPerSubcore;
    this.portsPerUnit = c.subcoresPerCore;
    this.smemWordsPerUnit = Math.floor(c.smemBytes / 4);
    this.map = new AddressMap(this.units, c.pgsPerCore, c.pesPerPg, c.bankCols, c.bankRows, c.bankIoBytes);
    this.d2c = c.coreClockMHz / c.dramClockMHz;
    this.busBpc = (c.busWidthBytes * c.busClockMHz) / c.coreClockMHz;
    this.netBpc = (c.onchipLinkBytes * c.routerClockMHz) / c.coreClockMHz;
    this.offBpc = (c.offchipLinkBytes * c.routerClockMHz) / c.coreClockMHz;
    this.hopCycles = (c.routerLatencyCycles * c.coreClockMHz) / c.routerClockMHz;
    const ports = this.units * this.portsPerUnit;
    this.issueFree = new Float64Array(ports);
    this.aluFree = new Float64Array(ports);
    this.sfuFree = new Float64Array(ports);
    this.busFree = new Float64Array(this.units);
    this.nbAluFree = new Float64Array(this.units * c.pgsPerCore);
    this.smemFree = new Float64Array(this.units);
    this.ingressFree = new Float64Array(this.units);
    this.egressFree = new Float64Array(this.units);
    this.offchipFree = new Float64Array(c.processorsX * c.processorsY);
    this.dram = new NearBankDram(c, this.units, (t, pgId) => this.engine.schedule(t * this.d2c, pgId));
    const map = this.map;
    this.placement = { policy, pgOf: (addr) => map.pgOf(addr), homePg: (w) => w % c.pgsPerCore };
    this.counters = {
      busBytes: 0, networkBitHopsOn: 0, networkBitHopsOff: 0, networkFlitHops: 0, remoteAccesses: 0,
      nearAluInstr: 0, farAluInstr: 0, xferInstr: 0, laneOps: new Float64Array(16), instr: 0,
      rfReads: 0, rfWrites: 0, smemReads: 0, smemWrites: 0,
    };
  }

  /** The core owning most of the block's global accesses (sampled on its first warp). */
  affinity(trace: BlockTrace): number {
    const w = trace.warps[0];
    if (!w) return -1;
    const votes = this.votes;
    votes.clear();
    let best = -1, bestVotes = 0;
    for (let i = 0; i < w.count; i++) {
      const op = w.recs[i * REC + F_OP]!;
      if (op !== OP_LDG && op !== OP_STG && op !== OP_ATOMG) continue;
      const off = w.recs[i * REC + F_ADDR]!;
      const m = w.recs[i * REC + F_MASK]!;
      const lane = 31 - Math.clz32(m & -m);
      const a = w.addrs[off + lane]!;
      if (a >= REPLICA_BASE) continue;
      const core = this.map.coreOf(a);
      const v = (votes.get(core) ?? 0) + 1;
      votes.set(core, v);
      if (v > bestVotes) { bestVotes = v; best = core; }
    }
    return best;
  }

  private readonly votes = new Map<number, number>();

  portFree(unit: number, port: number): number {
    return this.issueFree[unit * this.portsPerUnit + port]!;
  }

  setPortBusy(unit: number, port: number, until: number): void {
    this.issueFree[unit * this.portsPerUnit + port] = until;
  }

  handleEvent(key: number, t: number): void {
    this.dram.serve(key, t / this.d2c);
  }

  /** Reserves the core's bus for `bytes` from t; returns when the transfer ends. */
  private bus(core: number, t: number, bytes: number): number {
    if (bytes <= 0) return t;
    this.counters.busBytes += bytes;
    const start = Math.max(t, this.busFree[core]!);
    const end = start + bytes / this.busBpc;
    this.busFree[core] = end;
    return end;
  }

  execute(core: number, sub: number, warpId: number, trace: WarpTrace, idx: number, t: number): number {
    const c = this.c;
    const recs = trace.recs;
    const o = idx * REC;
    const op = recs[o + F_OP]!;
    const loc = recs[o + F_LOC]!;
    const mask = recs[o + F_MASK]!;
    const active = popcount32(mask);
    const port = core * this.portsPerUnit + sub;
    const cnt = this.counters;
    this.issueFree[port] = t + 1;
    cnt.instr++;
    cnt.laneOps[op] = cnt.laneOps[op]! + active;
    switch (op) {
      case OP_IADD: case OP_IMUL: case OP_FADD: case OP_FFMA: case OP_FDIV: case OP_SFU: {
        cnt.rfReads += 2;
        cnt.rfWrites += 1;
        const lat = op === OP_FDIV ? c.latFpDiv : op === OP_SFU ? c.latSfu : c.latAlu;
        if (loc === 0) {
          cnt.farAluInstr++;
          const occ = Math.ceil(active / (c.fbAlusPerSubcore * c.fbAluLanes));
          const free = op === OP_SFU ? this.sfuFree : this.aluFree;
          const start = Math.max(t, free[port]!);
          free[port] = start + occ;
          return start + occ - 1 + lat;
        }
        cnt.nearAluInstr++;
        const arrive = this.bus(core, t, c.instrPacketBytes) + c.busLatencyCycles;
        const pgSlot = core * c.pgsPerCore + ((loc - 1) % c.pgsPerCore);
        const occ = Math.ceil(active / c.nbAluLanes);
        const start = Math.max(arrive, this.nbAluFree[pgSlot]!);
        this.nbAluFree[pgSlot] = start + occ;
        return start + occ - 1 + lat;
      }
      case OP_BRA: {
        cnt.rfReads += 1;
        this.aluFree[port] = Math.max(t, this.aluFree[port]!) + 1;
        return t + 1;
      }
      case OP_XFER: {
        cnt.xferInstr++;
        cnt.rfReads += 1;
        cnt.rfWrites += 1;
        return this.bus(core, t, recs[o + F_AUX]!) + c.busLatencyCycles;
      }
      case OP_LDS: case OP_STS: case OP_ATOMS:
        return this.sharedAccess(core, op, loc, mask, active, trace, o, t);
      default:
        return this.globalAccess(core, warpId, idx, op, loc, mask, trace, o, t);
    }
  }

  private sharedAccess(core: number, op: number, loc: number, mask: number, active: number, trace: WarpTrace, o: number, t: number): number {
    const c = this.c;
    const off = trace.recs[o + F_ADDR]!;
    // bank conflicts: distinct words per bank (atomics serialise every lane)
    const perBank = new Map<number, Set<number> | number>();
    let conflicts = 1;
    for (let l = 0; l < 32; l++) {
      if (!((mask >>> l) & 1)) continue;
      const word = trace.addrs[off + l]! / 4;
      const bank = word % c.smemBanks;
      if (op === OP_ATOMS) {
        const n = ((perBank.get(bank) as number | undefined) ?? 0) + 1;
        perBank.set(bank, n);
        if (n > conflicts) conflicts = n;
      } else {
        let s = perBank.get(bank) as Set<number> | undefined;
        if (!s) { s = new Set(); perBank.set(bank, s); }
        s.add(word);
        if (s.size > conflicts) conflicts = s.size;
      }
    }
    const cnt = this.counters;
    if (op !== OP_STS) cnt.smemReads += active;
    if (op !== OP_LDS) cnt.smemWrites += active;
    cnt.rfReads += 2;
    if (op === OP_LDS) cnt.rfWrites += 1;
    const dataOnBus = loc === 0 ? 4 * active : 0;
    const arrive = this.bus(core, t, c.instrPacketBytes + trace.recs[o + F_AUX]! + (op === OP_LDS ? 0 : dataOnBus)) + c.busLatencyCycles;
    const start = Math.max(arrive, this.smemFree[core]!);
    this.smemFree[core] = start + conflicts;
    let done = start + conflicts + c.smemLatencyCycles - 1;
    if (op === OP_LDS && dataOnBus > 0) done = this.bus(core, done, dataOnBus) + c.busLatencyCycles;
    return op === OP_LDS ? done : t + 1;
  }

  private coords(core: number): { x: number; y: number; px: number; py: number; proc: number } {
    const c = this.c;
    const proc = Math.floor(core / this.coresPerProc);
    const l = core % this.coresPerProc;
    const px = proc % c.processorsX, py = Math.floor(proc / c.processorsX);
    return { x: px * c.coresX + (l % c.coresX), y: py * c.coresY + Math.floor(l / c.coresX), px, py, proc };
  }

  /** Moves `bytes` from core `src` to core `dst` starting at t; returns arrival time. */
  private network(src: number, dst: number, bytes: number, t: number): number {
    const c = this.c;
    const a = this.coords(src), b = this.coords(dst);
    const hops = Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
    const off = Math.abs(a.px - b.px) + Math.abs(a.py - b.py);
    const flits = Math.ceil(bytes / c.packetBytes) * Math.ceil(c.packetBytes / c.flitBytes);
    const wire = flits * c.flitBytes;
    const cnt = this.counters;
    cnt.networkBitHopsOn += wire * 8 * (hops - off);
    cnt.networkBitHopsOff += wire * 8 * off;
    cnt.networkFlitHops += flits * hops;
    let s = Math.max(t, this.egressFree[src]!);
    this.egressFree[src] = s + wire / this.netBpc;
    if (off > 0) {
      s = Math.max(s, this.offchipFree[a.proc]!, this.offchipFree[b.proc]!);
      this.offchipFree[a.proc] = s + wire / this.offBpc;
      this.offchipFree[b.proc] = s + wire / this.offBpc;
    }
    s = Math.max(s, this.ingressFree[dst]!);
    this.ingressFree[dst] = s + wire / this.netBpc;
    return s + wire / Math.min(this.netBpc, off > 0 ? this.offBpc : this.netBpc) + hops * this.hopCycles;
  }

  private globalAccess(core: number, warpId: number, idx: number, op: number, loc: number, mask: number, trace: WarpTrace, o: number, t: number): number {
    const c = this.c;
    const off = trace.recs[o + F_ADDR]!;
    const isLoad = op === OP_LDG;
    const write = op !== OP_LDG;
    const atomic = op === OP_ATOMG;
    const homePg = loc - 1; // -1 when far
    const keys = this.cmdKeys, masks = this.cmdMasks;
    keys.length = 0; masks.length = 0;
    this.remoteLanes.clear();
    this.remoteGranules.clear();
    let crossLanes = 0;
    const d = this.dec;
    for (let l = 0; l < 32; l++) {
      if (!((mask >>> l) & 1)) continue;
      this.map.decode(trace.addrs[off + l]!, core, d);
      if (d.core !== core) {
        this.remoteLanes.set(d.core, (this.remoteLanes.get(d.core) ?? 0) + 1);
        this.remoteGranules.add(Math.floor(trace.addrs[off + l]! / c.bankIoBytes));
        continue;
      }
      if (d.pg !== homePg) crossLanes++;
      const key = (d.pg * c.bankRows + d.row) * c.bankCols + d.col;
      let k = keys.indexOf(key);
      if (k < 0) { k = keys.length; keys.push(key); masks.push(0); }
      masks[k]! |= 1 << d.pe;
    }
    const cnt = this.counters;
    cnt.rfReads += 2;
    if (isLoad) cnt.rfWrites += 1;
    // addresses + instruction go down; store data from far or another PG goes down with them
    const down = c.instrPacketBytes + trace.recs[o + F_AUX]! + (write ? 4 * crossLanes : 0);
    const arrive = this.bus(core, t, down) + c.busLatencyCycles;
    let latest = isLoad ? arrive : t + 1;
    let parts = 0;
    const token = { parts: 0, latest: 0 };
    const onDone = isLoad
      ? (tDram: number) => {
        const tc = tDram * this.d2c;
        token.latest = Math.max(token.latest, tc);
        if (--token.parts === 0) this.engine.complete(warpId, idx, token.latest + (crossLanes > 0 ? this.returnBus(core, token.latest, crossLanes) : 0));
      }
      : null;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const pg = Math.floor(key / (c.bankRows * c.bankCols));
      const rc = key % (c.bankRows * c.bankCols);
      this.dram.enqueue(core * c.pgsPerCore + pg, {
        row: Math.floor(rc / c.bankCols), col: rc % c.bankCols, peMask: masks[k]!, write, atomic,
        arrival: arrive / this.d2c, onDone,
      });
      parts++;
    }
    // remote cores: request + response over the mesh; the remote bank access is closed-page (contention there not modelled)
    const remoteDram = (c.tRCDR + c.tCL + 1 + (atomic ? c.tCCDL + c.tCWL : 0)) * this.d2c;
    for (const [dst, lanes] of this.remoteLanes) {
      cnt.remoteAccesses += lanes;
      const there = this.network(core, dst, write ? 4 * lanes + 16 : 16, arrive);
      const back = isLoad ? this.network(dst, core, 4 * lanes, there + remoteDram) : there + remoteDram;
      if (back > latest) latest = back;
    }
    const rg = this.remoteGranules.size;
    this.remoteDramEvents.act += rg;
    this.remoteDramEvents.pre += rg;
    if (isLoad || atomic) this.remoteDramEvents.read += rg;
    if (write) this.remoteDramEvents.write += rg;
    if (!isLoad) return t + 1;
    if (parts === 0) return latest;
    token.parts = parts;
    token.latest = latest;
    return -1;
  }

  readonly remoteDramEvents = { act: 0, pre: 0, read: 0, write: 0 };

  /** Load data that landed in another PG (or far) returns over the bus. */
  private returnBus(core: number, t: number, lanes: number): number {
    return this.bus(core, t, 4 * lanes) - t + this.c.busLatencyCycles;
  }
}
