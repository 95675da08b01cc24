/** The 12-workload suite (MPU-Sim benchmark list) and the functional reference check. */
import { BlockCtx } from './kernel-lang';
import type { WorkloadDef, WorkloadInstance, WorkloadName } from './workload-types';
import { AXPY, HIST, KNN, PR } from './workloads-vector';
import { BLUR, CONV, GEMV, MAXP, TTRANS, UPSAMP } from './workloads-matrix';
import { KMEANS, NW } from './workloads-data';

export const WORKLOAD_DEFS: Readonly<Record<WorkloadName, WorkloadDef>> = {
  BLUR, CONV, GEMV, HIST, KMEANS, KNN, TTRANS, MAXP, NW, UPSAMP, AXPY, PR,
};

export const WORKLOAD_NAMES = Object.keys(WORKLOAD_DEFS) as WorkloadName[];

export function workloadDef(name: string): WorkloadDef {
  const def = (WORKLOAD_DEFS as Record<string, WorkloadDef | undefined>)[name.toUpperCase()];
  if (!def) throw new Error(`workload: unknown workload "${name}"; allowed: ${WORKLOAD_NAMES.join(', ')}`);
  return def;
}

export function checkSize(def: WorkloadDef, size: number): void {
  const mult = def.sizeMultiple ?? 1;
  if (!Number.isInteger(size) || size < def.minSize || size > def.maxSize || size % mult !== 0) {
    throw new Error(`size: ${def.name} size must be an integer in [${def.minSize}, ${def.maxSize}]${mult > 1 ? ` and a multiple of ${mult}` : ''} (${def.sizeUnit}); got ${size}`);
  }
}

export interface FunctionalCheck {
  ok: boolean;
  maxRelError: number;
  worst: string;
  warpInstructions: number;
}

/** Reference interpreter: runs every block of every launch, then compares outputs with the plain implementation. */
export function runAndCheck(inst: WorkloadInstance): FunctionalCheck {
  const expected = inst.reference();
  let warpInstructions = 0;
  for (const launch of inst.launches) {
    const ctx = new BlockCtx(launch);
    for (let b = 0; b < launch.gridDim; b++) ctx.runBlock(b, launch.gridDim, null, null);
    warpInstructions += ctx.instructions;
  }
  return compareOutputs(inst, expected, warpInstructions);
}

export function compareOutputs(inst: WorkloadInstance, expected: Map<string, ArrayLike<number>>, warpInstructions: number): FunctionalCheck {
  let maxRel = 0;
  let worst = '';
  for (const out of inst.outputs) {
    const ref = expected.get(out.name);
    if (!ref || ref.length !== out.data.length) return { ok: false, maxRelError: Infinity, worst: `${out.name}: missing/size mismatch`, warpInstructions };
    for (let i = 0; i < ref.length; i++) {
      const a = out.data[i]!, e = ref[i]!;
      const rel = Math.abs(a - e) / Math.max(1, Math.abs(e));
      if (!(rel <= maxRel)) {
        maxRel = Number.isNaN(rel) ? Infinity : rel;
        worst = `${out.name}[${i}] = ${a}, expected ${e}`;
      }
    }
  }
  return { ok: maxRel <= inst.tolerance, maxRelError: maxRel, worst, warpInstructions };
}

export type { WorkloadDef, WorkloadInstance, WorkloadName };
