/**
 * Activities, built from their dependencies by the worker (the only place that wires connections).
 * Workflows import `Activities` as a type only.
 */
import type { ActivityDeps } from './deps';
import { createRunActivities } from './run';
import { aggregate } from './steps/aggregate';
import { dehaze } from './steps/dehaze';
import { distill } from './steps/distill';
import { evaluate } from './steps/evaluate';
import { gapPhase, planGrowPrune, type GapPhaseInput } from './steps/grow-prune';
import { modelSize } from './steps/model-size';
import { novelty } from './steps/novelty';
import { pretrain } from './steps/pretrain';
import { simulate } from './steps/simulate';
import { simulateMpu } from './steps/simulate-mpu';
import type { ComputeStepInput } from './types';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunActivities(deps),
    /** Train a model from scratch (seeded, checkpointed, resumable). */
    pretrain: (input: ComputeStepInput) => pretrain(deps, input),
    /** Accuracy and loss on a held-out split. */
    evaluate: (input: ComputeStepInput) => evaluate(deps, input),
    /** One workload on the MPU and V100 models: cycles, energy, speedup. */
    simulateMpu: (input: ComputeStepInput) => simulateMpu(deps, input),
    /** A physics/hardware model (tight-binding, integration3d): numbers, checks and curves. */
    simulate: (input: ComputeStepInput) => simulate(deps, input),
    /** Parameters and MACs of an SR network at channel-splitting widths (exact counts). */
    modelSize: (input: ComputeStepInput) => modelSize(deps, input),
    /** The phases of a growPrune step (GaP or a baseline), from its params and dataset. */
    planGrowPrune: (input: ComputeStepInput) => planGrowPrune(deps, input),
    /** One phase of a growPrune step: input checkpoints → output checkpoint (resumable). */
    gapPhase: (input: GapPhaseInput) => gapPhase(deps, input),
    /** Super-resolution self-distillation (CSD) or a comparison arm: train, then Y-PSNR/SSIM. */
    distill: (input: ComputeStepInput) => distill(deps, input),
    /** AECR-Net dehazing with or without the contrastive regulariser: train, then RGB PSNR/SSIM. */
    dehaze: (input: ComputeStepInput) => dehaze(deps, input),
    /** One-class novelty detection on one class: AUROC, with every test score kept. */
    novelty: (input: ComputeStepInput) => novelty(deps, input),
    /** Summary statistics over the metrics of the steps this one needs. */
    aggregate: (input: ComputeStepInput) => aggregate(deps, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
export * from './types';
export { ObjectStore, withRetry, type ObjectStoreConfig } from './storage/object-store';
export { checkDatasetName, importDataset, IMPORT_FORMATS, type ImportFormat } from './datasets/import';
export { storeDataset, loadDataset } from './datasets/store';
export { loadBuiltinDataset, BUILTIN_DATASET_NAMES, readPngRgb, writePngRgb } from './datasets/builtin';
export { stepFingerprint } from './fingerprint';
export { runComputeJob } from './compute/client';

/** Starts a compute child once and reports the tensor backend it selected. */
export async function probeTensorBackend(): Promise<string> {
  const { runComputeJob } = await import('./compute/client');
  let backend = 'unknown';
  await runComputeJob({ job: 'probe', args: null, files: {}, onReady: (b) => (backend = b) });
  return backend;
}
