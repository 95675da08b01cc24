/** Public API of the 2D-vs-3D accelerator model (arXiv 2103.04852 checks). Pure TypeScript. */
export { runIntegration3d, validateI3dParams, designPoint, averageWireLengthMm, bondDensityPerMm2, bondEnergyPjPerBit, bandwidthDensityGbpsPerMm2, DEFAULT_TIER_SWEEP, DEFAULT_PITCH_SWEEP_UM } from './model';
export type { I3dOptions, I3dResult, I3dCheck, DesignPoint, WireModel } from './model';
export { I3D_PARAMS, DEFAULT_I3D } from './params';
export type { I3dParamName } from './params';
