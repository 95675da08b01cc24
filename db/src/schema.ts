/**
 * The metadata schema. One schema serves the embedded PGlite database and a Postgres server.
 * Everything large (datasets, checkpoints, reports) lives in the object store; rows here point at it
 * by sha256 so lineage (artifact → step → run) stays queryable.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const papers = pgTable('papers', {
  id: text('id').primaryKey(), // arXiv id, e.g. 2106.09857
  short: text('short').notNull(),
  title: text('title'),
});

export const claims = pgTable(
  'claims',
  {
    id: text('id').primaryKey(), // claim_id from the registry
    paperId: text('paper_id')
      .notNull()
      .references(() => papers.id),
    task: text('task'),
    dataset: text('dataset'),
    model: text('model'),
    setting: text('setting'),
    metric: text('metric').notNull(),
    unit: text('unit'),
    // null for a qualitative claim that states no number ("matches dense at 80 %")
    value: doublePrecision('value'),
    higherIsBetter: boolean('higher_is_better'),
    kind: text('kind').notNull(), // absolute | relative | ordering
    // what a reproduction must show: value (within a tolerance) | superiority | non-inferiority
    hypothesis: text('hypothesis').notNull().default('value'),
    margin: doublePrecision('margin'), // non-inferiority margin, in the claim's unit
    statement: text('statement'), // the claim in words, for orderings
    derivedFrom: jsonb('derived_from'), // claim ids an ordering was computed from
    baseline: text('baseline'),
    source: text('source'),
    confidence: text('confidence'),
    note: text('note'),
  },
  (t) => [index('claims_paper_idx').on(t.paperId)],
);

export const recipes = pgTable(
  'recipes',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    document: jsonb('document').notNull(),
    source: text('source').notNull(), // the text as the user wrote it
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('recipes_name_version_idx').on(t.name, t.version),
    uniqueIndex('recipes_hash_idx').on(t.contentHash),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    recipeId: integer('recipe_id')
      .notNull()
      .references(() => recipes.id),
    workflowId: text('workflow_id').notNull(),
    seed: integer('seed').notNull(),
    force: boolean('force').notNull().default(false),
    status: text('status').notNull(), // queued | running | paused | completed | failed | cancelled
    scale: text('scale').notNull(), // proxy | full
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Free labels given at launch (`reprolab run --tag baseline`), filterable in the runs list. */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /**
     * The judge version this run's claim judgements (claim_judgements) were stored under, set after
     * them: "which completed runs still need judging" reads one row per run, not one per claim.
     */
    judgedVersion: text('judged_version'),
  },
  // The runs list filters and sorts on the server (queries.ts listRunsPage): each sort key with
  // the id as tie-breaker so an ordered, LIMITed page is an index scan; status and recipe with the
  // default order (newest first) for the common filtered views; tags through GIN (`tags @> …`).
  (t) => [
    index('runs_created_idx').on(t.createdAt, t.id),
    index('runs_started_idx').on(t.startedAt, t.id),
    index('runs_finished_idx').on(t.finishedAt, t.id),
    index('runs_status_created_idx').on(t.status, t.createdAt, t.id),
    index('runs_recipe_created_idx').on(t.recipeId, t.createdAt, t.id),
    index('runs_tags_idx').using('gin', t.tags),
  ],
);

/**
 * Each completed run's judgement of each claim its recipe targets, written when the run completes
 * (and lazily by the claims matrix for runs that have none under the current judge version), so a
 * claim's standing is the best judgement over every run, read in one query. `judge_version` names
 * the judge logic and the claims registry it judged against: rows of another version are stale and
 * re-judged (runs.judged_version says which runs have current rows). The ranks and the run's
 * creation time are kept here so "the best judgement per claim" (decisive, then higher fidelity,
 * then newer) is one index probe per claim.
 */
export const claimJudgements = pgTable(
  'claim_judgements',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    claimId: text('claim_id').notNull(),
    judgeVersion: text('judge_version').notNull(),
    verdict: text('verdict').notNull(), // reproduced | not reproduced | inconclusive | not comparable
    verdictRank: smallint('verdict_rank').notNull(), // decisive 3, inconclusive 2, not comparable 1
    label: text('label').notNull(),
    statement: text('statement'),
    fidelity: text('fidelity').notNull(),
    fidelityRank: smallint('fidelity_rank').notNull(), // exact 4, measured 3, modelled-baseline 2, proxy 1
    scale: text('scale').notNull(),
    recipe: text('recipe').notNull(), // name@vN
    reproduced: doublePrecision('reproduced'),
    intervalLow: doublePrecision('interval_low'),
    intervalHigh: doublePrecision('interval_high'),
    test: text('test'),
    hypothesis: text('hypothesis'),
    seeds: integer('seeds'),
    runCreatedAt: timestamp('run_created_at', { withTimezone: true }).notNull(),
    judgedAt: timestamp('judged_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.claimId] }), // serves "per run"
    index('claim_judgements_best_idx').on(t.claimId, t.judgeVersion, t.verdictRank.desc(), t.fidelityRank.desc(), t.runCreatedAt.desc(), t.runId.desc()),
  ],
);

export const steps = pgTable(
  'steps',
  {
    id: serial('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    stepKey: text('step_key').notNull(), // the step's id in the recipe
    kind: text('kind').notNull(),
    queue: text('queue').notNull(),
    status: text('status').notNull(), // pending | running | completed | failed | cancelled | cached
    /** The highest attempt number any of the step's activities reached (0: no compute ran, e.g. a cache hit). */
    attempts: integer('attempts').notNull().default(0),
    fingerprint: text('fingerprint'),
    cacheHit: boolean('cache_hit').notNull().default(false),
    cachedFromStepId: integer('cached_from_step_id'),
    progress: jsonb('progress'), // { done, total, unit, message, metrics }
    outputs: jsonb('outputs'), // { name: sha256 }
    error: text('error'),
    /** Lineage: slot → the digest this step consumed (a dataset or another step's output), as resolved when it began. */
    inputs: jsonb('inputs'),
    /**
     * Orchestration timeline (see queries.ts stepOverhead). ready: the workflow asked to begin the
     * step (its needs were done; Temporal's scheduled time of beginStep). started: beginStep ran
     * (fingerprint, cache lookup). scheduled: its compute work was first put on its task queue.
     * picked up: a worker first began it. queued_ms sums every wait on the queue, over every
     * activity and attempt of the step; retries counts attempts after the first.
     */
    readyAt: timestamp('ready_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    pickedUpAt: timestamp('picked_up_at', { withTimezone: true }),
    queuedMs: bigint('queued_ms', { mode: 'number' }).notNull().default(0),
    retries: integer('retries').notNull().default(0),
    /** Host of the worker that last ran an attempt of it. */
    workerHost: text('worker_host'),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('steps_run_key_idx').on(t.runId, t.stepKey),
    index('steps_fingerprint_idx').on(t.fingerprint),
  ],
);

export const metrics = pgTable(
  'metrics',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    stepId: integer('step_id').references(() => steps.id),
    name: text('name').notNull(),
    value: doublePrecision('value').notNull(),
    // Position in a series (training step, epoch, sweep point); null for a final scalar.
    index: integer('index'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('metrics_run_name_idx').on(t.runId, t.name)],
);

export const artifacts = pgTable(
  'artifacts',
  {
    id: serial('id').primaryKey(),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(), // dataset | checkpoint | model | report
    name: text('name').notNull(),
    bucket: text('bucket').notNull(),
    key: text('key').notNull(),
    runId: text('run_id').references(() => runs.id),
    stepId: integer('step_id').references(() => steps.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // artifacts_run_idx: a run's page lists its artifacts by run (a scan of every artifact otherwise).
  (t) => [index('artifacts_sha_idx').on(t.sha256), index('artifacts_step_idx').on(t.stepId), index('artifacts_run_idx').on(t.runId)],
);

/** Imported datasets, addressed by the sha256 of their stored bytes. */
export const datasets = pgTable('datasets', {
  sha256: text('sha256').primaryKey(),
  name: text('name').notNull(),
  format: text('format').notNull(),
  source: text('source').notNull(),
  trainCount: integer('train_count').notNull(),
  testCount: integer('test_count').notNull(),
  shape: jsonb('shape').notNull(), // [h, w, c]
  classes: integer('classes').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What a run ran on: enough to tell two runs' numbers apart for a reason. */
export const runEnvironments = pgTable('run_environments', {
  runId: text('run_id')
    .primaryKey()
    .references(() => runs.id),
  codeVersion: text('code_version').notNull(),
  lockfileHash: text('lockfile_hash').notNull(),
  nodeVersion: text('node_version').notNull(),
  tensorBackend: text('tensor_backend').notNull(),
  seed: integer('seed').notNull(),
  host: text('host').notNull(),
  platform: text('platform').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * API tokens: the secret is shown once at creation and only its sha256 is kept (tokens are 32
 * random bytes, so a fast hash is enough; no salt needed against guessing).
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role').notNull(), // viewer | operator | admin
    hash: text('hash').notNull(), // hex sha256 of the whole token
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.hash)],
);
