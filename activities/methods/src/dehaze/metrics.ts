/**
 * PSNR and SSIM as the dehazing code reports them (AECR-Net's metrics.py, inherited from FFA-Net),
 * on RGB in [0, 1], both images clamped to [0, 1] first:
 *  - PSNR = 10·log10(1 / MSE) over all pixels and all three channels (no luma, no border shave);
 *    computed with sr/metrics.ts psnrPlanes on the values scaled to 0–255 (same number).
 *  - SSIM: 11×11 Gaussian window (σ = 1.5) per channel, ZERO-padded 'same' filtering
 *    (F.conv2d(padding = 5)), C1 = 0.01², C2 = 0.03², population (co)variances, the SSIM map
 *    averaged over every pixel and channel (borders included). This differs from sr/metrics.ts
 *    ssim (Y channel, 'valid' window, scale shaved) on purpose: it is the dehazing convention.
 */
import { psnrPlanes, type Plane, type RgbImage } from '../sr/metrics';

function clamp01Channel(img: RgbImage, ch: number | 'all', scale = 1): Plane {
  const n = img.height * img.width;
  const data = ch === 'all' ? new Float64Array(3 * n) : new Float64Array(n);
  for (let i = 0; i < data.length; i++) {
    const v = ch === 'all' ? img.data[i]! : img.data[3 * i + ch]!;
    data[i] = Math.min(1, Math.max(0, v)) * scale;
  }
  return { height: ch === 'all' ? 3 * img.height : img.height, width: img.width, data };
}

function checkPair(a: RgbImage, b: RgbImage): void {
  if (a.height !== b.height || a.width !== b.width) throw new Error(`images must have the same size, got ${a.height}×${a.width} and ${b.height}×${b.width}`);
  for (const [name, img] of [
    ['output', a],
    ['target', b],
  ] as const) {
    if (img.data.length !== img.height * img.width * 3) throw new Error(`${name} must hold height·width·3 = ${img.height * img.width * 3} values on [0, 1], got ${img.data.length}`);
  }
}

/** RGB PSNR on [0, 1] (peak 1), both clamped; Infinity when identical. */
export function psnrRgb01(output: RgbImage, target: RgbImage): number {
  checkPair(output, target);
  return psnrPlanes(clamp01Channel(output, 'all', 255), clamp01Channel(target, 'all', 255));
}

const RADIUS = 5;
const SIGMA = 1.5;
const TAPS = (() => {
  const t = new Float64Array(2 * RADIUS + 1);
  let s = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) s += t[i + RADIUS] = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
  return t.map((v) => v / s);
})();

/** Zero-padded separable Gaussian filter, output the size of the input. */
function sameFilter(p: Float64Array, h: number, w: number): Float64Array {
  const rows = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -RADIUS; t <= RADIUS; t++) {
        const xx = x + t;
        if (xx >= 0 && xx < w) s += TAPS[t + RADIUS]! * p[y * w + xx]!;
      }
      rows[y * w + x] = s;
    }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -RADIUS; t <= RADIUS; t++) {
        const yy = y + t;
        if (yy >= 0 && yy < h) s += TAPS[t + RADIUS]! * rows[yy * w + x]!;
      }
      out[y * w + x] = s;
    }
  return out;
}

/** RGB SSIM on [0, 1] as metrics.py computes it (see the file comment). */
export function ssimRgb01(output: RgbImage, target: RgbImage): number {
  checkPair(output, target);
  const { height: h, width: w } = output;
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let sum = 0;
  for (let ch = 0; ch < 3; ch++) {
    const a = clamp01Channel(output, ch).data;
    const b = clamp01Channel(target, ch).data;
    const [ua, ub] = [sameFilter(a, h, w), sameFilter(b, h, w)];
    const uaa = sameFilter(a.map((v) => v * v), h, w);
    const ubb = sameFilter(b.map((v) => v * v), h, w);
    const uab = sameFilter(a.map((v, i) => v * b[i]!), h, w);
    for (let i = 0; i < h * w; i++) {
      const [ma, mb] = [ua[i]!, ub[i]!];
      const [va, vb, cab] = [uaa[i]! - ma * ma, ubb[i]! - mb * mb, uab[i]! - ma * mb];
      sum += ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    }
  }
  return sum / (3 * h * w);
}
