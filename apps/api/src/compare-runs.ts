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

function table<T>(perRun: Map<string, T>[], same: (a: T, b: T) => boolean): ComparedKey<T>[] {
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = perRun.map((m) => (m.has(key) ? m.get(key)! : null));
    const first = values[0];
    const differs = values.some((v) => (v === null) !== (first === null) || (v !== null && first !== null && first !== undefined && !same(v, first)));
    return { key, values, differs };
  });
}

export async function compareRuns(db: Db, runIds: readonly string[]): Promise<RunsComparison> {
  if (runIds.length === 0) throw new Error('give at least one run id');
  if (runIds.length > MAX_COMPARED_RUNS) throw new Error(`at most ${MAX_COMPARED_RUNS} runs at once, got ${runIds.length}`);
  if (new Set(runIds).size !== runIds.length) throw new Error('a run id is listed twice');
  const runs: ComparedRun[] = [];
  const params: Map<string, string>[] = [];
  const metrics: Map<string, number>[] = [];
  // Four statements for any number of runs (runs, recipe versions, final metrics, claims).
  const loaded = (await loadRuns(db, runIds)).runs;
  const missing = runIds.filter((id) => !loaded.has(id));
  if (missing.length) throw new Error(`no run ${missing.map((id) => `"${id}"`).join(', ')}; list runs with \`reprolab runs\``);
  for (const id of runIds) {
    const { run, recipe, metrics: finals } = loaded.get(id)!;
    const doc = (recipe?.document ?? {}) as Partial<Recipe>;
    runs.push({ id, recipe: `${recipe?.name ?? '?'}@v${recipe?.version ?? '?'}`, status: run.status, seed: run.seed, scale: run.scale, createdAt: run.createdAt.toISOString() });
    const p = new Map<string, string>([['seed', String(run.seed)], ['scale', run.scale]]);
    for (const s of doc.steps ?? []) flattenParams(`${s.id}.${s.kind}`, s.params, p);
    params.push(p);
    // Final value of each metric (series keep their last point).
    const m = new Map<string, number>();
    for (const row of finals) m.set(`${row.stepKey ?? '(run)'}.${row.name}`, row.value);
    metrics.push(m);
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
