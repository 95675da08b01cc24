/** Roofline calibration: streaming and compute-bound microkernels against analytical bounds on both models. */
import { GBuf } from './kernel-lang';
import type { KernelLaunch } from './kernel-lang';
import { runMpu, runV100 } from './run-models';
import { simulateWorkload, sizedPerSide } from './simulate';
import { resolveConfig } from './sim-config';
import type { SimConfig, SimConfigInput } from './sim-config';
import type { WorkloadInstance } from './workload-types';

export interface MicrokernelCheck {
  model: 'mpu' | 'v100';
  /** stream: read-only stream; copy: read one array, write another (write-backs counted); scaling: a workload at n and factor x n. */
  kernel: 'stream' | 'compute' | 'copy' | 'scaling';
  simulatedCycles: number;
  boundCycles: number;
  /** simulated / bound - 1 (positive: slower than the bound). */
  relError: number;
  withinTolerance: boolean;
  /** The tolerance this check is held to. */
  tolerance: number;
  /** Achieved rate in the kernel's unit (GB/s or GFLOP/s) and the public/analytical peak it is compared with. */
  achieved: number;
  peak: number;
  unit: string;
  note: string;
}

export interface MicrokernelReport { tolerance: number; checks: MicrokernelCheck[]; allPassed: boolean }

const B = 256;
const FMA_CHAINS = 4;
const FMA_UNROLL = 8;

/** 128-thread blocks: block b reads the 512 B that the address map puts on core b mod cores (where it runs). */
const SB = 128;
function copyInstance(n: number): WorkloadInstance {
  const x = new GBuf('x', new Float32Array(n));
  const y = new GBuf('y', new Float32Array(n));
  return {
    buffers: [x, y], outputs: [], tolerance: 0, reference: () => new Map(),
    launches: [{
      name: 'stream-copy', gridDim: Math.ceil(n / SB), blockDim: SB, smemWords: 0,
      body: (k) => { const i = k.iadd(k.tid, k.bid * SB); k.st(y, i, k.ld(x, i)); },
    }],
  };
}

function streamInstance(n: number): WorkloadInstance {
  const x = new GBuf('x', new Float32Array(n));
  return {
    buffers: [x], outputs: [], tolerance: 0, reference: () => new Map(),
    launches: [{
      name: 'stream-read', gridDim: Math.ceil(n / SB), blockDim: SB, smemWords: 0,
      body: (k) => { k.ld(x, k.iadd(k.tid, k.bid * SB)); },
    }],
  };
}

function computeInstance(blocks: number, iters: number): { inst: WorkloadInstance; fmaWarpInstr: number; totalWarpInstr: number } {
  const out = new GBuf('out', new Float32Array(blocks * B));
  const launch: KernelLaunch = {
    name: 'fma-chains', gridDim: blocks, blockDim: B, smemWords: 0,
    body: (k) => {
      const acc = Array.from({ length: FMA_CHAINS }, (_, i) => k.var(i));
      k.loop(iters, () => {
        for (let u = 0; u < FMA_UNROLL; u++) for (const a of acc) k.assign(a, k.fma(a, 0.999, 0.001));
      });
      // no store: a compute block has no data home, so any core/SM may run it
      let s = k.add(acc[0]!, acc[1]!);
      for (let i = 2; i < FMA_CHAINS; i++) s = k.add(s, acc[i]!);
    },
  };
  const warps = blocks * (B / 32);
  const fma = warps * iters * FMA_UNROLL * FMA_CHAINS;
  // + loop counter/branch per iteration, + the final adds, index and store
  const total = fma + warps * (iters * 2 + (FMA_CHAINS - 1));
  return { inst: { buffers: [out], outputs: [], tolerance: 0, reference: () => new Map(), launches: [launch] }, fmaWarpInstr: fma, totalWarpInstr: total };
}

/**
 * Adds the refresh windows (tRFC long, starting at k * refi - shift for k >= 1; shift 0: every refi,
 * shift tRFC: refi after the previous window ended) that fall inside the run.
 */
function withRefresh(base: number, refi: number, rfc: number, shift = 0): number {
  let t = base;
  for (let i = 0; i < 50; i++) {
    const next = base + rfc * Math.floor((t + shift) / (refi + shift));
    if (next === t) break;
    t = next;
  }
  return t;
}

function check(model: 'mpu' | 'v100', kernel: MicrokernelCheck['kernel'], sim: number, bound: number, tol: number, achieved: number, peak: number, unit: string, note: string): MicrokernelCheck {
  const relError = sim / bound - 1;
  return { model, kernel, simulatedCycles: sim, boundCycles: bound, relError, withinTolerance: Math.abs(relError) <= tol, tolerance: tol, achieved, peak, unit, note };
}

export interface MicrokernelOptions {
  config?: SimConfigInput | SimConfig;
  /** Work per unit (chunks per MPU core / waves); smaller is faster and less accurate. Default 4. */
  waves?: number;
  tolerance?: number;
  /**
   * Linear-scaling checks: each workload at `from` (its default size unless given) and at `factor`
   * times that must take factor x the cycles within `tolerance`, on both models. Off unless given.
   */
  scaling?: { workloads: { name: string; from?: number }[]; factor: number; tolerance: number };
}

export async function validateMicrokernels(opts: MicrokernelOptions = {}): Promise<MicrokernelReport> {
  const cfg = resolveConfig(opts.config);
  const tol = opts.tolerance ?? 0.05;
  const waves = opts.waves ?? 4;
  const m = cfg.mpu;
  const v = cfg.v100;
  const checks: MicrokernelCheck[] = [];
  const maxCycles = 1e10;

  // ---- MPU stream (one wave = one row of every bank of every core): every warp load is one SIMD column command on one PG; a PG issues
  // one column command per tCCDL, so a core one per tCCDL/PGs DRAM cycles (dramTimingPolicy 0 adds per-core tCCDS), derated by refresh.
  const cores = m.processorsX * m.processorsY * m.coresX * m.coresY;
  const chunkWords = (m.pgsPerCore * m.pesPerPg * m.bankCols * m.bankIoBytes) / 4;
  const cmdCycles = m.dramTimingPolicy === 1 ? m.tCCDL / m.pgsPerCore : Math.max(m.tCCDS, m.tCCDL / m.pgsPerCore);
  // at least 2.5 tREFI of streaming, so the check meets refreshes as real runs do
  const nMpu = cores * chunkWords * Math.max(waves, Math.ceil((2.5 * m.tREFI) / ((chunkWords / 32) * cmdCycles)));
  const mpuStream = await runMpu(streamInstance(nMpu), cfg, { maxCycles });
  const cmdsPerCore = nMpu / 32 / cores;
  const dramToCore = m.coreClockMHz / m.dramClockMHz;
  // Without per-core slack (dramTimingPolicy 1) each wave's row switch is exposed: FR-FCFS opens the next row
  // once the current row's hits are drained (tRCDR), after precharging a victim once all row buffers are taken (tRP).
  const wavesRun = nMpu / (cores * chunkWords);
  let switches = 0;
  if (m.dramTimingPolicy === 1) for (let w = 1; w < wavesRun; w++) switches += m.tRCDR + (w >= m.rowBuffers ? m.tRP : 0);
  const base = (cmdsPerCore * cmdCycles + switches) * dramToCore;
  const mpuStreamBound = m.refreshEnabled
    ? m.refreshPolicy === 1
      // MPU-Sim: windows start tREFI after the previous one ended: at k tREFI + (k - 1) tRFC
      ? withRefresh(base, m.tREFI * dramToCore, m.tRFC * dramToCore, m.tRFC * dramToCore)
      : withRefresh(base, m.tREFI * dramToCore, m.tRFC * dramToCore)
    : base;
  // Peak while no refresh is due: a run this short meets fewer refreshes than the long-run
  // derating assumes, so a refresh-derated peak could read below what the run achieves.
  const mpuPeakGBs = (cores * 128 * m.coreClockMHz * 1e6) / (cmdCycles * dramToCore) / 1e9;
  checks.push(check('mpu', 'stream', mpuStream.cycles, mpuStreamBound, tol, (nMpu * 4) / mpuStream.timeS / 1e9, mpuPeakGBs, 'GB/s',
    'bound: column-command rate per core (tCCDL per PG; tCCDS too under dramTimingPolicy 0) x refresh derating; no public MPU roofline exists'));

  // ---- MPU compute: one warp instruction per subcore per cycle (issue and far-bank ALU width)
  const mpuBlocks = cores * Math.floor((m.subcoresPerCore * m.maxWarpsPerSubcore) / (B / 32)) * 2;
  const mc = computeInstance(mpuBlocks, 16 * waves);
  const mpuCompute = await runMpu(mc.inst, cfg, { maxCycles });
  const ports = cores * m.subcoresPerCore;
  const aluOcc = Math.ceil(32 / (m.fbAlusPerSubcore * m.fbAluLanes));
  const mpuComputeBound = Math.max(mc.totalWarpInstr, mc.fmaWarpInstr * aluOcc) / ports;
  const mpuPeakGflops = (ports * 32 * 2 * m.coreClockMHz * 1e6) / aluOcc / 1e9;
  checks.push(check('mpu', 'compute', mpuCompute.cycles, mpuComputeBound, tol, (mc.fmaWarpInstr * 64) / mpuCompute.timeS / 1e9, mpuPeakGflops, 'GFLOP/s',
    'bound: issue slots and far-bank ALU lanes per subcore'));

  // ---- V100 stream: HBM2 channel data rate x refresh derating (public peak ~900 GB/s)
  const nV = Math.max(4 * (v.l2Bytes / 4), v.sms * 2048 * 8 * waves);
  const vStream = await runV100(streamInstance(nV), cfg, { maxCycles });
  const chanBytesPerCycle = ((v.hbmBusBitsPerChannel / 8) * v.hbmDataRateMTs) / v.clockMHz;
  const vPeakBpc = v.hbmChannels * chanBytesPerCycle;
  const cyc = v.clockMHz / 1000;
  const vStreamBound = withRefresh((nV * 4) / vPeakBpc, v.hbmTREFIns * cyc, v.hbmTRFCns * cyc);
  checks.push(check('v100', 'stream', vStream.cycles, vStreamBound, tol, (nV * 4) / vStream.timeS / 1e9, 900, 'GB/s',
    'bound: 32 HBM2 channels x 128 bit x 1752 MT/s, refresh-derated; compared with the public 900 GB/s'));

  // ---- V100 compute: 4 schedulers x 16 FP32 lanes per SM (public FP32 peak 15.7 TFLOP/s at 1530 MHz)
  const vBlocks = v.sms * Math.floor(v.maxWarpsPerSm / (B / 32)) * 2;
  const vc = computeInstance(vBlocks, 16 * waves);
  const vCompute = await runV100(vc.inst, cfg, { maxCycles });
  const schedulers = v.sms * v.subPartitions;
  const fmaOcc = Math.ceil(32 / v.fp32LanesPerPartition);
  const vComputeBound = Math.max(vc.totalWarpInstr, vc.fmaWarpInstr * fmaOcc) / schedulers;
  const publicPeak = (80 * 64 * 2 * 1530e6) / 1e9;
  checks.push(check('v100', 'compute', vCompute.cycles, vComputeBound, tol, (vc.fmaWarpInstr * 64) / vCompute.timeS / 1e9, publicPeak, 'GFLOP/s',
    'bound: FP32 lanes per scheduler; compared with the public 15.7 TFLOP/s FP32 peak'));

  // ---- V100 copy: y = x over 4x the L2, every dirty line's write-back counted in the traffic
  const nC = Math.max(4 * (v.l2Bytes / 4), v.sms * 2048 * 4 * waves);
  const vCopy = await runV100(copyInstance(nC), cfg, { maxCycles });
  const moved = vCopy.stats.dramReadBytes! + vCopy.stats.dramWriteBytes!;
  const vCopyBound = withRefresh(moved / vPeakBpc, v.hbmTREFIns * cyc, v.hbmTRFCns * cyc);
  checks.push(check('v100', 'copy', vCopy.cycles, vCopyBound, 2 * tol, moved / vCopy.timeS / 1e9, 900, 'GB/s',
    `bound: reads + writes incl. the ${v.l2WritebackAtEnd ? 'final' : 'UNCOUNTED final'} L2 write-backs at the HBM2 peak (read/write turnaround not modelled as a bound; tolerance doubled)`));
  if (moved < 2 * nC * 4) throw new Error(`V100 copy moved ${moved} B, less than the ${2 * nC * 4} B it must read and write`);

  for (const w of opts.scaling?.workloads ?? []) {
    const factor = opts.scaling!.factor;
    const small = await simulateWorkload({ workload: w.name, size: w.from, config: cfg });
    // factor x the data: a 2D workload's size is per side
    const twoD = sizedPerSide(small);
    const big = await simulateWorkload({ workload: w.name, size: twoD ? Math.round(small.size * Math.sqrt(factor)) : small.size * factor, config: cfg });
    for (const model of ['mpu', 'v100'] as const) {
      const ratio = big[model].cycles / small[model].cycles;
      checks.push(check(model, 'scaling', big[model].cycles, factor * small[model].cycles, opts.scaling!.tolerance, ratio, factor, 'x cycles',
        `${small.workload} ${small.size} -> ${big.size} ${small.sizeUnit}: ${small[model].cycles} -> ${big[model].cycles} cycles`));
    }
  }

  return { tolerance: tol, checks, allPassed: checks.every((c) => c.withinTolerance) };
}
