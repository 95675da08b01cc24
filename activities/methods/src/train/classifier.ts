/**
 * A deterministic, resumable training loop for image classifiers. The caller owns storage: it
 * receives checkpoints through `onCheckpoint` and hands one back through `resumeFrom`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { mixSeed, permutation } from '../util/random';
import { makeBatch } from './batches';
import type { NamedArray, TrainCheckpoint, TrainPosition } from './checkpoint';

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
}

export interface TrainOptions {
  model: tf.LayersModel;
  data: ImageDataset;
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  seed: number;
  /** Train on the first N examples of the (seed-independent) stored order only. */
  trainLimit?: number;
  checkpointEvery: number;
  resumeFrom?: TrainCheckpoint;
  meta?: Record<string, unknown>;
  onStep?: (p: TrainProgress) => void | Promise<void>;
  onCheckpoint?: (ck: TrainCheckpoint) => Promise<void>;
  /** Polled between steps; returning true stops training with a TrainingStopped error. */
  shouldStop?: () => boolean;
  /** Optimizer; default SGD with `momentum`. Adam ignores `momentum`. */
  optimizer?: OptimizerSpec;
  /**
   * L2 weight decay added to the gradient of every conv/dense kernel (g + λ·w, as SGD's
   * weight_decay does); biases and batch-norm parameters are not decayed. Default 0.
   */
  weightDecay?: number;
  /** Learning rate for the step about to run (0-based step index); default constant `learningRate`. */
  learningRateAt?: (step: number, totalSteps: number) => number;
  /**
   * Rewrites the gradients (keyed by engine variable name, i.e. `LayerVariable.name`) before the
   * optimizer sees them — e.g. to mask pruned weights. When set, gradients are taken with respect to
   * `model.trainableWeights` in that order, so optimizer slot i follows trainable weight i.
   */
  transformGradients?: (grads: tf.NamedTensorMap) => tf.NamedTensorMap;
  /** Runs after each optimizer step, before onStep and any checkpoint of that step. */
  afterStep?: (ctx: StepContext) => void | Promise<void>;
}

export type OptimizerSpec = { kind: 'momentum' } | { kind: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

export interface StepContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Position after the step. */
  position: TrainPosition;
  totalSteps: number;
  loss: number;
}

export class TrainingStopped extends Error {
  constructor(readonly position: TrainPosition) {
    super(`training stopped at step ${position.step}`);
    this.name = 'TrainingStopped';
  }
}

export interface TrainResult {
  position: TrainPosition;
  finalLoss: number;
  resumedFromStep: number;
}

export function validateTrainOptions(o: Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'momentum' | 'checkpointEvery' | 'trainLimit' | 'weightDecay'>): void {
  const bad = (name: string, v: unknown, want: string) => {
    throw new Error(`${name} must be ${want}, got ${String(v)}`);
  };
  if (!Number.isInteger(o.epochs) || o.epochs <= 0) bad('epochs', o.epochs, 'a positive integer');
  if (!Number.isInteger(o.batchSize) || o.batchSize <= 0) bad('batchSize', o.batchSize, 'a positive integer');
  if (!(o.learningRate > 0)) bad('learningRate', o.learningRate, '> 0');
  if (!(o.momentum >= 0 && o.momentum < 1)) bad('momentum', o.momentum, 'in [0, 1)');
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery <= 0) bad('checkpointEvery', o.checkpointEvery, 'a positive integer');
  if (o.trainLimit !== undefined && (!Number.isInteger(o.trainLimit) || o.trainLimit <= 0)) bad('trainLimit', o.trainLimit, 'a positive integer');
  if (o.weightDecay !== undefined && !(o.weightDecay >= 0 && o.weightDecay < 1)) bad('weightDecay', o.weightDecay, 'in [0, 1)');
}

export function stepsPerEpoch(trainCount: number, batchSize: number, trainLimit?: number): number {
  const n = Math.min(trainCount, trainLimit ?? trainCount);
  return Math.ceil(n / batchSize);
}

export async function trainClassifier(o: TrainOptions): Promise<TrainResult> {
  validateTrainOptions(o);
  const n = Math.min(o.data.train.labels.length, o.trainLimit ?? Infinity);
  const perEpoch = Math.ceil(n / o.batchSize);
  const totalSteps = perEpoch * o.epochs;
  const optimizer = makeOptimizer(o.optimizer, o.learningRate, o.momentum);
  let pos: TrainPosition = { step: 0, epoch: 0, batchInEpoch: 0 };
  if (o.resumeFrom) {
    await restoreState(o.model, optimizer, o.resumeFrom);
    pos = { ...o.resumeFrom.position };
  }
  const resumedFromStep = pos.step;
  let lastLoss = NaN;
  try {
    for (let epoch = pos.epoch; epoch < o.epochs; epoch++) {
      // The epoch's order depends only on (seed, epoch), so a resumed run sees the same batches.
      const order = permutation(n, mixSeed(o.seed, 0x5eed, epoch));
      for (let b = epoch === pos.epoch ? pos.batchInEpoch : 0; b < perEpoch; b++) {
        if (o.shouldStop?.()) throw new TrainingStopped(pos);
        const idx = order.subarray(b * o.batchSize, Math.min(n, (b + 1) * o.batchSize));
        const { x, y } = makeBatch(o.data, 'train', idx);
        if (o.learningRateAt) setLearningRate(optimizer, o.learningRateAt(pos.step, totalSteps));
        const lossFn = () => {
          const logits = o.model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        };
        const loss = o.transformGradients || o.weightDecay ? transformedStep(o.model, optimizer, lossFn, o.transformGradients, o.weightDecay ?? 0) : optimizer.minimize(lossFn, true)!;
        lastLoss = (await loss.data())[0]!;
        tf.dispose([x, y, loss]);
        if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} at step ${pos.step + 1}; lower learningRate`);
        pos = b + 1 === perEpoch ? { step: pos.step + 1, epoch: epoch + 1, batchInEpoch: 0 } : { step: pos.step + 1, epoch, batchInEpoch: b + 1 };
        await o.afterStep?.({ model: o.model, optimizer, position: pos, totalSteps, loss: lastLoss });
        await o.onStep?.({ step: pos.step, totalSteps, epoch, loss: lastLoss });
        if (pos.step % o.checkpointEvery === 0 && pos.step < totalSteps && o.onCheckpoint) {
          await o.onCheckpoint(await captureState(o.model, optimizer, pos, o.meta ?? {}));
        }
      }
    }
  } finally {
    disposeOptimizer(optimizer);
  }
  return { position: pos, finalLoss: lastLoss, resumedFromStep };
}

function makeOptimizer(spec: OptimizerSpec | undefined, learningRate: number, momentum: number): tf.Optimizer {
  if (!spec || spec.kind === 'momentum') return tf.train.momentum(learningRate, momentum);
  if (spec.kind === 'adam') return tf.train.adam(learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-7);
  throw new Error(`optimizer.kind must be 'momentum' or 'adam', got ${String((spec as { kind: unknown }).kind)}`);
}

function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  // MomentumOptimizer.dispose() skips SGD's cached −lr scalar; free it or every run leaks one tensor.
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}

/** Both tf.js optimizers used here read `learningRate` on every step; SGD/momentum caches it as a scalar. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learningRateAt must return a finite value > 0, got ${lr}`);
  // Not `instanceof`: tf.Optimizer overrides Symbol.hasInstance and matches every optimizer.
  const sgd = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** One step with gradients taken w.r.t. model.trainableWeights (fixed order) and rewritten first. */
function transformedStep(model: tf.LayersModel, optimizer: tf.Optimizer, lossFn: () => tf.Scalar, transform: ((g: tf.NamedTensorMap) => tf.NamedTensorMap) | undefined, weightDecay = 0): tf.Scalar {
  const weights = model.trainableWeights;
  const vars = weights.map((w) => w.read() as tf.Variable);
  const { value, grads } = optimizer.computeGradients(lossFn, vars);
  const ordered: tf.NamedTensorMap = {};
  const extra: tf.Tensor[] = [];
  vars.forEach((v, i) => {
    // A weight the loss does not reach gets a zero gradient, so slot indices stay aligned.
    let g = grads[v.name];
    if (!g) extra.push((g = tf.zerosLike(v)));
    if (weightDecay > 0 && isKernel(weights[i]!.originalName)) {
      const decayed = g;
      extra.push((g = tf.tidy(() => tf.add(decayed, tf.mul(v, weightDecay)))));
    }
    ordered[v.name] = g;
  });
  const transformed = transform ? transform(ordered) : ordered;
  optimizer.applyGradients(transformed);
  const made = Object.values(transformed).filter((t) => !Object.values(ordered).includes(t));
  tf.dispose([...Object.values(grads), ...extra, ...made]);
  return value;
}

function isKernel(originalName: string): boolean {
  return /(^|\/)(depthwise_)?kernel$/.test(originalName);
}

function toNamed(name: string, t: tf.Tensor): NamedArray {
  return { name, shape: t.shape.slice(), values: new Float32Array(t.dataSync()) };
}

export async function captureState(model: tf.LayersModel, optimizer: tf.Optimizer | undefined, position: TrainPosition, meta: Record<string, unknown>): Promise<TrainCheckpoint> {
  const weights = model.weights.map((w) => toNamed(w.originalName, w.read()));
  const optWeights = optimizer ? await optimizer.getWeights() : [];
  const opt = optWeights.map((w, i) => toNamed(`slot${i}`, w.tensor));
  // getWeights() makes a fresh scalar for the iteration count; the slots themselves are live variables.
  for (const w of optWeights) if (w.name === 'iter') w.tensor.dispose();
  const beta = adamBetaPowers(optimizer);
  if (beta) opt.push(toNamed(ADAM_BETA1_POWER, beta.accBeta1), toNamed(ADAM_BETA2_POWER, beta.accBeta2));
  return { position, weights, optimizer: opt, meta };
}

/**
 * Adam's running β1^t and β2^t are not in getWeights(): setWeights recomputes them as pow(β, t + 1),
 * which differs in the last bits from the product accumulated step by step, so a resumed run would
 * drift from an uninterrupted one. The checkpoint keeps them and restoreState puts them back exactly.
 */
const ADAM_BETA1_POWER = 'adam/beta1_power';
const ADAM_BETA2_POWER = 'adam/beta2_power';
/** Entries of a checkpoint's `optimizer` list that are not getWeights() slots (appended after them). */
export const OPTIMIZER_EXTRA_NAMES: readonly string[] = [ADAM_BETA1_POWER, ADAM_BETA2_POWER];
function adamBetaPowers(optimizer: tf.Optimizer | undefined): { accBeta1: tf.Variable; accBeta2: tf.Variable } | null {
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable } | undefined;
  return o?.accBeta1 && o.accBeta2 ? { accBeta1: o.accBeta1, accBeta2: o.accBeta2 } : null;
}

/** Loads weights (by position, checked by shape) and optimizer slots into a freshly built model. */
export async function restoreState(model: tf.LayersModel, optimizer: tf.Optimizer | undefined, ck: TrainCheckpoint): Promise<void> {
  const vars = model.weights;
  if (vars.length !== ck.weights.length) {
    throw new Error(`checkpoint has ${ck.weights.length} weight arrays but the model has ${vars.length}: different architecture`);
  }
  const tensors = ck.weights.map((w, i) => {
    const want = vars[i]!.shape;
    if (want.join('x') !== w.shape.join('x')) throw new Error(`checkpoint weight ${w.name} has shape ${w.shape.join('×')}, model expects ${want.join('×')}`);
    return tf.tensor(w.values, w.shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  if (optimizer && ck.optimizer.length) {
    const powers = new Map(ck.optimizer.filter((w) => w.name === ADAM_BETA1_POWER || w.name === ADAM_BETA2_POWER).map((w) => [w.name, w]));
    // setWeights copies each tensor into a new variable, so the staging tensors are ours to free.
    const staged = ck.optimizer.filter((w) => !powers.has(w.name)).map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
    await optimizer.setWeights(staged);
    tf.dispose(staged.map((s) => s.tensor));
    const beta = adamBetaPowers(optimizer);
    const [b1, b2] = [powers.get(ADAM_BETA1_POWER), powers.get(ADAM_BETA2_POWER)];
    // Checkpoints from before these were kept resume with setWeights' recomputed powers.
    if (beta && b1 && b2) {
      tf.tidy(() => {
        beta.accBeta1.assign(tf.scalar(b1.values[0]!));
        beta.accBeta2.assign(tf.scalar(b2.values[0]!));
      });
    }
  }
}

export interface EvalResult {
  accuracy: number;
  loss: number;
  count: number;
}

export function evaluateClassifier(model: tf.LayersModel, data: ImageDataset, split: 'train' | 'test', batchSize: number, limit?: number): EvalResult {
  const n = Math.min(data[split].labels.length, limit ?? Infinity);
  if (n === 0) throw new Error(`the ${split} split of ${data.name} is empty`);
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const { x, y } = makeBatch(data, split, idx);
    const [c, l] = tf.tidy(() => {
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      const hits = logits.argMax(1).equal(y.argMax(1)).sum();
      const loss = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
      return [hits.dataSync()[0]!, loss.dataSync()[0]!];
    });
    tf.dispose([x, y]);
    correct += c;
    lossSum += l;
  }
  return { accuracy: correct / n, loss: lossSum / n, count: n };
}
