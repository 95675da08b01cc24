/**
 * The compute jobs a child process can run: thin adapters from files + JSON args to method code.
 * Runs in the child only; imports TF.js through the methods package.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildSmallModel,
  captureState,
  decodeCheckpoint,
  decodeDataset,
  encodeCheckpoint,
  evaluateClassifier,
  restoreState,
  trainClassifier,
  type SmallModelName,
  type TrainCheckpoint,
} from '@reprolab/methods';
import type { DistillParams, EvaluateParams, GrowPruneParams, NoveltyParams, PretrainParams, SimulateMpuParams, SimulateParams } from '@reprolab/recipes';
import type { ImageDataset } from '@reprolab/methods';
import type { SparseRunConfig } from '@reprolab/methods/gap/index';
import type { SrEvalResult } from '@reprolab/methods/sr/index';
import { encodeSrCrops } from '../sr-crops';
import type { SrModelMeta } from './sr-jobs';
import { buildSrExtractor } from '../sr/extractor';

export interface JobContext {
  files: Record<string, string>;
  scratchDir: string;
  progress(data: Record<string, unknown>): void;
  /** Resolves once the parent has stored the checkpoint file. */
  checkpoint(path: string, data: Record<string, unknown>): Promise<void>;
}

export interface JobResult {
  result: unknown;
  files: Record<string, string>;
}

type Job = (args: never, ctx: JobContext) => Promise<JobResult>;

const file = async (ctx: JobContext, name: string): Promise<Uint8Array> => {
  const path = ctx.files[name];
  if (!path) throw new Error(`job input "${name}" missing`);
  return new Uint8Array(await readFile(path));
};

/** Writes each training checkpoint to scratch and waits until the parent has stored it. */
export function checkpointSink(ctx: JobContext): (ck: TrainCheckpoint) => Promise<void> {
  let n = 0;
  return async (ck) => {
    const path = join(ctx.scratchDir, `ck-${n++}.bin`);
    await writeFile(path, encodeCheckpoint(ck));
    await ctx.checkpoint(path, { step: ck.position.step });
  };
}

export interface TrainJobArgs {
  params: PretrainParams;
  seed: number;
  meta: Record<string, unknown>;
}

async function trainClassifierJob(args: TrainJobArgs, ctx: JobContext): Promise<JobResult> {
  const data = decodeDataset(await file(ctx, 'dataset'));
  const p = args.params;
  const model = buildSmallModel(p.model, data.shape, data.classes, args.seed);
  const meta = { ...args.meta, inputShape: data.shape, classes: data.classes };
  const resumeFrom = ctx.files.resume ? decodeCheckpoint(await file(ctx, 'resume')) : undefined;
  try {
    const r = await trainClassifier({
      model,
      data,
      epochs: p.epochs,
      batchSize: p.batchSize,
      learningRate: p.learningRate,
      momentum: p.momentum,
      seed: args.seed,
      trainLimit: p.trainLimit,
      checkpointEvery: p.checkpointEvery,
      resumeFrom,
      meta,
      onStep: (s) => ctx.progress({ ...s }),
      onCheckpoint: checkpointSink(ctx),
    });
    const modelPath = join(ctx.scratchDir, 'model.bin');
    await writeFile(modelPath, encodeCheckpoint(await captureState(model, undefined, r.position, meta)));
    return { result: r, files: { model: modelPath } };
  } finally {
    model.dispose();
  }
}

async function evaluateClassifierJob(args: { params: EvaluateParams }, ctx: JobContext): Promise<JobResult> {
  const data = decodeDataset(await file(ctx, 'dataset'));
  const ck = decodeCheckpoint(await file(ctx, 'model'));
  const meta = ck.meta as { model?: SmallModelName; inputShape?: [number, number, number]; classes?: number };
  if (!meta.model || !meta.inputShape || !meta.classes) throw new InvalidJobInput('model artifact lacks its architecture (model, inputShape, classes)');
  if (meta.inputShape.join('x') !== data.shape.join('x') || meta.classes !== data.classes) {
    throw new InvalidJobInput(`model expects ${meta.inputShape.join('×')} images and ${meta.classes} classes; dataset ${data.name} has ${data.shape.join('×')} and ${data.classes}`);
  }
  const model = buildSmallModel(meta.model, meta.inputShape, meta.classes, 0);
  try {
    await restoreState(model, undefined, ck);
    const { split, batchSize, limit } = args.params;
    return { result: evaluateClassifier(model, data, split, batchSize, limit), files: {} };
  } finally {
    model.dispose();
  }
}

/** Bad input detected in the child: the parent turns it into a non-retryable failure. */
export class InvalidJobInput extends Error {
  override name = 'InvalidJobInput';
}

async function simulateMpuJob(args: { params: SimulateMpuParams }, ctx: JobContext): Promise<JobResult> {
  // The simulator is pure TypeScript; loaded lazily so training jobs don't pay for it.
  const mpu = await import('@reprolab/methods/mpu/index');
  const { workloadDef } = await import('@reprolab/methods/mpu/workloads');
  const p = args.params;
  let started = false;
  let def;
  try {
    def = workloadDef(p.workload);
  } catch (e) {
    throw new InvalidJobInput((e as Error).message);
  }
  let config;
  try {
    config = p.config === undefined ? undefined : mpu.parseSimConfig(p.config);
  } catch (e) {
    throw new InvalidJobInput(`simulateMpu config: ${(e as Error).message}`);
  }
  const size = p.size ?? (p.sizeScale !== undefined ? mpu.scaledSize(def, p.sizeScale) : def.defaultSize);
  try {
    if (p.sweep) {
      const sweep = await mpu.runParameterSweep({
        workload: p.workload,
        size,
        config,
        sweep: p.sweep,
        onProgress: (simCycles) => {
          started = true;
          ctx.progress({ simCycles });
        },
        onPoint: (done, total) => ctx.progress({ sweepPointsDone: done, sweepPoints: total }),
      });
      return { result: { sweep }, files: {} };
    }
    const result = await mpu.simulateWorkload({
      workload: p.workload,
      size,
      config,
      onProgress: (simCycles) => {
        started = true;
        ctx.progress({ simCycles });
      },
    });
    return { result, files: {} };
  } catch (e) {
    // Failing before the first simulated cycle means the input (size, budget, sweep values) was refused.
    if (!started) throw new InvalidJobInput((e as Error).message);
    throw e;
  }
}

// ---- sparse training (GaP and baselines) ----

export interface GapPlanSummary {
  method: string;
  phases: { id: string; index: number; kind: string; label: string; inputs: string[] }[];
  waves: string[][];
  budget: { sequentialEpochs: number; computeEpochs: number };
}

async function sparsePlan(params: GrowPruneParams, seed: number, data: ImageDataset) {
  const gap = await import('@reprolab/methods/gap/index');
  const m = params.model;
  const common = { inputShape: data.shape, classes: data.classes };
  const model: SparseRunConfig['model'] =
    m.kind === 'proxy-cnn' ? { kind: 'proxy-cnn', ...common } : m.kind === 'resnet-cifar' ? { kind: 'resnet-cifar', depth: m.depth, width: m.width, ...common } : { kind: 'resnet50', width: m.width, ...common };
  const config: SparseRunConfig = {
    model,
    seed,
    sparsity: params.sparsity,
    distribution: params.distribution,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    momentum: params.momentum,
    lrSchedule: params.lrSchedule,
    optimizer: params.optimizer,
    weightDecay: params.weightDecay,
    trainLimit: params.trainLimit,
  };
  try {
    config.exclude = gap.resolveExclude(config, params.exclude);
    const layers = gap.describePrunable(config);
    const plans = gap.planComparison(config, layers, { kappa: params.kappa, rounds: params.rounds, epochsPerStep: params.epochsPerStep, fineTuneEpochs: params.fineTuneEpochs });
    const plan = plans[params.method];
    if (!plan) throw new Error(`method ${params.method} needs a budget of at least 2 epochs (dense training, then fine-tuning); raise epochsPerStep, rounds or fineTuneEpochs`);
    return { gap, plan };
  } catch (e) {
    throw new InvalidJobInput(`growPrune: ${(e as Error).message}`);
  }
}

async function gapPlanJob(args: { params: GrowPruneParams; seed: number }, ctx: JobContext): Promise<JobResult> {
  const data = decodeDataset(await file(ctx, 'dataset'));
  const { gap, plan } = await sparsePlan(args.params, args.seed, data);
  const summary: GapPlanSummary = {
    method: plan.method,
    phases: plan.phases.map((p) => ({ id: p.id, index: p.index, kind: p.kind, label: p.label, inputs: p.inputs })),
    waves: gap.phaseWaves(plan).map((w) => w.map((p) => p.id)),
    budget: plan.budget,
  };
  return { result: summary, files: {} };
}

export interface GapPhaseArgs {
  params: GrowPruneParams;
  seed: number;
  phaseId: string;
  inputCount: number;
  last: boolean;
}

async function gapPhaseJob(args: GapPhaseArgs, ctx: JobContext): Promise<JobResult> {
  const data = decodeDataset(await file(ctx, 'dataset'));
  const { gap, plan } = await sparsePlan(args.params, args.seed, data);
  const phase = plan.phases.find((p) => p.id === args.phaseId);
  if (!phase) throw new InvalidJobInput(`growPrune plan has no phase "${args.phaseId}"`);
  const inputs = [];
  for (let i = 0; i < args.inputCount; i++) inputs.push(gap.decodeAnyCheckpoint(await file(ctx, `input${i}`)));
  const resumeFrom = ctx.files.resume ? gap.decodeAnyCheckpoint(await file(ctx, 'resume')) : undefined;
  const endsRound = phase.kind === 'init' ? undefined : phase.endsRound;
  let n = 0;
  const r = await gap.executePhase({
    config: plan.config,
    phase,
    inputs,
    data,
    resumeFrom,
    checkpointEvery: args.params.checkpointEvery,
    onStep: (s) => ctx.progress({ ...s }),
    onCheckpoint: async (ck) => {
      const path = join(ctx.scratchDir, `ck-${n++}.bin`);
      await writeFile(path, gap.encodeSparseCheckpoint(ck));
      await ctx.checkpoint(path, { step: ck.position.step });
    },
    // The final model, and GaP's model at the end of every round (its accuracy over rounds).
    evaluate: args.last || endsRound !== undefined ? { split: 'test', limit: args.params.evalLimit } : undefined,
  });
  const out = join(ctx.scratchDir, 'phase-out.bin');
  await writeFile(out, gap.encodeSparseCheckpoint(r.checkpoint));
  return { result: { metrics: r.metrics, resumedFromStep: r.resumedFromStep, phaseIndex: phase.index, phases: plan.phases.length, label: phase.label, budget: plan.budget, endsRound }, files: { checkpoint: out } };
}

// ---- super-resolution distillation (CSD and its comparison arms) ----

export interface DistillJobArgs {
  params: DistillParams;
  seed: number;
  meta: Record<string, unknown>;
  /** Digest of a stored teacher model (its file is `files.teacher`): the student distils from it, frozen. */
  teacher?: string;
}

export interface DistillJobResult {
  position: { step: number };
  finalLoss: number;
  resumedFromStep: number;
  secondsPerStep: number;
  eval: SrEvalResult;
  params: { student: number; teacher: number };
  extractor: { name: string; description: string } | null;
}

async function distillJob(args: DistillJobArgs, ctx: JobContext): Promise<JobResult> {
  const sr = await import('@reprolab/methods/sr/index');
  const p = args.params;
  // Built first, so missing VGG-19 weights refuse the job before anything is read or trained.
  // random-conv-features is fixed by the run seed, so every arm of a seed contrasts in the same feature space.
  const extractor = p.method === 'csd' ? await buildSrExtractor(p.extractor, args.seed).catch((e: Error) => Promise.reject(new InvalidJobInput(`distill: ${e.message}`))) : undefined;
  const arch = { kind: 'edsr' as const, nResblocks: p.model.blocks, nFeats: p.model.feats, resScale: p.model.resScale, scale: p.scale };
  const srJobs = await import('./sr-jobs');
  // A stored teacher is checked (architecture, scale, that it holds a teacher) before any data is read.
  const stored = args.teacher ? await srJobs.loadStoredTeacher(ctx, p, args.teacher).catch((e) => (extractor?.dispose(), Promise.reject(e))) : undefined;
  // HR tiles (photos-skimage) or the whole images of an imported SR dataset (sr-jobs.ts).
  const { train, evaluate, crops } = await srJobs.distillData(ctx, p);
  const meta: Record<string, unknown> & SrModelMeta = {
    ...args.meta,
    arch,
    width: p.width,
    method: p.method,
    layout: stored || p.method === 'student-alone' ? 'student' : 'shared',
    ...(args.teacher ? { teacher: args.teacher } : {}),
  };
  const resumeFrom = ctx.files.resume ? decodeCheckpoint(await file(ctx, 'resume')) : undefined;
  const r = await sr.trainSr({
    method: p.method,
    arch,
    width: p.width,
    tiles: train,
    patch: p.patch,
    batchSize: p.batchSize,
    steps: p.steps,
    learningRate: p.learningRate,
    lrSchedule: p.lrSchedule,
    augment: p.augment,
    lambdaCl: p.lambdaContrastive,
    lambdaT: p.lambdaTeacher,
    negatives: p.negatives,
    extractor,
    storedTeacher: stored?.weights,
    studentInit: p.studentInit,
    seed: args.seed,
    checkpointEvery: p.checkpointEvery,
    resumeFrom,
    meta,
    onStep: (s) => ctx.progress({ ...s }),
    onCheckpoint: checkpointSink(ctx),
  });
  try {
    const nets = sr.srNetworks(r.model, p.method, arch, p.width, stored?.weights);
    const evalResult = evaluate(nets);
    const modelPath = join(ctx.scratchDir, 'model.bin');
    await writeFile(modelPath, encodeCheckpoint(await captureState(r.model, undefined, r.position, meta)));
    // The same crops of the same test tiles for every arm and seed, for the run page.
    const cropsPath = join(ctx.scratchDir, 'crops.json');
    if (crops) await writeFile(cropsPath, encodeSrCrops(crops(nets), { method: p.method, seed: args.seed, width: p.width, scale: p.scale }));
    const result: DistillJobResult = {
      position: r.position,
      finalLoss: r.finalLoss,
      resumedFromStep: r.resumedFromStep,
      secondsPerStep: r.secondsPerStep,
      eval: evalResult,
      params: sr.srParams(arch, p.width),
      extractor: extractor ? { name: extractor.name, description: extractor.description } : null,
    };
    return { result, files: { model: modelPath, ...(crops ? { crops: cropsPath } : {}) } };
  } finally {
    r.model.dispose();
    extractor?.dispose();
    stored?.dispose();
  }
}

/**
 * A `simulate` step's model (tight-binding or integration3d), loaded lazily. Parameter overrides
 * are re-checked against the model's own table (unknown names, ranges) and refused as invalid input.
 */
async function simulateJob(args: { params: SimulateParams }, ctx: JobContext): Promise<JobResult> {
  const p = args.params;
  ctx.progress({ stage: p.model });
  if (p.model === 'tight-binding') {
    const tb = await import('@reprolab/methods/tight-binding/index');
    const bad = tb.validateTbParams(p.params);
    if (bad.length) throw new InvalidJobInput(`simulate tight-binding params: ${bad.join('; ')}`);
    const { model: _m, params, ...opts } = p;
    return { result: tb.runTightBinding({ ...opts, params }), files: {} };
  }
  const i3d = await import('@reprolab/methods/integration3d/index');
  const bad = i3d.validateI3dParams(p.params);
  if (bad.length) throw new InvalidJobInput(`simulate integration3d params: ${bad.join('; ')}`);
  return { result: i3d.runIntegration3d({ params: p.params, wireModel: p.wireModel, tierSweep: p.tierSweep, pitchSweepUm: p.pitchSweepUm }), files: {} };
}

export interface NoveltyJobArgs {
  params: NoveltyParams;
  seed: number;
}

export interface NoveltyJobResult {
  aurocPct: number;
  termAurocPct?: { reconstruction: number; contrastive: number };
  finalLoss: number;
  trainImages: number;
  testNormal: number;
  testNovel: number;
  parameters: number;
  seconds: number;
  steps: number;
}

/** One-class novelty detection on one class of a classification dataset; the scores go back as a file. */
async function noveltyJob(args: NoveltyJobArgs, ctx: JobContext): Promise<JobResult> {
  const nd = await import('@reprolab/methods/novelty/index');
  const p = args.params;
  const data = decodeDataset(await file(ctx, 'dataset'));
  let split;
  try {
    split = nd.oneClassSplit(data, p.normalClass, { trainLimit: p.trainLimit, testLimit: p.testLimit });
  } catch (e) {
    throw new InvalidJobInput(`novelty: ${(e as Error).message}`);
  }
  const r = await nd.runOneClass({
    method: p.method,
    data: split,
    epochs: p.epochs,
    pretrainEpochs: p.pretrainEpochs,
    batchSize: p.batchSize,
    learningRate: p.learningRate,
    latentDim: p.latentDim,
    projDim: p.projDim,
    temperature: p.temperature,
    lambdaContrastive: p.lambdaContrastive,
    nda: p.nda === false ? null : p.nda,
    latentInit: p.latentInit,
    score: p.score,
    seed: args.seed,
    onProgress: (s) => ctx.progress({ ...s }),
  });
  const scoresPath = join(ctx.scratchDir, 'scores.json');
  await writeFile(scoresPath, JSON.stringify({ scores: Array.from(r.scores, (v) => Number(v.toPrecision(7))), novel: split.testNovel }));
  const { scores: _s, ...result } = r;
  return { result: result satisfies NoveltyJobResult, files: { scores: scoresPath } };
}

export const JOBS: Record<string, Job> = {
  distill: distillJob as Job,
  'gap-plan': gapPlanJob as Job,
  'gap-phase': gapPhaseJob as Job,
  'simulate-mpu': simulateMpuJob as Job,
  simulate: simulateJob as Job,
  novelty: noveltyJob as Job,
  /** AECR-Net dehazing (dehaze-jobs.ts), loaded on use. */
  dehaze: (async (args: never, ctx: JobContext) => (await import('./dehaze-jobs')).dehazeJob(args, ctx)) as Job,
  /** Starts the backend and returns: tells the worker which backend its steps will train on. */
  probe: (async () => ({ result: null, files: {} })) as Job,
  'train-classifier': trainClassifierJob as Job,
  'evaluate-classifier': evaluateClassifierJob as Job,
  /** SR evaluation of a distill model (sr-jobs.ts), loaded on use. */
  'evaluate-sr': (async (args: never, ctx: JobContext) => (await import('./sr-jobs')).evaluateSrJob(args, ctx)) as Job,
};
