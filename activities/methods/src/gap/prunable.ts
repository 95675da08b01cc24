/**
 * Which weights of a model are prunable, and where each one (and its optimizer slots) sits in a
 * TrainCheckpoint. Prunable = the kernel of every Conv2D / DepthwiseConv2D / Dense layer; biases
 * and batch-norm parameters stay dense (standard for unstructured magnitude pruning).
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedArray, TrainCheckpoint } from '../train/checkpoint';
import { OPTIMIZER_EXTRA_NAMES, type OptimizerSpec } from '../train/classifier';
import { applyMaskInPlace, type MaskSet } from './masks';

const PRUNABLE_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

export interface PrunableLayer {
  /** Layer name: the key used in masks and partitions. */
  name: string;
  /** The kernel's checkpoint name (LayerVariable.originalName), e.g. "conv1/kernel". */
  weightName: string;
  /** Engine variable name, the key of the gradient map during training. */
  variableName: string;
  shape: number[];
  size: number;
}

/** Prunable layers in model order, minus `exclude` (every excluded name must exist). */
export function prunableLayers(model: tf.LayersModel, exclude: readonly string[] = []): PrunableLayer[] {
  const all: PrunableLayer[] = [];
  for (const layer of model.layers) {
    if (!PRUNABLE_CLASSES.has(layer.getClassName())) continue;
    const kernel = layer.weights.find((w) => /(^|\/)(depthwise_)?kernel$/.test(w.originalName));
    if (!kernel) continue;
    const shape = kernel.shape.map((d) => d ?? 0);
    all.push({ name: layer.name, weightName: kernel.originalName, variableName: kernel.name, shape, size: shape.reduce((a, b) => a * b, 1) });
  }
  const known = new Set(all.map((l) => l.name));
  for (const e of exclude) if (!known.has(e)) throw new Error(`exclude: unknown layer name "${e}"; prunable layers are ${[...known].join(', ')}`);
  return all.filter((l) => !exclude.includes(l.name));
}

export function layerSizes(layers: readonly PrunableLayer[]): Record<string, number> {
  return Object.fromEntries(layers.map((l) => [l.name, l.size]));
}

/** Throws naming `param` unless every name is one of `layers`. */
export function checkLayerNames(names: readonly string[], layers: readonly PrunableLayer[], param: string): void {
  const known = new Set(layers.map((l) => l.name));
  for (const n of names) if (!known.has(n)) throw new Error(`${param}: unknown layer name "${n}"; prunable layers are ${[...known].join(', ')}`);
}

/**
 * Optimizer slot indices belonging to each trainable weight, for checkpoints written by
 * trainClassifier with `transformGradients` (slots follow model.trainableWeights):
 * momentum = [iter, acc_0..acc_{N-1}], adam = [iter, m_0..m_{N-1}, v_0..v_{N-1}].
 */
export function slotIndices(trainableNames: readonly string[], optimizer: OptimizerSpec | undefined, slotCount: number): Map<string, number[]> {
  const n = trainableNames.length;
  const perWeight = optimizer?.kind === 'adam' ? 2 : 1;
  const out = new Map<string, number[]>();
  if (slotCount === 0) return out; // fresh optimizer: no slots yet
  if (slotCount !== 1 + perWeight * n) {
    throw new Error(`checkpoint has ${slotCount} optimizer slots; ${optimizer?.kind ?? 'momentum'} over ${n} trainable weights needs ${1 + perWeight * n}`);
  }
  trainableNames.forEach((name, i) => out.set(name, perWeight === 2 ? [1 + i, 1 + n + i] : [1 + i]));
  return out;
}

/** getWeights() slots in a checkpoint's optimizer list: Adam's β powers follow them and are not per-weight (train/classifier.ts). */
export function optimizerSlotCount(optimizer: readonly NamedArray[]): number {
  return optimizer.filter((s) => !OPTIMIZER_EXTRA_NAMES.includes(s.name)).length;
}

function cloneArray(a: NamedArray): NamedArray {
  return { name: a.name, shape: a.shape.slice(), values: new Float32Array(a.values) };
}

/**
 * A copy of `ck` with every masked kernel and its optimizer slots zeroed where the mask is 0, so
 * a pruned weight has value 0, momentum 0 (and Adam moments 0) — the optimizer then leaves it at 0.
 */
export function maskCheckpoint(ck: TrainCheckpoint, masks: MaskSet, layers: readonly PrunableLayer[], trainableNames: readonly string[], optimizer: OptimizerSpec | undefined): TrainCheckpoint {
  const weights = ck.weights.map(cloneArray);
  const slots = ck.optimizer.map(cloneArray);
  const slotMap = slotIndices(trainableNames, optimizer, optimizerSlotCount(slots));
  for (const layer of layers) {
    const mask = masks[layer.name];
    if (!mask) continue;
    const w = weights.find((a) => a.name === layer.weightName);
    if (!w) throw new Error(`checkpoint has no weight ${layer.weightName} for layer ${layer.name}`);
    applyMaskInPlace(w.values, mask);
    for (const i of slotMap.get(layer.weightName) ?? []) applyMaskInPlace(slots[i]!.values, mask);
  }
  return { ...ck, weights, optimizer: slots };
}

/** The current kernel values of the given layers, read from a checkpoint. */
export function kernelValues(ck: TrainCheckpoint, layers: readonly PrunableLayer[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const l of layers) {
    const w = ck.weights.find((a) => a.name === l.weightName);
    if (!w) throw new Error(`checkpoint has no weight ${l.weightName} for layer ${l.name}`);
    out[l.name] = w.values;
  }
  return out;
}
