/**
 * Event-driven SIMT front end shared by both models: block dispatch, warps issuing in order on issue
 * ports with a per-instruction scoreboard (two producers per instruction), barriers and completions.
 * The machine decides what each instruction costs and when asynchronous memory parts finish.
 */
import { EventHeap } from './event-heap';
import { BlockCtx } from './kernel-lang';
import type { KernelLaunch, Placement } from './kernel-lang';
import { F_DEP_A, F_DEP_B, F_OP, OP_BAR, REC, WarpTrace } from './trace';
import type { BlockTrace } from './trace';

export interface Machine {
  readonly units: number;
  readonly warpSlotsPerUnit: number;
  readonly portsPerUnit: number;
  readonly smemWordsPerUnit: number;
  readonly placement: Placement;
  /** Preferred unit for a block (-1: none) given its trace. */
  affinity(trace: BlockTrace): number;
  /** Executes instruction `idx` of a warp issued at `t`; returns completion time, or -1 when the machine will call engine.complete later. */
  execute(unit: number, port: number, warpId: number, trace: WarpTrace, idx: number, t: number): number;
  /** Machine-owned event (key already stripped of the engine tag). */
  handleEvent(key: number, t: number): void;
  /** Earliest time a port of `unit` can issue again after issuing at t. */
  portFree(unit: number, port: number): number;
  setPortBusy(unit: number, port: number, until: number): void;
}

interface Pending { bid: number; trace: BlockTrace; aff: number }

interface WarpState {
  trace: WarpTrace;
  pc: number;
  comp: Float64Array;
  blockedOn: number;
  unit: number;
  port: number;
  block: ResidentBlock;
  done: boolean;
}

interface ResidentBlock { trace: BlockTrace; unit: number; warpIds: number[]; live: number; atBarrier: number; barrierWaiters: number[] }

export interface RunOptions {
  onProgress?: (simCycles: number) => void;
  maxCycles: number;
  /** Host events between yields to the event loop. */
  yieldEvery?: number;
}

const TAG_WARP = 0;
const TAG_MACHINE = 1;

export class SimtEngine {
  readonly heap = new EventHeap();
  private warps: (WarpState | null)[];
  private freeSlots: number[][];
  private smemFree: number[];
  private tracePool: BlockTrace[] = [];
  now = 0;
  warpInstructions = 0;
  private doneWarpsPending = 0;

  constructor(private readonly m: Machine) {
    this.warps = new Array(m.units * m.warpSlotsPerUnit).fill(null);
    this.freeSlots = [];
    this.smemFree = [];
    for (let u = 0; u < m.units; u++) {
      const slots: number[] = [];
      for (let s = m.warpSlotsPerUnit - 1; s >= 0; s--) slots.push(u * m.warpSlotsPerUnit + s);
      this.freeSlots.push(slots);
      this.smemFree.push(m.smemWordsPerUnit);
    }
  }

  schedule(t: number, key: number): void {
    this.heap.push(t, key * 2 + TAG_MACHINE);
  }

  private wake(warpId: number, t: number): void {
    this.heap.push(t, warpId * 2 + TAG_WARP);
  }

  /** Called by the machine when an asynchronous instruction finishes. */
  complete(warpId: number, idx: number, t: number): void {
    const w = this.warps[warpId];
    if (!w) return;
    w.comp[idx] = t;
    if (w.blockedOn === idx) {
      w.blockedOn = -1;
      this.wake(warpId, t);
    }
  }

  /** Runs one kernel launch starting at `start`; returns its end time. */
  async runKernel(launch: KernelLaunch, start: number, opts: RunOptions): Promise<number> {
    const m = this.m;
    const numWarps = launch.blockDim / 32;
    if (numWarps > m.warpSlotsPerUnit) throw new Error(`kernel ${launch.name}: ${numWarps} warps per block exceed the ${m.warpSlotsPerUnit} warp slots of a unit`);
    if (launch.smemWords > m.smemWordsPerUnit) throw new Error(`kernel ${launch.name}: shared memory ${launch.smemWords * 4} B exceeds ${m.smemWordsPerUnit * 4} B per unit`);
    const ctx = new BlockCtx(launch);
    let nextBid = 0;
    const pending: Pending[] = [];
    // Blocks run on the unit owning their data; generation runs ahead (bounded) to find them, and
    // only when the look-ahead window is full does an idle unit take someone else's block.
    const window = 64 * m.units;
    const maxPendingBytes = 256 * 2 ** 20;
    let pendingBytes = 0;
    const traceBytes = (t: BlockTrace) => t.warps.reduce((s, w) => s + w.recs.byteLength + w.addrs.byteLength, 0);
    const full = () => pending.length >= window || pendingBytes >= maxPendingBytes;
    const hungry: number[] = [];
    const generate = (): boolean => {
      if (nextBid >= launch.gridDim) return false;
      const trace = this.tracePool.pop() ?? { warps: [], numWarps: 0 };
      while (trace.warps.length < numWarps) trace.warps.push(new WarpTrace());
      trace.warps.length = numWarps;
      trace.numWarps = numWarps;
      ctx.runBlock(nextBid, launch.gridDim, trace, m.placement);
      const aff = m.affinity(trace);
      pending.push({ bid: nextBid++, trace, aff });
      pendingBytes += traceBytes(trace);
      if (aff >= 0) hungry.push(aff);
      return true;
    };
    const take = (unit: number): Pending | undefined => {
      for (;;) {
        const i = pending.findIndex((p) => p.aff === unit || p.aff < 0);
        if (i >= 0) return taken(pending.splice(i, 1)[0]!);
        if (full() || !generate()) break;
      }
      return full() ? taken(pending.shift()!) : undefined;
    };
    const taken = (p: Pending): Pending => { pendingBytes -= traceBytes(p.trace); return p; };
    const fits = (unit: number) => this.freeSlots[unit]!.length >= numWarps && this.smemFree[unit]! >= launch.smemWords;
    const dispatchOne = (unit: number, t: number): void => {
      while (fits(unit)) {
        const p = take(unit);
        if (!p) return;
        this.smemFree[unit]! -= launch.smemWords;
        const block: ResidentBlock = { trace: p.trace, unit, warpIds: [], live: 0, atBarrier: 0, barrierWaiters: [] };
        for (let w = 0; w < numWarps; w++) {
          const wt = p.trace.warps[w]!;
          if (wt.count === 0) continue;
          const id = this.freeSlots[unit]!.pop()!;
          const slotInUnit = id % m.warpSlotsPerUnit;
          const comp = new Float64Array(wt.count);
          this.warps[id] = { trace: wt, pc: 0, comp, blockedOn: -1, unit, port: slotInUnit % m.portsPerUnit, block, done: false };
          block.warpIds.push(id);
          block.live++;
          this.wake(id, t);
        }
        if (block.live === 0) this.retire(block, launch);
      }
    };
    let dispatching = false;
    const dispatch = (unit: number, t: number): void => {
      hungry.push(unit);
      if (dispatching) return;
      dispatching = true;
      // serve every unit whose block turned up while generating
      while (hungry.length > 0) {
        const u = hungry.pop()!;
        if (fits(u)) dispatchOne(u, t);
      }
      dispatching = false;
    };
    for (let u = 0; u < m.units; u++) dispatch(u, start);

    let end = start;
    let events = 0;
    const yieldEvery = opts.yieldEvery ?? 200_000;
    const heap = this.heap;
    while (heap.size > 0) {
      const t = heap.topTime();
      const key = heap.topKey();
      heap.pop();
      this.now = t;
      if (t > end) end = t;
      if (t - start > opts.maxCycles) throw new Error(`budget: simulation exceeded ${opts.maxCycles} cycles; use a smaller size`);
      if (++events % yieldEvery === 0) {
        opts.onProgress?.(t);
        await new Promise<void>((r) => setImmediate(r));
      }
      if ((key & 1) === TAG_MACHINE) {
        const mk = key >> 1;
        if (mk === -1) this.runPollers();
        else m.handleEvent(mk, t);
        continue;
      }
      const warpId = key >> 1;
      let w = this.warps[warpId];
      if (!w || w.done) continue;
      let tt = t;
      // issue loop: keep issuing from this warp while nothing else is due earlier (preserves event order)
      for (;;) {
        const pf = m.portFree(w.unit, w.port);
        if (pf > tt) { this.wake(warpId, pf); break; }
        const recs = w.trace.recs;
        const o = w.pc * REC;
        const da = recs[o + F_DEP_A]!, db = recs[o + F_DEP_B]!;
        let ready = tt;
        if (da >= 0) {
          const c = w.comp[da]!;
          if (c < 0) { w.blockedOn = da; break; }
          if (c > ready) ready = c;
        }
        if (db >= 0) {
          const c = w.comp[db]!;
          if (c < 0) { w.blockedOn = db; break; }
          if (c > ready) ready = c;
        }
        if (ready > tt) { this.wake(warpId, ready); break; }
        const idx = w.pc++;
        this.warpInstructions++;
        if (recs[o + F_OP] === OP_BAR) {
          m.setPortBusy(w.unit, w.port, tt + 1);
          w.comp[idx] = tt + 1;
          const b = w.block;
          b.atBarrier++;
          if (b.atBarrier < b.live) { b.barrierWaiters.push(warpId); if (w.pc >= w.trace.count) this.finishWarp(warpId, w, tt + 1, launch, dispatch); break; }
          b.atBarrier = 0;
          for (const id of b.barrierWaiters) this.wake(id, tt + 1);
          b.barrierWaiters.length = 0;
        } else {
          const c = m.execute(w.unit, w.port, warpId, w.trace, idx, tt);
          w.comp[idx] = c;
          if (c > end) end = c;
        }
        if (w.pc >= w.trace.count) { this.finishWarp(warpId, w, tt + 1, launch, dispatch); break; }
        const nt = m.portFree(w.unit, w.port);
        if (heap.topTime() <= nt) { this.wake(warpId, nt); break; }
        tt = nt;
        if (tt > end) end = tt;
        w = this.warps[warpId]!;
      }
    }
    if (this.doneWarpsPending !== 0) throw new Error('engine: warps left unfinished (deadlock)');
    return end;
  }

  private finishWarp(warpId: number, w: WarpState, t: number, launch: KernelLaunch, dispatch: (u: number, t: number) => void): void {
    // a finished warp still counts at barriers it will never reach again; kernels only sync in uniform code
    w.done = true;
    let last = t;
    for (let i = 0; i < w.comp.length; i++) if (w.comp[i]! > last) last = w.comp[i]!;
    if (w.comp.some((c) => c < 0)) {
      // outstanding async parts: retire when they land (poll cheaply by re-checking at completion)
      this.doneWarpsPending++;
      const self = this;
      const poll = (): void => {
        let l = t;
        for (let i = 0; i < w.comp.length; i++) { const c = w.comp[i]!; if (c < 0) { self.retryLater(poll); return; } if (c > l) l = c; }
        self.doneWarpsPending--;
        self.releaseWarp(warpId, w, l, launch, dispatch);
      };
      this.retryLater(poll);
      return;
    }
    this.releaseWarp(warpId, w, last, launch, dispatch);
  }

  private pollers: (() => void)[] = [];
  private pollScheduled = false;
  private retryLater(f: () => void): void {
    this.pollers.push(f);
    if (!this.pollScheduled) {
      this.pollScheduled = true;
      this.schedule(this.now + 16, -1);
    }
  }

  /** Machine key -1 is the engine's poll tick. */
  runPollers(): void {
    const ps = this.pollers;
    this.pollers = [];
    this.pollScheduled = false;
    for (const p of ps) p();
  }

  private releaseWarp(warpId: number, w: WarpState, t: number, launch: KernelLaunch, dispatch: (u: number, t: number) => void): void {
    const b = w.block;
    this.warps[warpId] = null;
    this.freeSlots[w.unit]!.push(warpId);
    b.live--;
    if (b.live === 0) {
      this.retire(b, launch);
      dispatch(w.unit, t);
    } else if (b.atBarrier > 0 && b.atBarrier >= b.live) {
      b.atBarrier = 0;
      for (const id of b.barrierWaiters) this.wake(id, t);
      b.barrierWaiters.length = 0;
    }
  }

  private retire(b: ResidentBlock, launch: KernelLaunch): void {
    this.smemFree[b.unit]! += launch.smemWords;
    this.tracePool.push(b.trace);
  }
}
