/**
 * Claim judgements kept in the database (claim_judgements): each completed run's verdict on each
 * claim its recipe targets, written when the run completes and lazily by the claims matrix for any
 * completed run without one under the current judge version. A claim's standing is then the best
 * stored judgement over every run, however old, read in one query.
 */
import { createHash } from 'node:crypto';
import { completedRunsWithoutJudgement, listClaims, upsertClaimJudgements, type ClaimRow, type Db, type NewClaimJudgement } from '@reprolab/db';
import { claimForJudging, judgeLoadedRun, loadRuns, type ComparisonRow } from './compare';

/**
 * The judge's logic version: bump it whenever judging changes what it decides (evidence/judge.ts,
 * estimateFor, target fidelity, what a row stores), so every stored judgement is recomputed.
 */
export const JUDGE_VERSION = 1;

export const VERDICT_RANK: Record<string, number> = { reproduced: 3, 'not reproduced': 3, inconclusive: 2, 'not comparable': 1 };
export const FIDELITY_RANK: Record<string, number> = { exact: 4, measured: 3, 'modelled-baseline': 2, proxy: 1, 'qualitative-model': 0 };

/**
 * The version stored judgements are current under: the logic version and a hash of what the judge
 * reads of the claims registry (each claim's value, unit, hypothesis, margin, direction, baseline),
 * so a re-seeded registry with a changed claim invalidates the judgements made against the old one.
 */
export function judgeVersion(claims: readonly ClaimRow[]): string {
  const h = createHash('sha256');
  for (const c of [...claims].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(JSON.stringify(claimForJudging(c)) + '\n');
  return `j${JUDGE_VERSION}-${h.digest('hex').slice(0, 12)}`;
}

/** The judge version for the registry now in the database. */
export async function currentJudgeVersion(db: Db): Promise<string> {
  return judgeVersion(await listClaims(db));
}

type Ranked = Pick<ComparisonRow, 'verdict' | 'fidelity'>;

/** Whether `a` decides a claim better than `b` (more decisive, then higher fidelity); ties keep `b`. */
export function moreDecisive(a: Ranked, b: Ranked): boolean {
  const x = [VERDICT_RANK[a.verdict] ?? 0, FIDELITY_RANK[a.fidelity] ?? 0];
  const y = [VERDICT_RANK[b.verdict] ?? 0, FIDELITY_RANK[b.fidelity] ?? 0];
  return x[0]! !== y[0]! ? x[0]! > y[0]! : x[1]! > y[1]!;
}

/** One run's comparison rows as stored judgements: one per claim (a claim targeted twice keeps its more decisive row). */
export function judgementRows(run: { runId: string; recipe: string; createdAt: Date }, rows: readonly ComparisonRow[], version: string): NewClaimJudgement[] {
  const best = new Map<string, ComparisonRow>();
  for (const r of rows) {
    const prev = best.get(r.claimId);
    if (!prev || moreDecisive(r, prev)) best.set(r.claimId, r);
  }
  return [...best.values()].map((r) => ({
    runId: run.runId,
    claimId: r.claimId,
    judgeVersion: version,
    verdict: r.verdict,
    verdictRank: VERDICT_RANK[r.verdict] ?? 0,
    label: r.label,
    statement: r.statement,
    fidelity: r.fidelity,
    fidelityRank: FIDELITY_RANK[r.fidelity] ?? 0,
    scale: r.scale,
    recipe: run.recipe,
    reproduced: finite(r.reproduced),
    intervalLow: finite(r.interval?.[0]),
    intervalHigh: finite(r.interval?.[1]),
    test: r.test,
    hypothesis: r.hypothesis,
    seeds: r.seeds !== null && Number.isFinite(r.seeds) ? r.seeds : null,
    runCreatedAt: run.createdAt,
  }));
}

function finite(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * Judges completed runs and stores their judgements (runs not completed, or unknown, are skipped).
 * Idempotent and safe when two processes judge the same run: rows are upserted per (run, claim).
 * Returns the number of rows written.
 */
export async function judgeAndStore(db: Db, runIds: readonly string[], version?: string): Promise<number> {
  if (!runIds.length) return 0;
  const v = version ?? (await currentJudgeVersion(db));
  const { runs, claims } = await loadRuns(db, runIds, { targetsOnly: true });
  const rows: NewClaimJudgement[] = [];
  const judged: string[] = [];
  for (const id of runIds) {
    const l = runs.get(id);
    if (!l || l.run.status !== 'completed') continue;
    const c = judgeLoadedRun(l, claims);
    rows.push(...judgementRows({ runId: id, recipe: c.recipe, createdAt: l.run.createdAt }, c.rows, v));
    judged.push(id);
  }
  await upsertClaimJudgements(db, rows, { runIds: judged, version: v });
  return rows.length;
}

/**
 * Judges completed runs that have no judgement under `version`, newest first, `batch` at a time,
 * at most `max` runs per call (the rest on a later call). Returns how many runs were judged.
 */
export async function judgePendingRuns(db: Db, version: string, o: { batch?: number; max?: number } = {}): Promise<number> {
  const batch = o.batch ?? 100;
  const max = o.max ?? 1000;
  let done = 0;
  while (done < max) {
    const ids = await completedRunsWithoutJudgement(db, version, Math.min(batch, max - done));
    if (!ids.length) break;
    await judgeAndStore(db, ids, version); // marks each run judged, so the next batch moves on
    done += ids.length;
    if (ids.length < batch) break;
  }
  return done;
}
