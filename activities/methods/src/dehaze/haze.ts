/**
 * Synthetic haze by the atmospheric scattering model (Koschmieder; McCartney):
 *
 *   I(p) = J(p)·t(p) + A·(1 − t(p)),   t(p) = exp(−β_s · d(p))
 *
 * J: the clear image on [0, 1]; A: a grey airlight (the same for R, G, B); β_s: the scattering
 * coefficient; d: a synthetic depth map. This is NOT any published data set: clear images with
 * measured depth (as the well-known indoor benchmarks use) are not available to this code, so the
 * depth is a stated, deterministic model:
 *
 *   d01(y, x) = (1 − a)·(1 − y/(H−1)) + a·n(y, x)
 *   d(y, x)   = dMin + (dMax − dMin)·d01(y, x)
 *
 * i.e. depth rises from the bottom row (near) to the top row (far) — a ground-plane / horizon
 * prior — plus a smooth random component n: the sum of `waves` (default 4) plane cosine waves
 * with seeded directions, 0.5–2.5 cycles across the image and seeded phases, min–max normalised
 * to [0, 1] over the image; a = `noiseAmount` (default 0.3). β_s ~ U(betaRange) and A ~
 * U(airlightRange), both drawn from the seed; with equal ends they are fixed.
 * Everything depends on (seed, image size) only.
 */
import { mixSeed, mulberry32 } from '../util/random';

/** An interleaved RGB image: uint8 on 0–255 (as sr/dataset.ts RgbU8) or float32 on [0, 1]. */
export interface DehazeImage {
  height: number;
  width: number;
  data: Uint8Array | Float32Array;
}

export interface HazeOptions {
  seed: number;
  /** β_s range; default [0.6, 1.8]. */
  betaRange?: readonly [number, number];
  /** Airlight range on [0, 1]; default [0.7, 1.0]. */
  airlightRange?: readonly [number, number];
  /** Depth range (arbitrary units, multiplied by β_s); default [0.5, 2.0]. */
  depthRange?: readonly [number, number];
  /** Weight of the smooth random depth component, in [0, 1]; default 0.3. */
  noiseAmount?: number;
  /** Number of cosine waves in the random component; default 4. */
  waves?: number;
}

export interface HazeResult<T extends DehazeImage> {
  hazy: T;
  /** t(p), H×W. */
  transmission: Float32Array;
  /** d(p), H×W. */
  depth: Float32Array;
  beta: number;
  airlight: number;
}

export const HAZE_DEFAULTS = { betaRange: [0.6, 1.8], airlightRange: [0.7, 1.0], depthRange: [0.5, 2.0], noiseAmount: 0.3, waves: 4 } as const;

function checkRange(field: string, r: readonly [number, number] | undefined, lo: number, hi: number): void {
  if (r === undefined) return;
  if (!Array.isArray(r) || r.length !== 2) throw new Error(`${field} must be a [min, max] pair, got ${JSON.stringify(r)}`);
  r.forEach((v, i) => {
    if (typeof v !== 'number' || Number.isNaN(v) || v < lo || v > hi) throw new Error(`${field}[${i}] must be a number in [${lo}, ${hi}], got ${String(v)}`);
  });
  if (r[0] > r[1]) throw new Error(`${field} must have min ≤ max, got [${r[0]}, ${r[1]}]`);
}

/** Refuses out-of-range or NaN parameters with an Error naming the field. */
export function checkHazeOptions(o: HazeOptions): void {
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${String(o.seed)}`);
  checkRange('betaRange', o.betaRange, 0, 20);
  checkRange('airlightRange', o.airlightRange, 0, 1);
  checkRange('depthRange', o.depthRange, 0, 1e6);
  if (o.noiseAmount !== undefined && (typeof o.noiseAmount !== 'number' || Number.isNaN(o.noiseAmount) || o.noiseAmount < 0 || o.noiseAmount > 1)) throw new Error(`noiseAmount must be a number in [0, 1], got ${String(o.noiseAmount)}`);
  if (o.waves !== undefined && (!Number.isInteger(o.waves) || o.waves < 1 || o.waves > 64)) throw new Error(`waves must be an integer in [1, 64], got ${String(o.waves)}`);
}

/** The depth model above, H×W row-major. */
export function syntheticDepth(height: number, width: number, o: HazeOptions): Float32Array {
  checkHazeOptions(o);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) throw new Error(`height and width must be positive integers, got ${height}×${width}`);
  const [dMin, dMax] = o.depthRange ?? HAZE_DEFAULTS.depthRange;
  const a = o.noiseAmount ?? HAZE_DEFAULTS.noiseAmount;
  const rand = mulberry32(mixSeed(o.seed, 0xde9, height, width));
  const waves = Array.from({ length: o.waves ?? HAZE_DEFAULTS.waves }, () => {
    const angle = rand() * 2 * Math.PI;
    const cycles = 0.5 + 2 * rand();
    return { fy: (Math.sin(angle) * cycles) / height, fx: (Math.cos(angle) * cycles) / width, phase: rand() * 2 * Math.PI };
  });
  const n = new Float64Array(height * width);
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (const w of waves) s += Math.cos(2 * Math.PI * (w.fy * y + w.fx * x) + w.phase);
      n[y * width + x] = s;
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
  const d = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const ramp = height > 1 ? 1 - y / (height - 1) : 0.5;
    for (let x = 0; x < width; x++) {
      const noise = hi > lo ? (n[y * width + x]! - lo) / (hi - lo) : 0.5;
      d[y * width + x] = dMin + (dMax - dMin) * ((1 - a) * ramp + a * noise);
    }
  }
  return d;
}

/** Draws (β_s, A) for `seed` from the ranges. */
export function drawHazeParameters(o: HazeOptions): { beta: number; airlight: number } {
  checkHazeOptions(o);
  const rand = mulberry32(mixSeed(o.seed, 0xa1b));
  const [b0, b1] = o.betaRange ?? HAZE_DEFAULTS.betaRange;
  const [a0, a1] = o.airlightRange ?? HAZE_DEFAULTS.airlightRange;
  return { beta: b0 + (b1 - b0) * rand(), airlight: a0 + (a1 - a0) * rand() };
}

/** Hazes a clear image; the output has the input's type (uint8 rounded and clamped, or float32). */
export function synthesizeHaze<T extends DehazeImage>(clear: T, o: HazeOptions): HazeResult<T> {
  const { height, width, data } = clear;
  if (data.length !== height * width * 3) throw new Error(`clear image must hold height·width·3 = ${height * width * 3} values, got ${data.length}`);
  const depth = syntheticDepth(height, width, o);
  const { beta, airlight } = drawHazeParameters(o);
  const u8 = data instanceof Uint8Array;
  const out = u8 ? new Uint8Array(data.length) : new Float32Array(data.length);
  const transmission = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    const t = Math.exp(-beta * depth[p]!);
    transmission[p] = t;
    for (let ch = 0; ch < 3; ch++) {
      const j = u8 ? data[3 * p + ch]! / 255 : data[3 * p + ch]!;
      const i = j * t + airlight * (1 - t);
      out[3 * p + ch] = u8 ? Math.min(255, Math.max(0, Math.round(i * 255))) : i;
    }
  }
  return { hazy: { ...clear, height, width, data: out } as T, transmission, depth, beta, airlight };
}
