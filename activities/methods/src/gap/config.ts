/**
 * The serialisable description of one sparse-training run (model, data handling, target sparsity,
 * optimiser, lr schedule) shared by every phase of a plan, and the model factory it names.
 */
import type * as tf from '@tensorflow/tfjs';
import { buildSmallModel, type SmallModelName } from '../models/small';
import { buildProxyCnn } from '../models/proxy';
import { buildResNet50, buildResNetCifar } from '../models/resnet';
import type { OptimizerSpec } from '../train/classifier';
import { validateTrainOptions } from '../train/classifier';
import { mixSeed } from '../util/random';
import { validateSparsity, type SparsityDistribution } from './masks';
import { prunableLayers, type PrunableLayer } from './prunable';

export type ModelSpec =
  | { kind: 'small'; name: SmallModelName; inputShape: [number, number, number]; classes: number }
  | { kind: 'proxy-cnn'; inputShape?: [number, number, number]; classes?: number }
  | { kind: 'resnet-cifar'; depth: number; width?: number; inputShape?: [number, number, number]; classes?: number }
  | { kind: 'resnet50'; width?: number; inputShape?: [number, number, number]; classes?: number };

/**
 * Learning rate as a function of the epoch. `restart: 'run'` (default) counts the run's epochs, so
 * phases chain into one schedule; `restart: 'phase'` starts the schedule again at every phase, as
 * the GaP authors restart it at every grow-and-prune step.
 */
export type LrSchedule = (
  | { kind: 'constant' }
  /** Cosine decay from learningRate to minFactor·learningRate over the horizon, after a linear warm-up. */
  | { kind: 'cosine'; warmupEpochs?: number; minFactor?: number }
  /** Multiply by gamma at each milestone epoch. */
  | { kind: 'step'; milestones: number[]; gamma: number }
) & { restart?: 'run' | 'phase' };

export interface SparseRunConfig {
  model: ModelSpec;
  /** Seeds the model init, the initial masks and every phase's batch order. */
  seed: number;
  /** Target fraction of pruned prunable weights, in [0, 1). */
  sparsity: number;
  /** 'uniform': every layer at `sparsity`; 'global': one magnitude threshold per pruning unit (non-uniform layers). */
  distribution: SparsityDistribution;
  batchSize: number;
  learningRate: number;
  lrSchedule?: LrSchedule;
  momentum: number;
  optimizer?: OptimizerSpec;
  /** L2 decay of conv/dense kernels (see TrainOptions.weightDecay). */
  weightDecay?: number;
  /** Train on the first N training examples only. */
  trainLimit?: number;
  /** Prunable layers to leave dense (e.g. the stem conv). */
  exclude?: string[];
}

export function validateRunConfig(c: SparseRunConfig): void {
  validateSparsity(c.sparsity, 'sparsity');
  if (c.distribution !== 'uniform' && c.distribution !== 'global') throw new Error(`distribution must be 'uniform' or 'global', got ${String(c.distribution)}`);
  if (!Number.isInteger(c.seed)) throw new Error(`seed must be an integer, got ${String(c.seed)}`);
  validateTrainOptions({ epochs: 1, batchSize: c.batchSize, learningRate: c.learningRate, momentum: c.momentum, checkpointEvery: 1, trainLimit: c.trainLimit, weightDecay: c.weightDecay });
  const s = c.lrSchedule;
  if (s && s.kind === 'cosine' && s.minFactor !== undefined && !(s.minFactor >= 0 && s.minFactor <= 1)) throw new Error(`lrSchedule.minFactor must be in [0, 1], got ${s.minFactor}`);
  if (s && s.kind === 'cosine' && s.warmupEpochs !== undefined && !(s.warmupEpochs >= 0)) throw new Error(`lrSchedule.warmupEpochs must be ≥ 0, got ${s.warmupEpochs}`);
  if (s && s.kind === 'step' && (!(s.gamma > 0) || s.milestones.some((m) => !(m > 0)))) throw new Error(`lrSchedule: step needs gamma > 0 and positive milestones`);
  if (s && s.restart !== undefined && s.restart !== 'run' && s.restart !== 'phase') throw new Error(`lrSchedule.restart must be 'run' or 'phase', got ${String(s.restart)}`);
}

export function buildModelFromSpec(spec: ModelSpec, seed: number): tf.LayersModel {
  const s = mixSeed(seed, 0x30de1);
  switch (spec.kind) {
    case 'small':
      return buildSmallModel(spec.name, spec.inputShape, spec.classes, s);
    case 'proxy-cnn':
      return buildProxyCnn({ inputShape: spec.inputShape, classes: spec.classes, seed: s });
    case 'resnet-cifar':
      return buildResNetCifar({ depth: spec.depth, width: spec.width, inputShape: spec.inputShape, classes: spec.classes, seed: s });
    case 'resnet50':
      return buildResNet50({ width: spec.width, inputShape: spec.inputShape, classes: spec.classes, seed: s });
    default:
      throw new Error(`model.kind must be small, proxy-cnn, resnet-cifar or resnet50, got ${String((spec as { kind: unknown }).kind)}`);
  }
}

/** Prunable layers (name, size) of the configured model; builds it once and frees it. */
export function describePrunable(config: Pick<SparseRunConfig, 'model' | 'seed' | 'exclude'>): PrunableLayer[] {
  const model = buildModelFromSpec(config.model, config.seed);
  try {
    return prunableLayers(model, config.exclude);
  } finally {
    model.dispose();
  }
}

/** Layers a recipe leaves dense: by name, none, or the paper's choice (the stem and the classifier). */
export type ExcludeSpec = 'none' | 'stem-and-classifier' | readonly string[];

/** Resolves an ExcludeSpec to layer names: the first and last prunable layers are the stem and classifier. */
export function resolveExclude(config: Pick<SparseRunConfig, 'model' | 'seed'>, spec: ExcludeSpec): string[] {
  if (spec === 'none') return [];
  if (spec !== 'stem-and-classifier') return [...spec];
  const all = describePrunable({ ...config, exclude: [] });
  if (all.length < 3) throw new Error(`exclude: stem-and-classifier would leave ${Math.max(0, all.length - 2)} prunable layer(s) of ${all.map((l) => l.name).join(', ')}`);
  return [all[0]!.name, all[all.length - 1]!.name];
}

/** lr at run epoch `epoch` (fractional) for a run of `horizonEpochs` epochs. */
export function learningRateAtEpoch(config: Pick<SparseRunConfig, 'learningRate' | 'lrSchedule'>, epoch: number, horizonEpochs: number): number {
  const base = config.learningRate;
  const s = config.lrSchedule ?? { kind: 'constant' };
  if (s.kind === 'constant') return base;
  if (s.kind === 'step') return base * s.gamma ** s.milestones.filter((m) => epoch >= m).length;
  const warm = s.warmupEpochs ?? 0;
  if (epoch < warm) return (base * (epoch + 1 / 64)) / (warm + 1 / 64); // never exactly 0
  const t = Math.min(1, (epoch - warm) / Math.max(1e-9, horizonEpochs - warm));
  const min = s.minFactor ?? 0.01;
  return base * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
