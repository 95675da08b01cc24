/**
 * The paper's claims are relative (GaP ≥ prune-from-dense, sparse ≈ dense at 80 %, non-uniform >
 * uniform at 90 %), so small-scale reproductions are judged on gaps between methods, as
 * mean ± Student-t interval over seeds, against a stated tolerance. Pure functions, no tf.
 */

export interface RunAccuracy {
  method: string;
  /** 0 for dense. */
  sparsity: number;
  distribution?: 'uniform' | 'global';
  seed: number;
  accuracy: number;
}

export interface Interval {
  mean: number;
  lower: number;
  upper: number;
  halfWidth: number;
  n: number;
  /** Degrees of freedom of the t quantile (Welch–Satterthwaite for unpaired gaps). */
  df: number;
  /** Whether the gap was taken per seed (both sides had the same seeds). */
  paired: boolean;
}

/** Hypothesis "gap ≥ −tolerance": supported if the whole interval is above, refuted if below. */
export type Verdict = 'supported' | 'refuted' | 'inconclusive';

export interface ClaimCheck {
  claim: 'sparse-minus-dense' | 'gap-minus-prune-from-dense' | 'nonuniform-minus-uniform';
  /** e.g. "gap-serial@0.9/global − dense". */
  label: string;
  sparsity: number;
  interval: Interval;
  tolerance: number;
  verdict: Verdict;
}

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
  const halfWidth = n > 1 ? studentTQuantile(1 - (1 - confidence) / 2, df) * Math.sqrt(variance / n) : Infinity;
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, halfWidth, n, df, paired: false };
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
  const df = a.length > 1 && b.length > 1 ? (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) : NaN;
  const halfWidth = Number.isFinite(df) && se > 0 ? studentTQuantile(1 - (1 - confidence) / 2, df) * se : se === 0 && Number.isFinite(df) ? 0 : Infinity;
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, halfWidth, n: Math.min(a.length, b.length), df, paired: false };
}

export function verdictFor(interval: Interval, tolerance: number): Verdict {
  if (!(tolerance >= 0)) throw new Error(`tolerance must be ≥ 0, got ${tolerance}`);
  if (interval.lower >= -tolerance) return 'supported';
  if (interval.upper < -tolerance) return 'refuted';
  return 'inconclusive';
}

export interface CompareOptions {
  /** Method name of the GaP runs (e.g. 'gap-serial'). */
  gap: string;
  dense?: string;
  pruneFromDense?: string;
  /** Accuracy units (0.01 = 1 pp when accuracies are fractions). */
  tolerance: number;
  confidence?: number;
}

/**
 * The three relative claims for every sparsity present:
 *  - sparse-minus-dense: each sparse method (and distribution) minus dense;
 *  - gap-minus-prune-from-dense: GaP minus GMP at the same sparsity and distribution;
 *  - nonuniform-minus-uniform: GaP 'global' minus GaP 'uniform'.
 * Each verdict tests "gap ≥ −tolerance" (no worse than the reference, up to the tolerance).
 */
export function compareSparseMethods(runs: readonly RunAccuracy[], o: CompareOptions): ClaimCheck[] {
  const dense = o.dense ?? 'dense';
  const gmp = o.pruneFromDense ?? 'gmp';
  const conf = o.confidence ?? 0.95;
  const pick = (method: string, sparsity?: number, dist?: string) =>
    runs.filter((r) => r.method === method && (sparsity === undefined || r.sparsity === sparsity) && (dist === undefined || (r.distribution ?? 'uniform') === dist)).map((r) => ({ seed: r.seed, value: r.accuracy }));
  const out: ClaimCheck[] = [];
  const push = (claim: ClaimCheck['claim'], label: string, sparsity: number, a: ReturnType<typeof pick>, b: ReturnType<typeof pick>) => {
    if (!a.length || !b.length) return;
    const interval = gapInterval(a, b, conf);
    out.push({ claim, label, sparsity, interval, tolerance: o.tolerance, verdict: verdictFor(interval, o.tolerance) });
  };
  const denseRuns = pick(dense);
  const combos = [...new Set(runs.filter((r) => r.method !== dense).map((r) => `${r.method}\u0000${r.sparsity}\u0000${r.distribution ?? 'uniform'}`))].sort();
  for (const key of combos) {
    const [method, s, dist] = key.split('\u0000') as [string, string, string];
    const sparsity = Number(s);
    push('sparse-minus-dense', `${method}@${sparsity}/${dist} − ${dense}`, sparsity, pick(method, sparsity, dist), denseRuns);
    if (method === o.gap) push('gap-minus-prune-from-dense', `${method}@${sparsity}/${dist} − ${gmp}@${sparsity}/${dist}`, sparsity, pick(method, sparsity, dist), pick(gmp, sparsity, dist));
    if (method === o.gap && dist === 'global') push('nonuniform-minus-uniform', `${method}@${sparsity}: global − uniform`, sparsity, pick(method, sparsity, 'global'), pick(method, sparsity, 'uniform'));
  }
  return out;
}
