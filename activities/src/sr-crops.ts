/**
 * The `crops` artifact of a `distill` step: the same few crops of test tiles (HR, bicubic, the arm's
 * student and teacher; see @reprolab/methods/sr/crops) as PNGs, each with its Y-PSNR on the crop,
 * in one small JSON document. The run page shows them side by side across arms.
 */
import type { CropRole, SrCrop } from '@reprolab/methods/sr/crops';
import { decodePngRgb, encodePngRgb, type RgbPixels } from './png';

export const SR_CROPS_KIND = 'crops';
export const SR_CROPS_FORMAT = 'reprolab/sr-crops@1';
export const SR_CROP_ROLES = ['hr', 'bicubic', 'student', 'teacher'] as const satisfies readonly CropRole[];
export type SrCropRole = CropRole;

export interface SrCropsArtifact {
  format: typeof SR_CROPS_FORMAT;
  method: string;
  seed: number;
  width: number;
  scale: number;
  crops: {
    /** Index of the test tile, and the crop's top-left corner in it (HR pixels). */
    tile: number;
    y: number;
    x: number;
    size: number;
    /** PNG bytes as base64; psnrY is the Y-PSNR (dB) against the HR crop, null for HR. */
    images: { role: SrCropRole; psnrY: number | null; png: string }[];
  }[];
}

export function encodeSrCrops(crops: readonly SrCrop[], meta: { method: string; seed: number; width: number; scale: number }): Uint8Array {
  const doc: SrCropsArtifact = {
    format: SR_CROPS_FORMAT,
    ...meta,
    crops: crops.map((c) => ({
      tile: c.tile,
      y: c.y,
      x: c.x,
      size: c.size,
      images: c.images.map((i) => ({
        role: i.role,
        psnrY: i.psnrY !== null && Number.isFinite(i.psnrY) ? i.psnrY : null,
        png: Buffer.from(encodePngRgb({ width: c.size, height: c.size, rgb: i.rgb })).toString('base64'),
      })),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Reads a stored crops artifact, refusing anything that is not one. */
export function parseSrCrops(bytes: Uint8Array): SrCropsArtifact {
  let doc: SrCropsArtifact;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as SrCropsArtifact;
  } catch (e) {
    throw new Error(`not an SR crops artifact: ${(e as Error).message}`);
  }
  if (doc?.format !== SR_CROPS_FORMAT || !Array.isArray(doc.crops)) throw new Error(`not an SR crops artifact (format ${String(doc?.format)}, expected ${SR_CROPS_FORMAT})`);
  for (const c of doc.crops) {
    if (!Array.isArray(c.images) || c.images.some((i) => !SR_CROP_ROLES.includes(i.role) || typeof i.png !== 'string')) throw new Error(`SR crops artifact: crop of tile ${c.tile} has a bad image entry`);
  }
  return doc;
}

/** One image of a crops artifact as pixels. */
export function decodeSrCropImage(png: string): RgbPixels {
  return decodePngRgb(new Uint8Array(Buffer.from(png, 'base64')));
}
