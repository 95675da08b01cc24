/** Sensitivity sweeps as plain JSON-able data. */
import { resolveConfig } from './sim-config';
import type { SimConfig, SimConfigInput } from './sim-config';
import { OFFLOAD_POLICIES } from './offload-policy';
import { simulateWorkload } from './simulate';
import type { SimBudget } from './simulate';
import { WORKLOAD_NAMES } from './workloads';

export type SweepKind = 'rowBuffers' | 'offload' | 'timing';
export const SWEEP_KINDS: readonly SweepKind[] = ['rowBuffers', 'offload', 'timing'];

export interface SweepPoint {
  workload: string;
  setting: string;
  value: number | string;
  mpuCycles: number;
  mpuEnergyNJ: number;
  speedup: number;
  energyRatio: number;
  rowHitRate: number;
}

export interface SweepResult { kind: SweepKind; description: string; points: SweepPoint[] }

export interface SweepOptions {
  kind: SweepKind;
  workloads?: string[];
  sizes?: Partial<Record<string, number>>;
  config?: SimConfigInput | SimConfig;
  budget?: SimBudget;
  onProgress?: (simCycles: number) => void;
}

/** Variants of the base config for one sweep. */
function variants(kind: SweepKind, base: SimConfig): { setting: string; value: number | string; cfg: SimConfig }[] {
  if (kind === 'rowBuffers') return [1, 2, 4, 8].map((n) => ({ setting: 'mpu.rowBuffers', value: n, cfg: { ...base, mpu: { ...base.mpu, rowBuffers: n } } }));
  if (kind === 'offload') return OFFLOAD_POLICIES.map((p) => ({ setting: 'offloadPolicy', value: p, cfg: { ...base, offloadPolicy: p } }));
  // bank timing: scale the core activate/precharge/column timings
  return [0.5, 1, 1.5, 2].map((f) => {
    const m = { ...base.mpu };
    for (const key of ['tRCDR', 'tRCDW', 'tRAS', 'tRP', 'tCCDL', 'tCCDS', 'tCL', 'tCWL'] as const) m[key] = Math.max(1, Math.round(base.mpu[key] * f));
    return { setting: 'mpu bank timing scale (tRCD,tRAS,tRP,tCCD,CL,CWL)', value: f, cfg: { ...base, mpu: m } };
  });
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  if (!SWEEP_KINDS.includes(opts.kind)) throw new Error(`sweep: "${String(opts.kind)}" not allowed; allowed: ${SWEEP_KINDS.join(', ')}`);
  const base = resolveConfig(opts.config);
  const names = opts.workloads ?? WORKLOAD_NAMES;
  const points: SweepPoint[] = [];
  for (const name of names) {
    for (const v of variants(opts.kind, base)) {
      const r = await simulateWorkload({ workload: name, size: opts.sizes?.[name], config: v.cfg, budget: opts.budget, onProgress: opts.onProgress });
      points.push({
        workload: r.workload, setting: v.setting, value: v.value, mpuCycles: r.mpu.cycles, mpuEnergyNJ: r.mpu.totalEnergyNJ,
        speedup: r.speedup, energyRatio: r.energyRatio, rowHitRate: r.mpu.stats.rowHitRate ?? 0,
      });
    }
  }
  const description = opts.kind === 'rowBuffers' ? 'row buffers per bank 1/2/4/8'
    : opts.kind === 'offload' ? 'offload policy (compiler pass approximation, far-only, near-all)'
      : 'MPU bank timing scaled x0.5/1/1.5/2';
  return { kind: opts.kind, description, points };
}
