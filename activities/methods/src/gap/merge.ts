/**
 * P-GaP merge: κ branch checkpoints, branch i trained with partition i dense. The merged model
 * takes every layer of partition i (kernel, bias, and their optimizer slots) from branch i, and
 * with it each batch-norm layer that normalises that layer's output (`followers`: its parameters
 * and running statistics were trained with that partition dense; averaging them over branches
 * pairs a dense partition with statistics it never saw). Arrays outside every contribution are
 * the mean over branches — an assumption, the paper only says the dense partitions are merged.
 * Masks: partition i's from branch i (dense there), the rest must agree across branches.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedArray, TrainCheckpoint } from '../train/checkpoint';
import { OPTIMIZER_EXTRA_NAMES, type OptimizerSpec } from '../train/classifier';
import type { MaskSet } from './masks';
import { checkLayerNames, optimizerSlotCount, slotIndices, type PrunableLayer } from './prunable';
import { encodeMaskSet } from './masks';
import { checkpointMasks, readGapState, withGapState } from './state';

/** "s1b1_a_conv/kernel" → "s1b1_a_conv" */
const layerOf = (arrayName: string) => arrayName.split('/')[0]!;

function mean(arrays: NamedArray[]): NamedArray {
  const out = new Float32Array(arrays[0]!.values.length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i]! += a.values[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= arrays.length;
  return { name: arrays[0]!.name, shape: arrays[0]!.shape.slice(), values: out };
}

const copy = (a: NamedArray): NamedArray => ({ name: a.name, shape: a.shape.slice(), values: new Float32Array(a.values) });

/**
 * Batch-norm layers that directly normalise a prunable layer's output, keyed by the BN layer's name:
 * they belong to that layer's partition.
 */
export function batchNormFollowers(model: tf.LayersModel, layers: readonly PrunableLayer[]): Map<string, string> {
  const prunable = new Set(layers.map((l) => l.name));
  const out = new Map<string, string>();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const from = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (from.length === 1 && prunable.has(from[0]!.name)) out.set(layer.name, from[0]!.name);
  }
  return out;
}

export function mergeBranches(
  branches: TrainCheckpoint[],
  contributions: string[][],
  layers: readonly PrunableLayer[],
  trainableNames: readonly string[],
  optimizer: OptimizerSpec | undefined,
  followers: ReadonlyMap<string, string> = new Map(),
): TrainCheckpoint {
  if (branches.length === 0) throw new Error('merge needs at least one branch checkpoint');
  if (contributions.length !== branches.length) throw new Error(`merge has ${branches.length} branches but ${contributions.length} contribution lists`);
  contributions.forEach((c, i) => checkLayerNames(c, layers, `contributions[${i}]`));
  const owner = new Map<string, number>();
  contributions.forEach((c, i) =>
    c.forEach((l) => {
      if (owner.has(l)) throw new Error(`contributions: layer "${l}" is contributed by branches ${owner.get(l)} and ${i}`);
      owner.set(l, i);
    }),
  );
  // A BN layer goes with the partition of the layer it normalises.
  for (const [bn, layer] of followers) if (owner.has(layer)) owner.set(bn, owner.get(layer)!);
  const first = branches[0]!;
  for (const b of branches) {
    if (b.weights.length !== first.weights.length || b.optimizer.length !== first.optimizer.length) throw new Error('merge: branches have different architectures or optimizer states');
    if (readGapState(b)?.completed === false) throw new Error('merge: a branch checkpoint is an in-progress (resume) checkpoint, not a finished branch');
  }

  const weights = first.weights.map((w, j) => {
    const o = owner.get(layerOf(w.name));
    return o === undefined ? mean(branches.map((b) => b.weights[j]!)) : copy(branches[o]!.weights[j]!);
  });
  const slotOwner = new Map<number, string>();
  for (const [name, idx] of slotIndices(trainableNames, optimizer, optimizerSlotCount(first.optimizer))) for (const i of idx) slotOwner.set(i, name);
  const slots = first.optimizer.map((s, i) => {
    // Iteration count and Adam's β powers: equal on every branch (same steps), so copied, not averaged.
    if (i === 0 || OPTIMIZER_EXTRA_NAMES.includes(s.name)) return copy(s);
    const o = owner.get(layerOf(slotOwner.get(i) ?? ''));
    return o === undefined ? mean(branches.map((b) => b.optimizer[i]!)) : copy(branches[o]!.optimizer[i]!);
  });

  const branchMasks = branches.map(checkpointMasks);
  const masks: MaskSet = {};
  for (const l of layers) {
    const o = owner.get(l.name);
    if (o !== undefined) {
      const m = branchMasks[o]![l.name];
      if (m) masks[l.name] = m;
      continue;
    }
    const encoded = branchMasks.map((bm) => (bm[l.name] ? encodeMaskSet({ x: bm[l.name]! }).x!.bits : 'dense'));
    if (encoded.some((e) => e !== encoded[0])) throw new Error(`merge: branches disagree on the mask of layer "${l.name}" (not grown by any branch): they did not start from the same checkpoint`);
    const m = branchMasks[0]![l.name];
    if (m) masks[l.name] = m;
  }
  return withGapState({ position: { ...first.position }, weights, optimizer: slots, meta: Object.fromEntries(Object.entries(first.meta).filter(([k]) => k !== 'gap')) }, { phaseId: 'merge', completed: true, masks, lossSum: 0, lossSteps: 0 });
}
