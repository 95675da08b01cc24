/**
 * Binary weight masks (1 = kept, 0 = pruned) as plain arrays, independent of any tensor backend.
 * Every selection here is exact: "keep k of n" keeps exactly k, ties broken by position, so a
 * given set of weights always yields the same mask.
 */
import { mulberry32 } from '../util/random';

/** One layer's mask: same element order as the flattened kernel. */
export type Mask = Uint8Array;
/** Masks by prunable layer name; a layer without an entry is dense. */
export type MaskSet = Record<string, Mask>;

export type SparsityDistribution = 'uniform' | 'global';

export function validateSparsity(sparsity: number, name = 'sparsity'): void {
  if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity < 1)) throw new Error(`${name} must be in [0, 1), got ${String(sparsity)}`);
}

/** Number of weights kept when pruning n weights to `sparsity` (rounded to the nearest count). */
export function keptCount(n: number, sparsity: number): number {
  return n - Math.round(sparsity * n);
}

export function denseMask(n: number): Mask {
  return new Uint8Array(n).fill(1);
}

/** Keeps the `keep` largest |w| (ties at the threshold: lower index wins). O(n log n), native sort. */
export function topMagnitudeMask(values: ArrayLike<number>, keep: number): Mask {
  const n = values.length;
  if (keep >= n) return denseMask(n);
  const mask = new Uint8Array(n);
  if (keep <= 0) return mask;
  const abs = Float64Array.from(values as ArrayLike<number>, Math.abs);
  const threshold = abs.slice().sort()[n - keep]!;
  let above = 0;
  for (let i = 0; i < n; i++) if (abs[i]! > threshold) above++;
  let ties = keep - above;
  for (let i = 0; i < n; i++) {
    if (abs[i]! > threshold) mask[i] = 1;
    else if (abs[i] === threshold && ties > 0) {
      mask[i] = 1;
      ties--;
    }
  }
  return mask;
}

/**
 * Magnitude pruning of several layers to one sparsity. `uniform`: every layer keeps exactly
 * keptCount(n_l, s). `global`: one magnitude threshold over all the given layers together
 * (exactly keptCount(Σn, s) kept in total; per-layer sparsity then varies).
 */
export function magnitudeMasks(weights: Record<string, ArrayLike<number>>, sparsity: number, distribution: SparsityDistribution): MaskSet {
  validateSparsity(sparsity);
  const names = Object.keys(weights);
  if (distribution === 'uniform') {
    return Object.fromEntries(names.map((n) => [n, topMagnitudeMask(weights[n]!, keptCount(weights[n]!.length, sparsity))]));
  }
  if (distribution !== 'global') throw new Error(`distribution must be 'uniform' or 'global', got ${String(distribution)}`);
  const total = names.reduce((s, n) => s + weights[n]!.length, 0);
  const flat = new Float64Array(total);
  let o = 0;
  for (const n of names) {
    flat.set(weights[n]!, o);
    o += weights[n]!.length;
  }
  const all = topMagnitudeMask(flat, keptCount(total, sparsity));
  const out: MaskSet = {};
  o = 0;
  for (const n of names) {
    out[n] = all.slice(o, o + weights[n]!.length);
    o += weights[n]!.length;
  }
  return out;
}

/** Random masks with exactly keptCount(n, s) ones per layer (static random-sparse baseline). */
export function randomMasks(sizes: Record<string, number>, sparsity: number, seed: number): MaskSet {
  validateSparsity(sparsity);
  const out: MaskSet = {};
  let layer = 0;
  for (const [name, n] of Object.entries(sizes)) {
    const rand = mulberry32((seed + Math.imul(++layer, 0x9e3779b1)) >>> 0);
    const idx = Array.from({ length: n }, (_, i) => i);
    const keep = keptCount(n, sparsity);
    // Partial Fisher–Yates: the first `keep` slots are a uniform random subset.
    for (let i = 0; i < keep; i++) {
      const j = i + Math.floor(rand() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const m = new Uint8Array(n);
    for (let i = 0; i < keep; i++) m[idx[i]!] = 1;
    out[name] = m;
  }
  return out;
}

export function countOnes(mask: Mask): number {
  let k = 0;
  for (let i = 0; i < mask.length; i++) k += mask[i]!;
  return k;
}

export interface SparsityReport {
  /** Pruned fraction over all masked-or-prunable layers given. */
  overall: number;
  perLayer: Record<string, number>;
  prunableParams: number;
  keptParams: number;
}

/** Sparsity of `masks` over the prunable layers in `sizes` (a layer without a mask counts as dense). */
export function sparsityReport(masks: MaskSet, sizes: Record<string, number>): SparsityReport {
  let total = 0;
  let kept = 0;
  const perLayer: Record<string, number> = {};
  for (const [name, n] of Object.entries(sizes)) {
    const m = masks[name];
    const k = m ? countOnes(m) : n;
    perLayer[name] = n === 0 ? 0 : 1 - k / n;
    total += n;
    kept += k;
  }
  return { overall: total === 0 ? 0 : 1 - kept / total, perLayer, prunableParams: total, keptParams: kept };
}

/** 8 mask entries per byte, LSB first. */
export function packMask(mask: Mask): Uint8Array {
  const out = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

export function unpackMask(bits: Uint8Array, n: number): Mask {
  if (bits.length < Math.ceil(n / 8)) throw new Error(`packed mask has ${bits.length} bytes, need ${Math.ceil(n / 8)} for ${n} entries`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** JSON-safe form of a mask set, for checkpoint meta: `{ layer: { n, bits: base64 } }`. */
export type EncodedMaskSet = Record<string, { n: number; bits: string }>;

export function encodeMaskSet(masks: MaskSet): EncodedMaskSet {
  return Object.fromEntries(Object.entries(masks).map(([k, m]) => [k, { n: m.length, bits: Buffer.from(packMask(m)).toString('base64') }]));
}

export function decodeMaskSet(enc: EncodedMaskSet): MaskSet {
  return Object.fromEntries(Object.entries(enc).map(([k, e]) => [k, unpackMask(new Uint8Array(Buffer.from(e.bits, 'base64')), e.n)]));
}

/** values ⊙ mask, in place. */
export function applyMaskInPlace(values: Float32Array, mask: Mask): void {
  if (values.length !== mask.length) throw new Error(`mask has ${mask.length} entries but the array has ${values.length}`);
  for (let i = 0; i < values.length; i++) if (!mask[i]) values[i] = 0;
}
