/**
 * Executes ONE phase of a SparsePlan: input checkpoint(s) → output checkpoint + metrics. Each
 * call builds a fresh model, so a phase can be retried on any worker; a phase interrupted mid-way
 * resumes bit-for-bit from a checkpoint it emitted through onCheckpoint (pass it as resumeFrom).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import type { TrainCheckpoint, TrainPosition } from '../train/checkpoint';
import { captureState, evaluateClassifier, restoreState, stepsPerEpoch, trainClassifier, type TrainProgress } from '../train/classifier';
import { mixSeed } from '../util/random';
import { buildModelFromSpec, learningRateAtEpoch, validateRunConfig, type SparseRunConfig } from './config';
import { LiveMasks } from './live-masks';
import { magnitudeMasks, randomMasks, sparsityReport, type MaskSet } from './masks';
import { checkLayerNames, kernelValues, layerSizes, maskCheckpoint, prunableLayers, type PrunableLayer } from './prunable';
import type { GradualPrune, InitPhase, MergePhase, Phase, TrainPhase } from './schedule';
import { batchNormFollowers, mergeBranches } from './merge';
import { checkpointMasks, readGapState, withGapState } from './state';

export interface ExecutePhaseArgs {
  config: SparseRunConfig;
  phase: Phase;
  /** Output checkpoints of phase.inputs, in that order ([] for init). */
  inputs: TrainCheckpoint[];
  data: ImageDataset;
  /** A checkpoint this same phase emitted through onCheckpoint: continue from it. */
  resumeFrom?: TrainCheckpoint;
  /** Emit a resume checkpoint every this many optimizer steps (default: none inside the phase). */
  checkpointEvery?: number;
  onCheckpoint?: (ck: TrainCheckpoint) => Promise<void>;
  onStep?: (p: TrainProgress) => void | Promise<void>;
  shouldStop?: () => boolean;
  /** Evaluate the output model (default: no evaluation). */
  evaluate?: { split?: 'train' | 'test'; limit?: number; batchSize?: number };
}

export interface PhaseMetrics {
  phaseId: string;
  kind: Phase['kind'];
  /** Optimizer steps this phase took in total (including those before a resume). */
  steps: number;
  epochs: number;
  finalLoss: number | null;
  meanLoss: number | null;
  /** Sparsity of the output over the prunable layers (excluded layers not counted). */
  sparsity: number;
  layerSparsity: Record<string, number>;
  grown: string[];
  pruned: string[];
  accuracy?: number;
  evalLoss?: number;
  evalCount?: number;
}

export interface PhaseResult {
  checkpoint: TrainCheckpoint;
  metrics: PhaseMetrics;
  /** Step this call started from (0 unless resumed). */
  resumedFromStep: number;
}

const ZERO: TrainPosition = { step: 0, epoch: 0, batchInEpoch: 0 };

export async function executePhase(a: ExecutePhaseArgs): Promise<PhaseResult> {
  validateRunConfig(a.config);
  if (a.inputs.length !== a.phase.inputs.length) throw new Error(`phase ${a.phase.id} needs ${a.phase.inputs.length} input checkpoint(s) (${a.phase.inputs.join(', ')}), got ${a.inputs.length}`);
  const model = buildModelFromSpec(a.config.model, a.config.seed);
  try {
    const layers = prunableLayers(model, a.config.exclude);
    const run = a.phase.kind === 'init' ? runInit(a, a.phase, model, layers) : a.phase.kind === 'merge' ? runMerge(a, a.phase, model, layers) : runTrain(a, a.phase, model, layers);
    const { checkpoint, partial, resumedFromStep } = await run;
    const masks = checkpointMasks(checkpoint);
    const report = sparsityReport(masks, layerSizes(layers));
    const metrics: PhaseMetrics = { ...partial, phaseId: a.phase.id, kind: a.phase.kind, sparsity: report.overall, layerSparsity: report.perLayer };
    if (a.evaluate) {
      await restoreState(model, undefined, checkpoint);
      const e = evaluateClassifier(model, a.data, a.evaluate.split ?? 'test', a.evaluate.batchSize ?? 256, a.evaluate.limit);
      Object.assign(metrics, { accuracy: e.accuracy, evalLoss: e.loss, evalCount: e.count });
    }
    return { checkpoint, metrics, resumedFromStep };
  } finally {
    model.dispose();
  }
}

type PartialMetrics = Omit<PhaseMetrics, 'phaseId' | 'kind' | 'sparsity' | 'layerSparsity'>;
interface RunOut {
  checkpoint: TrainCheckpoint;
  partial: PartialMetrics;
  resumedFromStep: number;
}

const trainableNames = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.originalName);

/** Magnitude masks for each pruning unit (one threshold per unit under 'global'). */
export function pruneUnits(ck: TrainCheckpoint, units: readonly string[][], layers: readonly PrunableLayer[], sparsity: number, distribution: SparseRunConfig['distribution']): MaskSet {
  const out: MaskSet = {};
  for (const unit of units) {
    const unitLayers = layers.filter((l) => unit.includes(l.name));
    Object.assign(out, magnitudeMasks(kernelValues(ck, unitLayers), sparsity, distribution));
  }
  return out;
}

async function runInit(a: ExecutePhaseArgs, phase: InitPhase, model: tf.LayersModel, layers: PrunableLayer[]): Promise<RunOut> {
  for (const u of phase.units) checkLayerNames(u, layers, 'units');
  const ck = await captureState(model, undefined, ZERO, {});
  const c = a.config;
  let masks: MaskSet = {};
  if (phase.masks === 'magnitude') masks = pruneUnits(ck, phase.units, layers, c.sparsity, c.distribution);
  else if (phase.masks === 'random') masks = randomMasks(layerSizes(layers.filter((l) => phase.units.flat().includes(l.name))), c.sparsity, mixSeed(c.seed, 0x7a4d));
  else if (phase.masks !== 'dense') throw new Error(`init masks must be dense, magnitude or random, got ${String(phase.masks)}`);
  const out = withGapState(maskCheckpoint(ck, masks, layers, trainableNames(model), c.optimizer), { phaseId: phase.id, completed: true, masks, lossSum: 0, lossSteps: 0 });
  return { checkpoint: out, partial: { steps: 0, epochs: 0, finalLoss: null, meanLoss: null, grown: [], pruned: Object.keys(masks) }, resumedFromStep: 0 };
}

async function runMerge(a: ExecutePhaseArgs, phase: MergePhase, model: tf.LayersModel, layers: PrunableLayer[]): Promise<RunOut> {
  const merged = mergeBranches(a.inputs, phase.contributions, layers, trainableNames(model), a.config.optimizer, batchNormFollowers(model, layers));
  const masks = { ...checkpointMasks(merged), ...pruneUnits(merged, phase.pruneAfter, layers, a.config.sparsity, a.config.distribution) };
  const out = withGapState(maskCheckpoint(merged, masks, layers, trainableNames(model), a.config.optimizer), { phaseId: phase.id, completed: true, masks, lossSum: 0, lossSteps: 0 });
  return { checkpoint: out, partial: { steps: 0, epochs: 0, finalLoss: null, meanLoss: null, grown: [], pruned: phase.pruneAfter.flat() }, resumedFromStep: 0 };
}

/** Zhu & Gupta's cubic schedule at (phase-relative) step t, or undefined if t is not a pruning step. */
export function gradualSparsityAt(g: GradualPrune, t: number, perEpoch: number): number | undefined {
  const t0 = Math.round(g.startEpoch * perEpoch);
  const t1 = Math.round(g.endEpoch * perEpoch);
  if (t < t0 || t > t1) return undefined;
  if ((t - t0) % g.everySteps !== 0 && t !== t1) return undefined;
  const frac = t1 === t0 ? 1 : (t - t0) / (t1 - t0);
  return g.finalSparsity + (g.initialSparsity - g.finalSparsity) * (1 - frac) ** 3;
}

async function runTrain(a: ExecutePhaseArgs, phase: TrainPhase, model: tf.LayersModel, layers: PrunableLayer[]): Promise<RunOut> {
  const c = a.config;
  if (!Number.isInteger(phase.epochs) || phase.epochs <= 0) throw new Error(`phase ${phase.id}: epochs must be a positive integer, got ${phase.epochs}`);
  checkLayerNames(phase.grow, layers, 'grow');
  for (const u of phase.pruneAfter) checkLayerNames(u, layers, 'pruneAfter');
  const names = trainableNames(model);
  let start: TrainCheckpoint;
  let masks: MaskSet;
  let lossSum = 0;
  let lossSteps = 0;
  if (a.resumeFrom) {
    const g = readGapState(a.resumeFrom);
    if (!g || g.phaseId !== phase.id || g.completed) throw new Error(`resumeFrom is not an in-progress checkpoint of phase ${phase.id} (it is ${g ? `${g.phaseId}${g.completed ? ', completed' : ''}` : 'not a GaP checkpoint'})`);
    start = a.resumeFrom;
    masks = checkpointMasks(start);
    ({ lossSum, lossSteps } = g);
  } else {
    const input = a.inputs[0]!;
    masks = { ...checkpointMasks(input) };
    for (const l of phase.grow) delete masks[l]; // grow: the partition trains dense, its pruned weights restart from 0
    start = { ...maskCheckpoint(input, masks, layers, names, c.optimizer), position: ZERO };
  }
  const n = Math.min(a.data.train.labels.length, c.trainLimit ?? Infinity);
  const perEpoch = stepsPerEpoch(n, c.batchSize, c.trainLimit);
  const live = new LiveMasks(layers, masks);
  const baseMeta = Object.fromEntries(Object.entries(start.meta).filter(([k]) => k !== 'gap'));
  const stateNow = (position: TrainPosition): TrainCheckpoint => withGapState({ position, weights: [], optimizer: [], meta: baseMeta }, { phaseId: phase.id, completed: false, masks: live.masks, lossSum, lossSteps });
  let finalState: TrainCheckpoint | undefined = start.position.step >= perEpoch * phase.epochs ? start : undefined;
  let lastLoss: number | null = null;
  try {
    const result = await trainClassifier({
      model,
      data: a.data,
      epochs: phase.epochs,
      batchSize: c.batchSize,
      learningRate: c.learningRate,
      momentum: c.momentum,
      optimizer: c.optimizer,
      seed: mixSeed(c.seed, 0x9a9, phase.index),
      trainLimit: c.trainLimit,
      checkpointEvery: a.checkpointEvery ?? Number.MAX_SAFE_INTEGER,
      resumeFrom: start,
      weightDecay: c.weightDecay,
      learningRateAt: (step) =>
        c.lrSchedule?.restart === 'phase' ? learningRateAtEpoch(c, step / perEpoch, phase.epochs) : learningRateAtEpoch(c, phase.epochOffset + step / perEpoch, phase.horizonEpochs),
      transformGradients: (g) => live.maskGradients(g),
      afterStep: async (ctx) => {
        lossSum += ctx.loss;
        lossSteps += 1;
        lastLoss = ctx.loss;
        const s = phase.gradual && gradualSparsityAt(phase.gradual, ctx.position.step, perEpoch);
        if (phase.gradual && s !== undefined) {
          const ck = await captureState(model, undefined, ctx.position, {});
          live.set({ ...live.masks, ...pruneUnits(ck, [layers.map((l) => l.name)], layers, s, c.distribution) });
          await live.applyToLive(model, ctx.optimizer, c.optimizer);
        }
        if (ctx.position.step === ctx.totalSteps) finalState = await captureState(model, ctx.optimizer, ctx.position, {});
      },
      onCheckpoint: a.onCheckpoint && ((ck) => a.onCheckpoint!({ ...ck, meta: stateNow(ck.position).meta })),
      onStep: a.onStep,
      shouldStop: a.shouldStop,
    });
    if (lastLoss === null) lastLoss = Number.isFinite(result.finalLoss) ? result.finalLoss : null;
  } finally {
    live.dispose();
  }
  if (!finalState) throw new Error(`internal: phase ${phase.id} ended without a final state`);
  const trained: TrainCheckpoint = { ...(finalState as TrainCheckpoint), meta: baseMeta };
  const finalMasks: MaskSet = { ...live.masks, ...pruneUnits(trained, phase.pruneAfter, layers, c.sparsity, c.distribution) };
  const out = withGapState(maskCheckpoint(trained, finalMasks, layers, names, c.optimizer), { phaseId: phase.id, completed: true, masks: finalMasks, lossSum, lossSteps });
  return {
    checkpoint: out,
    partial: { steps: out.position.step, epochs: phase.epochs, finalLoss: lastLoss, meanLoss: lossSteps ? lossSum / lossSteps : null, grown: phase.grow.slice(), pruned: phase.pruneAfter.flat() },
    resumedFromStep: start.position.step,
  };
}
