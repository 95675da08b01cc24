/**
 * The comparisons a sparse-training run is judged on (GaP, arXiv 2106.09857): each sparse method
 * minus dense, GaP minus each prune-from-dense baseline at the same sparsity and distribution, and
 * non-uniform minus uniform GaP — as mean and 95 % interval over seeds, paired by seed when both
 * sides share seeds. Which claim each gap tests, and how, is the recipe's `targets` (judge.ts).
 */
import { gapInterval, type Interval } from './stats';

export interface RunAccuracy {
  method: string;
  /** 0 for dense. */
  sparsity: number;
  distribution?: 'uniform' | 'global';
  seed: number;
  accuracy: number;
}

export type SparseComparisonKind = 'sparse-minus-dense' | 'gap-minus-prune-from-dense' | 'nonuniform-minus-uniform';

export interface SparseComparison {
  kind: SparseComparisonKind;
  /** e.g. "gap-serial@0.9/global − dense". */
  label: string;
  /** The method on the left of the minus sign, and the one on the right. */
  subject: string;
  reference: string;
  sparsity: number;
  interval: Interval;
}

/** Baselines that prune a dense model (trained first, or densely in the same budget). */
export const PRUNE_FROM_DENSE_METHODS = ['gmp', 'oneshot'] as const;

export function compareSparseMethods(runs: readonly RunAccuracy[], o: { gap: string; dense?: string; confidence?: number }): SparseComparison[] {
  const dense = o.dense ?? 'dense';
  const conf = o.confidence ?? 0.95;
  const pick = (method: string, sparsity?: number, dist?: string) =>
    runs.filter((r) => r.method === method && (sparsity === undefined || r.sparsity === sparsity) && (dist === undefined || (r.distribution ?? 'uniform') === dist)).map((r) => ({ seed: r.seed, value: r.accuracy }));
  const out: SparseComparison[] = [];
  const push = (kind: SparseComparisonKind, subject: string, reference: string, sparsity: number, a: ReturnType<typeof pick>, b: ReturnType<typeof pick>) => {
    if (!a.length || !b.length) return;
    out.push({ kind, label: `${subject} − ${reference}`, subject, reference, sparsity, interval: gapInterval(a, b, conf) });
  };
  const denseRuns = pick(dense);
  const combos = [...new Set(runs.filter((r) => r.method !== dense).map((r) => `${r.method}\u0000${r.sparsity}\u0000${r.distribution ?? 'uniform'}`))].sort();
  for (const key of combos) {
    const [method, s, dist] = key.split('\u0000') as [string, string, string];
    const sparsity = Number(s);
    const subject = `${method}@${sparsity}/${dist}`;
    push('sparse-minus-dense', subject, dense, sparsity, pick(method, sparsity, dist), denseRuns);
    if (method !== o.gap) continue;
    for (const base of PRUNE_FROM_DENSE_METHODS) push('gap-minus-prune-from-dense', subject, `${base}@${sparsity}/${dist}`, sparsity, pick(method, sparsity, dist), pick(base, sparsity, dist));
    if (dist === 'global') push('nonuniform-minus-uniform', `${method}@${sparsity}`, 'uniform', sparsity, pick(method, sparsity, 'global'), pick(method, sparsity, 'uniform'));
  }
  return out;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/**
 * Metric stem of a comparison, e.g. gap_minus_prune_from_dense__gap_serial_0_9_uniform__gmp. The
 * gmp comparison keeps the short name it had before other prune-from-dense baselines existed.
 */
export function sparseMetricStem(c: SparseComparison): string {
  const base = `${slug(c.kind)}__${slug(c.subject)}`;
  if (c.kind !== 'gap-minus-prune-from-dense') return base;
  const ref = c.reference.split('@')[0]!;
  return ref === 'gmp' ? base : `${base}__vs_${slug(ref)}`;
}
