/**
 * Event-driven SIMT front end shared by both models: block dispatch, warps issuing in order on issue
 * ports with a per-instruction scoreboard (two producers per instruction), barriers and completions.
 * The machine decides what each instruction costs and when asynchronous memory parts finish.
 */
import { CalendarQueue, Q_IN, Q_OUT } from './event-heap';
import { BlockCtx } from './kernel-lang';
import type { KernelLaunch, Placement } from './kernel-lang';
import { DONE_SLOT, F_DEP_A, F_DEP_B, F_HEAD, OP_BAR, REC, WarpTrace, recOp } from './trace';
import type { BlockTrace } from './trace';

/**
 * Issue and completion times cross the engine/machine boundary through the machine's `times` array
 * rather than as arguments and results: they are rarely small integers, and V8 boxes such a double in
 * a new heap number at every call it does not inline (several per instruction, much of the GC time).
 */
export const T_ISSUE = 0;
export const T_DONE = 1;
/** SimtEngine.reg slot: the time given to completeAt() (for the same reason as T_ISSUE, T_DONE). */
export const E_COMPLETE = 0;

export interface Machine {
  readonly units: number;
  readonly warpSlotsPerUnit: number;
  readonly portsPerUnit: number;
  readonly smemWordsPerUnit: number;
  readonly placement: Placement;
  /** Unit a block must run on (static mapping), or -1 when any unit may take it (hardware block scheduler). */
  blockUnit(bid: number, launch: KernelLaunch): number;
  /** Time registers (T_ISSUE, T_DONE), see above. */
  readonly times: Float64Array;
  /**
   * Executes instruction `idx` of a warp issued at times[T_ISSUE]; sets times[T_DONE] to its completion
   * time, or to -1 when the machine will call engine.completeAt later.
   */
  execute(unit: number, port: number, warpId: number, trace: WarpTrace, idx: number): void;
  /** Machine-owned event (key already stripped of the engine tag). */
  handleEvent(key: number, t: number): void;
  /**
   * Earliest time each issue port (index unit * portsPerUnit + port) can issue again; execute() sets
   * it, the engine reads it directly (and sets it for barriers) instead of calling through the interface.
   */
  readonly issueFree: Float64Array;
}

interface WarpState {
  trace: WarpTrace;
  /** trace.recs and trace.count (final once the block's trace is generated), one load closer. */
  recs: Int32Array;
  count: number;
  /** Issue port index into machine.issueFree. */
  portIdx: number;
  pc: number;
  /** trace.doneTimes(): completion time of issued instruction i at i * 2 + DONE_SLOT (-1: not yet known). */
  done64: Float64Array;
  blockedOn: number;
  unit: number;
  port: number;
  block: ResidentBlock;
  done: boolean;
  /** Asynchronous instructions (machine will call completeAt) not yet finished. */
  outstanding: number;
}

/** barrierWaiters[0..waiting) are the warps parked at the current barrier (an array cleared by count, not by length = 0, which freed its storage). */
interface ResidentBlock { trace: BlockTrace; unit: number; warpIds: number[]; live: number; atBarrier: number; barrierWaiters: number[]; waiting: number }

export interface RunOptions {
  onProgress?: (simCycles: number) => void;
  maxCycles: number;
  /** Host events between yields to the event loop. */
  yieldEvery?: number;
}

const TAG_WARP = 0;
const TAG_MACHINE = 1;

/**
 * Warp traces left over from finished kernels, reused by the next one (in any engine): a run keeps
 * every resident block's trace at once, and allocating them afresh was a visible share of short
 * runs. Bounded so that a large run does not pin its memory for the life of the process.
 */
const spareTraces: WarpTrace[] = [];
let spareBytes = 0;
const SPARE_LIMIT_BYTES = 64 * 2 ** 20;

function traceBytes(t: WarpTrace): number {
  return t.recs.byteLength + t.addrs.byteLength;
}

function takeSpareTrace(): WarpTrace | undefined {
  const t = spareTraces.pop();
  if (t) spareBytes -= traceBytes(t);
  return t;
}

function giveSpareTrace(t: WarpTrace): void {
  const b = traceBytes(t);
  if (spareBytes + b > SPARE_LIMIT_BYTES) return;
  spareTraces.push(t);
  spareBytes += b;
}

export class SimtEngine {
  readonly heap = new CalendarQueue();
  private warps: (WarpState | null)[];
  private freeSlots: number[][];
  private smemFree: number[];
  private tracePool: BlockTrace[] = [];
  private statePool: (WarpState | undefined)[] = [];
  /** Latest completion time seen per warp slot (a typed array: an object field of doubles boxed a number per update). */
  private readonly lastDone: Float64Array;
  warpInstructions = 0;
  private doneWarpsPending = 0;

  constructor(private readonly m: Machine) {
    this.warps = new Array(m.units * m.warpSlotsPerUnit).fill(null);
    this.lastDone = new Float64Array(m.units * m.warpSlotsPerUnit);
    this.freeSlots = [];
    this.smemFree = [];
    for (let u = 0; u < m.units; u++) {
      const slots: number[] = [];
      for (let s = m.warpSlotsPerUnit - 1; s >= 0; s--) slots.push(u * m.warpSlotsPerUnit + s);
      this.freeSlots.push(slots);
      this.smemFree.push(m.smemWordsPerUnit);
    }
  }

  /** Time register of completeAt (E_COMPLETE). */
  readonly reg = new Float64Array(1);

  /** Machine event `key` at heap.reg[Q_IN] (a register, as for pushAt). */
  scheduleAt(key: number): void {
    this.heap.pushAt(key * 2 + TAG_MACHINE);
  }

  private wake(warpId: number, t: number): void {
    this.heap.push(t, warpId * 2 + TAG_WARP);
  }

  /** Called by the machine when an asynchronous instruction finishes at reg[E_COMPLETE]. */
  completeAt(warpId: number, idx: number): void {
    const t = this.reg[E_COMPLETE]!;
    const w = this.warps[warpId];
    if (!w) return;
    w.done64[idx * 2 + DONE_SLOT] = t;
    w.outstanding--;
    if (t > this.lastDone[warpId]!) this.lastDone[warpId] = t;
    if (t > this.lastCompletion) this.lastCompletion = t;
    if (w.blockedOn === idx) {
      w.blockedOn = -1;
      this.wake(warpId, t);
    }
    // a finished warp waiting only for its loads leaves when the last one lands
    if (w.done && w.outstanding === 0) {
      this.doneWarpsPending--;
      this.releaseWarp(warpId, w, this.lastDone[warpId]!, this.curLaunch!, this.curDispatch!);
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
    let maxRecs = 64, maxAddrs = 64;
    const fits = (unit: number) => this.freeSlots[unit]!.length >= numWarps && this.smemFree[unit]! >= launch.smemWords;
    /** Starts one block on `unit` if one is waiting for it and it fits; the block's trace is generated now. */
    const startOne = (unit: number, t: number): boolean => {
      if (!fits(unit)) return false;
      const q = staticMap ? unit : m.units;
      const bid = heads[q]!;
      if (bid < 0) return false;
      heads[q] = nextOf[bid]!;
      const trace = this.tracePool.pop() ?? { warps: [], numWarps: 0 };
      // new traces start at the largest size seen in this launch: growing each fresh trace by
      // doubling was a large share of the host time of short runs (all blocks resident at once)
      while (trace.warps.length < numWarps) {
        const spare = takeSpareTrace();
        if (spare) spare.reserve(maxRecs, maxAddrs); // one allocation rather than growing by doubling
        trace.warps.push(spare ?? new WarpTrace(maxRecs, maxAddrs));
      }
      while (trace.warps.length > numWarps) giveSpareTrace(trace.warps.pop()!);
      trace.numWarps = numWarps;
      ctx.runBlock(bid, grid, trace, m.placement);
      for (let w = 0; w < numWarps; w++) {
        const wt = trace.warps[w]!;
        if (wt.count > maxRecs) maxRecs = wt.count;
        if (wt.addrCount > maxAddrs) maxAddrs = wt.addrCount;
      }
      this.smemFree[unit]! -= launch.smemWords;
      const block: ResidentBlock = { trace, unit, warpIds: [], live: 0, atBarrier: 0, barrierWaiters: [], waiting: 0 };
      for (let w = 0; w < numWarps; w++) {
        const wt = trace.warps[w]!;
        if (wt.count === 0) continue;
        const id = this.freeSlots[unit]!.pop()!;
        const slotInUnit = id % m.warpSlotsPerUnit;
        // no completion slots to clear: instructions only depend on earlier ones, whose slots were written at issue
        const done64 = wt.doneTimes();
        // warp state objects are reused per slot (a slot holds one warp at a time)
        let ws = this.statePool[id];
        const port = slotInUnit % m.portsPerUnit;
        const portIdx = unit * m.portsPerUnit + port;
        if (!ws) {
          ws = { trace: wt, recs: wt.recs, count: wt.count, portIdx, pc: 0, done64, blockedOn: -1, unit, port, block, done: false, outstanding: 0 };
          this.statePool[id] = ws;
        } else {
          ws.trace = wt; ws.recs = wt.recs; ws.count = wt.count; ws.portIdx = portIdx;
          ws.pc = 0; ws.done64 = done64; ws.blockedOn = -1; ws.unit = unit; ws.port = port;
          ws.block = block; ws.done = false; ws.outstanding = 0;
        }
        this.warps[id] = ws;
        this.lastDone[id] = t;
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
    for (const bt of this.tracePool) for (const wt of bt.warps) giveSpareTrace(wt);
    this.tracePool.length = 0;
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
    const reg = heap.reg;
    const issueFree = m.issueFree;
    const times = m.times;
    const lastDone = this.lastDone;
    let end = this.runEnd;
    let havePending = resume;
    for (;;) {
      let t: number, key: number;
      if (havePending) {
        havePending = false;
        t = this.pendT; key = this.pendKey;
      } else {
        if (heap.size === 0) { this.runEnd = end; return false; }
        key = heap.popNext();
        t = reg[Q_OUT]!;
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
      const warpKey = key; // re-queued through reg[Q_IN] + pushAt: see CalendarQueue.reg
      let w = this.warps[warpId];
      if (!w || w.done) continue;
      let tt = t;
      // issue loop: keep issuing from this warp while nothing else is due earlier (preserves event order)
      for (;;) {
        const pf = issueFree[w.portIdx]!;
        if (pf > tt) { reg[Q_IN] = pf; heap.pushAt(warpKey); break; }
        const recs = w.recs;
        const done64 = w.done64;
        const o = w.pc * REC;
        const da = recs[o + F_DEP_A]!, db = recs[o + F_DEP_B]!;
        let ready = tt;
        if (da >= 0) {
          const c = done64[da * 2 + DONE_SLOT]!;
          if (c < 0) { w.blockedOn = da; break; }
          if (c > ready) ready = c;
        }
        if (db >= 0) {
          const c = done64[db * 2 + DONE_SLOT]!;
          if (c < 0) { w.blockedOn = db; break; }
          if (c > ready) ready = c;
        }
        if (ready > tt) { reg[Q_IN] = ready; heap.pushAt(warpKey); break; }
        const idx = w.pc++;
        this.warpInstructions++;
        if (recOp(recs[o + F_HEAD]!) === OP_BAR) {
          issueFree[w.portIdx] = tt + 1;
          done64[idx * 2 + DONE_SLOT] = tt + 1;
          const b = w.block;
          b.atBarrier++;
          if (b.atBarrier < b.live) { b.barrierWaiters[b.waiting++] = warpId; if (w.pc >= w.count) this.finishWarp(warpId, w, tt + 1, launch, dispatch); break; }
          b.atBarrier = 0;
          this.releaseBarrier(b, tt + 1);
        } else {
          times[T_ISSUE] = tt;
          m.execute(w.unit, w.port, warpId, w.trace, idx);
          const c = times[T_DONE]!;
          if (c < 0) w.outstanding++;
          else if (c > lastDone[warpId]!) lastDone[warpId] = c;
          done64[idx * 2 + DONE_SLOT] = c; // after execute(): the machine reads only head and mask
          if (c > end) end = c;
        }
        if (w.pc >= w.count) { this.finishWarp(warpId, w, tt + 1, launch, dispatch); break; }
        const nt = issueFree[w.portIdx]!;
        reg[Q_IN] = nt;
        if (heap.dueBy()) { heap.pushAt(warpKey); break; }
        tt = nt;
        if (tt > end) end = tt;
        w = this.warps[warpId]!;
      }
    }
  }

  private finishWarp(warpId: number, w: WarpState, t: number, launch: KernelLaunch, dispatch: (u: number, t: number) => void): void {
    // a finished warp still counts at barriers it will never reach again; kernels only sync in uniform code
    w.done = true;
    if (t > this.lastDone[warpId]!) this.lastDone[warpId] = t;
    if (w.outstanding > 0) { this.doneWarpsPending++; return; } // released by completeAt()
    this.releaseWarp(warpId, w, this.lastDone[warpId]!, launch, dispatch);
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
      this.releaseBarrier(b, t);
    }
  }

  private releaseBarrier(b: ResidentBlock, t: number): void {
    for (let i = 0; i < b.waiting; i++) this.wake(b.barrierWaiters[i]!, t);
    b.waiting = 0;
  }

  private retire(b: ResidentBlock, launch: KernelLaunch): void {
    this.smemFree[b.unit]! += launch.smemWords;
    this.tracePool.push(b.trace);
  }
}
