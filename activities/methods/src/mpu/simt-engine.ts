/**
 * Event-driven SIMT front end shared by both models: block dispatch, warps issuing in order on issue
 * ports with a per-instruction scoreboard (two producers per instruction), barriers and completions.
 * The machine decides what each instruction costs and when asynchronous memory parts finish.
 */
import { CalendarQueue } from './event-heap';
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
  /** Unit a block must run on (static mapping), or -1 when any unit may take it (hardware block scheduler). */
  blockUnit(bid: number, launch: KernelLaunch): number;
  /** Executes instruction `idx` of a warp issued at `t`; returns completion time, or -1 when the machine will call engine.complete later. */
  execute(unit: number, port: number, warpId: number, trace: WarpTrace, idx: number, t: number): number;
  /** Machine-owned event (key already stripped of the engine tag). */
  handleEvent(key: number, t: number): void;
  /** Earliest time a port of `unit` can issue again after issuing at t. */
  portFree(unit: number, port: number): number;
  setPortBusy(unit: number, port: number, until: number): void;
}

interface WarpState {
  trace: WarpTrace;
  pc: number;
  comp: Float64Array;
  blockedOn: number;
  unit: number;
  port: number;
  block: ResidentBlock;
  done: boolean;
  /** Asynchronous instructions (machine will call complete) not yet finished. */
  outstanding: number;
  /** Latest completion time seen so far. */
  last: number;
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
  readonly heap = new CalendarQueue();
  private warps: (WarpState | null)[];
  private freeSlots: number[][];
  private smemFree: number[];
  private tracePool: BlockTrace[] = [];
  /** Completion-time arrays reused per warp slot (comp[i] < 0: not yet known). */
  private compPool: (Float64Array | undefined)[] = [];
  private statePool: (WarpState | undefined)[] = [];
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
    w.outstanding--;
    if (t > w.last) w.last = t;
    if (t > this.lastCompletion) this.lastCompletion = t;
    if (w.blockedOn === idx) {
      w.blockedOn = -1;
      this.wake(warpId, t);
    }
    // a finished warp waiting only for its loads leaves when the last one lands
    if (w.done && w.outstanding === 0) {
      this.doneWarpsPending--;
      this.releaseWarp(warpId, w, w.last, this.curLaunch!, this.curDispatch!);
    }
  }

  private lastCompletion = 0;
  private curLaunch: KernelLaunch | null = null;
  private curDispatch: ((u: number, t: number) => void) | null = null;

  /** Runs one kernel launch starting at `start`; returns its end time. */
  async runKernel(launch: KernelLaunch, start: number, opts: RunOptions): Promise<number> {
    const m = this.m;
    const numWarps = launch.blockDim / 32;
    if (numWarps > m.warpSlotsPerUnit) throw new Error(`kernel ${launch.name}: ${numWarps} warps per block exceed the ${m.warpSlotsPerUnit} warp slots of a unit`);
    if (launch.smemWords > m.smemWordsPerUnit) throw new Error(`kernel ${launch.name}: shared memory ${launch.smemWords * 4} B exceeds ${m.smemWordsPerUnit * 4} B per unit`);
    const ctx = new BlockCtx(launch);
    // Block queues: per unit for a static mapping (MPU runtime), one shared queue otherwise (GPU).
    const grid = launch.gridDim;
    let staticMap = false;
    const unitOf = new Int32Array(grid);
    for (let b = 0; b < grid; b++) {
      const u = m.blockUnit(b, launch);
      if (u >= 0) { staticMap = true; if (u >= m.units) throw new Error(`kernel ${launch.name}: block ${b} mapped to unit ${u} of ${m.units}`); }
      unitOf[b] = u;
    }
    const heads = new Int32Array(m.units + 1).fill(-1);
    const nextOf = new Int32Array(grid).fill(-1);
    {
      const tails = new Int32Array(m.units + 1).fill(-1);
      for (let b = 0; b < grid; b++) {
        const q = staticMap ? (unitOf[b]! < 0 ? b % m.units : unitOf[b]!) : m.units;
        if (tails[q]! < 0) heads[q] = b; else nextOf[tails[q]!] = b;
        tails[q] = b;
      }
    }
    const fits = (unit: number) => this.freeSlots[unit]!.length >= numWarps && this.smemFree[unit]! >= launch.smemWords;
    /** Starts one block on `unit` if one is waiting for it and it fits; the block's trace is generated now. */
    const startOne = (unit: number, t: number): boolean => {
      if (!fits(unit)) return false;
      const q = staticMap ? unit : m.units;
      const bid = heads[q]!;
      if (bid < 0) return false;
      heads[q] = nextOf[bid]!;
      const trace = this.tracePool.pop() ?? { warps: [], numWarps: 0 };
      while (trace.warps.length < numWarps) trace.warps.push(new WarpTrace());
      trace.warps.length = numWarps;
      trace.numWarps = numWarps;
      ctx.runBlock(bid, grid, trace, m.placement);
      this.smemFree[unit]! -= launch.smemWords;
      const block: ResidentBlock = { trace, unit, warpIds: [], live: 0, atBarrier: 0, barrierWaiters: [] };
      for (let w = 0; w < numWarps; w++) {
        const wt = trace.warps[w]!;
        if (wt.count === 0) continue;
        const id = this.freeSlots[unit]!.pop()!;
        const slotInUnit = id % m.warpSlotsPerUnit;
        let comp = this.compPool[id];
        if (!comp || comp.length < wt.count) { comp = new Float64Array(Math.max(wt.count, (comp?.length ?? 0) * 2)); this.compPool[id] = comp; }
        comp.fill(-1, 0, wt.count);
        // warp state objects are reused per slot (a slot holds one warp at a time)
        let ws = this.statePool[id];
        if (!ws) {
          ws = { trace: wt, pc: 0, comp, blockedOn: -1, unit, port: slotInUnit % m.portsPerUnit, block, done: false, outstanding: 0, last: t };
          this.statePool[id] = ws;
        } else {
          ws.trace = wt; ws.pc = 0; ws.comp = comp; ws.blockedOn = -1; ws.unit = unit; ws.port = slotInUnit % m.portsPerUnit;
          ws.block = block; ws.done = false; ws.outstanding = 0; ws.last = t;
        }
        this.warps[id] = ws;
        block.warpIds.push(id);
        block.live++;
        this.wake(id, t);
      }
      if (block.live === 0) this.retire(block, launch);
      return true;
    };
    const dispatch = (unit: number, t: number): void => {
      while (startOne(unit, t)) { /* fill the unit */ }
    };
    this.curLaunch = launch;
    this.curDispatch = dispatch;
    this.lastCompletion = start;
    // initial distribution: one block per unit per round (round-robin, like a GPU's block scheduler)
    for (let progress = true; progress;) {
      progress = false;
      for (let u = 0; u < m.units; u++) if (startOne(u, start)) progress = true;
    }

    this.runEnd = start;
    this.events = 0;
    const yieldEvery = opts.yieldEvery ?? 200_000;
    // the event loop runs in a synchronous method (better optimised than a loop inside an async
    // function); it returns at every yieldEvery-th event, which is handled after the yield as before
    let resume = false;
    while (this.pump(start, opts.maxCycles, yieldEvery, launch, dispatch, resume)) {
      opts.onProgress?.(this.pendT);
      await new Promise<void>((r) => setImmediate(r));
      resume = true;
    }
    const end = this.runEnd;
    if (this.doneWarpsPending !== 0) throw new Error('engine: warps left unfinished (deadlock)');
    this.curLaunch = null;
    this.curDispatch = null;
    return Math.max(end, this.lastCompletion);
  }

  private runEnd = 0;
  private events = 0;
  private pendT = 0;
  private pendKey = 0;

  /** Handles events until the queue is empty (false) or a yield point is reached (true; the event is kept in pendT/pendKey). */
  private pump(start: number, maxCycles: number, yieldEvery: number, launch: KernelLaunch, dispatch: (u: number, t: number) => void, resume: boolean): boolean {
    const m = this.m;
    const heap = this.heap;
    let end = this.runEnd;
    let havePending = resume;
    for (;;) {
      let t: number, key: number;
      if (havePending) {
        havePending = false;
        t = this.pendT; key = this.pendKey;
      } else {
        if (heap.size === 0) { this.runEnd = end; return false; }
        t = heap.topTime();
        key = heap.topKey();
        heap.pop();
        this.now = t;
        if (t > end) end = t;
        if (t - start > maxCycles) throw new Error(`budget: simulation exceeded ${maxCycles} cycles; use a smaller size`);
        if (++this.events % yieldEvery === 0) {
          this.pendT = t; this.pendKey = key; this.runEnd = end;
          return true;
        }
      }
      if ((key & 1) === TAG_MACHINE) {
        m.handleEvent(key >> 1, t);
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
        const comp = w.comp;
        const o = w.pc * REC;
        const da = recs[o + F_DEP_A]!, db = recs[o + F_DEP_B]!;
        let ready = tt;
        if (da >= 0) {
          const c = comp[da]!;
          if (c < 0) { w.blockedOn = da; break; }
          if (c > ready) ready = c;
        }
        if (db >= 0) {
          const c = comp[db]!;
          if (c < 0) { w.blockedOn = db; break; }
          if (c > ready) ready = c;
        }
        if (ready > tt) { this.wake(warpId, ready); break; }
        const idx = w.pc++;
        this.warpInstructions++;
        if (recs[o + F_OP] === OP_BAR) {
          m.setPortBusy(w.unit, w.port, tt + 1);
          comp[idx] = tt + 1;
          const b = w.block;
          b.atBarrier++;
          if (b.atBarrier < b.live) { b.barrierWaiters.push(warpId); if (w.pc >= w.trace.count) this.finishWarp(warpId, w, tt + 1, launch, dispatch); break; }
          b.atBarrier = 0;
          for (const id of b.barrierWaiters) this.wake(id, tt + 1);
          b.barrierWaiters.length = 0;
        } else {
          const c = m.execute(w.unit, w.port, warpId, w.trace, idx, tt);
          if (c < 0) w.outstanding++;
          else if (c > w.last) w.last = c;
          comp[idx] = c;
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
  }

  private finishWarp(warpId: number, w: WarpState, t: number, launch: KernelLaunch, dispatch: (u: number, t: number) => void): void {
    // a finished warp still counts at barriers it will never reach again; kernels only sync in uniform code
    w.done = true;
    if (t > w.last) w.last = t;
    if (w.outstanding > 0) { this.doneWarpsPending++; return; } // released by complete()
    this.releaseWarp(warpId, w, w.last, launch, dispatch);
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
