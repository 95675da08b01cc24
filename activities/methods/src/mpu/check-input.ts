/**
 * What a simulation checks before its first cycle (size, budget, config, sweep values), without
 * simulating: a launch runs it so bad input is refused before a run exists. Fields are named
 * relative to a `simulateMpu` step's params (`config.mpu.rowBuffers`, `sweep.values[1]`, `size`).
 */
import { sweepConfigs, type ParameterSweep } from './param-sweep';
import { parseSimConfig, SimConfigError, type SimConfigInput } from './sim-config';
import { checkBudget, scaledSize } from './simulate';
import { checkSize, workloadDef } from './workloads';

export interface SimInputIssue {
  field: string;
  message: string;
}

export function checkSimulationInput(p: { workload: string; size?: number; sizeScale?: number; config?: unknown; sweep?: ParameterSweep }): SimInputIssue[] {
  let def;
  try {
    def = workloadDef(p.workload);
  } catch (e) {
    return [{ field: 'workload', message: (e as Error).message.replace(/^workload: /, '') }];
  }
  const issues: SimInputIssue[] = [];
  const sizeField = p.size === undefined && p.sizeScale !== undefined ? 'sizeScale' : 'size';
  const size = p.size ?? (p.sizeScale !== undefined ? scaledSize(def, p.sizeScale) : def.defaultSize);
  try {
    checkSize(def, size);
    checkBudget(def, size);
  } catch (e) {
    issues.push({ field: sizeField, message: (e as Error).message.replace(/^(size|budget): /, '') });
  }
  let configOk = true;
  try {
    parseSimConfig(p.config ?? {});
  } catch (e) {
    configOk = false;
    if (!(e instanceof SimConfigError)) throw e;
    issues.push({ field: e.field.startsWith('config') ? e.field : `config.${e.field}`, message: e.detail });
  }
  // The sweep sits on top of the config: its values are only meaningful once the config is.
  if (p.sweep && configOk) {
    try {
      sweepConfigs(p.config as SimConfigInput | undefined, p.sweep);
    } catch (e) {
      if (!(e instanceof SimConfigError)) throw e;
      issues.push({ field: e.field, message: e.detail });
    }
  }
  return issues;
}
