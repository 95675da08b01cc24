/**
 * Super-resolution datasets of whole images (DIV2K, Set5/Set14/B100/Urban100): pairing HR and LR
 * files, the checks an import makes before anything is stored, modcrop and LR generation, and the
 * stored manifest ("RLSR1"). Method code: decoded images in, checked pairs out; reading folders,
 * decoding PNGs and storing objects is the caller's job.
 *
 * Stored representation. Whole images differ in size, so they are not packed into one fixed-shape
 * array (as ImageDataset's RLDS1 is): each HR and each LR image is stored as its own content-addressed
 * 8-bit RGB PNG object, and the dataset artifact is a manifest naming them:
 *
 *   RLSR1\n{"format":"reprolab-sr","version":1,"name":…,"scale":4,"sets":[
 *     {"name":"Set5","role":"test","images":[
 *       {"name":"baby","hr":{"sha256":"sha256:…","height":512,"width":512},
 *        "lr":{"sha256":"sha256:…","height":128,"width":128},"lrSource":"bicubic"}, …]}, …]}\n
 *
 * One manifest holds one scale. HR sides are multiples of `scale` (modcropped on import) and every
 * LR is exactly HR / scale; `lrSource` says whether the LR was shipped with the data or made here
 * with `bicubicDownsample` (MATLAB imresize). A manifest is small (about 200 bytes an image), so
 * DIV2K's 800 training images do not have to fit in one buffer.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32 } from '../util/random';
import { copyPatch, flipStream, NO_AUGMENT } from './patches';
import { bicubicDownsample } from './resize';

export const SR_DATASET_MAGIC = 'RLSR1\n';
export const SR_DATASET_SCALES = [2, 3, 4] as const;
export type SrDatasetScale = (typeof SR_DATASET_SCALES)[number];

/** An interleaved 8-bit RGB image. */
export interface RgbU8 {
  height: number;
  width: number;
  data: Uint8Array;
}

export interface SrPair {
  name: string;
  hr: RgbU8;
  lr: RgbU8;
  lrSource: 'shipped' | 'bicubic';
}

export interface SrImageRef {
  sha256: string;
  height: number;
  width: number;
}

export interface SrManifest {
  format: 'reprolab-sr';
  version: 1;
  name: string;
  scale: SrDatasetScale;
  sets: { name: string; role: 'train' | 'test'; images: { name: string; hr: SrImageRef; lr: SrImageRef; lrSource: 'shipped' | 'bicubic' }[] }[];
}

/**
 * The smallest HR side an SR image may have at `scale`: after `scale` pixels are shaved at every
 * border (the benchmark protocol), SSIM's 11×11 window must still fit.
 */
export const srMinSide = (scale: number) => 11 + 2 * scale;

export function checkSrScale(scale: unknown, field = '--scale'): SrDatasetScale {
  if (!SR_DATASET_SCALES.includes(scale as SrDatasetScale)) throw new Error(`${field} ${JSON.stringify(scale)}: the SR formats take scale 2, 3 or 4 (DIV2K ships X2, X3 and X4), e.g. --scale 4`);
  return scale as SrDatasetScale;
}

/** The file stem an image is known by ("0001" for 0001.png and for its LR partner 0001x4.png). */
export const pngStem = (file: string) => file.replace(/\.png$/i, '');

/**
 * Pairs HR files with shipped LR files by name, as DIV2K and EDSR's benchmark folders name them:
 * HR `0001.png` ↔ LR `0001x4.png`. Every HR must have its LR and every LR its HR; `hrDir` and
 * `lrDir` name the folders in errors. Returns the pairs sorted by name.
 */
export function pairSrFiles(hr: string[], lr: string[], scale: number, hrDir: string, lrDir: string): { name: string; hrFile: string; lrFile: string }[] {
  const suffix = `x${scale}`;
  const lrByStem = new Map<string, string>();
  for (const f of lr) {
    const stem = pngStem(f);
    if (!stem.endsWith(suffix)) throw new Error(`${lrDir}/${f}: an LR file at ×${scale} is named <HR name>${suffix}.png (e.g. 0001${suffix}.png); rename it, or move it out of ${lrDir}`);
    lrByStem.set(stem.slice(0, -suffix.length), f);
  }
  const hrStems = new Set(hr.map(pngStem));
  const orphans = [...lrByStem].filter(([stem]) => !hrStems.has(stem)).map(([, f]) => f);
  if (orphans.length) throw new Error(`${lrDir}/${orphans[0]}: LR image without an HR partner (expected ${hrDir}/${pngStem(orphans[0]!).slice(0, -suffix.length)}.png)${orphans.length > 1 ? ` (and ${orphans.length - 1} more)` : ''}; add the HR image or remove the LR one`);
  const pairs = hr.map((hrFile) => {
    const name = pngStem(hrFile);
    const lrFile = lrByStem.get(name);
    if (!lrFile) throw new Error(`${hrDir}/${hrFile}: HR image without its LR partner ${lrDir}/${name}${suffix}.png; add it, or import without the LR folder to make LR images by bicubic downsampling`);
    return { name, hrFile, lrFile };
  });
  return pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Crops an image to its top-left `height`×`width` corner. */
export function cropRgb(img: RgbU8, height: number, width: number): RgbU8 {
  if (height === img.height && width === img.width) return img;
  const data = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  return { height, width, data };
}

/** modcrop: the HR cropped so both sides are multiples of `scale`, as the SR literature evaluates. */
export const modcrop = (img: RgbU8, scale: number) => cropRgb(img, img.height - (img.height % scale), img.width - (img.width % scale));

/** LR by MATLAB-compatible bicubic downsampling, rounded and clipped to uint8 as stored PNGs are. */
export function bicubicLr(hr: RgbU8, scale: number): RgbU8 {
  const d = bicubicDownsample({ height: hr.height, width: hr.width, channels: 3, data: hr.data }, scale);
  return { height: d.height, width: d.width, data: Uint8Array.from(d.data, (v) => Math.min(255, Math.max(0, Math.round(v)))) };
}

/**
 * Checks one HR image (and its shipped LR, if any) and returns the stored pair: HR modcropped to a
 * multiple of `scale`, LR as shipped or made by bicubic downsampling. Refuses an image too small to
 * evaluate and an LR whose size is not HR / scale. `hrLabel` / `lrLabel` name the files in errors.
 */
export function prepareSrPair(name: string, hr: RgbU8, lr: RgbU8 | undefined, scale: number, hrLabel: string, lrLabel?: string): SrPair {
  const min = srMinSide(scale);
  if (hr.height < min || hr.width < min) {
    throw new Error(`${hrLabel}: ${hr.width}×${hr.height} is too small for ×${scale}: an SR image needs both sides ≥ ${min} (the 11-pixel SSIM window after shaving ${scale} pixels at each border); remove it or use a smaller --scale`);
  }
  const cropped = modcrop(hr, scale);
  if (!lr) return { name, hr: cropped, lr: bicubicLr(cropped, scale), lrSource: 'bicubic' };
  const want = [cropped.width / scale, cropped.height / scale];
  if (lr.width !== want[0] || lr.height !== want[1]) {
    throw new Error(
      `${lrLabel}: LR is ${lr.width}×${lr.height} but its HR ${hrLabel} is ${hr.width}×${hr.height}, so ×${scale} needs ${want[0]}×${want[1]}; ` +
        `check that the LR folder is X${scale} and belongs to these HR images (or import without it to make LR images by bicubic downsampling)`,
    );
  }
  return { name, hr: cropped, lr, lrSource: 'shipped' };
}

export function encodeSrManifest(m: SrManifest): Uint8Array {
  checkSrManifest(m);
  return new TextEncoder().encode(SR_DATASET_MAGIC + JSON.stringify(m) + '\n');
}

export function isSrManifest(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, SR_DATASET_MAGIC.length)) === SR_DATASET_MAGIC;
}

export function decodeSrManifest(bytes: Uint8Array): SrManifest {
  if (!isSrManifest(bytes)) throw new Error('not a reprolab SR dataset (missing RLSR1 header); import one with `reprolab data import --format div2k|sr-benchmark`');
  const nl = bytes.indexOf(10, SR_DATASET_MAGIC.length);
  if (nl < 0) throw new Error('corrupt SR dataset manifest: unterminated header');
  let m: SrManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes.subarray(SR_DATASET_MAGIC.length, nl))) as SrManifest;
  } catch (e) {
    throw new Error(`corrupt SR dataset manifest: ${(e as Error).message}`);
  }
  checkSrManifest(m);
  return m;
}

function checkSrManifest(m: SrManifest): void {
  if (m.format !== 'reprolab-sr' || m.version !== 1) throw new Error(`SR dataset manifest format ${JSON.stringify(m.format)} version ${JSON.stringify(m.version)} unsupported; this reprolab reads reprolab-sr version 1`);
  checkSrScale(m.scale, 'SR dataset scale');
  if (!m.sets.length) throw new Error(`SR dataset ${m.name}: no image sets`);
  for (const set of m.sets) {
    if (!set.images.length) throw new Error(`SR dataset ${m.name}: set ${set.name} has no images`);
    for (const im of set.images) {
      if (im.hr.height !== im.lr.height * m.scale || im.hr.width !== im.lr.width * m.scale) {
        throw new Error(`SR dataset ${m.name}: ${set.name}/${im.name} HR ${im.hr.width}×${im.hr.height} is not ×${m.scale} its LR ${im.lr.width}×${im.lr.height}`);
      }
    }
  }
}

/** Image counts by role, as `data list` shows them. */
export function srManifestCounts(m: SrManifest): { train: number; test: number } {
  const n = (role: string) => m.sets.filter((s) => s.role === role).reduce((k, s) => k + s.images.length, 0);
  return { train: n('train'), test: n('test') };
}

/**
 * Refuses training images whose LR is smaller than the LR patch, naming the first and the fix,
 * before anything trains.
 */
export function checkPatchFits(pairs: readonly SrPair[], patch: number, scale: number, what: string): void {
  const small = pairs.find((p) => p.lr.height < patch || p.lr.width < patch);
  if (small) throw new Error(`${what}/${small.name}: its ${small.lr.width}×${small.lr.height} LR (HR ${small.hr.width}×${small.hr.height}) is smaller than the ${patch}-pixel LR patch (HR ${patch * scale}); lower params.patch or drop the image`);
}

/**
 * A batch of aligned LR / HR patches from whole images, drawn from (seed, step) only, so a resumed
 * run draws the same batches: an image uniformly, then a uniform LR position; the HR patch is the
 * same region × scale. Values on 0–255. With `augment`, EDSR's flips/transpose (patches.ts), as srBatch.
 */
export function srPairBatch(pairs: readonly SrPair[], scale: number, patch: number, batchSize: number, seed: number, step: number, augment = false): { lr: tf.Tensor4D; hr: tf.Tensor4D } {
  const hp = patch * scale;
  const rand = mulberry32(mixSeed(seed, 0x5a7c5, step));
  const flips = flipStream(seed, step);
  const lr = new Float32Array(batchSize * patch * patch * 3);
  const hr = new Float32Array(batchSize * hp * hp * 3);
  for (let b = 0; b < batchSize; b++) {
    const p = pairs[Math.floor(rand() * pairs.length)]!;
    const y = Math.floor(rand() * (p.lr.height - patch + 1));
    const x = Math.floor(rand() * (p.lr.width - patch + 1));
    if (y < 0 || x < 0) throw new Error(`${p.name}: LR ${p.lr.width}×${p.lr.height} is smaller than the ${patch}-pixel patch`);
    const aug = augment ? flips() : NO_AUGMENT;
    copyPatch(p.lr.data, p.lr.width, (y * p.lr.width + x) * 3, patch, lr, b * patch * patch * 3, aug);
    copyPatch(p.hr.data, p.hr.width, (y * scale * p.hr.width + x * scale) * 3, hp, hr, b * hp * hp * 3, aug);
  }
  return { lr: tf.tensor4d(lr, [batchSize, patch, patch, 3]), hr: tf.tensor4d(hr, [batchSize, hp, hp, 3]) };
}
