/**
 * Splitting the prunable layers into κ partitions. The GaP repo's profiles partition by
 * consecutive blocks (encoder/decoder blocks for the Transformer); here the default is κ
 * contiguous runs of layers in model order with roughly equal parameter counts.
 */
import type { PrunableLayer } from './prunable';

export function validateKappa(kappa: number, layerCount: number): void {
  if (!Number.isInteger(kappa) || kappa < 1) throw new Error(`kappa must be a positive integer, got ${String(kappa)}`);
  if (kappa > layerCount) throw new Error(`kappa (${kappa}) must not exceed the number of prunable layers (${layerCount})`);
}

/** κ contiguous groups, each non-empty, cut where the running parameter count best meets k/κ of the total. */
export function partitionLayers(layers: readonly Pick<PrunableLayer, 'name' | 'size'>[], kappa: number): string[][] {
  validateKappa(kappa, layers.length);
  const total = layers.reduce((s, l) => s + l.size, 0);
  const groups: string[][] = [];
  let i = 0;
  let cum = 0;
  for (let g = 0; g < kappa - 1; g++) {
    const goal = (total * (g + 1)) / kappa;
    const group = [layers[i]!.name];
    cum += layers[i++]!.size;
    // Take the next layer while doing so moves us closer to the goal and leaves a layer per remaining group.
    while (i < layers.length - (kappa - 1 - g) && cum + layers[i]!.size / 2 <= goal) {
      group.push(layers[i]!.name);
      cum += layers[i++]!.size;
    }
    groups.push(group);
  }
  groups.push(layers.slice(i).map((l) => l.name));
  return groups;
}

/** Checks a user-given partition: known names, every prunable layer exactly once, no empty group. */
export function validatePartition(groups: readonly (readonly string[])[], layers: readonly Pick<PrunableLayer, 'name'>[]): void {
  validateKappa(groups.length, layers.length);
  const known = new Set(layers.map((l) => l.name));
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    if (g.length === 0) throw new Error(`partition: group ${i} is empty`);
    for (const n of g) {
      if (!known.has(n)) throw new Error(`partition: unknown layer name "${n}"; prunable layers are ${[...known].join(', ')}`);
      if (seen.has(n)) throw new Error(`partition: layer "${n}" appears in more than one group`);
      seen.add(n);
    }
  });
  const missing = [...known].filter((n) => !seen.has(n));
  if (missing.length) throw new Error(`partition: layers not in any group: ${missing.join(', ')}`);
}
