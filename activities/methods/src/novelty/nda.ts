/**
 * Negative data augmentation (NDA) for single-channel or RGB images in HWC Float32 layout: each
 * transform turns a target image into a "novelty-like" one that keeps local statistics but breaks
 * global structure. The paper describes NDA only as a "multiple transformations combination" of
 * target images; which transforms, and how many are combined, are guesses (NDA_TRANSFORMS names
 * them, and a recipe chooses them). Each negative applies `combine` distinct transforms in sequence.
 */
import { mulberry32 } from '../util/random';

export const NDA_TRANSFORMS = ['jigsaw', 'rotate', 'cutpaste', 'flip-half', 'mixup-other'] as const;
export type NdaTransform = (typeof NDA_TRANSFORMS)[number];

export interface NdaOptions {
  transforms: readonly NdaTransform[];
  /** How many distinct transforms each negative combines (the paper's "combination"). */
  combine: number;
}

export function checkNdaOptions(o: NdaOptions): void {
  if (!o.transforms.length) throw new Error('nda.transforms is empty; name at least one of ' + NDA_TRANSFORMS.join(', '));
  for (const t of o.transforms) if (!NDA_TRANSFORMS.includes(t)) throw new Error(`nda.transforms: unknown transform "${t}"; known: ${NDA_TRANSFORMS.join(', ')}`);
  if (!Number.isInteger(o.combine) || o.combine < 1 || o.combine > o.transforms.length) throw new Error(`nda.combine must be a whole number from 1 to ${o.transforms.length} (the transforms listed), got ${o.combine}`);
}

/**
 * Makes one negative per image of `batch` ([n, h, w, c] flattened), deterministic in `seed`.
 * `mixup-other` blends with another image of the same batch (a target, so the blend is off the
 * manifold of single targets).
 */
export function negativeBatch(batch: Float32Array, n: number, h: number, w: number, c: number, o: NdaOptions, seed: number): Float32Array {
  checkNdaOptions(o);
  const px = h * w * c;
  if (batch.length !== n * px) throw new Error(`negativeBatch: ${batch.length} values is not ${n} images of ${h}×${w}×${c}`);
  const rand = mulberry32(seed);
  const out = new Float32Array(batch.length);
  for (let i = 0; i < n; i++) {
    let img: Float32Array = batch.slice(i * px, (i + 1) * px);
    const chosen = [...o.transforms];
    for (let k = 0; k < o.combine; k++) {
      const t = chosen.splice(Math.floor(rand() * chosen.length), 1)[0]!;
      // Another image of the batch (never this one), for mixup-other.
      const j = n > 1 ? (i + 1 + Math.floor(rand() * (n - 1))) % n : i;
      img = applyTransform(t, img, h, w, c, rand, batch.subarray(j * px, (j + 1) * px));
    }
    out.set(img, i * px);
  }
  return out;
}

function applyTransform(t: NdaTransform, img: Float32Array, h: number, w: number, c: number, rand: () => number, other: Float32Array): Float32Array {
  const out = new Float32Array(img.length);
  const at = (y: number, x: number) => (y * w + x) * c;
  switch (t) {
    case 'jigsaw': {
      // 2×2 quadrants in a random non-identity order.
      const hh = Math.floor(h / 2), hw = Math.floor(w / 2);
      let perm = [0, 1, 2, 3];
      while (perm.every((p, i) => p === i)) perm = perm.map((v) => [v, rand()] as const).sort((a, b) => a[1] - b[1]).map((v) => v[0]);
      out.set(img);
      for (let q = 0; q < 4; q++) {
        const [sy, sx] = [Math.floor(perm[q]! / 2) * hh, (perm[q]! % 2) * hw];
        const [dy, dx] = [Math.floor(q / 2) * hh, (q % 2) * hw];
        for (let y = 0; y < hh; y++) for (let x = 0; x < hw; x++) for (let ch = 0; ch < c; ch++) out[at(dy + y, dx + x) + ch] = img[at(sy + y, sx + x) + ch]!;
      }
      return out;
    }
    case 'rotate': {
      // 90°, 180° or 270° (square images; otherwise 180°).
      const k = h === w ? 1 + Math.floor(rand() * 3) : 2;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const [sy, sx] = k === 1 ? [x, w - 1 - y] : k === 2 ? [h - 1 - y, w - 1 - x] : [h - 1 - x, y];
          for (let ch = 0; ch < c; ch++) out[at(y, x) + ch] = img[at(sy, sx) + ch]!;
        }
      return out;
    }
    case 'cutpaste': {
      // A patch of a quarter to a half of each side, pasted elsewhere in the same image.
      out.set(img);
      const ph = Math.max(1, Math.floor(h * (0.25 + 0.25 * rand()))), pw = Math.max(1, Math.floor(w * (0.25 + 0.25 * rand())));
      const sy = Math.floor(rand() * (h - ph + 1)), sx = Math.floor(rand() * (w - pw + 1));
      const dy = Math.floor(rand() * (h - ph + 1)), dx = Math.floor(rand() * (w - pw + 1));
      for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) for (let ch = 0; ch < c; ch++) out[at(dy + y, dx + x) + ch] = img[at(sy + y, sx + x) + ch]!;
      return out;
    }
    case 'flip-half': {
      // Mirror the left half onto the right: symmetric chimeras.
      out.set(img);
      for (let y = 0; y < h; y++) for (let x = Math.ceil(w / 2); x < w; x++) for (let ch = 0; ch < c; ch++) out[at(y, x) + ch] = img[at(y, w - 1 - x) + ch]!;
      return out;
    }
    case 'mixup-other': {
      const lam = 0.4 + 0.2 * rand();
      for (let i = 0; i < img.length; i++) out[i] = lam * img[i]! + (1 - lam) * other[i]!;
      return out;
    }
  }
}
