/**
 * PSNR and SSIM as the SR literature reports them (EDSR, RCAN, CARN and CSD all follow it):
 *  - on the Y channel of ITU-R BT.601 YCbCr, Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 for
 *    0–255 RGB, not rounded (CSD's utils/ssim.py trans2Y; its calc_psnr uses 65.738/256 … on the
 *    difference, the same coefficients to 6 digits, and the +16 cancels);
 *  - `scale` pixels shaved from every border (the benchmark protocol of EDSR's calc_psnr);
 *  - PSNR with peak 255;
 *  - SSIM with an 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, population (co)variances,
 *    averaged over the positions where the whole window fits. This is scikit-image's
 *    structural_similarity(gaussian_weights=True, use_sample_covariance=False, data_range=255) and
 *    MATLAB's ssim as CSD's calc_ssim re-implements it.
 * Pure TS in float64; no tfjs.
 */

/** An interleaved RGB image (H×W×3, row-major) with values on 0–255. */
export interface RgbImage {
  height: number;
  width: number;
  data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;
}

/** A single-channel plane in float64. */
export interface Plane {
  height: number;
  width: number;
  data: Float64Array;
}

const PEAK = 255;

function checkImage(name: string, img: RgbImage): void {
  if (!Number.isInteger(img.height) || !Number.isInteger(img.width) || img.height < 1 || img.width < 1) {
    throw new Error(`${name} must have positive integer height and width, got ${img.height}×${img.width}`);
  }
  if (img.data.length !== img.height * img.width * 3) {
    throw new Error(`${name} must hold height·width·3 = ${img.height * img.width * 3} RGB values, got ${img.data.length}`);
  }
}

/** BT.601 luma on the 16–235 range, unrounded. */
export function rgbToY(img: RgbImage): Plane {
  checkImage('image', img);
  const n = img.height * img.width;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = img.data[3 * i]!;
    const g = img.data[3 * i + 1]!;
    const b = img.data[3 * i + 2]!;
    y[i] = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  }
  return { height: img.height, width: img.width, data: y };
}

/** Drops `border` pixels on every side (SR convention: border = scale). */
export function shavePlane(p: Plane, border: number): Plane {
  if (!Number.isInteger(border) || border < 0) throw new Error(`border must be a non-negative integer, got ${border}`);
  const height = p.height - 2 * border;
  const width = p.width - 2 * border;
  if (height < 1 || width < 1) throw new Error(`shaving ${border} pixels leaves nothing of a ${p.height}×${p.width} image`);
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) out.set(p.data.subarray((y + border) * p.width + border, (y + border) * p.width + border + width), y * width);
  return { height, width, data: out };
}

/** The Y planes of sr and hr, shaved by `scale`: what both metrics compare. */
export function comparedLuma(sr: RgbImage, hr: RgbImage, scale: number): [Plane, Plane] {
  checkImage('sr', sr);
  checkImage('hr', hr);
  if (sr.height !== hr.height || sr.width !== hr.width) throw new Error(`sr (${sr.height}×${sr.width}) and hr (${hr.height}×${hr.width}) must have the same size`);
  return [shavePlane(rgbToY(sr), scale), shavePlane(rgbToY(hr), scale)];
}

export function psnrPlanes(a: Plane, b: Plane): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i]! - b.data[i]!;
    sum += d * d;
  }
  const mse = sum / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((PEAK * PEAK) / mse);
}

/** Y-channel PSNR (dB), `scale` pixels shaved at each border. Identical images give Infinity. */
export function psnr(sr: RgbImage, hr: RgbImage, scale: number): number {
  return psnrPlanes(...comparedLuma(sr, hr, scale));
}

const SSIM_RADIUS = 5; // 11×11 window
const SSIM_SIGMA = 1.5;

/** Normalised 1-D Gaussian taps; the 2-D window is their outer product (separable). */
function gaussianTaps(radius: number, sigma: number): Float64Array {
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += taps[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return taps.map((t) => t / sum);
}

/** Weighted window means of `p` at every position where the window fits ('valid' filtering). */
function validFilter(p: Plane, taps: Float64Array): Plane {
  const k = taps.length;
  const width = p.width - k + 1;
  const height = p.height - k + 1;
  const rows = new Float64Array(p.height * width);
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t]! * p.data[y * p.width + x + t]!;
      rows[y * width + x] = s;
    }
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t]! * rows[(y + t) * width + x]!;
      out[y * width + x] = s;
    }
  return { height, width, data: out };
}

const product = (a: Plane, b: Plane): Plane => ({ height: a.height, width: a.width, data: a.data.map((v, i) => v * b.data[i]!) });

export function ssimPlanes(a: Plane, b: Plane): number {
  const size = 2 * SSIM_RADIUS + 1;
  if (a.height < size || a.width < size) throw new Error(`SSIM needs at least ${size}×${size} pixels after shaving, got ${a.height}×${a.width}`);
  const taps = gaussianTaps(SSIM_RADIUS, SSIM_SIGMA);
  const [ua, ub] = [validFilter(a, taps).data, validFilter(b, taps).data];
  const [uaa, ubb, uab] = [validFilter(product(a, a), taps).data, validFilter(product(b, b), taps).data, validFilter(product(a, b), taps).data];
  const c1 = (0.01 * PEAK) ** 2;
  const c2 = (0.03 * PEAK) ** 2;
  let sum = 0;
  for (let i = 0; i < ua.length; i++) {
    const [ma, mb] = [ua[i]!, ub[i]!];
    // Population (co)variances: E[xy] − E[x]E[y], no n/(n−1) correction.
    const [va, vb, cab] = [uaa[i]! - ma * ma, ubb[i]! - mb * mb, uab[i]! - ma * mb];
    sum += ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  return sum / ua.length;
}

/** Y-channel SSIM, `scale` pixels shaved at each border. */
export function ssim(sr: RgbImage, hr: RgbImage, scale: number): number {
  return ssimPlanes(...comparedLuma(sr, hr, scale));
}
