/** Typed queries shared by the worker's activities, the API and the CLI. */
import { and, asc, desc, eq, gt, inArray, isNull, like, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { artifacts, claims, datasets, metrics, papers, recipes, runEnvironments, runs, steps } from './schema';

export type RunRow = typeof runs.$inferSelect;
export type StepRow = typeof steps.$inferSelect;
export type MetricRow = typeof metrics.$inferSelect;
export type ArtifactRow = typeof artifacts.$inferSelect;
export type ClaimRow = typeof claims.$inferSelect;
export type RecipeRow = typeof recipes.$inferSelect;
export type DatasetRow = typeof datasets.$inferSelect;
export type RunEnvironmentRow = typeof runEnvironments.$inferSelect;

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Stores a recipe version. Identical content returns the existing row; a changed recipe under an
 * existing name gets the next version number (never overwriting what earlier runs used).
 */
export async function saveRecipe(db: Db, r: { name: string; contentHash: string; document: unknown; source: string }): Promise<RecipeRow> {
  const existing = await db.select().from(recipes).where(eq(recipes.contentHash, r.contentHash)).limit(1);
  if (existing[0]) return existing[0];
  const [last] = await db.select({ v: sql<number>`max(${recipes.version})` }).from(recipes).where(eq(recipes.name, r.name));
  const version = (last?.v ?? 0) + 1;
  const [row] = await db.insert(recipes).values({ ...r, version }).onConflictDoNothing().returning();
  if (row) return row;
  const again = await db.select().from(recipes).where(eq(recipes.contentHash, r.contentHash)).limit(1);
  if (!again[0]) throw new Error(`could not store recipe ${r.name}`);
  return again[0];
}

export async function listRecipes(db: Db): Promise<RecipeRow[]> {
  return db.select().from(recipes).orderBy(asc(recipes.name), desc(recipes.version));
}

export async function getRecipe(db: Db, id: number): Promise<RecipeRow | undefined> {
  return (await db.select().from(recipes).where(eq(recipes.id, id)).limit(1))[0];
}

export async function createRun(db: Db, r: { id: string; recipeId: number; workflowId: string; seed: number; force: boolean; scale: string }): Promise<RunRow> {
  const [row] = await db.insert(runs).values({ ...r, status: 'queued' }).returning();
  return row!;
}

export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  return (await db.select().from(runs).where(eq(runs.id, id)).limit(1))[0];
}

export async function listRuns(db: Db, limit = 50): Promise<(RunRow & { recipeName: string; recipeVersion: number })[]> {
  const rows = await db
    .select({ run: runs, recipeName: recipes.name, recipeVersion: recipes.version })
    .from(runs)
    .innerJoin(recipes, eq(runs.recipeId, recipes.id))
    .orderBy(desc(runs.createdAt))
    .limit(limit);
  return rows.map((r) => ({ ...r.run, recipeName: r.recipeName, recipeVersion: r.recipeVersion }));
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

export async function insertArtifact(db: Db, a: typeof artifacts.$inferInsert): Promise<ArtifactRow> {
  const [row] = await db.insert(artifacts).values(a).returning();
  return row!;
}

export async function runArtifacts(db: Db, runId: string): Promise<ArtifactRow[]> {
  return db.select().from(artifacts).where(eq(artifacts.runId, runId)).orderBy(asc(artifacts.id));
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
 * Completed runs whose recipe targets at least one claim, newest first, at most `perRecipe` per
 * recipe name (so one recipe run a thousand times cannot crowd out the others).
 */
export async function completedRunsTargetingClaims(db: Db, perRecipe: number): Promise<{ id: string; recipeName: string; createdAt: Date }[]> {
  const rows = await db
    .select({ id: runs.id, recipeName: recipes.name, createdAt: runs.createdAt })
    .from(runs)
    .innerJoin(recipes, eq(runs.recipeId, recipes.id))
    .where(and(eq(runs.status, 'completed'), sql`jsonb_array_length(coalesce(${recipes.document}->'targets', '[]'::jsonb)) > 0`))
    .orderBy(desc(runs.createdAt));
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const n = (seen.get(r.recipeName) ?? 0) + 1;
    seen.set(r.recipeName, n);
    return n <= perRecipe;
  });
}

export async function getClaims(db: Db, ids: string[]): Promise<ClaimRow[]> {
  if (!ids.length) return [];
  return db.select().from(claims).where(inArray(claims.id, ids));
}
