/**
 * "What if" for one workload: the same simulation under each value of one configuration
 * parameter (`mpu.rowBuffers`, `offloadPolicy`, `mpu.tRP`, `v100.hbmDataRateMTs`, …). Every
 * value goes through the simulator's config validation, so a bad value is refused before any
 * simulation, naming its position, the parameter and the allowed range.
 */
import { MPU_PARAMS } from './mpu-params';
import { OFFLOAD_POLICIES } from './offload-policy';
import { parseSimConfig, SimConfigError } from './sim-config';
import type { SimConfig, SimConfigInput } from './sim-config';
import { simulateWorkload } from './simulate';
import type { SimBudget } from './simulate';
import { V100_PARAMS } from './v100-params';

export interface ParameterSweep {
  /** `offloadPolicy`, `mpu.<parameter>` or `v100.<parameter>`. */
  parameter: string;
  /** At least two values, at most 16, no repeats. */
  values: (number | string)[];
}

export interface ParameterSweepPoint {
  value: number | string;
  mpuCycles: number;
  gpuCycles: number;
  speedup: number;
  energyRatio: number;
  rowHitRate: number;
  mpuEnergyNJ: number;
  functionalOk: boolean;
}

export interface ParameterSweepResult {
  workload: string;
  size: number;
  parameter: string;
  points: ParameterSweepPoint[];
}

export const SWEEPABLE_PARAMETERS: readonly string[] = [
  'offloadPolicy',
  ...Object.keys(MPU_PARAMS).map((k) => `mpu.${k}`),
  ...Object.keys(V100_PARAMS).map((k) => `v100.${k}`),
];

/** One validated config per value, in order; throws naming the bad field. */
export function sweepConfigs(base: SimConfigInput | SimConfig | undefined, sweep: ParameterSweep): SimConfig[] {
  if (!SWEEPABLE_PARAMETERS.includes(sweep.parameter)) {
    throw new SimConfigError('sweep.parameter', `"${sweep.parameter}" is not a simulator parameter; use offloadPolicy (${OFFLOAD_POLICIES.join(', ')}), mpu.<name> or v100.<name>, e.g. mpu.rowBuffers`);
  }
  if (!Array.isArray(sweep.values) || sweep.values.length < 2 || sweep.values.length > 16) {
    throw new SimConfigError('sweep.values', `give 2 to 16 values (got ${Array.isArray(sweep.values) ? sweep.values.length : typeof sweep.values})`);
  }
  if (new Set(sweep.values.map((v) => JSON.stringify(v))).size !== sweep.values.length) throw new SimConfigError('sweep.values', 'repeated value; each value once');
  const baseCfg = parseSimConfig(base ?? {});
  const [section, key] = sweep.parameter.includes('.') ? (sweep.parameter.split('.') as ['mpu' | 'v100', string]) : [null, sweep.parameter];
  return sweep.values.map((value, i) => {
    const input: Record<string, unknown> = { mpu: { ...baseCfg.mpu }, v100: { ...baseCfg.v100 }, offloadPolicy: baseCfg.offloadPolicy, seed: baseCfg.seed };
    if (section) (input[section] as Record<string, unknown>)[key] = value;
    else input[key] = value;
    try {
      return parseSimConfig(input);
    } catch (e) {
      const at = `${sweep.parameter} = ${JSON.stringify(value)}`;
      throw new SimConfigError(`sweep.values[${i}]`, `${at}: ${e instanceof SimConfigError ? e.detail : (e as Error).message}`, `sweep.values[${i}] (${at}): ${(e as Error).message}`);
    }
  });
}

export async function runParameterSweep(opts: {
  workload: string;
  size?: number;
  config?: SimConfigInput | SimConfig;
  sweep: ParameterSweep;
  budget?: SimBudget;
  onProgress?: (simCycles: number) => void;
  /** Called after each value with the number of values done. */
  onPoint?: (done: number, total: number) => void;
}): Promise<ParameterSweepResult> {
  const configs = sweepConfigs(opts.config, opts.sweep);
  const points: ParameterSweepPoint[] = [];
  let size = opts.size;
  let workload = opts.workload;
  for (const [i, cfg] of configs.entries()) {
    const r = await simulateWorkload({ workload: opts.workload, size: opts.size, config: cfg, budget: opts.budget, onProgress: opts.onProgress });
    size = r.size;
    workload = r.workload;
    points.push({
      value: opts.sweep.values[i]!,
      mpuCycles: r.mpu.cycles,
      gpuCycles: r.v100.cycles,
      speedup: r.speedup,
      energyRatio: r.energyRatio,
      rowHitRate: r.mpu.stats.rowHitRate ?? 0,
      mpuEnergyNJ: r.mpu.totalEnergyNJ,
      functionalOk: r.functional.ok,
    });
    opts.onPoint?.(i + 1, configs.length);
  }
  return { workload, size: size!, parameter: opts.sweep.parameter, points };
}
