/**
 * Many runs side by side, across recipes: every step parameter and every final metric as one row
 * per key with one column per run, and whether the values differ — so 100 runs read like 2 with
 * a "differences only" filter.
 */
import { type Db } from '@reprolab/db';
import { loadRuns } from './compare';
import type { Recipe } from '@reprolab/recipes';

export const MAX_COMPARED_RUNS = 500;

export interface ComparedRun {
  id: string;
  recipe: string;
  status: string;
  seed: number;
  scale: string;
  createdAt: string;
}

export interface ComparedKey<T> {
  key: string;
  /** One value per run, in the order of `runs`; null where the run has no such key. */
  values: (T | null)[];
  differs: boolean;
}

export interface RunsComparison {
  runs: ComparedRun[];
  params: ComparedKey<string>[];
  metrics: ComparedKey<number>[];
}

/** `{ a: { b: 1 } }` → `{ "a.b": "1" }`; arrays and scalars as JSON. */
export function flattenParams(prefix: string, value: unknown, out: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenParams(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

/**
 * One row per key over every run. `perRun[i]` is a list of maps looked up in order: runs of the same
 * recipe version share its (large) flattened-parameter map instead of each copying it, and the
 * key union is taken over distinct maps only.
 */
function table<T>(perRun: ReadonlyMap<string, T>[][], same: (a: T, b: T) => boolean): ComparedKey<T>[] {
  const distinct = new Set(perRun.flat());
  const keys = new Set<string>();
  for (const m of distinct) for (const k of m.keys()) keys.add(k);
  const lookup = (layers: ReadonlyMap<string, T>[], key: string): T | null => {
    for (const m of layers) {
      const v = m.get(key);
      if (v !== undefined) return v;
    }
    return null;
  };
  return [...keys].sort().map((key) => {
    const values = perRun.map((layers) => lookup(layers, key));
    const first = values[0] ?? null;
    const differs = values.some((v) => (v === null) !== (first === null) || (v !== null && first !== null && !same(v, first)));
    return { key, values, differs };
  });
}

export async function compareRuns(db: Db, runIds: readonly string[]): Promise<RunsComparison> {
  if (runIds.length === 0) throw new Error('give at least one run id');
  if (runIds.length > MAX_COMPARED_RUNS) throw new Error(`at most ${MAX_COMPARED_RUNS} runs at once, got ${runIds.length}`);
  if (new Set(runIds).size !== runIds.length) throw new Error('a run id is listed twice');
  const runs: ComparedRun[] = [];
  const params: ReadonlyMap<string, string>[][] = [];
  const metrics: ReadonlyMap<string, number>[][] = [];
  // Four statements for any number of runs (runs, recipe versions, final metrics, claims).
  const loaded = (await loadRuns(db, runIds)).runs;
  const missing = runIds.filter((id) => !loaded.has(id));
  if (missing.length) throw new Error(`no run ${missing.map((id) => `"${id}"`).join(', ')}; list runs with \`reprolab runs\``);
  // A recipe version's step parameters, flattened once however many of its runs are compared.
  const stepParams = new Map<number, Map<string, string>>();
  for (const id of runIds) {
    const { run, recipe, metrics: finals } = loaded.get(id)!;
    runs.push({ id, recipe: `${recipe?.name ?? '?'}@v${recipe?.version ?? '?'}`, status: run.status, seed: run.seed, scale: run.scale, createdAt: run.createdAt.toISOString() });
    let p = stepParams.get(run.recipeId);
    if (!p) {
      p = new Map<string, string>();
      for (const s of ((recipe?.document ?? {}) as Partial<Recipe>).steps ?? []) flattenParams(`${s.id}.${s.kind}`, s.params, p);
      stepParams.set(run.recipeId, p);
    }
    params.push([new Map([['seed', String(run.seed)], ['scale', run.scale]]), p]);
    // Final value of each metric (series keep their last point).
    const m = new Map<string, number>();
    for (const row of finals) m.set(`${row.stepKey ?? '(run)'}.${row.name}`, row.value);
    metrics.push([m]);
  }
  return { runs, params: table(params, (a, b) => a === b), metrics: table(metrics, (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b))) };
}

/** The comparison as CSV: one row per key (kind, key, differs, one column per run). */
export function runsComparisonCsv(c: RunsComparison): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['kind', 'key', 'differs', ...c.runs.map((r) => r.id)].map(cell).join(',')];
  for (const [kind, rows] of [['param', c.params], ['metric', c.metrics]] as const) for (const r of rows) lines.push([kind, r.key, r.differs, ...r.values].map(cell).join(','));
  return lines.join('\n') + '\n';
}
