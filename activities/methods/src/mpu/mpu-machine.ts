/**
 * MPU timing model: 8 processors x 16 cores; each core has 4 subcores (issue, far-bank ALUs, SFU,
 * LSU), a 128 B x 2 GHz subcore<->PG bus, 4 PGs with one near-bank ALU each (one warp instruction per
 * cycle, as MPU-Sim's simulator/alu.py), near-bank shared memory, and near-bank DRAM (mpu-dram.ts).
 * Blocks run where the MPU runtime maps them (block i -> core i mod cores, MPU-Sim's default).
 * Remote-core accesses cross a 2D mesh (per-core injection/ejection and per-processor duplex
 * off-chip links; routers are not modelled individually) after a 32 KB read-only NIU cache.
 */
import { AddressMap } from './address-map';
import type { BankAddress } from './address-map';
import { TagCache } from './cache';
import type { KernelLaunch, OffloadPolicy, Placement } from './kernel-lang';
import { NearBankDram, REG_ARRIVAL, REG_CB, REG_T } from './mpu-dram';
import type { DramOwner } from './mpu-dram';
import type { MpuConfig } from './mpu-params';
import { E_COMPLETE, T_DONE, T_ISSUE } from './simt-engine';
import { Q_IN } from './event-heap';
import type { Machine, SimtEngine } from './simt-engine';
import {
  ADDR_AFFINE, F_HEAD, F_MASK, OP_ATOMG, OP_ATOMS, OP_BRA, OP_FADD, OP_FDIV, OP_FFMA, OP_IADD, OP_IMUL,
  OP_LDG, OP_LDS, OP_SFU, OP_STS, OP_XFER, REC, popcount32, recAmode, recAux, recLoc, recOp,
} from './trace';
import type { WarpTrace } from './trace';

/** One in-flight global load split over several PG commands. */
interface LoadToken { parts: number; latest: number; cross: number; core: number; warpId: number; idx: number; near: boolean }

/**
 * Requester-side read-only cache for remote loads: MPU-Sim's network interface unit keeps a 32 KB
 * read-only data cache (`niu_readonly_dcache_size` 32768, enabled: `bypass_niu_dcache` false in
 * config/*.json @db5cc64) looked up per address before a remote load is sent. Its granule here is the
 * 16 B bank interface. MPU-Sim evicts at random; LRU with 16 ways is an ASSUMPTION (deterministic).
 */
const NIU_CACHE_BYTES = 32768;
const NIU_CACHE_WAYS = 16;

/** Bus directions (busPacketPolicy 1): towards the PGs, towards the subcores, or whichever frees first. */
const UP = 0, DOWN = 1, EITHER = 2;

export interface MpuCounters {
  busBytes: number;
  /** Whole bus cycles the packets take (ceil(payload / width) each): MPU-Sim's num_bus_cyc. */
  busCycles: number;
  networkBitHopsOn: number;
  networkBitHopsOff: number;
  networkFlitHops: number;
  /** Packets x routers they cross towards another core (networkEnergyPolicy 1: each busies a crossbar and an output port). */
  networkPacketRouterHops: number;
  /** Router buffer accesses as MPU-Sim counts them: 4 (packet/flit) at each router a packet enters and each output it leaves. */
  networkBufferAccesses: number;
  remoteAccesses: number;
  nearAluInstr: number;
  farAluInstr: number;
  xferInstr: number;
  laneOps: Float64Array; // per opcode, lane operations
  warpOps: Float64Array; // per opcode, warp instructions
  /** Global and shared-memory instructions (each reads and writes a pending-request-table entry). */
  memInstr: number;
  instr: number;
  rfReads: number;
  rfWrites: number;
  smemReads: number;
  smemWrites: number;
}

export class MpuMachine implements Machine, DramOwner {
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
  private readonly busCycle: number; // core cycles per bus cycle
  private readonly netBpc: number;
  private readonly offBpc: number;
  private readonly hopCycles: number;
  private readonly coresPerProc: number;
  readonly issueFree: Float64Array;
  readonly times = new Float64Array(2);
  private readonly aluFree: Float64Array;
  private readonly sfuFree: Float64Array;
  private readonly busFree: Float64Array;
  private readonly nbAluFree: Float64Array;
  private readonly smemFree: Float64Array;
  private readonly ingressFree: Float64Array;
  private readonly egressFree: Float64Array;
  private readonly offchipOut: Float64Array;
  private readonly offchipIn: Float64Array;
  private readonly dec: BankAddress = { core: 0, pg: 0, pe: 0, row: 0, col: 0 };
  // scratch for one warp access (at most 32 entries each)
  private readonly cmdKeys = new Float64Array(32);
  private readonly cmdMasks = new Int32Array(32);
  private readonly remCore = new Int32Array(32);
  private readonly remLanes = new Int32Array(32);
  private readonly remGran = new Float64Array(32);
  private readonly cx: Int32Array;
  private readonly cy: Int32Array;
  private readonly cpx: Int32Array;
  private readonly cpy: Int32Array;
  private readonly cproc: Int32Array;
  private readonly niu: TagCache[];
  /** Load tokens by id (the DRAM request tag); ids of finished loads are reused. */
  private readonly tokens: LoadToken[] = [];
  private readonly tokFree: number[] = [];

  constructor(readonly c: MpuConfig, policy: OffloadPolicy) {
    this.coresPerProc = c.coresX * c.coresY;
    this.units = c.processorsX * c.processorsY * this.coresPerProc;
    this.warpSlotsPerUnit = c.subcoresPerCore * c.maxWarpsPerSubcore;
    this.portsPerUnit = c.subcoresPerCore;
    this.smemWordsPerUnit = Math.floor(c.smemBytes / 4);
    this.map = new AddressMap(this.units, c.pgsPerCore, c.pesPerPg, c.bankCols, c.bankRows, c.bankIoBytes);
    this.d2c = c.coreClockMHz / c.dramClockMHz;
    this.busBpc = (c.busWidthBytes * c.busClockMHz) / c.coreClockMHz;
    this.busCycle = c.coreClockMHz / c.busClockMHz;
    this.netBpc = (c.onchipLinkBytes * c.routerClockMHz) / c.coreClockMHz;
    this.offBpc = (c.offchipLinkBytes * c.routerClockMHz) / c.coreClockMHz;
    this.hopCycles = (c.routerLatencyCycles * c.coreClockMHz) / c.routerClockMHz;
    const ports = this.units * this.portsPerUnit;
    this.issueFree = new Float64Array(ports);
    this.aluFree = new Float64Array(ports);
    this.sfuFree = new Float64Array(ports);
    this.busFree = new Float64Array(this.units * 2); // [core * 2 + direction]; busPacketPolicy 0 uses direction 0 only
    this.nbAluFree = new Float64Array(this.units * c.pgsPerCore);
    this.smemFree = new Float64Array(this.units);
    this.ingressFree = new Float64Array(this.units);
    this.egressFree = new Float64Array(this.units);
    this.offchipOut = new Float64Array(c.processorsX * c.processorsY);
    this.offchipIn = new Float64Array(c.processorsX * c.processorsY);
    this.dram = new NearBankDram(c, this.units, this);
    this.cx = new Int32Array(this.units); this.cy = new Int32Array(this.units);
    this.cpx = new Int32Array(this.units); this.cpy = new Int32Array(this.units); this.cproc = new Int32Array(this.units);
    for (let core = 0; core < this.units; core++) {
      const proc = Math.floor(core / this.coresPerProc);
      const l = core % this.coresPerProc;
      const px = proc % c.processorsX, py = Math.floor(proc / c.processorsX);
      this.cx[core] = px * c.coresX + (l % c.coresX);
      this.cy[core] = py * c.coresY + Math.floor(l / c.coresX);
      this.cpx[core] = px; this.cpy[core] = py; this.cproc[core] = proc;
    }
    this.niu = Array.from({ length: this.units }, () => new TagCache(NIU_CACHE_BYTES, c.bankIoBytes, NIU_CACHE_WAYS));
    const map = this.map;
    this.placement = { policy, pgOf: (addr) => map.pgOf(addr), homePg: (w) => w % c.pgsPerCore, smemBanks: c.smemBanks };
    this.counters = {
      busBytes: 0, networkBitHopsOn: 0, networkBitHopsOff: 0, networkFlitHops: 0, networkPacketRouterHops: 0, networkBufferAccesses: 0, remoteAccesses: 0,
      busCycles: 0, nearAluInstr: 0, farAluInstr: 0, xferInstr: 0, laneOps: new Float64Array(16), warpOps: new Float64Array(16), memInstr: 0, instr: 0,
      rfReads: 0, rfWrites: 0, smemReads: 0, smemWrites: 0,
    };
  }

  /** MPU-Sim runtime mapping: block i -> core i mod cores unless the launch gives its own (NW). */
  blockUnit(bid: number, launch: KernelLaunch): number {
    return launch.mpuBlockCore ? launch.mpuBlockCore(bid, this.units) : bid % this.units;
  }

  handleEvent(key: number, t: number): void {
    this.dram.regs[REG_T] = t / this.d2c;
    this.dram.serve(key);
  }

  /**
   * Reserves the core's bus for `packets` packets carrying `bytes` in all, from t; returns when the
   * transfer ends. A packet takes ceil(payload / width) whole bus cycles (MPU-Sim subcore_pg_bus.py:134);
   * a call's packets are one 8 B header and 128 B registers or 16 B DRAM transactions, so their cycles
   * are max(packets, ceil(bytes / width)). busPacketPolicy 0 streams the bytes over one shared channel;
   * 1 sends the packets one at a time in their direction, each at least one cycle (the command bus).
   */
  private bus(core: number, t: number, bytes: number, packets: number, dir: number): number {
    const c = this.c;
    const cycles = Math.max(packets, Math.ceil(bytes / c.busWidthBytes));
    this.counters.busCycles += cycles;
    if (c.busPacketPolicy !== 1) {
      if (bytes <= 0) return t;
      this.counters.busBytes += bytes;
      const start = Math.max(t, this.busFree[core * 2]!);
      const end = start + bytes / this.busBpc;
      this.busFree[core * 2] = end;
      return end;
    }
    if (packets <= 0 && bytes <= 0) return t;
    this.counters.busBytes += bytes;
    const lane = core * 2 + (dir === EITHER ? (this.busFree[core * 2 + 1]! < this.busFree[core * 2]! ? DOWN : UP) : dir);
    const start = Math.max(t, this.busFree[lane]!);
    const end = start + Math.max(1, cycles) * this.busCycle;
    this.busFree[lane] = end;
    return end;
  }

  /** commitPackets: a near-bank instruction finished at t sends its 8 B entry back to commit; returns when it has. */
  private commit(core: number, t: number): number {
    return this.c.commitPackets === 1 ? this.bus(core, t, this.c.instrPacketBytes, 1, DOWN) + this.c.busLatencyCycles : t;
  }

  execute(core: number, sub: number, warpId: number, trace: WarpTrace, idx: number): void {
    const c = this.c;
    const times = this.times;
    const t = times[T_ISSUE]!;
    const recs = trace.recs;
    const o = idx * REC;
    const head = recs[o + F_HEAD]!;
    const op = recOp(head);
    const loc = recLoc(head);
    const mask = recs[o + F_MASK]!;
    const active = popcount32(mask);
    const port = core * this.portsPerUnit + sub;
    const cnt = this.counters;
    this.issueFree[port] = t + 1;
    cnt.instr++;
    cnt.laneOps[op] = cnt.laneOps[op]! + active;
    cnt.warpOps[op] = cnt.warpOps[op]! + 1;
    switch (op) {
      case OP_IADD: case OP_IMUL: case OP_FADD: case OP_FFMA: case OP_FDIV: case OP_SFU: {
        cnt.rfReads += 2;
        cnt.rfWrites += 1;
        const lat = op === OP_FDIV ? c.latFpDiv : op === OP_SFU ? c.latSfu : c.latAlu;
        const moved = recAux(head); // operands brought over the bus first (demand-driven placement)
        if (loc === 0) {
          cnt.farAluInstr++;
          const occ = Math.ceil(active / (c.fbAlusPerSubcore * c.fbAluLanes));
          const free = op === OP_SFU ? this.sfuFree : this.aluFree;
          const ready = moved > 0 ? this.bus(core, t, moved, Math.ceil(moved / c.busWidthBytes), DOWN) + c.busLatencyCycles : t;
          const start = Math.max(ready, free[port]!);
          free[port] = start + occ;
          times[T_DONE] = start + occ - 1 + lat;
          return;
        }
        cnt.nearAluInstr++;
        const arrive = this.bus(core, t, c.instrPacketBytes + moved, 1 + Math.ceil(moved / c.busWidthBytes), UP) + c.busLatencyCycles;
        const pgSlot = core * c.pgsPerCore + ((loc - 1) % c.pgsPerCore);
        const occ = Math.ceil(active / c.nbAluLanes);
        const start = Math.max(arrive, this.nbAluFree[pgSlot]!);
        this.nbAluFree[pgSlot] = start + occ;
        times[T_DONE] = this.commit(core, start + occ - 1 + lat);
        return;
      }
      case OP_BRA: {
        cnt.rfReads += 1;
        const moved = recAux(head); // a near-bank predicate crosses the bus first
        const ready = moved > 0 ? this.bus(core, t, moved, Math.ceil(moved / c.busWidthBytes), DOWN) + c.busLatencyCycles : t;
        this.aluFree[port] = Math.max(ready, this.aluFree[port]!) + 1;
        times[T_DONE] = ready + 1;
        return;
      }
      case OP_XFER: {
        cnt.xferInstr++;
        cnt.rfReads += 1;
        cnt.rfWrites += 1;
        const bytes = recAux(head);
        times[T_DONE] = this.bus(core, t, bytes, Math.ceil(bytes / c.busWidthBytes), EITHER) + c.busLatencyCycles;
        return;
      }
      case OP_LDS: case OP_STS: case OP_ATOMS:
        this.sharedAccess(core, op, loc, mask, active, trace, head);
        return;
      default:
        this.globalAccess(core, warpId, idx, op, loc, mask, trace, head);
        return;
    }
  }

  /** Shared-memory access issued at times[T_ISSUE]; sets times[T_DONE]. */
  private sharedAccess(core: number, op: number, loc: number, mask: number, active: number, trace: WarpTrace, head: number): void {
    const c = this.c;
    const t = this.times[T_ISSUE]!;
    const conflicts = trace.addrs[trace.takeAddrs(head)]!; // recorded at trace generation (kernel-lang)
    const cnt = this.counters;
    cnt.memInstr++;
    if (op !== OP_STS) cnt.smemReads += active;
    if (op !== OP_LDS) cnt.smemWrites += active;
    cnt.rfReads += 2;
    if (op === OP_LDS) cnt.rfWrites += 1;
    const dataOnBus = loc === 0 ? 4 * active : 0;
    const W = c.busWidthBytes;
    const moved = recAux(head), sent = op === OP_LDS ? 0 : dataOnBus;
    const arrive = this.bus(core, t, c.instrPacketBytes + moved + sent, 1 + Math.ceil(moved / W) + Math.ceil(sent / W), UP) + c.busLatencyCycles;
    const start = Math.max(arrive, this.smemFree[core]!);
    this.smemFree[core] = start + conflicts;
    let done = start + conflicts + c.smemLatencyCycles - 1;
    // a load whose register is far-bank returns its data; otherwise the instruction commits (near-bank shared memory)
    if (op === OP_LDS && dataOnBus > 0) done = this.bus(core, done, dataOnBus, Math.ceil(dataOnBus / W), DOWN) + c.busLatencyCycles;
    else done = this.commit(core, done);
    this.times[T_DONE] = op === OP_LDS ? done : t + 1;
  }

  /** Moves `bytes` from core `src` to core `dst` starting at t; returns arrival time. */
  private network(src: number, dst: number, bytes: number, t: number): number {
    const c = this.c;
    const hops = Math.abs(this.cx[src]! - this.cx[dst]!) + Math.abs(this.cy[src]! - this.cy[dst]!);
    const off = Math.abs(this.cpx[src]! - this.cpx[dst]!) + Math.abs(this.cpy[src]! - this.cpy[dst]!);
    const aProc = this.cproc[src]!, bProc = this.cproc[dst]!;
    const packets = Math.ceil(bytes / c.packetBytes);
    const flitsPerPacket = Math.ceil(c.packetBytes / c.flitBytes);
    const flits = packets * flitsPerPacket;
    const wire = flits * c.flitBytes;
    const cnt = this.counters;
    cnt.networkBitHopsOn += wire * 8 * (hops - off);
    cnt.networkBitHopsOff += wire * 8 * off;
    cnt.networkFlitHops += flits * hops;
    // MPU-Sim's routers: the source and each router on the way forward a packet (hops of them), and
    // every router it enters, the destination's included, buffers it (hops + 1)
    cnt.networkPacketRouterHops += packets * hops;
    cnt.networkBufferAccesses += packets * flitsPerPacket * (2 * hops + 1);
    let s = Math.max(t, this.egressFree[src]!);
    this.egressFree[src] = s + wire / this.netBpc;
    if (off > 0) {
      // each processor's off-chip link has an outgoing and an incoming direction (ASSUMPTION: full
      // duplex; a single shared reservation made responses, booked in the future, block requests)
      s = Math.max(s, this.offchipOut[aProc]!, this.offchipIn[bProc]!);
      this.offchipOut[aProc] = s + wire / this.offBpc;
      this.offchipIn[bProc] = s + wire / this.offBpc;
    }
    s = Math.max(s, this.ingressFree[dst]!);
    this.ingressFree[dst] = s + wire / this.netBpc;
    return s + wire / Math.min(this.netBpc, off > 0 ? this.offBpc : this.netBpc) + hops * this.hopCycles;
  }

  /** Global access issued at times[T_ISSUE]; sets times[T_DONE]. */
  private globalAccess(core: number, warpId: number, idx: number, op: number, loc: number, mask: number, trace: WarpTrace, head: number): void {
    const c = this.c;
    const times = this.times;
    const t = times[T_ISSUE]!;
    const off = trace.takeAddrs(head);
    const affine = recAmode(head) === ADDR_AFFINE;
    const a0 = affine ? trace.addrs[off]! : 0, stride = affine ? trace.addrs[off + 1]! : 0;
    const isLoad = op === OP_LDG;
    const write = op !== OP_LDG;
    const atomic = op === OP_ATOMG;
    const homePg = loc - 1; // -1 when far
    const keys = this.cmdKeys, masks = this.cmdMasks;
    const remCore = this.remCore, remLanes = this.remLanes, remGran = this.remGran;
    const niu = this.niu[core]!;
    let nCmd = 0, nRem = 0, nRemGran = 0;
    let crossLanes = 0, niuHits = 0;
    let lastG = -1, lastKind = 0, lastRem = -1; // kind: 0 local same PG, 1 local other PG, 2 remote, 3 NIU hit
    const d = this.dec;
    const io = c.bankIoBytes;
    const rc = c.bankRows * c.bankCols;
    for (let l = 0; l < 32; l++) {
      if (!((mask >>> l) & 1)) continue;
      const a = affine ? a0 + stride * l : trace.addrs[off + l]!;
      const g = Math.floor(a / io);
      if (g !== lastG) {
        lastG = g;
        this.map.decode(a, d);
        if (d.core !== core) {
          if (isLoad && niu.access(g, false)) lastKind = 3;
          else {
            lastKind = 2;
            if (isLoad) niu.fill(g, false);
            else niu.invalidate(g);
            let r = 0;
            while (r < nRem && remCore[r] !== d.core) r++;
            if (r === nRem) { remCore[r] = d.core; remLanes[r] = 0; nRem++; }
            lastRem = r;
            let k = 0;
            while (k < nRemGran && remGran[k] !== g) k++;
            if (k === nRemGran) remGran[nRemGran++] = g;
          }
        } else {
          lastKind = d.pg !== homePg ? 1 : 0;
          const key = d.pg * rc + d.row * c.bankCols + d.col;
          let k = 0;
          while (k < nCmd && keys[k] !== key) k++;
          if (k === nCmd) { keys[k] = key; masks[k] = 0; nCmd++; }
          masks[k]! |= 1 << d.pe;
        }
      }
      if (lastKind === 1) crossLanes++;
      else if (lastKind === 2) remLanes[lastRem]!++;
      else if (lastKind === 3) { niuHits++; crossLanes++; }
    }
    const cnt = this.counters;
    cnt.memInstr++;
    cnt.rfReads += 2;
    if (isLoad) cnt.rfWrites += 1;
    // addresses + instruction go down; store data from far or another PG goes down with them, one 16 B transaction a packet
    const moved = recAux(head), storeData = write ? 4 * crossLanes : 0;
    const down = c.instrPacketBytes + moved + storeData;
    const arrive = this.bus(core, t, down, 1 + Math.ceil(moved / c.busWidthBytes) + Math.ceil(storeData / c.bankIoBytes), UP) + c.busLatencyCycles;
    let latest = isLoad ? arrive + (niuHits > 0 ? 1 : 0) : t + 1; // NIU cache latency 1 (MPU-Sim default)
    // remote cores: request + response over the mesh; the remote bank access is closed-page (contention there not modelled)
    const remoteDram = (c.tRCDR + c.tCL + 1 + (atomic ? c.tCCDL + c.tCWL : 0)) * this.d2c;
    for (let r = 0; r < nRem; r++) {
      const lanes = remLanes[r]!;
      const dst = remCore[r]!;
      cnt.remoteAccesses += lanes;
      let there: number, back: number;
      if (c.networkMessagePolicy === 1) {
        // MPU-Sim's messages: addresses (and store data) out, data (or an acknowledgement) back
        there = this.network(core, dst, 4 * lanes + (write ? 4 * lanes : 0) + 16, arrive);
        const resp = this.network(dst, core, (isLoad ? 4 * lanes : 0) + 12, there + remoteDram);
        back = isLoad ? resp : there + remoteDram; // a store does not wait for its acknowledgement
      } else {
        there = this.network(core, dst, write ? 4 * lanes + 16 : 16, arrive);
        back = isLoad ? this.network(dst, core, 4 * lanes, there + remoteDram) : there + remoteDram;
      }
      if (back > latest) latest = back;
    }
    const ev = this.remoteDramEvents;
    ev.act += nRemGran;
    ev.pre += nRemGran;
    if (isLoad || atomic || (write && c.storeReadModifyWrite === 1)) ev.read += nRemGran;
    if (write) ev.write += nRemGran;
    let tag = -1;
    if (isLoad && nCmd > 0) {
      tag = this.tokFree.length > 0 ? this.tokFree.pop()! : this.tokens.push({ parts: 0, latest: 0, cross: 0, core: 0, warpId: 0, idx: 0, near: false }) - 1;
      const tok = this.tokens[tag]!;
      tok.parts = nCmd; tok.latest = latest; tok.cross = crossLanes; tok.core = core; tok.warpId = warpId; tok.idx = idx; tok.near = homePg >= 0;
    }
    this.dram.regs[REG_ARRIVAL] = arrive / this.d2c;
    for (let k = 0; k < nCmd; k++) {
      const key = keys[k]!;
      const pg = Math.floor(key / rc);
      const rest = key - pg * rc;
      // the column (rest % bankCols) does not change the bank timing: only the row is passed on
      this.dram.enqueue(core * c.pgsPerCore + pg, Math.floor(rest / c.bankCols), masks[k]!, write, atomic, tag);
    }
    if (!isLoad) {
      times[T_DONE] = t + 1;
      if (homePg >= 0) this.commit(core, latest); // a near-bank store commits (bus time and energy; the warp does not wait)
    }
    // no local part: data that came from the network or the NIU cache lands far-bank/in the NIU and crosses the bus
    else if (nCmd === 0) {
      const got = crossLanes > 0 ? latest + this.returnBus(core, latest, crossLanes) : latest;
      times[T_DONE] = homePg >= 0 ? this.commit(core, got) : got;
    } else times[T_DONE] = -1;
  }

  scheduleServe(pgId: number): void {
    this.engine.heap.reg[Q_IN] = this.dram.regs[REG_CB]! * this.d2c;
    this.engine.scheduleAt(pgId);
  }

  dramDone(tag: number): void {
    if (tag < 0) return;
    const tok = this.tokens[tag]!;
    const tc = this.dram.regs[REG_CB]! * this.d2c;
    if (tc > tok.latest) tok.latest = tc;
    if (--tok.parts === 0) {
      const got = tok.latest + (tok.cross > 0 ? this.returnBus(tok.core, tok.latest, tok.cross) : 0);
      const done = tok.near ? this.commit(tok.core, got) : got;
      this.tokFree.push(tag);
      this.engine.reg[E_COMPLETE] = done;
      this.engine.completeAt(tok.warpId, tok.idx);
    }
  }

  readonly remoteDramEvents = { act: 0, pre: 0, read: 0, write: 0 };

  /** Load data that landed in another PG (or far) returns over the bus. */
  private returnBus(core: number, t: number, lanes: number): number {
    return this.bus(core, t, 4 * lanes, Math.ceil((4 * lanes) / this.c.bankIoBytes), DOWN) - t + this.c.busLatencyCycles;
  }
}

