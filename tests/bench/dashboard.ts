/**
 * `npm run bench:dashboard [-- --json] [--db pglite|postgres] [--runs N] [--points N] [--iterations N] [--explain] [--without-new-indexes] [--lazy-judgements]`
 *
 * Seeds a scratch metadata database with 10,000 runs (each with its recipe's steps, an environment
 * and artifacts), 1,000,000 metric points and the full claims registry, then times the dashboard's
 * server-side work: the API procedures called in-process through a tRPC caller (the dashboard's
 * server components call them the same way; no HTTP), each as a signed-in viewer, so the token
 * check is part of every sample. Reports p50/p95 per query and database.
 *
 * Claim judgements (claim_judgements): seeded the way run completion writes them (judgeAndStore;
 * the first 50 completed runs one at a time, as completion does, timed per run; the rest in
 * batches), so the claims matrix is timed in steady state. --lazy-judgements seeds none: the
 * matrix's own lazy judging fills them, and the calls that catch up are timed on their own.
 *
 * Databases: PGlite served over its socket by db/src/pglite-server.ts in a temp dir (as `reprolab
 * up` runs it), and a Postgres server initdb'd in a temp dir when Debian's postgresql is
 * installed (as the integration tests start it), or the server at --database-url (its database
 * must be empty or a scratch one: the bench fills it).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import pg from 'pg';
import { appRouter, createCallerFactory } from '@reprolab/api';
import { sql } from 'drizzle-orm';
import { judgeAndStore, currentJudgeVersion } from '@reprolab/activities/judgements';
import { completedRunsWithoutJudgement, createDb, createToken, prepareDatabase, saveRecipe, type Db } from '@reprolab/db';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { mulberry32 } from '@reprolab/methods/util/random';
import { parseRecipe, type ValidRecipe } from '@reprolab/recipes';
import { postgresBinDir, startDatabaseServer, type DbTarget } from '../support/servers';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    db: { type: 'string', multiple: true },
    'database-url': { type: 'string' },
    runs: { type: 'string', default: '10000' },
    points: { type: 'string', default: '1000000' },
    iterations: { type: 'string', default: '40' },
    explain: { type: 'boolean', default: false },
    'without-new-indexes': { type: 'boolean', default: false },
    // with --database-url: time the data already there (seeded by an earlier run), seed nothing
    'no-seed': { type: 'boolean', default: false },
    // seed no claim judgements: the claims matrix judges lazily (its catch-up calls are timed apart)
    'lazy-judgements': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const ITERATIONS = Number(values.iterations);
const GOAL_MS = 200;
const log = (s: string) => {
  if (!values.json) process.stderr.write(s + '\n');
};

/** The indexes this branch's migration (0003) adds: --without-new-indexes drops them to show what they buy. */
const NEW_INDEXES = ['runs_started_idx', 'runs_finished_idx', 'runs_status_created_idx', 'runs_recipe_created_idx', 'runs_tags_idx', 'artifacts_run_idx'];

/** Deterministic pseudo-random numbers: every run of the bench seeds the same data. */
const rng = mulberry32;

interface ClaimValue {
  value: number | null;
  hypothesis: string;
}

function claimValues(): Map<string, ClaimValue> {
  const read = (f: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'db', 'data', f), 'utf8')) as { claim_id: string; value: number | null; hypothesis?: string }[];
  return new Map([...read('claims.json'), ...read('orderings.json')].map((c) => [c.claim_id, { value: c.value, hypothesis: c.hypothesis ?? 'value' }]));
}

const STATUSES: [string, number][] = [['completed', 0.85], ['failed', 0.07], ['cancelled', 0.04], ['running', 0.02], ['paused', 0.01], ['queued', 0.01]];
const TAGS = ['baseline', 'ablation', 'nightly', 'sweep', 'paper-check', 'rerun', 'gpu', 'cpu'];

/**
 * Multi-row inserts through unnest(): one statement per batch, one array parameter per column
 * (COPY-like: a 50,000-row batch is one round trip). `select` may rewrite columns (text → text[]).
 */
async function bulk(pool: pg.Pool, table: string, cols: [string, string][], rows: unknown[][], opts: { batch?: number; select?: string } = {}): Promise<void> {
  const batch = opts.batch ?? 50_000;
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch);
    const arrays = cols.map((_, c) => slice.map((r) => r[c] ?? null));
    const args = cols.map(([, t], c) => `$${c + 1}::${t}[]`).join(', ');
    const text = `insert into ${table} (${cols.map(([n]) => n).join(', ')}) select ${opts.select ?? '*'} from unnest(${args}) as u(${cols.map(([n]) => n).join(', ')})`;
    await pool.query(text, arrays);
  }
}

interface Seeded {
  completed: string[];
  seconds: number;
  counts: { runs: number; steps: number; metrics: number; artifacts: number; claims: number; recipes: number };
  /** Claim judgements stored as completion writes them (absent with --lazy-judgements or --no-seed). */
  judgements?: { runs: number; rows: number; seconds: number; perRunMs: number };
}

/** Stores every completed run's claim judgements with the code run completion uses (judgeAndStore). */
async function seedJudgements(url: string, completed: string[]): Promise<NonNullable<Seeded['judgements']>> {
  const h = createDb(url, { maxConnections: 1 });
  try {
    const version = await currentJudgeVersion(h.db);
    const t0 = performance.now();
    let rows = 0;
    // As completion does: one run at a time (timed per run) …
    const single = completed.slice(0, 50);
    for (const id of single) rows += await judgeAndStore(h.db, [id], version);
    const perRunMs = (performance.now() - t0) / Math.max(1, single.length);
    // … then the rest in batches, to keep seeding short.
    for (let i = single.length; i < completed.length; i += 500) rows += await judgeAndStore(h.db, completed.slice(i, i + 500), version);
    await h.db.execute(sql`analyze claim_judgements`);
    return { runs: completed.length, rows, seconds: (performance.now() - t0) / 1000, perRunMs };
  } finally {
    await h.close();
  }
}

async function seed(url: string): Promise<Seeded> {
  const t0 = performance.now();
  const h = createDb(url, { maxConnections: 1 });
  await prepareDatabase(h.db); // migrations and the claims registry
  const recipes: { id: number; recipe: ValidRecipe }[] = [];
  const dir = join(REPO_ROOT, 'workflows', 'recipes');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const parsed = parseRecipe(readFileSync(join(dir, f), 'utf8'), f);
    const row = await saveRecipe(h.db, { name: parsed.recipe.name, contentHash: parsed.contentHash, document: parsed.recipe, source: parsed.source });
    recipes.push({ id: row.id, recipe: parsed.recipe });
  }
  const [{ n: claimCount }] = (await h.db.execute<{ n: number }>(sql`select count(*)::int as n from claims`)).rows as [{ n: number }];
  await h.close();
  const claims = claimValues();
  const rand = rng(12);
  // The run page's timeline, lineage and cache origins: a stream of their own, so the rows above draw the same values as before.
  const randPage = rng(13);
  const DATASET = `sha256:${'d'.repeat(64)}`;
  const now = Date.now();
  const runRows: unknown[][] = [];
  const stepRows: unknown[][] = [];
  const metricRows: unknown[][] = [];
  const envRows: unknown[][] = [];
  const artifactRows: unknown[][] = [];
  const completed: string[] = [];
  let stepId = 0;
  // Each run's share of the points: 40–160 (mean 100), scaled to POINTS in total.
  const shares = Array.from({ length: RUNS }, (_, i) => 40 + ((i * 7919) % 121));
  const shareSum = shares.reduce((a, b) => a + b, 0);
  let pointsLeft = POINTS;
  for (let i = 0; i < RUNS; i++) {
    const { id: recipeId, recipe } = recipes[Math.floor(rand() * recipes.length)]!;
    const id = `${Math.floor(rand() * 0xffffffff).toString(16).padStart(8, '0')}-${recipe.name}`;
    let u = rand();
    const status = STATUSES.find(([, p]) => (u -= p) < 0)?.[0] ?? 'completed';
    const created = new Date(now - rand() * 365 * 86_400_000);
    const started = status === 'queued' ? null : new Date(created.getTime() + rand() * 60_000);
    const ended = ['completed', 'failed', 'cancelled'].includes(status) ? new Date(started!.getTime() + 1000 + rand() * 3_600_000) : null;
    const tags = TAGS.filter(() => rand() < 0.12);
    runRows.push([id, recipeId, `run-${id}`, Math.floor(rand() * 1000), false, status, recipe.scale, status === 'failed' ? 'step failed: out of memory' : null, created.toISOString(), started?.toISOString(), ended?.toISOString(), tags.join(',')]);
    if (status === 'completed') completed.push(id);
    const stepIds = new Map<string, number>();
    for (const s of recipe.steps) {
      stepId++;
      stepIds.set(s.id, stepId);
      const cacheHit = rand() < 0.2;
      const at = (ms: number) => (started ? new Date(started.getTime() + ms).toISOString() : null);
      // Inputs: the dataset, and for one step in three a model stored by the run before (its producer is looked up).
      const inputs = status === 'queued' ? null : JSON.stringify({ dataset: DATASET, ...(i > 0 && randPage() < 0.33 ? { teacher: `${(i - 1).toString(16).padStart(8, '0')}1`.padEnd(64, '0') } : {}) });
      const queued = Math.floor(randPage() * 200);
      stepRows.push([
        stepId, id, s.id, s.kind, s.queue, status === 'queued' ? 'pending' : status === 'completed' ? 'completed' : 'cancelled', 1, cacheHit, started?.toISOString(), ended?.toISOString(),
        inputs, at(-300), cacheHit ? null : at(50), cacheHit ? null : at(50 + queued), cacheHit ? 0 : queued, randPage() < 0.05 ? 1 : 0, cacheHit && stepId > 1 ? 1 + Math.floor(randPage() * (stepId - 1)) : null,
      ]);
    }
    envRows.push([id, 'git:0123456789abcdef', 'sha256:lock', 'v22.0.0', 'cpu [js]', 0, 'bench-host', 'linux-x64']);
    for (let a = 0; a < 3; a++) {
      const sha = `${i.toString(16).padStart(8, '0')}${a}`.padEnd(64, '0');
      artifactRows.push([sha, 1000 + a, a === 0 ? 'checkpoint' : 'model', `artifact-${a}`, 'reprolab', `runs/${id}/${a}`, id, stepIds.values().next().value ?? null]);
    }
    // Final values for every target the recipe compares (near the paper's number), then a loss series.
    let budget = i === RUNS - 1 ? pointsLeft : Math.min(pointsLeft, Math.round((shares[i]! * POINTS) / shareSum));
    const push = (step: string, name: string, value: number, index: number | null) => {
      if (budget <= 0) return;
      budget--;
      pointsLeft--;
      metricRows.push([id, stepIds.get(step) ?? null, name, value, index]);
    };
    if (status === 'completed') {
      for (const t of recipe.targets) {
        const c = claims.get(t.claim);
        const dot = t.metric.indexOf('.');
        const [step, name] = [t.metric.slice(0, dot), t.metric.slice(dot + 1)];
        const base = (c?.value ?? 0.5) / (t.scaleBy ?? 1);
        const v = base * (1 + (rand() - 0.5) * 0.04);
        if (c && c.hypothesis !== 'value') {
          const stem = name.endsWith('_mean') ? name.slice(0, -5) : name;
          push(step, `${stem}_mean`, v, null);
          push(step, `${stem}_lower`, v - Math.abs(base) * 0.02, null);
          push(step, `${stem}_upper`, v + Math.abs(base) * 0.02, null);
          push(step, `${stem}_n`, 3, null);
        } else push(step, name, v, null);
      }
    }
    const train = recipe.steps.find((s) => ['pretrain', 'growPrune', 'distill'].includes(s.kind))?.id ?? recipe.steps[0]!.id;
    for (let k = 0; budget > 0; k++) push(train, 'train_loss', 2.3 * Math.exp(-k / 40) + rand() * 0.05, k);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const ts = 'timestamptz';
    await bulk(
      pool,
      'runs',
      [['id', 'text'], ['recipe_id', 'int'], ['workflow_id', 'text'], ['seed', 'int'], ['force', 'bool'], ['status', 'text'], ['scale', 'text'], ['error', 'text'], ['created_at', ts], ['started_at', ts], ['finished_at', ts], ['tags', 'text']],
      runRows,
      // tags travel comma-joined: unnest cannot hand out one array per row
      { select: "id, recipe_id, workflow_id, seed, force, status, scale, error, created_at, started_at, finished_at, case when tags = '' then '{}'::text[] else string_to_array(tags, ',') end" },
    );
    await bulk(
      pool,
      'steps',
      [['id', 'int'], ['run_id', 'text'], ['step_key', 'text'], ['kind', 'text'], ['queue', 'text'], ['status', 'text'], ['attempts', 'int'], ['cache_hit', 'bool'], ['started_at', ts], ['finished_at', ts], ['inputs', 'jsonb'], ['ready_at', ts], ['scheduled_at', ts], ['picked_up_at', ts], ['queued_ms', 'bigint'], ['retries', 'int'], ['cached_from_step_id', 'int']],
      stepRows,
    );
    await pool.query(`select setval(pg_get_serial_sequence('steps', 'id'), (select max(id) from steps))`);
    await bulk(pool, 'run_environments', [['run_id', 'text'], ['code_version', 'text'], ['lockfile_hash', 'text'], ['node_version', 'text'], ['tensor_backend', 'text'], ['seed', 'int'], ['host', 'text'], ['platform', 'text']], envRows);
    await bulk(pool, 'artifacts', [['sha256', 'text'], ['size', 'bigint'], ['kind', 'text'], ['name', 'text'], ['bucket', 'text'], ['key', 'text'], ['run_id', 'text'], ['step_id', 'int']], artifactRows);
    log(`  runs, steps, environments, artifacts stored (${((performance.now() - t0) / 1000).toFixed(1)} s); metrics…`);
    // Bulk-load practice: build the secondary index once over the loaded rows, not row by row.
    await pool.query('drop index if exists metrics_run_name_idx');
    await bulk(pool, 'metrics', [['run_id', 'text'], ['step_id', 'int'], ['name', 'text'], ['value', 'float8'], ['index', 'int']], metricRows);
    await pool.query('create index metrics_run_name_idx on metrics using btree (run_id, name)');
    await pool.query('analyze');
  } finally {
    await pool.end();
  }
  return { completed, seconds: (performance.now() - t0) / 1000, counts: { runs: runRows.length, steps: stepRows.length, metrics: metricRows.length, artifacts: artifactRows.length, claims: claimCount, recipes: recipes.length } };
}

/** What an earlier run seeded at `url` (--no-seed). */
async function existing(url: string): Promise<Seeded> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const n = async (q: string) => Number((await pool.query<{ n: string }>(q)).rows[0]!.n);
    const completed = (await pool.query<{ id: string }>(`select id from runs where status = 'completed' order by id`)).rows.map((r) => r.id);
    const counts = { runs: await n('select count(*) n from runs'), steps: await n('select count(*) n from steps'), metrics: await n('select count(*) n from metrics'), artifacts: await n('select count(*) n from artifacts'), claims: await n('select count(*) n from claims'), recipes: await n('select count(*) n from recipes') };
    return { completed, seconds: 0, counts };
  } finally {
    await pool.end();
  }
}

interface Timing {
  query: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Times `fn` (after two warm-up calls) ITERATIONS times, or for at most 30 s. */
async function time(query: string, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  await fn(0);
  await fn(1);
  const xs: number[] = [];
  const start = performance.now();
  for (let i = 0; i < ITERATIONS && (i < 5 || performance.now() - start < 30_000); i++) {
    const t = performance.now();
    await fn(i + 2);
    xs.push(performance.now() - t);
  }
  const r = { query, samples: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) };
  log(`  ${query.padEnd(58)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p95 ${r.p95.toFixed(1).padStart(7)} ms`);
  return r;
}

/** The runs list views the benchmark times: the home page's default and the filtered, sorted, paged ones. */
const LIST_CASES: { label: string; input: Record<string, unknown> }[] = [
  { label: 'runs.list default (newest first, page 1 of 50)', input: { limit: 50 } },
  { label: 'runs.list status+recipe, by ended desc, page 3', input: { status: 'completed', recipe: 'gap-proxy', sort: 'ended', dir: 'desc', limit: 50, offset: 100 } },
  { label: 'runs.list paper+last 90 days, by started asc, page 2', input: { paper: '2105.11683', from: new Date(Date.now() - 90 * 86_400_000).toISOString(), sort: 'started', dir: 'asc', limit: 50, offset: 50 } },
  { label: 'runs.list tag+status, by status', input: { tag: 'nightly', status: ['failed', 'cancelled'], sort: 'status', limit: 50 } },
  { label: 'runs.list search "csd", by recipe, page 4', input: { search: 'csd', sort: 'recipe', dir: 'asc', limit: 50, offset: 150 } },
  { label: 'runs.list deep page (offset 9,000)', input: { limit: 50, offset: Math.max(0, RUNS - 1000) } },
];

async function bench(target: string, url: string): Promise<{ target: string; seed: Seeded; timings: Timing[]; explain?: Record<string, string> }> {
  log(`\n━━ ${target}: ${values['no-seed'] ? 'the data already there' : `seeding ${RUNS.toLocaleString('en')} runs and ${POINTS.toLocaleString('en')} metric points`}`);
  const seeded = values['no-seed'] ? await existing(url) : await seed(url);
  log(`  seeded in ${seeded.seconds.toFixed(1)} s: ${JSON.stringify(seeded.counts)}`);
  if (!values['no-seed'] && !values['lazy-judgements']) {
    seeded.judgements = await seedJudgements(url, seeded.completed);
    const j = seeded.judgements;
    log(`  claim judgements of ${j.runs.toLocaleString('en')} completed runs stored as completion writes them: ${j.rows.toLocaleString('en')} rows in ${j.seconds.toFixed(1)} s (${j.perRunMs.toFixed(1)} ms a run judged alone)`);
  }
  const h = createDb(url, { maxConnections: 4 });
  try {
    if (values['without-new-indexes']) {
      for (const ix of NEW_INDEXES) await h.db.execute(sql.raw(`drop index if exists "${ix}"`));
      // and main's runs_created_idx, on created_at alone (this branch adds the id)
      await h.db.execute(sql.raw('drop index if exists "runs_created_idx"; create index "runs_created_idx" on "runs" ("created_at")'));
      log(`  dropped this branch's indexes: ${NEW_INDEXES.join(', ')}`);
    }
    const { token } = await createToken(h.db, { role: 'viewer', name: 'bench' });
    // No Temporal: the timed procedures read only the database (the run page's live progress is
    // asked of Temporal only for unfinished runs, and the bench opens completed ones).
    const api = createCallerFactory(appRouter)({ db: h.db, temporal: new Client(), recipesDir: join(REPO_ROOT, 'workflows', 'recipes'), token, store: null });
    const timings: Timing[] = [];
    for (const c of LIST_CASES) timings.push(await time(c.label, () => api.runs.list(c.input as Parameters<typeof api.runs.list>[0])));
    if (values['lazy-judgements'] || values['no-seed']) {
      // The matrix judges runs without a current judgement itself, a bounded batch a call: time
      // the calls that catch up on their own, so the timing below is the steady state.
      const xs: number[] = [];
      for (let more = true; more && xs.length < 100; ) {
        const t = performance.now();
        const before = await pendingRuns(h.db);
        await api.claims.standing({});
        xs.push(performance.now() - t);
        more = before > 0 && (await pendingRuns(h.db)) > 0;
      }
      timings.push({ query: 'claims.standing catching up (lazy judging, ≤ 1,000 runs a call)', samples: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) });
      log(`  claims.standing caught up in ${xs.length} call(s), ${(xs.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
    }
    timings.push(await time('claims.standing (the papers matrix, every claim)', () => api.claims.standing({})));
    const pick = rng(7);
    const hundred = () => {
      const ids = new Set<string>();
      while (ids.size < Math.min(100, seeded.completed.length)) ids.add(seeded.completed[Math.floor(pick() * seeded.completed.length)]!);
      return [...ids];
    };
    timings.push(await time('compare.runs over 100 runs', () => api.compare.runs({ runIds: hundred() })));
    timings.push(
      await time("a run's page (runs.get, 2× metrics.series, compare.run, recipes.get)", async (i) => {
        const runId = seeded.completed[(i * 7919) % seeded.completed.length]!;
        const [run] = await Promise.all([
          api.runs.get({ runId }),
          api.metrics.series({ runId, name: 'train_loss' }),
          api.metrics.series({ runId, prefix: 'sweep_' }),
          api.compare.run({ runId }),
        ]);
        if (run.recipe) await api.recipes.get({ id: run.recipe.id });
      }),
    );
    let explain: Record<string, string> | undefined;
    if (values.explain) explain = await explainAll(h.db);
    return { target, seed: seeded, timings, explain };
  } finally {
    await h.close();
  }
}

/** Completed runs with targets and no judgement under the current judge version. */
async function pendingRuns(db: Db): Promise<number> {
  return (await completedRunsWithoutJudgement(db, await currentJudgeVersion(db), 1_000_000)).length;
}

/** EXPLAIN (ANALYZE) of the statements behind the runs list and the other timed queries. */
async function explainAll(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const sample = (await db.execute<{ id: string }>(sql`select id from runs where status = 'completed' order by created_at desc limit 1`)).rows[0]!.id;
  const from = new Date(Date.now() - 90 * 86_400_000).toISOString();
  // 100 completed runs as literals, the way finalMetrics sends them
  const hundred = (await db.execute<{ id: string }>(sql`select id from runs where status = 'completed' order by md5(id) limit 100`)).rows.map((r) => `'${r.id}'`).join(', ');
  const list = `select r.*, rc.name, rc.version from runs r join recipes rc on r.recipe_id = rc.id`;
  const version = await currentJudgeVersion(db);
  const statements: Record<string, string> = {
    'runs.list default': `${list} order by r.created_at desc, r.id desc limit 50`,
    'runs.list count (no filter)': `select count(*) from runs r join recipes rc on r.recipe_id = rc.id`,
    'runs.list status+recipe by ended': `${list} where r.status = 'completed' and rc.name = 'gap-proxy' order by r.finished_at desc, r.id desc limit 50 offset 100`,
    'runs.list paper+date by started': `${list} where (rc.document -> 'papers') @> '["2105.11683"]'::jsonb and r.created_at >= '${from}' order by r.started_at asc, r.id asc limit 50 offset 50`,
    'runs.list tag+status by status': `${list} where r.status in ('failed','cancelled') and r.tags @> array['nightly']::text[] order by r.status desc, r.created_at desc, r.id desc limit 50`,
    'runs.list search by recipe': `${list} where (r.id ilike '%csd%' or rc.name ilike '%csd%') order by rc.name asc, r.created_at asc, r.id asc limit 50 offset 150`,
    'runs.list deep page': `${list} order by r.created_at desc, r.id desc limit 50 offset ${Math.max(0, RUNS - 1000)}`,
    "a run's metrics (compare.run, metrics.series)": `select m.*, s.step_key from metrics m left join steps s on m.step_id = s.id where m.run_id = '${sample}' order by m.id`,
    "a run's artifacts": `select * from artifacts where run_id = '${sample}' order by id`,
    'claims matrix: completed runs without a current judgement': `select r.id from runs r where r.status = 'completed' and r.judged_version is distinct from '${version}' and r.recipe_id in (select rc.id from recipes rc where jsonb_array_length(coalesce(rc.document -> 'targets', '[]'::jsonb)) > 0) order by r.created_at desc, r.id desc limit 100`,
    'claims matrix: best judgement per claim over all runs': `select b.* from claims c cross join lateral (select j.* from claim_judgements j where j.claim_id = c.id and j.judge_version = '${version}' order by j.verdict_rank desc nulls last, j.fidelity_rank desc nulls last, j.run_created_at desc nulls last, j.run_id desc nulls last limit 1) b order by c.id`,
    'claims matrix: runs that judged each claim': `select j.claim_id, count(*)::int as n from claim_judgements j where j.judge_version = '${version}' group by j.claim_id`,
    'final metrics of 100 runs (compare.runs)': `select run_id, step_id, name, (array_agg(value order by id desc))[1] as value, count(*)::int as points from metrics where run_id in (${hundred}) group by 1, 2, 3 order by 1, min(id)`,
    'their step keys': `select id, step_key from steps where run_id in (${hundred})`,
    'final target metrics of 100 runs (claims matrix)': `select run_id, step_id, name, (array_agg(value order by id desc))[1] as value, count(*)::int as points from metrics where run_id in (${hundred}) and name in ('geomean_speedup', 'geomean_speedup_mean', 'test_accuracy', 'psnr_y_mean') group by 1, 2, 3 order by 1, min(id)`,
  };
  for (const [k, q] of Object.entries(statements)) {
    const rows = (await db.execute<{ 'QUERY PLAN': string }>(sql.raw(`explain (analyze, costs off, timing off, summary off) ${q}`))).rows;
    out[k] = rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  return out;
}

async function main(): Promise<void> {
  const targets = (values.db ?? (values['database-url'] ? ['postgres'] : postgresBinDir() ? ['pglite', 'postgres'] : ['pglite'])) as DbTarget[];
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', loadBefore: load(), loadAfter: '' };
  log(`machine: ${machine.cpus} × ${machine.cpu}; load average ${machine.loadBefore}`);
  if (!postgresBinDir() && !values['database-url'] && !values.db) log('no Postgres server installed (apt-get install postgresql) and no --database-url: PGlite only');
  const scratch = mkdtempSync(join(tmpdir(), 'reprolab-bench-'));
  chmodSync(scratch, 0o755); // a Postgres server runs as the postgres user and must reach its data dir
  const results = [];
  try {
    for (const target of targets) {
      if (target === 'postgres' && values['database-url']) {
        results.push(await bench('postgres', values['database-url']));
        continue;
      }
      const server = await startDatabaseServer(mkdtempSync(join(scratch, `${target}-`)), target);
      try {
        results.push(await bench(target, server.url));
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  machine.loadAfter = load();
  const doc = { goalP95Ms: GOAL_MS, runs: RUNS, points: POINTS, iterations: ITERATIONS, withoutNewIndexes: values['without-new-indexes'], timedIn: 'in-process tRPC caller (createCallerFactory(appRouter)), no HTTP', machine, results };
  if (values.json) {
    console.log(JSON.stringify(doc, null, 2));
    return;
  }
  for (const r of results) {
    console.log(`\n${r.target}: ${r.seed.counts.runs.toLocaleString('en')} runs, ${r.seed.counts.steps.toLocaleString('en')} steps, ${r.seed.counts.metrics.toLocaleString('en')} metric points, ${r.seed.counts.claims} claims (seeded in ${r.seed.seconds.toFixed(1)} s)`);
    const j = r.seed.judgements;
    console.log(j ? `claim judgements: ${j.rows.toLocaleString('en')} rows for ${j.runs.toLocaleString('en')} completed runs, written as completion writes them in ${j.seconds.toFixed(1)} s (${j.perRunMs.toFixed(1)} ms a run judged alone)` : 'claim judgements: none seeded; filled by the claims matrix lazily');
    console.log(`${'query'.padEnd(70)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  ${'n'.padStart(3)}  goal`);
    for (const t of r.timings) console.log(`${t.query.padEnd(70)} ${t.p50.toFixed(1).padStart(8)} ${t.p95.toFixed(1).padStart(8)}  ${String(t.samples).padStart(3)}  ${t.p95 < GOAL_MS ? 'ok' : `OVER ${GOAL_MS} ms`}`);
    if (r.explain) for (const [k, plan] of Object.entries(r.explain)) console.log(`\nEXPLAIN ANALYZE ${k}:\n${plan}`);
  }
  console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}; load average before ${machine.loadBefore}, after ${machine.loadAfter}; timed in-process through a tRPC caller (no HTTP)`);
}

await main();
