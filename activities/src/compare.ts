/**
 * Run ↔ paper comparison: every claim a recipe targets, with the paper's value, the reproduced value
 * (with its interval over seeds or its range over a model's uncertain parameters), the kind of
 * evidence, the hypothesis tested and a verdict that cannot be misread (see
 * @reprolab/recipes/evidence for the tests).
 */
import { finalMetrics, getClaims, getRecipes, getRuns, type ClaimRow, type Db, type MetricFinal, type RecipeRow, type RunRow } from '@reprolab/db';
import { targetFidelity, type Recipe } from '@reprolab/recipes';
import { judgeRun, studentTQuantile, type ClaimForJudging, type Estimate, type Fidelity, type Hypothesis, type Judgement } from '@reprolab/recipes/evidence';
import { energyRatioSensitivity, V100_BOARD_POWER_W, V100_STATIC_POWER_RANGE_W, type EnergySensitivityCurve, type EnergySplit } from '@reprolab/methods/mpu/index';

export interface ComparisonRow extends Judgement {
  claimId: string;
  paper: string | null;
  setting: string | null;
  /** The claim in words (orderings), else its setting. */
  claimText: string | null;
  metric: string;
  unit: string | null;
  paperValue: number | null;
  reproduced: number | null;
  delta: number | null;
  /** 95 % interval over seeds, or the range over uncertain model parameters, in the claim's unit. */
  interval: [number, number] | null;
  intervalKind: 'seeds' | 'band' | null;
  seeds: number | null;
  tolerance: number | null;
  hypothesis: Hypothesis | null;
  fidelity: Fidelity;
  scale: string;
}

export interface MetricSummary {
  step: string;
  name: string;
  value: number;
  /** number of points when the metric is a series (last value shown) */
  points: number;
}

/** A summary statistic with its seed interval (metrics `<name>_mean/_lower/_upper[/_n]`). */
export interface IntervalSummary {
  step: string;
  name: string;
  mean: number;
  lower: number;
  upper: number;
  n: number | null;
}

export interface RunComparison {
  runId: string;
  status: string;
  recipe: string;
  scale: string;
  fidelity: Fidelity;
  metrics: MetricSummary[];
  intervals: IntervalSummary[];
  rows: ComparisonRow[];
  /**
   * For a simulation suite with a geomean energy ratio: that ratio against the V100's power, its least
   * certain parameter, under the bottom-up and the paper's pricing (null for every other run).
   */
  energySensitivity: EnergySensitivity | null;
}

export interface EnergySensitivity {
  /** The paper's energy ratio and its tolerance, when the run targets it. */
  paper: number | null;
  tolerance: number | null;
  workloads: number;
  curves: EnergySensitivityCurve[];
}

/**
 * The suite's energy ratio against the V100's power, from each workload step's energies (single
 * values, not sweeps; only the steps the geomean averaged, when `geomeanOf` names them); null unless
 * the run reports a geomean energy ratio.
 */
export function energySensitivityOf(metrics: readonly { step: string; name: string; value: number; points: number }[], rows: readonly ComparisonRow[], geomeanOf?: readonly string[]): EnergySensitivity | null {
  if (!metrics.some((m) => m.name === 'geomean_energy_ratio')) return null;
  const byStep = new Map<string, Record<string, number>>();
  for (const m of metrics) {
    if (m.points !== 1 || !['mpu_energy_nj', 'gpu_energy_nj', 'gpu_energy_static_nj', 'gpu_seconds'].includes(m.name)) continue;
    if (geomeanOf && !geomeanOf.includes(m.step)) continue;
    byStep.set(m.step, { ...byStep.get(m.step), [m.name]: m.value });
  }
  const splits: EnergySplit[] = [...byStep.values()]
    .filter((v) => v.mpu_energy_nj! > 0 && v.gpu_energy_nj! > 0 && v.gpu_energy_static_nj !== undefined && v.gpu_seconds! > 0)
    .map((v) => ({ mpuEnergyNJ: v.mpu_energy_nj!, gpuEnergyNJ: v.gpu_energy_nj!, gpuStaticNJ: v.gpu_energy_static_nj!, gpuSeconds: v.gpu_seconds! }));
  if (!splits.length) return null;
  const claim = rows.find((r) => r.metric.endsWith('.geomean_energy_ratio'));
  const paper = claim?.paperValue ?? null;
  return {
    paper,
    tolerance: claim?.tolerance ?? null,
    workloads: splits.length,
    curves: energyRatioSensitivity(splits, { paper, staticBandW: V100_STATIC_POWER_RANGE_W, boardBandW: { lower: V100_BOARD_POWER_W.idle, upper: V100_BOARD_POWER_W.tdp } }),
  };
}

export function claimForJudging(c: ClaimRow): ClaimForJudging {
  return { id: c.id, value: c.value, unit: c.unit, hypothesis: c.hypothesis as Hypothesis, margin: c.margin, higherIsBetter: c.higherIsBetter, baseline: c.baseline };
}

/**
 * The estimate behind a target's metric, scaled to the claim's unit: a seeded summary
 * (`<stem>_mean/_lower/_upper/_n`, with `_se/_df` when recorded), a band over uncertain model
 * parameters (`<metric>_band_lower/_band_upper`), or a single value.
 */
export function estimateFor(metric: string, scaleBy: number, get: (key: string) => number | undefined): Estimate | undefined {
  const k = scaleBy;
  const stem = metric.endsWith('_mean') ? metric.slice(0, -5) : metric;
  const mean = get(`${stem}_mean`);
  const lower = get(`${stem}_lower`);
  const upper = get(`${stem}_upper`);
  if (mean !== undefined && lower !== undefined && upper !== undefined) {
    const n = get(`${stem}_n`) ?? NaN;
    const df = get(`${stem}_df`) ?? n - 1;
    // Older summaries recorded no standard error: recover it from the 95 % interval.
    const se = get(`${stem}_se`) ?? (df > 0 ? (upper - lower) / 2 / studentTQuantile(0.975, df) : Infinity);
    const paired = get(`${stem}_paired`) === 1;
    const [lo, hi] = k > 0 ? [lower * k, upper * k] : [upper * k, lower * k];
    return { kind: 'seeds', mean: mean * k, lower: lo, upper: hi, se: se * Math.abs(k), df, n, paired };
  }
  const value = get(metric);
  if (value === undefined) return undefined;
  const bl = get(`${metric}_band_lower`);
  const bu = get(`${metric}_band_upper`);
  if (bl !== undefined && bu !== undefined) return { kind: 'band', value: value * k, lower: Math.min(bl, bu) * k, upper: Math.max(bl, bu) * k };
  return { kind: 'point', value: value * k };
}

/** What judging a run needs: its row, its recipe version, and each metric's final value and point count. */
export interface LoadedRun {
  run: RunRow;
  recipe: RecipeRow | undefined;
  metrics: MetricFinal[];
}

/** The metric names a target's estimate may read (estimateFor): its value, seed summary and model band. */
export function targetMetricNames(metric: string): string[] {
  const name = metric.slice(metric.indexOf('.') + 1);
  const stem = name.endsWith('_mean') ? name.slice(0, -5) : name;
  return [name, ...['mean', 'lower', 'upper', 'n', 'se', 'df', 'paired'].map((s) => `${stem}_${s}`), `${name}_band_lower`, `${name}_band_upper`];
}

/**
 * Loads many runs for judging in a handful of statements whatever their number (runs, their recipe
 * versions, every metric's final value aggregated in the database, and the claims they target).
 * `targetsOnly`: read just the metrics the recipes' targets use (the claims matrix needs verdicts,
 * not every series), so runs with long training curves cost no more than short ones. Unknown ids
 * are left out of the map.
 */
export async function loadRuns(db: Db, runIds: readonly string[], opts: { targetsOnly?: boolean } = {}): Promise<{ runs: Map<string, LoadedRun>; claims: Map<string, ClaimRow> }> {
  const rows = await getRuns(db, runIds);
  const recipeIds = rows.map((r) => r.recipeId);
  const targetsOf = (r: RecipeRow) => (r.document as Partial<Recipe>).targets ?? [];
  const [recipes, metrics] = opts.targetsOnly
    ? await getRecipes(db, recipeIds).then(async (rs) => [rs, await finalMetrics(db, rows.map((r) => r.id), [...new Set(rs.flatMap((r) => targetsOf(r).flatMap((t) => targetMetricNames(t.metric))))])] as const)
    : await Promise.all([getRecipes(db, recipeIds), finalMetrics(db, rows.map((r) => r.id))]);
  const recipeById = new Map(recipes.map((r) => [r.id, r]));
  const byRun = new Map<string, MetricFinal[]>();
  for (const m of metrics) {
    const list = byRun.get(m.runId);
    if (list) list.push(m);
    else byRun.set(m.runId, [m]);
  }
  const runs = new Map(rows.map((run) => [run.id, { run, recipe: recipeById.get(run.recipeId), metrics: byRun.get(run.id) ?? [] }]));
  const claimIds = new Set(recipes.flatMap((r) => targetsOf(r).map((t) => t.claim)));
  const claims = new Map((await getClaims(db, [...claimIds])).map((c) => [c.id, c]));
  return { runs, claims };
}

export async function compareRun(db: Db, runId: string): Promise<RunComparison> {
  const { runs, claims } = await loadRuns(db, [runId]);
  const loaded = runs.get(runId);
  if (!loaded) throw new Error(`no run "${runId}"; list runs with \`reprolab runs\``);
  return judgeLoadedRun(loaded, claims);
}

/**
 * Judges many runs against the paper (one comparison per id, in order; unknown ids are skipped).
 * Only the verdict rows are complete: `metrics` and `intervals` list just what the targets read.
 */
export async function judgeRunsForClaims(db: Db, runIds: readonly string[]): Promise<RunComparison[]> {
  const { runs, claims } = await loadRuns(db, runIds, { targetsOnly: true });
  return runIds.flatMap((id) => {
    const l = runs.get(id);
    return l ? [judgeLoadedRun(l, claims)] : [];
  });
}

/** The comparison of one loaded run: pure, no database. */
export function judgeLoadedRun({ run, recipe, metrics: rows }: LoadedRun, allClaims: Map<string, ClaimRow>): RunComparison {
  const runId = run.id;
  const doc = (recipe?.document ?? {}) as Partial<Recipe>;
  const byKey = new Map<string, { value: number; points: number; step: string; name: string }>();
  for (const m of rows) {
    const step = m.stepKey ?? '(run)';
    byKey.set(`${step}.${m.name}`, { value: m.value, points: m.points, step, name: m.name });
  }
  const get = (key: string) => byKey.get(key)?.value;
  const targets = doc.targets ?? [];
  const claims = new Map(targets.flatMap((t) => (allClaims.has(t.claim) ? [[t.claim, allClaims.get(t.claim)!] as const] : [])));
  const scale = doc.scale ?? run.scale;
  const recipeFidelity = targetFidelity({ scale: scale as Recipe['scale'], fidelity: doc.fidelity }, {});
  const inputs = targets.map((t) => {
    const claim = claims.get(t.claim);
    return {
      target: { claim: t.claim, metric: t.metric, tolerance: t.tolerance, fidelity: targetFidelity({ scale: scale as Recipe['scale'], fidelity: doc.fidelity }, t), quantity: t.quantity, note: t.note },
      claim: claim ? claimForJudging(claim) : undefined,
      estimate: estimateFor(t.metric, t.scaleBy ?? 1, get),
    };
  });
  const judged = judgeRun(inputs);
  const comparisonRows: ComparisonRow[] = inputs.map((inp, i) => {
    const c = claims.get(inp.target.claim);
    const e = inp.estimate;
    const reproduced = !e ? null : e.kind === 'seeds' ? e.mean : e.value;
    return {
      ...judged[i]!,
      claimId: inp.target.claim,
      paper: c?.paperId ?? null,
      setting: c?.setting ?? null,
      claimText: c?.statement ?? c?.setting ?? null,
      metric: inp.target.metric,
      unit: c?.unit ?? null,
      paperValue: c?.value ?? null,
      reproduced,
      delta: reproduced !== null && c?.value != null && c.hypothesis === 'value' ? reproduced - c.value : null,
      interval: e && e.kind !== 'point' ? [e.lower, e.upper] : null,
      intervalKind: e && e.kind !== 'point' ? e.kind : null,
      seeds: e?.kind === 'seeds' ? e.n : null,
      tolerance: inp.target.tolerance ?? (c?.hypothesis === 'non-inferiority' ? c.margin : null) ?? null,
      hypothesis: (c?.hypothesis as Hypothesis | undefined) ?? null,
      fidelity: inp.target.fidelity,
      scale,
    };
  });
  const metrics = [...byKey.values()].map((m) => ({ step: m.step, name: m.name, value: m.value, points: m.points }));
  return {
    runId,
    status: run.status,
    recipe: `${recipe?.name ?? '?'}@v${recipe?.version ?? '?'}`,
    scale,
    fidelity: recipeFidelity,
    metrics,
    intervals: [...byKey.values()]
      .filter((m) => m.name.endsWith('_mean') && byKey.has(`${m.step}.${m.name.slice(0, -5)}_lower`))
      .map((m) => {
        const stem = `${m.step}.${m.name.slice(0, -5)}`;
        return { step: m.step, name: m.name.slice(0, -5), mean: m.value, lower: get(`${stem}_lower`)!, upper: get(`${stem}_upper`) ?? NaN, n: get(`${stem}_n`) ?? null };
      }),
    rows: comparisonRows,
    energySensitivity: energySensitivityOf(metrics, comparisonRows, doc.steps?.find((st) => st.kind === 'aggregate' && (st.params as { fn?: string } | undefined)?.fn === 'mpu-geomean')?.needs),
  };
}
