/**
 * Small-sample statistics for judging claims over seeds: Student-t intervals (paired by seed when
 * both sides share seeds, Welch otherwise), one-sided p-values and Holm's step-down correction.
 * Pure functions, no dependencies.
 */

function logGamma(x: number): number {
  // Lanczos (g = 7, n = 9); accurate to ~1e-15 for x > 0.5.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

function regularizedBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

export function studentTCdf(t: number, df: number): number {
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/** Two-sided quantile: studentTQuantile(0.975, 4) ≈ 2.776. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`df must be > 0, got ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface Interval {
  mean: number;
  lower: number;
  upper: number;
  halfWidth: number;
  /** Standard error of the mean (of the per-seed differences when paired). */
  se: number;
  n: number;
  /** Degrees of freedom of the t quantile (Welch–Satterthwaite for unpaired gaps). */
  df: number;
  /** Whether a gap was taken per seed (both sides had the same seeds). */
  paired: boolean;
}

function validateConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
}

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) : NaN;
  return { mean, variance };
}

/** mean ± t·s/√n. With one value the interval is infinite (no spread to estimate). */
export function meanInterval(xs: readonly number[], confidence = 0.95): Interval {
  validateConfidence(confidence);
  if (xs.length === 0) throw new Error('meanInterval needs at least one value');
  const { mean, variance } = meanVar(xs);
  const n = xs.length;
  const df = n - 1;
  const se = n > 1 ? Math.sqrt(variance / n) : Infinity;
  const halfWidth = n > 1 ? studentTQuantile(1 - (1 - confidence) / 2, df) * se : Infinity;
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, halfWidth, se, n, df, paired: false };
}

/** Interval for mean(a) − mean(b): per-seed differences when both have the same seeds, else Welch. */
export function gapInterval(a: readonly { seed: number; value: number }[], b: readonly { seed: number; value: number }[], confidence = 0.95): Interval {
  if (a.length === 0 || b.length === 0) throw new Error('gapInterval needs at least one value on each side');
  const seedsA = a.map((x) => x.seed).sort((x, y) => x - y).join(',');
  const seedsB = b.map((x) => x.seed).sort((x, y) => x - y).join(',');
  if (seedsA === seedsB && new Set(a.map((x) => x.seed)).size === a.length) {
    const bBySeed = new Map(b.map((x) => [x.seed, x.value]));
    return { ...meanInterval(a.map((x) => x.value - bBySeed.get(x.seed)!), confidence), paired: true };
  }
  validateConfidence(confidence);
  const A = meanVar(a.map((x) => x.value));
  const B = meanVar(b.map((x) => x.value));
  const mean = A.mean - B.mean;
  const va = A.variance / a.length;
  const vb = B.variance / b.length;
  const se = Math.sqrt(va + vb);
  const df = a.length > 1 && b.length > 1 ? (se === 0 ? a.length + b.length - 2 : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1))) : NaN;
  const halfWidth = Number.isFinite(df) && Number.isFinite(se) ? studentTQuantile(1 - (1 - confidence) / 2, df) * se : Infinity;
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, halfWidth, se: Number.isFinite(se) ? se : Infinity, n: Math.min(a.length, b.length), df, paired: false };
}

/**
 * One-sided p-value of H1: μ > threshold, from a mean, its standard error and degrees of freedom.
 * A zero standard error (identical seeds) gives 0 or 1.
 */
export function pAbove(mean: number, se: number, df: number, threshold: number): number {
  if (!Number.isFinite(se) || !(df > 0)) return 1;
  if (se === 0) return mean > threshold ? 0 : 1;
  return 1 - studentTCdf((mean - threshold) / se, df);
}

/** One-sided p-value of H1: μ < threshold. */
export function pBelow(mean: number, se: number, df: number, threshold: number): number {
  if (!Number.isFinite(se) || !(df > 0)) return 1;
  if (se === 0) return mean < threshold ? 0 : 1;
  return studentTCdf((mean - threshold) / se, df);
}

/**
 * Holm's step-down adjustment: controls the family-wise error rate over all the tests a run makes,
 * without assuming they are independent. Returns adjusted p-values in the input order.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}
