/** Public API of the MPU (near-bank SIMT, arXiv 2103.06653) and V100 simulators. Pure TypeScript. */
import { WORKLOAD_DEFS, WORKLOAD_NAMES } from './workloads';
import type { WorkloadName } from './workload-types';

export interface WorkloadInfo { name: WorkloadName; defaultSize: number; sizeUnit: string; description: string; source: string }

export const WORKLOADS: readonly WorkloadInfo[] = WORKLOAD_NAMES.map((n) => {
  const d = WORKLOAD_DEFS[n];
  return { name: d.name, defaultSize: d.defaultSize, sizeUnit: d.sizeUnit, description: d.description, source: d.source };
});

export { simulateWorkload, simulateSuite, checkBudget, geomean, scaledSize, energyRatioBands, PAPER_CLAIMS, DEFAULT_BUDGET } from './simulate';
export type { WorkloadResult, SuiteResult, SimulateOptions, SuiteOptions, SimBudget, EnergyRatioBands } from './simulate';
export { validateMicrokernels } from './microkernels';
export type { MicrokernelCheck, MicrokernelReport, MicrokernelOptions } from './microkernels';
export { runSweep, SWEEP_KINDS } from './sweep';
export type { SweepKind, SweepPoint, SweepResult, SweepOptions } from './sweep';
export { parseSimConfig, defaultSimConfig, SimConfigError } from './sim-config';
export { checkSimulationInput, type SimInputIssue } from './check-input';
export type { SimConfig, SimConfigInput } from './sim-config';
export type { ModelResult } from './run-models';
export type { EnergyBreakdown } from './energy';
export { totalEnergy, energyRatioBand, boardPowerEnergyBand, boardPowerEnergyRatio, energyRatioAtPower, powerForEnergyRatio, energyRatioSensitivity } from './energy';
export type { EnergySplit, EnergySensitivityCurve, V100PowerModel } from './energy';
export { MPU_PARAMS, DEFAULT_MPU } from './mpu-params';
export type { MpuConfig } from './mpu-params';
export { V100_PARAMS, DEFAULT_V100, V100_STATIC_POWER_RANGE_W, V100_BOARD_POWER_W } from './v100-params';
export type { V100Config } from './v100-params';
export { OFFLOAD_POLICIES } from './offload-policy';
export type { OffloadPolicyName } from './offload-policy';
export type { WorkloadName } from './workload-types';
export { runAndCheck } from './workloads';
export { runParameterSweep, sweepConfigs, SWEEPABLE_PARAMETERS } from './param-sweep';
export type { ParameterSweep, ParameterSweepPoint, ParameterSweepResult } from './param-sweep';
