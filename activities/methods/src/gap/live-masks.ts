/**
 * Masks as tensors during training: multiply gradients (so pruned weights get no update and their
 * optimizer slots stay 0), and re-mask a live model + optimizer when the masks change mid-phase.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../train/classifier';
import type { MaskSet } from './masks';
import { slotIndices, type PrunableLayer } from './prunable';

export class LiveMasks {
  private tensors = new Map<string, { layer: PrunableLayer; mask: tf.Tensor }>();
  masks: MaskSet = {};

  constructor(private readonly layers: readonly PrunableLayer[], masks: MaskSet) {
    this.set(masks);
  }

  set(masks: MaskSet): void {
    this.dispose();
    this.masks = masks;
    for (const layer of this.layers) {
      const m = masks[layer.name];
      if (m) this.tensors.set(layer.variableName, { layer, mask: tf.tensor(Float32Array.from(m), layer.shape) });
    }
  }

  /** grads ⊙ masks; the returned new tensors are freed by trainClassifier after the step. */
  maskGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { ...grads };
    for (const [name, { mask }] of this.tensors) {
      const g = grads[name];
      if (g) out[name] = tf.mul(g, mask);
    }
    return out;
  }

  /** Applies the current masks to the model's kernels and the optimizer's slots in place. */
  async applyToLive(model: tf.LayersModel, optimizer: tf.Optimizer, spec: OptimizerSpec | undefined): Promise<void> {
    const byName = new Map(model.weights.map((w) => [w.originalName, w]));
    const slots = await optimizer.getWeights();
    const slotMap = slotIndices(
      model.trainableWeights.map((w) => w.originalName),
      spec,
      slots.length,
    );
    for (const { layer, mask } of this.tensors.values()) {
      const w = byName.get(layer.weightName)!;
      // assign/write keep their own reference, so the product is ours to free. "+ 0" turns the
      // −0 of (negative weight)·0 into +0, so pruned entries are bitwise zero (sparse encoding).
      const masked = tf.tidy(() => tf.add(tf.mul(w.read(), mask), 0));
      w.write(masked);
      masked.dispose();
      for (const i of slotMap.get(layer.weightName) ?? []) {
        const v = slots[i]!.tensor as tf.Variable;
        const m = tf.tidy(() => tf.add(tf.mul(v, mask), 0));
        v.assign(m);
        m.dispose();
      }
    }
    // getWeights() returns a fresh iteration-count scalar; the slots are live variables.
    slots[0]?.tensor.dispose();
  }

  dispose(): void {
    for (const { mask } of this.tensors.values()) mask.dispose();
    this.tensors.clear();
  }
}
