/** Typed queries shared by the worker's activities, the API and the CLI. */
import { and, arrayContains, asc, count, desc, eq, gt, gte, ilike, inArray, isNull, like, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { artifacts, claimJudgements, claims, datasets, metrics, papers, recipes, runEnvironments, runs, steps } from './schema';

export type RunRow = typeof runs.$inferSelect;
export type StepRow = typeof steps.$inferSelect;
export type MetricRow = typeof metrics.$inferSelect;
export type ArtifactRow = typeof artifacts.$inferSelect;
export type ClaimRow = typeof claims.$inferSelect;
export type RecipeRow = typeof recipes.$inferSelect;
export type DatasetRow = typeof datasets.$inferSelect;
export type RunEnvironmentRow = typeof runEnvironments.$inferSelect;
export type ClaimJudgementRow = typeof claimJudgements.$inferSelect;
export type NewClaimJudgement = typeof claimJudgements.$inferInsert;

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Stores a recipe version. Identical content returns the existing row; a changed recipe under an
 * existing name gets the next version number (never overwriting what earlier runs used).
 */
export async function saveRecipe(db: Db, r: { name: string; contentHash: string; document: unknown; source: string }): Promise<RecipeRow> {
  const existing = await db.select().from(recipes).where(eq(recipes.contentHash, r.contentHash)).limit(1);
  if (existing[0]) return existing[0];
  // Versions are numbered per name: launches of new versions of one recipe at the same moment
  // each read the same max and all but one insert lose the (name, version) race. Within this
  // process they take turns per name (so 200 at once cost 200 inserts, not 200²); across
  // processes the losers take the next number. The same content stored meanwhile is returned as is.
  return inTurn(`recipe:${r.name}`, () => storeNewVersion(db, r));
}

const turns = new Map<string, Promise<unknown>>();
/** Runs `f` after every earlier call with the same key (in this process) has settled. */
function inTurn<T>(key: string, f: () => Promise<T>): Promise<T> {
  const run = (turns.get(key) ?? Promise.resolve()).then(f, f);
  const settled = run.catch(() => {});
  turns.set(key, settled);
  void settled.then(() => turns.get(key) === settled && turns.delete(key));
  return run;
}

async function storeNewVersion(db: Db, r: { name: string; contentHash: string; document: unknown; source: string }): Promise<RecipeRow> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const [last] = await db.select({ v: sql<number>`max(${recipes.version})` }).from(recipes).where(eq(recipes.name, r.name));
    const version = Number(last?.v ?? 0) + 1;
    const [row] = await db.insert(recipes).values({ ...r, version }).onConflictDoNothing().returning();
    if (row) return row;
    const again = await db.select().from(recipes).where(eq(recipes.contentHash, r.contentHash)).limit(1);
    if (again[0]) return again[0];
  }
  throw new Error(`could not store recipe ${r.name}: its next version number stayed taken through 1000 tries`);
}

export async function listRecipes(db: Db): Promise<RecipeRow[]> {
  return db.select().from(recipes).orderBy(asc(recipes.name), desc(recipes.version));
}

export async function getRecipe(db: Db, id: number): Promise<RecipeRow | undefined> {
  return (await db.select().from(recipes).where(eq(recipes.id, id)).limit(1))[0];
}

export async function createRun(db: Db, r: { id: string; recipeId: number; workflowId: string; seed: number; force: boolean; scale: string; tags?: string[] }): Promise<RunRow> {
  const [row] = await db.insert(runs).values({ ...r, status: 'queued' }).returning();
  return row!;
}

export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  return (await db.select().from(runs).where(eq(runs.id, id)).limit(1))[0];
}

export type RunListRow = RunRow & { recipeName: string; recipeVersion: number };

export async function listRuns(db: Db, limit = 50): Promise<RunListRow[]> {
  return (await listRunsPage(db, { limit })).runs;
}

export const RUN_SORTS = ['created', 'started', 'ended', 'status', 'recipe'] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** What the runs list can be filtered, sorted and paged by (validated by the API before it gets here). */
export interface RunListQuery {
  limit: number;
  offset?: number;
  sort?: RunSort;
  dir?: 'asc' | 'desc';
  status?: readonly RunStatus[];
  /** Recipe name (every version). */
  recipe?: string;
  /** Paper id: runs whose recipe lists it under `papers`. */
  paper?: string;
  tag?: string;
  /** Created at or after `from`, and before `to`. */
  from?: Date;
  to?: Date;
  /** Case-insensitive substring of the run id or the recipe name. */
  search?: string;
}

export interface RunListPage {
  runs: RunListRow[];
  /** Runs matching the filters, over all pages. */
  total: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/**
 * One page of the runs list, filtered and sorted in the database. Every order ends with the run id
 * so pages never overlap or skip a row; nulls (a run not started or not ended yet) sort as
 * Postgres does, after every date ascending and before them descending, so "ended, newest first"
 * leads with the runs still going. The count rides along as an uncorrelated scalar subquery (run
 * once, one round trip for page and total) rather than a window count(*) over(), which would
 * materialise every match and stop a LIMITed page from ending early on an index.
 */
export async function listRunsPage(db: Db, q: RunListQuery): Promise<RunListPage> {
  const where: SQL[] = [];
  if (q.status?.length) where.push(q.status.length === 1 ? eq(runs.status, q.status[0]!) : inArray(runs.status, [...q.status]));
  if (q.recipe) where.push(eq(recipes.name, q.recipe));
  if (q.paper) where.push(sql`(${recipes.document} -> 'papers') @> ${JSON.stringify([q.paper])}::jsonb`);
  if (q.tag) where.push(arrayContains(runs.tags, [q.tag]));
  if (q.from) where.push(gte(runs.createdAt, q.from));
  if (q.to) where.push(lt(runs.createdAt, q.to));
  if (q.search) {
    const pattern = `%${likeEscape(q.search)}%`;
    where.push(or(ilike(runs.id, pattern), ilike(recipes.name, pattern))!);
  }
  const cond = where.length ? and(...where) : undefined;
  const dir = q.dir === 'asc' ? asc : desc;
  const order = {
    created: [dir(runs.createdAt), dir(runs.id)],
    started: [dir(runs.startedAt), dir(runs.id)],
    ended: [dir(runs.finishedAt), dir(runs.id)],
    status: [dir(runs.status), dir(runs.createdAt), dir(runs.id)],
    recipe: [dir(recipes.name), dir(runs.createdAt), dir(runs.id)],
  }[q.sort ?? 'created'];
  const counting = db.select({ n: count() }).from(runs).innerJoin(recipes, eq(runs.recipeId, recipes.id)).where(cond);
  const rows = await db
    .select({ run: runs, recipeName: recipes.name, recipeVersion: recipes.version, total: sql<number>`(${counting})`.mapWith(Number) })
    .from(runs)
    .innerJoin(recipes, eq(runs.recipeId, recipes.id))
    .where(cond)
    .orderBy(...order)
    .limit(q.limit)
    .offset(q.offset ?? 0);
  // A page past the end has no row to carry the total: count on its own then.
  const total = rows[0]?.total ?? (q.offset ? Number((await counting)[0]?.n ?? 0) : 0);
  return { runs: rows.map((r) => ({ ...r.run, recipeName: r.recipeName, recipeVersion: r.recipeVersion })), total };
}

/** Every tag some run carries, sorted. */
export async function listRunTags(db: Db): Promise<string[]> {
  const rows = await db.execute<{ tag: string }>(sql`select distinct unnest(${runs.tags}) as tag from ${runs} order by 1 limit 500`);
  return rows.rows.map((r) => r.tag);
}

/** Stored recipe names (any version), for the runs list's recipe filter. */
export async function listRecipeNames(db: Db): Promise<string[]> {
  return (await db.selectDistinct({ name: recipes.name }).from(recipes).orderBy(asc(recipes.name))).map((r) => r.name);
}

export async function getPaper(db: Db, id: string): Promise<(typeof papers.$inferSelect) | undefined> {
  return (await db.select().from(papers).where(eq(papers.id, id)).limit(1))[0];
}

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Moves a run to `status`, unless it has already ended: an ended run's status is final. (A run
 * cancelled while its preparation was in flight must not be set back to "running" by it.)
 * Returns whether the row changed.
 */
export async function setRunStatus(db: Db, id: string, status: RunStatus, error?: string): Promise<boolean> {
  const now = new Date();
  const changed = await db
    .update(runs)
    .set({
      status,
      error: error ?? null,
      ...(status === 'running' ? { startedAt: sql`coalesce(${runs.startedAt}, now())` } : {}),
      ...(TERMINAL_RUN_STATUSES.includes(status) ? { finishedAt: now } : {}),
    })
    .where(and(eq(runs.id, id), notInArray(runs.status, [...TERMINAL_RUN_STATUSES])))
    .returning({ id: runs.id });
  return changed.length > 0;
}

export async function recordEnvironment(db: Db, env: typeof runEnvironments.$inferInsert): Promise<void> {
  await db.insert(runEnvironments).values(env).onConflictDoUpdate({ target: runEnvironments.runId, set: { ...env, recordedAt: new Date() } });
}

export async function getEnvironment(db: Db, runId: string): Promise<RunEnvironmentRow | undefined> {
  return (await db.select().from(runEnvironments).where(eq(runEnvironments.runId, runId)).limit(1))[0];
}

export async function ensureStep(db: Db, s: { runId: string; stepKey: string; kind: string; queue: string }): Promise<StepRow> {
  await db.insert(steps).values({ ...s, status: 'pending' }).onConflictDoNothing();
  return (await db.select().from(steps).where(and(eq(steps.runId, s.runId), eq(steps.stepKey, s.stepKey))).limit(1))[0]!;
}

export async function getStep(db: Db, runId: string, stepKey: string): Promise<StepRow | undefined> {
  return (await db.select().from(steps).where(and(eq(steps.runId, runId), eq(steps.stepKey, stepKey))).limit(1))[0];
}

export async function updateStep(db: Db, id: number, patch: Partial<typeof steps.$inferInsert>): Promise<void> {
  await db.update(steps).set(patch).where(eq(steps.id, id));
}

/** One activity attempt of a step's compute work, as its worker began it (Temporal's activity info). */
export interface StepPickup {
  /** When the activity's first attempt was put on the task queue (Temporal server clock). */
  scheduledAt: Date;
  /** When this attempt was put on the queue (after any retry backoff). */
  attemptScheduledAt: Date;
  /** When the worker began this attempt (worker clock). */
  pickedUpAt: Date;
  /** 1 for the first attempt. */
  attempt: number;
  host: string;
}

/**
 * Records that a worker began an attempt of a step's compute work: the step is running, its
 * earliest scheduled and picked-up times are kept, this attempt's wait on the queue is added to
 * queued_ms and a retry is counted. One statement, so parallel activities of one step (P-GaP's
 * branches) add up rather than overwrite each other. A wait that comes out negative (the worker's
 * clock behind Temporal's) counts as zero.
 */
export async function recordStepPickup(db: Db, stepId: number, p: StepPickup): Promise<void> {
  const waited = Math.max(0, Math.round(p.pickedUpAt.getTime() - p.attemptScheduledAt.getTime()));
  await db
    .update(steps)
    .set({
      status: 'running',
      // the most attempts any of its activities needed: a GaP step runs one activity per phase, and
      // a retried early phase must stay visible after a later phase's first attempt begins
      attempts: sql`greatest(${steps.attempts}, ${p.attempt})`,
      scheduledAt: sql`least(coalesce(${steps.scheduledAt}, ${p.scheduledAt.toISOString()}::timestamptz), ${p.scheduledAt.toISOString()}::timestamptz)`,
      pickedUpAt: sql`least(coalesce(${steps.pickedUpAt}, ${p.pickedUpAt.toISOString()}::timestamptz), ${p.pickedUpAt.toISOString()}::timestamptz)`,
      queuedMs: sql`${steps.queuedMs} + ${waited}`,
      retries: sql`${steps.retries} + ${p.attempt > 1 ? 1 : 0}`,
      workerHost: p.host,
    })
    .where(eq(steps.id, stepId));
}

/** Updates a step only while it is pending or running; false when it had already ended. */
export async function updateUnfinishedStep(db: Db, id: number, patch: Partial<typeof steps.$inferInsert>): Promise<boolean> {
  const changed = await db
    .update(steps)
    .set(patch)
    .where(and(eq(steps.id, id), inArray(steps.status, ['pending', 'running'])))
    .returning({ id: steps.id });
  return changed.length > 0;
}

/**
 * Ends every step of a run that has not ended (pending or running) with `status`, in one
 * statement. Returns how many it ended.
 */
export async function endUnfinishedSteps(db: Db, runId: string, status: 'cancelled' | 'skipped', only: readonly string[] = ['pending', 'running']): Promise<number> {
  const ended = await db
    .update(steps)
    .set({ status, finishedAt: new Date() })
    .where(and(eq(steps.runId, runId), inArray(steps.status, [...only])))
    .returning({ id: steps.id });
  return ended.length;
}

export async function listSteps(db: Db, runId: string): Promise<StepRow[]> {
  return db.select().from(steps).where(eq(steps.runId, runId)).orderBy(asc(steps.id));
}

/** The most recent completed step with this fingerprint, from any run. */
export async function findCachedStep(db: Db, fingerprint: string): Promise<StepRow | undefined> {
  return (
    await db
      .select()
      .from(steps)
      .where(and(eq(steps.fingerprint, fingerprint), eq(steps.status, 'completed')))
      .orderBy(desc(steps.finishedAt))
      .limit(1)
  )[0];
}

export async function insertMetrics(db: Db, rows: (typeof metrics.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insert(metrics).values(rows.slice(i, i + 500));
}

/** Drops series points past `afterIndex`: a resumed attempt re-records them. */
export async function deleteMetricsAfter(db: Db, stepId: number, afterIndex: number): Promise<void> {
  await db.delete(metrics).where(and(eq(metrics.stepId, stepId), gt(metrics.index, afterIndex)));
}

/** Drops one point of every series of a step (`null`: its final scalars), before re-recording it. */
export async function deleteMetricsAt(db: Db, stepId: number, index: number | null): Promise<void> {
  await db.delete(metrics).where(and(eq(metrics.stepId, stepId), index === null ? isNull(metrics.index) : eq(metrics.index, index)));
}

export async function deleteStepMetrics(db: Db, stepId: number): Promise<void> {
  await db.delete(metrics).where(eq(metrics.stepId, stepId));
}

export async function stepMetrics(db: Db, stepId: number): Promise<MetricRow[]> {
  return db.select().from(metrics).where(eq(metrics.stepId, stepId)).orderBy(asc(metrics.id));
}

/** A run's metrics in insertion order: all, one name, or every name starting with a prefix. */
export async function runMetrics(db: Db, runId: string, filter?: string | { prefix: string }): Promise<(MetricRow & { stepKey: string | null })[]> {
  const byName =
    filter === undefined ? undefined : typeof filter === 'string' ? eq(metrics.name, filter) : like(metrics.name, `${filter.prefix.replace(/[\\%_]/g, '\\$&')}%`);
  const rows = await db
    .select({ m: metrics, stepKey: steps.stepKey })
    .from(metrics)
    .leftJoin(steps, eq(metrics.stepId, steps.id))
    .where(byName ? and(eq(metrics.runId, runId), byName) : eq(metrics.runId, runId))
    .orderBy(asc(metrics.id));
  return rows.map((r) => ({ ...r.m, stepKey: r.stepKey }));
}

/** A metric's last value (the last point of a series) and how many points it has, for one run. */
export interface MetricFinal {
  runId: string;
  stepKey: string | null;
  name: string;
  value: number;
  points: number;
}

/**
 * Every metric's final value and point count for many runs, each run's metrics in the order they
 * were first recorded. Aggregated in the database (a run with long series sends one row per
 * metric, not one per point); the step keys come from a second, indexed query on the same runs and
 * are joined here. (Joined in SQL, the planner's estimate for 100+ runs crossed Postgres's JIT
 * threshold, and compiling the plan cost more than running it.)
 */
export async function finalMetrics(db: Db, runIds: readonly string[], names?: readonly string[]): Promise<MetricFinal[]> {
  if (!runIds.length || names?.length === 0) return [];
  const ids = sql.join(
    runIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const [rows, stepRows] = await Promise.all([
    db.execute<{ run_id: string; step_id: number | null; name: string; value: number; points: number }>(sql`
      select ${metrics.runId} as run_id, ${metrics.stepId} as step_id, ${metrics.name} as name,
             (array_agg(${metrics.value} order by ${metrics.id} desc))[1] as value, count(*)::int as points
      from ${metrics}
      where ${metrics.runId} in (${ids})${names ? sql` and ${metrics.name} in (${sql.join(names.map((n) => sql`${n}`), sql`, `)})` : sql``}
      group by 1, 2, 3
      order by 1, min(${metrics.id})`),
    db.select({ id: steps.id, stepKey: steps.stepKey }).from(steps).where(inArray(steps.runId, [...runIds])),
  ]);
  const stepKey = new Map(stepRows.map((s) => [s.id, s.stepKey]));
  return rows.rows.map((r) => ({ runId: r.run_id, stepKey: r.step_id === null ? null : (stepKey.get(r.step_id) ?? null), name: r.name, value: Number(r.value), points: r.points }));
}

export async function getRuns(db: Db, ids: readonly string[]): Promise<RunRow[]> {
  if (!ids.length) return [];
  return db.select().from(runs).where(inArray(runs.id, [...ids]));
}

export async function getRecipes(db: Db, ids: readonly number[]): Promise<RecipeRow[]> {
  if (!ids.length) return [];
  return db.select().from(recipes).where(inArray(recipes.id, [...new Set(ids)]));
}

export async function insertArtifact(db: Db, a: typeof artifacts.$inferInsert): Promise<ArtifactRow> {
  const [row] = await db.insert(artifacts).values(a).returning();
  return row!;
}

export async function runArtifacts(db: Db, runId: string): Promise<ArtifactRow[]> {
  return db.select().from(artifacts).where(eq(artifacts.runId, runId)).orderBy(asc(artifacts.id));
}

/** Every artifact row with these bytes (the same digest may be stored by several steps). */
export async function artifactsByDigest(db: Db, sha256: string): Promise<ArtifactRow[]> {
  return db.select().from(artifacts).where(eq(artifacts.sha256, sha256)).orderBy(asc(artifacts.id));
}

/**
 * Where each of these digests came from: the first artifact row storing it (the step that produced
 * it; later rows are cache copies or re-uploads), with that step's key. Digests no step produced
 * (datasets) are absent.
 */
export async function artifactProducers(db: Db, digests: readonly string[]): Promise<Map<string, { runId: string | null; stepKey: string | null; name: string; kind: string }>> {
  const out = new Map<string, { runId: string | null; stepKey: string | null; name: string; kind: string }>();
  if (!digests.length) return out;
  const rows = await db
    .select({ sha256: artifacts.sha256, runId: artifacts.runId, stepKey: steps.stepKey, name: artifacts.name, kind: artifacts.kind })
    .from(artifacts)
    .leftJoin(steps, eq(artifacts.stepId, steps.id))
    .where(inArray(artifacts.sha256, [...new Set(digests)]))
    .orderBy(asc(artifacts.id));
  for (const r of rows) if (!out.has(r.sha256)) out.set(r.sha256, { runId: r.runId, stepKey: r.stepKey, name: r.name, kind: r.kind });
  return out;
}

/** Steps by id, with the run they belong to (a cached step's origin). */
export async function getStepsByIds(db: Db, ids: readonly number[]): Promise<StepRow[]> {
  if (!ids.length) return [];
  return db.select().from(steps).where(inArray(steps.id, [...new Set(ids)]));
}

export async function stepArtifacts(db: Db, stepId: number): Promise<ArtifactRow[]> {
  return db.select().from(artifacts).where(eq(artifacts.stepId, stepId)).orderBy(asc(artifacts.id));
}

export async function saveDataset(db: Db, d: typeof datasets.$inferInsert): Promise<DatasetRow> {
  await db.insert(datasets).values(d).onConflictDoNothing();
  return (await db.select().from(datasets).where(eq(datasets.sha256, d.sha256)).limit(1))[0]!;
}

export async function getDatasets(db: Db, digests: string[]): Promise<DatasetRow[]> {
  if (!digests.length) return [];
  return db.select().from(datasets).where(inArray(datasets.sha256, digests));
}

/** The most recently imported dataset with this name. */
export async function findDatasetByName(db: Db, name: string): Promise<DatasetRow | undefined> {
  return (await db.select().from(datasets).where(eq(datasets.name, name)).orderBy(desc(datasets.createdAt)).limit(1))[0];
}

export async function listDatasets(db: Db): Promise<DatasetRow[]> {
  return db.select().from(datasets).orderBy(asc(datasets.name));
}

export async function listPapers(db: Db): Promise<(typeof papers.$inferSelect)[]> {
  return db.select().from(papers).orderBy(asc(papers.id));
}

export async function listClaims(db: Db, paperId?: string): Promise<ClaimRow[]> {
  const q = db.select().from(claims);
  return (paperId ? q.where(eq(claims.paperId, paperId)) : q).orderBy(asc(claims.paperId), asc(claims.id));
}

/**
 * Completed runs whose recipe targets at least one claim and whose judgements were not stored under
 * `judgeVersion` (never judged, or judged by an older judge or registry), newest first, at most
 * `limit`: what the claims matrix judges lazily before it reads the stored judgements. Reads the
 * runs' own marker (runs.judged_version), one row per run.
 */
export async function completedRunsWithoutJudgement(db: Db, judgeVersion: string, limit: number): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select r.id from ${runs} r
    where r.status = 'completed'
      and r.judged_version is distinct from ${judgeVersion}
      and r.recipe_id in (select rc.id from ${recipes} rc where jsonb_array_length(coalesce(rc.document -> 'targets', '[]'::jsonb)) > 0)
    order by r.created_at desc, r.id desc
    limit ${limit}`);
  return rows.rows.map((r) => r.id);
}

/**
 * Stores judgements, one row per (run, claim): a row already there (an older judge version, or
 * another process that judged the same run at the same time) is overwritten, never duplicated.
 * Rows must be unique per (run, claim) within one call. Written in (run, claim) order, so writers
 * that overlap take the rows' locks in one order and cannot deadlock; 1,000 rows a statement.
 * `judged`: the runs these rows judge completely, marked as judged under `version` afterwards.
 */
export async function upsertClaimJudgements(db: Db, rows: NewClaimJudgement[], judged: { runIds: readonly string[]; version: string }): Promise<void> {
  const cols = ['judgeVersion', 'verdict', 'verdictRank', 'label', 'statement', 'fidelity', 'fidelityRank', 'scale', 'recipe', 'reproduced', 'intervalLow', 'intervalHigh', 'test', 'hypothesis', 'seeds', 'runCreatedAt'] as const;
  const set = Object.fromEntries(cols.map((k) => [k, sql.raw(`excluded.${claimJudgements[k].name}`)]));
  const key = (r: NewClaimJudgement) => `${r.runId}\u0000${r.claimId}`;
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 1000) {
    await db
      .insert(claimJudgements)
      .values(sorted.slice(i, i + 1000))
      .onConflictDoUpdate({ target: [claimJudgements.runId, claimJudgements.claimId], set: { ...set, judgedAt: sql`now()` } });
  }
  // Then the runs' marker: a crash between the two leaves a run judged again later, never skipped.
  if (judged.runIds.length) await db.update(runs).set({ judgedVersion: judged.version }).where(inArray(runs.id, [...judged.runIds]));
}

/** A run's stored judgements (any version), by claim id. */
export async function runClaimJudgements(db: Db, runId: string): Promise<ClaimJudgementRow[]> {
  return db.select().from(claimJudgements).where(eq(claimJudgements.runId, runId)).orderBy(asc(claimJudgements.claimId));
}

/**
 * Each claim's best judgement under `judgeVersion` over every run that judged it (decisive before
 * inconclusive before not comparable, then higher fidelity, then the newer run), with how many
 * runs judged it: per claim one probe of claim_judgements_best_idx (in its order: DESC NULLS LAST),
 * and one count over the claims' rows — not a re-judging of runs.
 */
export async function bestClaimJudgements(db: Db, judgeVersion: string, claimIds?: readonly string[]): Promise<(ClaimJudgementRow & { runsJudged: number })[]> {
  if (claimIds && !claimIds.length) return [];
  const only = (col: SQL) => (claimIds ? sql`and ${col} in (${sql.join(claimIds.map((c) => sql`${c}`), sql`, `)})` : sql``);
  const [best, counts] = await Promise.all([
    db.execute<Record<string, unknown>>(sql`
      select b.* from ${claims} c cross join lateral (
        select j.* from ${claimJudgements} j
        where j.claim_id = c.id and j.judge_version = ${judgeVersion}
        order by j.verdict_rank desc nulls last, j.fidelity_rank desc nulls last, j.run_created_at desc nulls last, j.run_id desc nulls last
        limit 1
      ) b
      where true ${only(sql`c.id`)}
      order by c.id`),
    db.execute<{ claim_id: string; n: number }>(sql`
      select j.claim_id, count(*)::int as n from ${claimJudgements} j
      where j.judge_version = ${judgeVersion} ${only(sql`j.claim_id`)}
      group by j.claim_id`),
  ]);
  const n = new Map(counts.rows.map((r) => [r.claim_id, Number(r.n)]));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return best.rows.map((r) => ({
    runId: r.run_id as string,
    claimId: r.claim_id as string,
    judgeVersion: r.judge_version as string,
    verdict: r.verdict as string,
    verdictRank: Number(r.verdict_rank),
    label: r.label as string,
    statement: (r.statement as string | null) ?? null,
    fidelity: r.fidelity as string,
    fidelityRank: Number(r.fidelity_rank),
    scale: r.scale as string,
    recipe: r.recipe as string,
    reproduced: num(r.reproduced),
    intervalLow: num(r.interval_low),
    intervalHigh: num(r.interval_high),
    test: (r.test as string | null) ?? null,
    hypothesis: (r.hypothesis as string | null) ?? null,
    seeds: num(r.seeds),
    runCreatedAt: new Date(r.run_created_at as string | Date),
    judgedAt: new Date(r.judged_at as string | Date),
    runsJudged: n.get(r.claim_id as string) ?? 0,
  }));
}

export async function getClaims(db: Db, ids: string[]): Promise<ClaimRow[]> {
  if (!ids.length) return [];
  return db.select().from(claims).where(inArray(claims.id, ids));
}
