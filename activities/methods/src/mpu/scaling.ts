/**
 * Linear-scaling report: every workload at its size and at `factor` times the data (2D workloads:
 * sqrt(factor) per side), both suites over worker threads. A model whose cycles do not grow with the
 * data (within tolerance) has a fixed cost, a capacity effect or an artefact worth a look; the MPU
 * README lists what is known for each workload outside.
 */
import { sizedPerSide, suiteJobs } from './simulate';
import type { SimBudget } from './simulate';
import type { SimConfig, SimConfigInput } from './sim-config';
import { simulateSuiteParallel } from './suite-pool';
import { workloadDef } from './workloads';

export interface ScalingOptions {
  workloads?: string[];
  /** Scales the default sizes of the first suite (as SuiteOptions.sizeScale). */
  sizeScale?: number;
  /** Data factor between the two suites (default 4). */
  factor?: number;
  /** Allowed relative deviation of the cycle ratio from the data factor (default 0.1). */
  tolerance?: number;
  jobs?: number;
  config?: SimConfigInput | SimConfig;
  budget?: SimBudget;
  onProgress?: (info: { phase: 'base' | 'scaled'; workload: string; index: number; simCycles: number }) => void;
  onWorkloadDone?: (info: { phase: 'base' | 'scaled'; workload: string; index: number }) => void;
}

export interface ScalingRow {
  workload: string;
  sizeUnit: string;
  from: number;
  to: number;
  /** The data actually multiplied by (2D sizes round per side). */
  dataFactor: number;
  mpuCycles: [number, number];
  v100Cycles: [number, number];
  mpuRatio: number;
  v100Ratio: number;
  mpuWithin: boolean;
  v100Within: boolean;
}

export interface ScalingReport { factor: number; tolerance: number; rows: ScalingRow[]; allWithin: boolean }

export async function scalingReport(opts: ScalingOptions = {}): Promise<ScalingReport> {
  const factor = opts.factor ?? 4;
  const tolerance = opts.tolerance ?? 0.1;
  if (!(factor > 1)) throw new Error(`factor: ${factor} must be above 1`);
  if (!(tolerance > 0 && tolerance < 1)) throw new Error(`tolerance: ${tolerance} must be in (0, 1)`);
  const base = suiteJobs(opts);
  const scaled: Record<string, number> = {};
  for (const { workload, size } of base) {
    const def = workloadDef(workload);
    const twoD = sizedPerSide(def);
    const mult = def.sizeMultiple ?? 1;
    const to = Math.round((twoD ? size * Math.sqrt(factor) : size * factor) / mult) * mult;
    if (to > def.maxSize) throw new Error(`${workload}: ${factor}x the data is size ${to}, above its maximum ${def.maxSize}; use a smaller sizeScale`);
    scaled[workload] = to;
  }
  const common = { workloads: base.map((b) => b.workload), config: opts.config, budget: opts.budget, jobs: opts.jobs };
  const small = await simulateSuiteParallel({ ...common, sizes: Object.fromEntries(base.map((b) => [b.workload, b.size])),
    onProgress: (i) => opts.onProgress?.({ phase: 'base', workload: i.workload, index: i.index, simCycles: i.simCycles }),
    onWorkloadDone: (i) => opts.onWorkloadDone?.({ phase: 'base', workload: i.workload, index: i.index }) });
  const big = await simulateSuiteParallel({ ...common, sizes: scaled,
    onProgress: (i) => opts.onProgress?.({ phase: 'scaled', workload: i.workload, index: i.index, simCycles: i.simCycles }),
    onWorkloadDone: (i) => opts.onWorkloadDone?.({ phase: 'scaled', workload: i.workload, index: i.index }) });
  const rows = small.workloads.map((s, i): ScalingRow => {
    const b = big.workloads[i]!;
    const twoD = sizedPerSide(s);
    const dataFactor = twoD ? (b.size / s.size) ** 2 : b.size / s.size;
    const mpuRatio = b.mpu.cycles / s.mpu.cycles;
    const v100Ratio = b.v100.cycles / s.v100.cycles;
    const within = (r: number) => Math.abs(r / dataFactor - 1) <= tolerance;
    return {
      workload: s.workload, sizeUnit: s.sizeUnit, from: s.size, to: b.size, dataFactor,
      mpuCycles: [s.mpu.cycles, b.mpu.cycles], v100Cycles: [s.v100.cycles, b.v100.cycles],
      mpuRatio, v100Ratio, mpuWithin: within(mpuRatio), v100Within: within(v100Ratio),
    };
  });
  return { factor, tolerance, rows, allWithin: rows.every((r) => r.mpuWithin && r.v100Within) };
}
