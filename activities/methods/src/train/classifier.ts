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

export function validateTrainOptions(o: Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'momentum' | 'checkpointEvery' | 'trainLimit'>): void {
  const bad = (name: string, v: unknown, want: string) => {
    throw new Error(`${name} must be ${want}, got ${String(v)}`);
  };
  if (!Number.isInteger(o.epochs) || o.epochs <= 0) bad('epochs', o.epochs, 'a positive integer');
  if (!Number.isInteger(o.batchSize) || o.batchSize <= 0) bad('batchSize', o.batchSize, 'a positive integer');
  if (!(o.learningRate > 0)) bad('learningRate', o.learningRate, '> 0');
  if (!(o.momentum >= 0 && o.momentum < 1)) bad('momentum', o.momentum, 'in [0, 1)');
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery <= 0) bad('checkpointEvery', o.checkpointEvery, 'a positive integer');
  if (o.trainLimit !== undefined && (!Number.isInteger(o.trainLimit) || o.trainLimit <= 0)) bad('trainLimit', o.trainLimit, 'a positive integer');
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
  const optimizer = tf.train.momentum(o.learningRate, o.momentum);
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
        const loss = optimizer.minimize(() => {
          const logits = o.model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, true);
        lastLoss = (await loss!.data())[0]!;
        tf.dispose([x, y, loss!]);
        if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} at step ${pos.step + 1}; lower learningRate`);
        pos = b + 1 === perEpoch ? { step: pos.step + 1, epoch: epoch + 1, batchInEpoch: 0 } : { step: pos.step + 1, epoch, batchInEpoch: b + 1 };
        await o.onStep?.({ step: pos.step, totalSteps, epoch, loss: lastLoss });
        if (pos.step % o.checkpointEvery === 0 && pos.step < totalSteps && o.onCheckpoint) {
          await o.onCheckpoint(await captureState(o.model, optimizer, pos, o.meta ?? {}));
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { position: pos, finalLoss: lastLoss, resumedFromStep };
}

function toNamed(name: string, t: tf.Tensor): NamedArray {
  return { name, shape: t.shape.slice(), values: new Float32Array(t.dataSync()) };
}

export async function captureState(model: tf.LayersModel, optimizer: tf.Optimizer | undefined, position: TrainPosition, meta: Record<string, unknown>): Promise<TrainCheckpoint> {
  const weights = model.weights.map((w) => toNamed(w.originalName, w.read()));
  const optWeights = optimizer ? await optimizer.getWeights() : [];
  const opt = optWeights.map((w, i) => toNamed(`slot${i}`, w.tensor));
  return { position, weights, optimizer: opt, meta };
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
    await optimizer.setWeights(ck.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) })));
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
