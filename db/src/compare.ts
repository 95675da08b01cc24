/**
 * Run ↔ paper comparison: every claim a recipe targets, with the paper's value, the reproduced
 * value, the delta, the scale it ran at and a verdict against the tolerance the recipe states.
 */
import type { Db } from './client';
import { getClaims, getRecipe, getRun, runMetrics, type ClaimRow } from './queries';

export interface RecipeTarget {
  claim: string;
  metric: string;
  tolerance: number;
  scaleBy?: number;
  note?: string;
}

export type Verdict = 'reproduced' | 'not reproduced' | 'better than paper' | 'inconclusive' | 'not comparable' | 'pending' | 'unknown claim';

export interface ComparisonRow {
  claimId: string;
  paper: string | null;
  setting: string | null;
  metric: string;
  unit: string | null;
  paperValue: number | null;
  reproduced: number | null;
  delta: number | null;
  /** 95 % interval of the reproduced value when the metric comes with one (`<name>_lower/_upper`). */
  interval: [number, number] | null;
  tolerance: number;
  scale: string;
  verdict: Verdict;
  why: string;
}

export interface MetricSummary {
  step: string;
  name: string;
  value: number;
  /** number of points when the metric is a series (last value shown) */
  points: number;
}

/** A summary statistic with its seed interval (metrics `<name>_mean/_lower/_upper[/_n/_verdict]`). */
export interface IntervalSummary {
  step: string;
  name: string;
  mean: number;
  lower: number;
  upper: number;
  n: number | null;
  /** 1: supported, 0: inconclusive, −1: refuted (as the producing step judged it), null if none. */
  verdict: number | null;
}

export interface RunComparison {
  runId: string;
  status: string;
  recipe: string;
  scale: string;
  metrics: MetricSummary[];
  intervals: IntervalSummary[];
  rows: ComparisonRow[];
}

export function judge(t: RecipeTarget, claim: ClaimRow | undefined, value: number | undefined, scale: string, interval?: [number, number]): ComparisonRow {
  const k = t.scaleBy ?? 1;
  const base = {
    interval: interval ? ([interval[0] * k, interval[1] * k] as [number, number]) : null,
    claimId: t.claim,
    metric: t.metric,
    tolerance: t.tolerance,
    scale,
    paper: claim?.paperId ?? null,
    setting: claim?.setting ?? null,
    unit: claim?.unit ?? null,
    paperValue: claim?.value ?? null,
  };
  if (!claim) return { ...base, reproduced: null, delta: null, verdict: 'unknown claim', why: `claim "${t.claim}" is not in the registry` };
  if (value === undefined) return { ...base, reproduced: null, delta: null, verdict: 'pending', why: `metric ${t.metric} not recorded yet` };
  const reproduced = value * k;
  const delta = reproduced - claim.value;
  if (scale !== 'full' && claim.kind === 'absolute') {
    return { ...base, reproduced, delta, verdict: 'not comparable', why: t.note ?? 'absolute claim from the full setting; this run is a reduced proxy' };
  }
  const note = t.note ? `; ${t.note}` : '';
  if (base.interval) {
    // With an interval, the verdict asks whether the paper's value is within tolerance of it.
    const [lo, hi] = base.interval;
    if (claim.value >= lo - t.tolerance && claim.value <= hi + t.tolerance) {
      // An interval much wider than the tolerance contains almost anything: too few seeds to tell.
      if (hi - lo > 4 * t.tolerance) return { ...base, reproduced, delta, verdict: 'inconclusive', why: `the 95% interval (width ${(hi - lo).toPrecision(3)}) is wider than 4× the tolerance; add seeds${note}` };
      return { ...base, reproduced, delta, verdict: 'reproduced', why: `paper value within the 95% interval ± ${t.tolerance}${note}` };
    }
    const better = claim.higherIsBetter === false ? hi < claim.value : lo > claim.value;
    return { ...base, reproduced, delta, verdict: better ? 'better than paper' : 'not reproduced', why: `paper value outside the 95% interval ± ${t.tolerance}${note}` };
  }
  if (Math.abs(delta) <= t.tolerance) return { ...base, reproduced, delta, verdict: 'reproduced', why: `|Δ| ≤ ${t.tolerance}${note}` };
  const better = claim.higherIsBetter === false ? delta < 0 : delta > 0;
  return { ...base, reproduced, delta, verdict: better ? 'better than paper' : 'not reproduced', why: `|Δ| > ${t.tolerance}${note}` };
}

export async function compareRun(db: Db, runId: string): Promise<RunComparison> {
  const run = await getRun(db, runId);
  if (!run) throw new Error(`no run "${runId}"; list runs with \`reprolab runs\``);
  const recipe = await getRecipe(db, run.recipeId);
  const doc = (recipe?.document ?? {}) as { name?: string; scale?: string; targets?: RecipeTarget[] };
  const rows = await runMetrics(db, runId);
  const byKey = new Map<string, { value: number; points: number; step: string; name: string }>();
  for (const m of rows) {
    const step = m.stepKey ?? '(run)';
    const key = `${step}.${m.name}`;
    const prev = byKey.get(key);
    byKey.set(key, { value: m.value, points: (prev?.points ?? 0) + 1, step, name: m.name });
  }
  const targets = doc.targets ?? [];
  const claims = new Map((await getClaims(db, targets.map((t) => t.claim))).map((c) => [c.id, c]));
  const scale = doc.scale ?? run.scale;
  return {
    runId,
    status: run.status,
    recipe: `${recipe?.name ?? '?'}@v${recipe?.version ?? '?'}`,
    scale,
    metrics: [...byKey.values()].map((m) => ({ step: m.step, name: m.name, value: m.value, points: m.points })),
    intervals: [...byKey.values()]
      .filter((m) => m.name.endsWith('_mean') && byKey.has(`${m.step}.${m.name.slice(0, -5)}_lower`))
      .map((m) => {
        const stem = `${m.step}.${m.name.slice(0, -5)}`;
        return {
          step: m.step,
          name: m.name.slice(0, -5),
          mean: m.value,
          lower: byKey.get(`${stem}_lower`)!.value,
          upper: byKey.get(`${stem}_upper`)?.value ?? NaN,
          n: byKey.get(`${stem}_n`)?.value ?? null,
          verdict: byKey.get(`${stem}_verdict`)?.value ?? null,
        };
      }),
    rows: targets.map((t) => {
      const stem = t.metric.endsWith('_mean') ? t.metric.slice(0, -5) : undefined;
      const lo = stem ? byKey.get(`${stem}_lower`)?.value : undefined;
      const hi = stem ? byKey.get(`${stem}_upper`)?.value : undefined;
      return judge(t, claims.get(t.claim), byKey.get(t.metric)?.value, scale, lo !== undefined && hi !== undefined ? [lo, hi] : undefined);
    }),
  };
}
