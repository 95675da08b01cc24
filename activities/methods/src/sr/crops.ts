/**
 * Fixed crops of a few test tiles for looking at SR outputs side by side (method code: no Temporal,
 * storage or database; pixels only, the caller encodes them). The tiles and the region within each
 * depend only on the test tiles, never on the network, so every arm and seed of a run shows the
 * same regions: tiles evenly spaced over the evaluated ones, and in each the `size`×`size` HR window
 * of highest Y-channel variance (the most texture), on the LR pixel grid and clear of the `scale`
 * pixels the metrics shave. Each network sees its whole LR tile, as in `evaluateSr`, and its output
 * is rounded and clipped to 0–255 before it is cropped and measured.
 */
import * as tf from '@tensorflow/tfjs';
import { bicubicUpsample } from './loss';
import { psnr, rgbToY } from './metrics';
import type { SrNetworks, SrTiles } from './train';

export const CROP_ROLES = ['hr', 'bicubic', 'student', 'teacher'] as const;
export type CropRole = (typeof CROP_ROLES)[number];

export interface SrCropImage {
  role: CropRole;
  /** size × size × 3, row-major RGB, 0–255. */
  rgb: Uint8Array;
  /** Y-PSNR (dB) of this crop against the HR crop; null for HR itself. */
  psnrY: number | null;
}

export interface SrCrop {
  /** Index of the test tile. */
  tile: number;
  /** Top-left corner of the crop in HR pixels. */
  y: number;
  x: number;
  size: number;
  images: SrCropImage[];
}

/** Which test tiles: `count` of them evenly spaced over the `available` ones (0 first). */
export function cropTileIndices(available: number, count: number): number[] {
  const n = Math.min(available, count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * available) / n));
}

/**
 * The top-left corner of the `size`×`size` window of highest Y variance in a `tile`×`tile` RGB
 * tile, over corners on multiples of `scale` at least `scale` pixels from every border (the first
 * maximum in raster order wins ties).
 */
export function pickCropWindow(hr: Uint8Array, tile: number, size: number, scale: number): { y: number; x: number } {
  if (size + 2 * scale > tile) throw new Error(`a ${size}-pixel crop clear of ${scale}-pixel borders does not fit a ${tile}-pixel tile`);
  const y = rgbToY({ height: tile, width: tile, data: hr }).data;
  let best = { y: scale, x: scale, v: -1 };
  for (let cy = scale; cy + size + scale <= tile; cy += scale) {
    for (let cx = scale; cx + size + scale <= tile; cx += scale) {
      let s = 0;
      let ss = 0;
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const v = y[(cy + r) * tile + cx + c]!;
          s += v;
          ss += v * v;
        }
      }
      const n = size * size;
      const variance = ss / n - (s / n) ** 2;
      if (variance > best.v) best = { y: cy, x: cx, v: variance };
    }
  }
  return { y: best.y, x: best.x };
}

/** The `size`×`size` window at (y, x) of an interleaved RGB image `width` pixels wide. */
export function cropSquare(data: ArrayLike<number>, width: number, y: number, x: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let r = 0; r < size; r++) for (let k = 0; k < size * 3; k++) out[r * size * 3 + k] = data[((y + r) * width + x) * 3 + k]!;
  return out;
}

/**
 * HR, bicubic and the arm's networks (the width-w student, and the full-width teacher where the arm
 * trains one) on the same crops of `count` test tiles, each with its Y-PSNR on the crop.
 */
export function srCrops(networks: SrNetworks, tiles: SrTiles, opts: { count?: number; size?: number } = {}): SrCrop[] {
  const size = opts.size ?? 48;
  const s = tiles.scale;
  const lt = tiles.tile / s;
  const px = tiles.tile * tiles.tile * 3;
  const nets: [CropRole, (lr: tf.Tensor4D) => tf.Tensor4D][] = [['bicubic', (lr) => bicubicUpsample(lr, s)]];
  if (networks.student) nets.push(['student', networks.student]);
  if (networks.teacher) nets.push(['teacher', networks.teacher]);
  return cropTileIndices(tiles.count, opts.count ?? 3).map((i) => {
    const hrTile = tiles.hr.subarray(i * px, (i + 1) * px);
    const { y, x } = pickCropWindow(hrTile, tiles.tile, size, s);
    const hr = cropSquare(hrTile, tiles.tile, y, x, size);
    const hrImage = { height: size, width: size, data: hr };
    const images: SrCropImage[] = [{ role: 'hr', rgb: hr, psnrY: null }];
    const lr = tf.tensor4d(tiles.lr.subarray(i * lt * lt * 3, (i + 1) * lt * lt * 3), [1, lt, lt, 3]);
    try {
      for (const [role, f] of nets) {
        const out = tf.tidy(() => tf.clipByValue(tf.round(f(lr)), 0, 255));
        const rgb = cropSquare(out.dataSync(), tiles.tile, y, x, size);
        out.dispose();
        // The crop lies inside the region the metrics keep, so nothing more is shaved.
        images.push({ role, rgb, psnrY: psnr({ height: size, width: size, data: rgb }, hrImage, 0) });
      }
    } finally {
      lr.dispose();
    }
    return { tile: i, y, x, size, images };
  });
}
