/** Public simulation entry points: one workload, the suite, budgets and geometric means. */
import { runMpu, runV100 } from './run-models';
import type { ModelResult } from './run-models';
import { boardPowerEnergyBand, energyRatioBand } from './energy';
import { resolveConfig } from './sim-config';
import { V100_BOARD_POWER_W, V100_STATIC_POWER_RANGE_W } from './v100-params';
import type { SimConfig, SimConfigInput } from './sim-config';
import { WORKLOAD_NAMES, checkSize, compareOutputs, workloadDef } from './workloads';
import type { WorkloadDef, WorkloadName } from './workload-types';

export interface SimBudget {
  /** Host memory for the workload's buffers (bytes). */
  maxMemoryBytes?: number;
  /** Estimated warp instructions per model before starting. */
  maxWarpInstructions?: number;
  /** Simulated cycles per kernel. */
  maxCycles?: number;
}

export const DEFAULT_BUDGET: Required<SimBudget> = { maxMemoryBytes: 2 * 2 ** 30, maxWarpInstructions: 4e8, maxCycles: 1e10 };

export interface WorkloadResult {
  workload: WorkloadName;
  size: number;
  sizeUnit: string;
  offloadPolicy: string;
  mpu: ModelResult;
  v100: ModelResult;
  /** V100 time / MPU time. */
  speedup: number;
  /** V100 energy / MPU energy (the paper's "energy reduction"). */
  energyRatio: number;
  functional: { ok: boolean; maxRelError: number };
  hostSeconds: number;
}

export interface SimulateOptions {
  workload: string;
  size?: number;
  config?: SimConfigInput | SimConfig;
  onProgress?: (simCycles: number) => void;
  budget?: SimBudget;
}

/** Largest size (halving from `size`) that satisfies the budget, for the error message. */
function suggestSize(def: WorkloadDef, size: number, fits: (s: number) => boolean): number {
  let s = size;
  const mult = def.sizeMultiple ?? 1;
  while (s > def.minSize && !fits(s)) s = Math.max(def.minSize, Math.floor(s / 2 / mult) * mult);
  return s;
}

export function checkBudget(def: WorkloadDef, size: number, budget: SimBudget = {}): void {
  const b = { ...DEFAULT_BUDGET, ...budget };
  const memFits = (s: number) => def.footprintBytes(s) <= b.maxMemoryBytes;
  const instFits = (s: number) => def.estimateWarpInstructions(s) <= b.maxWarpInstructions;
  if (!memFits(size)) {
    throw new Error(`budget: ${def.name} at size ${size} needs ~${(def.footprintBytes(size) / 2 ** 20).toFixed(0)} MiB of buffers, over the ${(b.maxMemoryBytes / 2 ** 20).toFixed(0)} MiB budget; try --size ${suggestSize(def, size, memFits)}`);
  }
  if (!instFits(size)) {
    throw new Error(`budget: ${def.name} at size ${size} needs ~${def.estimateWarpInstructions(size).toExponential(2)} warp instructions per model, over the ${b.maxWarpInstructions.toExponential(2)} budget; try --size ${suggestSize(def, size, instFits)}`);
  }
}

export async function simulateWorkload(opts: SimulateOptions): Promise<WorkloadResult> {
  const def = workloadDef(opts.workload);
  const size = opts.size ?? def.defaultSize;
  checkSize(def, size);
  const cfg = resolveConfig(opts.config);
  checkBudget(def, size, opts.budget);
  const maxCycles = opts.budget?.maxCycles ?? DEFAULT_BUDGET.maxCycles;
  const started = performance.now();
  // each model gets fresh, identical inputs (kernels write their outputs, atomics accumulate)
  const mpuInst = def.build(size, cfg.seed);
  const expected = mpuInst.reference();
  const mpu = await runMpu(mpuInst, cfg, { onProgress: opts.onProgress, maxCycles });
  const check = compareOutputs(mpuInst, expected, mpu.warpInstructions);
  const v100 = await runV100(def.build(size, cfg.seed), cfg, { onProgress: opts.onProgress, maxCycles });
  return {
    workload: def.name, size, sizeUnit: def.sizeUnit, offloadPolicy: cfg.offloadPolicy, mpu, v100,
    speedup: v100.timeS / mpu.timeS,
    energyRatio: v100.totalEnergyNJ / mpu.totalEnergyNJ,
    functional: { ok: check.ok, maxRelError: check.maxRelError },
    hostSeconds: (performance.now() - started) / 1000,
  };
}

export interface SuiteResult {
  workloads: WorkloadResult[];
  geomeanSpeedup: number;
  geomeanEnergyRatio: number;
  /** The geomean energy ratio as a band over its least certain inputs (never one assumed number). */
  energyRatioBands: EnergyRatioBands;
  paperClaims: { speedup: number; energyReduction: number; source: string };
}

export interface EnergyRatioBands {
  /** Bottom-up V100 model with its static power anywhere in V100_STATIC_POWER_RANGE_W. */
  bottomUpStaticPower: { lower: number; upper: number; powerW: { lower: number; upper: number } };
  /** The paper's method: V100 energy = run time x board power, the power between measured idle and the 300 W TDP. */
  boardPower: { lower: number; upper: number; powerW: { lower: number; upper: number }; source: string };
}

export function energyRatioBands(results: readonly WorkloadResult[]): EnergyRatioBands {
  const splits = results.map((r) => ({ mpuEnergyNJ: r.mpu.totalEnergyNJ, gpuEnergyNJ: r.v100.totalEnergyNJ, gpuStaticNJ: r.v100.energyNJ.static, gpuSeconds: r.v100.timeS }));
  const staticW = { lower: V100_STATIC_POWER_RANGE_W.lower, upper: V100_STATIC_POWER_RANGE_W.upper };
  const boardW = { lower: V100_BOARD_POWER_W.idle, upper: V100_BOARD_POWER_W.tdp };
  return {
    bottomUpStaticPower: { ...energyRatioBand(splits, staticW), powerW: staticW },
    boardPower: { ...boardPowerEnergyBand(splits, boardW), powerW: boardW, source: V100_BOARD_POWER_W.source },
  };
}

export const PAPER_CLAIMS = {
  speedup: 3.46,
  energyReduction: 2.57,
  source: 'arXiv 2103.06653 abstract (vs V100; whether these are geometric means is not stated)',
} as const;

export function geomean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export interface SuiteOptions {
  workloads?: string[];
  /** Per-workload sizes; missing names use the default size. */
  sizes?: Partial<Record<string, number>>;
  /** Scales every default size (e.g. 1/16 for a quick run); ignored where `sizes` names one. */
  sizeScale?: number;
  config?: SimConfigInput | SimConfig;
  onProgress?: (info: { workload: string; index: number; total: number; simCycles: number }) => void;
  budget?: SimBudget;
}

/** A 2D workload: its size is per side (or rows of a square), so k x the data is sqrt(k) x the size. */
export function sizedPerSide(w: { sizeUnit: string }): boolean {
  return /per side|rows/.test(w.sizeUnit);
}

/** Default size scaled for quick runs: linear dims scale by sqrt for 2D workloads. */
export function scaledSize(def: WorkloadDef, scale: number): number {
  const twoD = sizedPerSide(def);
  const s = twoD ? Math.round(def.defaultSize * Math.sqrt(scale)) : Math.round(def.defaultSize * scale);
  const mult = def.sizeMultiple ?? 1;
  return Math.min(def.maxSize, Math.max(def.minSize, Math.round(s / mult) * mult));
}

/** The suite's (workload, size) pairs in suite order, sizes resolved as SuiteOptions describes. */
export function suiteJobs(opts: Pick<SuiteOptions, 'workloads' | 'sizes' | 'sizeScale'> = {}): { workload: WorkloadName; size: number }[] {
  return (opts.workloads ?? WORKLOAD_NAMES).map((n) => {
    const def = workloadDef(n);
    const size = opts.sizes?.[def.name] ?? (opts.sizeScale !== undefined ? scaledSize(def, opts.sizeScale) : def.defaultSize);
    return { workload: def.name, size };
  });
}

/** Geomeans and energy bands over per-workload results (in suite order). */
export function suiteResult(results: WorkloadResult[]): SuiteResult {
  return {
    workloads: results,
    geomeanSpeedup: geomean(results.map((r) => r.speedup)),
    geomeanEnergyRatio: geomean(results.map((r) => r.energyRatio)),
    energyRatioBands: energyRatioBands(results),
    paperClaims: { ...PAPER_CLAIMS },
  };
}

export async function simulateSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const jobs = suiteJobs(opts);
  const results: WorkloadResult[] = [];
  for (const [index, { workload, size }] of jobs.entries()) {
    results.push(await simulateWorkload({
      workload, size, config: opts.config, budget: opts.budget,
      onProgress: (simCycles) => opts.onProgress?.({ workload, index, total: jobs.length, simCycles }),
    }));
  }
  return suiteResult(results);
}
