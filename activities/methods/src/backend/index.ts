export { selectBackend, describeBackend, backendRecord, selfCheck, BACKEND_CHAIN, BACKEND_ENV } from './select.js';
export type { BackendInfo, BackendKind, BackendName, SelectOptions } from './select.js';
export { detectGpu, type GpuProbe } from './gpu.js';
export { cacheRoot, tensorDir, manifestPath, PINS, type NativeManifest, type NativeVariant } from './paths.js';
export { installMissingGradients, spaceToDepth } from './gradients.js';
export { buildCnn3, buildResnet20, trainingFlopsPerImage } from './bench-models.js';
