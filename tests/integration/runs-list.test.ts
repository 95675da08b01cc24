/**
 * The runs list at scale, through the API on the test database (PGlite, then Postgres): paging,
 * every sort, every filter and search are computed by the database and agree with the same rules
 * applied in JavaScript; bad input is refused naming the field; `reprolab runs` passes the filters.
 * The runs are stored directly (no worker) with known times, statuses and tags, under names unique
 * to this file so runs from other test files never enter the expectations.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { eq, inArray } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { createRun, insertMetrics, ensureStep, saveRecipe, schema, type Db } from '@reprolab/db';
import { connect, issueToken, testDb, trainEvalRecipe, type Api, runCli } from '../support/harness';

const TOKEN = `rlx${process.pid}`; // in every run id and recipe name of this file
const GAP_PAPER = '2106.09857';
const STATUSES = ['completed', 'failed', 'running', 'queued', 'cancelled', 'paused'] as const;
const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

interface Seeded {
  id: string;
  recipe: string;
  status: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  tags: string[];
  paper: boolean;
}

let api: Api;
let db: Db;
const seeded: Seeded[] = [];

async function refusal(call: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await call();
  } catch (e) {
    assert.ok(e instanceof TRPCError, String(e));
    return e;
  }
  assert.fail('the call was allowed');
}

before(async () => {
  ({ api, db } = await connect());
  const recipes = [
    { name: `${TOKEN}-alpha`, papers: [GAP_PAPER] },
    { name: `${TOKEN}-beta`, papers: [] },
  ];
  const stored = [];
  for (const r of recipes) {
    const doc = { name: r.name, version: 1, papers: r.papers, steps: [{ id: 'pretrain', kind: 'pretrain' }] };
    stored.push(await saveRecipe(db, { name: r.name, contentHash: `sha256:${r.name}`, document: doc, source: JSON.stringify(doc) }));
  }
  for (let i = 0; i < 30; i++) {
    const recipe = stored[i % 3 === 0 ? 1 : 0]!;
    const status = STATUSES[i % STATUSES.length]!;
    // Created one day apart, but in a shuffled order (i * 7 mod 30), so no sort follows insertion.
    const createdAt = T0 + ((i * 7) % 30) * DAY;
    const startedAt = status === 'queued' ? null : createdAt + (i % 5) * 60_000;
    const finishedAt = ['completed', 'failed', 'cancelled'].includes(status) ? startedAt! + ((i * 11) % 17) * 60_000 + 1000 : null;
    const tags = [...(i % 4 === 0 ? ['nightly'] : []), ...(i % 5 === 0 ? ['ablation'] : [])];
    const id = `${String(i).padStart(2, '0')}${TOKEN}-${recipe.name.endsWith('alpha') ? 'a' : 'b'}`;
    await createRun(db, { id, recipeId: recipe.id, workflowId: `run-${id}`, seed: i, force: false, scale: 'proxy', tags });
    await db
      .update(schema.runs)
      .set({ status, createdAt: new Date(createdAt), startedAt: startedAt === null ? null : new Date(startedAt), finishedAt: finishedAt === null ? null : new Date(finishedAt) })
      .where(eq(schema.runs.id, id));
    seeded.push({ id, recipe: recipe.name, status, createdAt, startedAt, finishedAt, tags, paper: recipe.name.endsWith('alpha') });
  }
});

/** Every run of this file that matches `input`, paging through with `limit`. */
async function all(input: Record<string, unknown>, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await api.runs.list({ search: TOKEN, ...input, limit, offset } as Parameters<Api['runs']['list']>[0]);
    assert.equal(page.offset, offset);
    assert.equal(page.limit, limit);
    ids.push(...page.runs.map((r) => r.id));
    if (page.runs.length < limit) {
      assert.equal(ids.length, page.total, 'total counts every match');
      return ids;
    }
  }
}

/** The order the API promises: the key (nulls after every value ascending, before them descending), then created, then id. */
function expected(rows: Seeded[], sort: string, dir: 'asc' | 'desc'): string[] {
  const key = (r: Seeded): (string | number | null)[] =>
    ({
      created: [r.createdAt, r.id],
      started: [r.startedAt, r.id],
      ended: [r.finishedAt, r.id],
      status: [r.status, r.createdAt, r.id],
      recipe: [r.recipe, r.createdAt, r.id],
    })[sort]!;
  const cmp = (a: (string | number | null)[], b: (string | number | null)[]) => {
    for (let i = 0; i < a.length; i++) {
      const [x, y] = [a[i] ?? null, b[i] ?? null];
      if (x === y) continue;
      if (x === null) return 1; // nulls last ascending
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
  const sorted = [...rows].sort((a, b) => cmp(key(a), key(b)));
  return (dir === 'asc' ? sorted : sorted.reverse()).map((r) => r.id);
}

test(`[RUNSLIST/${testDb()}] pages cover every match once, in order, with the total`, async () => {
  const first = await api.runs.list({ search: TOKEN, limit: 7 });
  assert.equal(first.total, 30);
  assert.equal(first.runs.length, 7);
  assert.deepEqual(await all({}), expected(seeded, 'created', 'desc'));
  // a page past the end is empty but still counts the matches
  const past = await api.runs.list({ search: TOKEN, limit: 10, offset: 40 });
  assert.deepEqual([past.runs.length, past.total], [0, 30]);
  // rows carry the recipe and the tags
  const r = first.runs.find((x) => x.tags.length)!;
  assert.deepEqual(r.tags, seeded.find((s) => s.id === r.id)!.tags);
  assert.equal(r.recipeVersion, 1);
});

test(`[RUNSLIST/${testDb()}] every sort key, both directions, agrees with the rule (ties by created, then id; unset dates last ascending)`, async () => {
  for (const sort of ['created', 'started', 'ended', 'status', 'recipe'] as const) {
    for (const dir of ['asc', 'desc'] as const) {
      assert.deepEqual(await all({ sort, dir }), expected(seeded, sort, dir), `${sort} ${dir}`);
    }
  }
});

test(`[RUNSLIST/${testDb()}] filters: status (one or several), recipe, paper, tag, created date range, search`, async () => {
  const ids = (f: (r: Seeded) => boolean) => expected(seeded.filter(f), 'created', 'desc');
  assert.deepEqual(await all({ status: 'failed' }), ids((r) => r.status === 'failed'));
  assert.deepEqual(await all({ status: ['running', 'paused'] }), ids((r) => r.status === 'running' || r.status === 'paused'));
  assert.deepEqual(await all({ recipe: `${TOKEN}-beta` }), ids((r) => r.recipe.endsWith('beta')));
  assert.deepEqual(await all({ paper: GAP_PAPER }), ids((r) => r.paper));
  assert.deepEqual(await all({ tag: 'nightly' }), ids((r) => r.tags.includes('nightly')));
  // a bare `to` date includes that whole day; `from` starts at its midnight (UTC)
  const from = new Date(T0 + 10 * DAY).toISOString().slice(0, 10);
  const to = new Date(T0 + 19 * DAY).toISOString().slice(0, 10);
  assert.deepEqual(await all({ from, to }), ids((r) => r.createdAt >= T0 + 10 * DAY && r.createdAt < T0 + 20 * DAY));
  assert.deepEqual(await all({ from: new Date(T0 + 10 * DAY + 1).toISOString() }), ids((r) => r.createdAt > T0 + 10 * DAY));
  // combined, sorted, paged
  assert.deepEqual(
    await all({ status: ['completed', 'failed', 'cancelled'], paper: GAP_PAPER, sort: 'ended', dir: 'asc' }, 2),
    expected(seeded.filter((r) => r.paper && ['completed', 'failed', 'cancelled'].includes(r.status)), 'ended', 'asc'),
  );
  // search: a case-insensitive substring of the run id or the recipe name; LIKE wildcards are literal
  const one = await api.runs.list({ search: `07${TOKEN.toUpperCase()}` });
  assert.deepEqual(one.runs.map((r) => r.id), [seeded[7]!.id]);
  assert.equal((await api.runs.list({ search: `${TOKEN}-BETA` })).total, 10);
  assert.equal((await api.runs.list({ search: `${TOKEN}%` })).total, 0);
  assert.equal((await api.runs.list({ search: `${TOKEN.slice(0, 3)}_${TOKEN.slice(4)}` })).total, 0);
});

test(`[RUNSLIST/${testDb()}] bad input is refused naming the field and what it accepts`, async () => {
  const bad = async (input: unknown, pattern: RegExp) => {
    const e = await refusal(() => api.runs.list(input as Parameters<Api['runs']['list']>[0]));
    assert.equal(e.code, 'BAD_REQUEST', e.message);
    assert.match(e.message, pattern);
  };
  await bad({ sort: 'size' }, /sort: one of created, started, ended, status, recipe; got "size"/);
  await bad({ dir: 'up' }, /dir: one of asc, desc; got "up"/);
  await bad({ status: 'done' }, /status.*one of queued, running, paused, completed, failed, cancelled/);
  await bad({ limit: 0 }, /limit:/);
  await bad({ limit: 501 }, /limit: at most 500 runs a page/);
  await bad({ offset: -1 }, /offset:/);
  await bad({ limit: 2.5 }, /limit:/);
  await bad({ from: 'yesterday' }, /from: a date \(2026-01-31\) or an ISO date-time/);
  await bad({ from: '2025-02-30' }, /from: not a real date/);
  await bad({ from: '2025-03-01', to: '2025-02-01' }, /from: `from` must be before `to`/);
  await bad({ tag: 'two words' }, /tag: a tag is 1–40 letters/);
  await bad({ colour: 'red' }, /unknown option "colour" \(known: limit, offset, sort/);
  await bad({ search: 'x'.repeat(101) }, /search: at most 100 characters/);
  await bad({ paper: '9999.99999' }, /paper: no paper "9999.99999" in the registry/);
  // a launch with a bad tag is refused before anything is stored
  const before = (await api.runs.list({ limit: 1 })).total;
  const e = await refusal(() => api.runs.launch({ recipe: trainEvalRecipe(`${TOKEN}-launch`), tags: ['has space'] }));
  assert.equal(e.code, 'BAD_REQUEST');
  assert.equal((await api.runs.list({ limit: 1 })).total, before);
});

test(`[RUNSLIST/${testDb()}] a viewer lists runs; without a token the list is refused as before`, async () => {
  const viewer = (await connect({ token: await issueToken('viewer', 'runs-list viewer') })).api;
  assert.equal((await viewer.runs.list({ search: TOKEN, status: 'completed' })).total, seeded.filter((r) => r.status === 'completed').length);
  const filters = await viewer.runs.filters();
  assert.ok(filters.recipes.includes(`${TOKEN}-alpha`));
  assert.ok(filters.tags.includes('nightly') && filters.tags.includes('ablation'));
  assert.ok(filters.papers.some((p) => p.id === GAP_PAPER));
  const none = (await connect({ token: null })).api;
  assert.equal((await refusal(() => none.runs.list({}))).code, 'UNAUTHORIZED');
});

test(`[RUNSLIST/${testDb()}] compare.run and compare.runs read final values and point counts aggregated in the database`, async () => {
  const [a, b] = [seeded[1]!.id, seeded[2]!.id];
  for (const [k, id] of [a, b].entries()) {
    const step = await ensureStep(db, { runId: id, stepKey: 'pretrain', kind: 'pretrain', queue: 'cpu' });
    await insertMetrics(db, [
      ...Array.from({ length: 5 }, (_, i) => ({ runId: id, stepId: step.id, name: 'train_loss', value: 2 - i * 0.1 - k, index: i })),
      { runId: id, stepId: step.id, name: 'test_accuracy', value: 0.9 + k / 100, index: null },
      { runId: id, stepId: null, name: 'wall_seconds', value: 12 + k, index: null },
    ]);
  }
  const c = await api.compare.run({ runId: a });
  assert.deepEqual(
    c.metrics.map((m) => [m.step, m.name, m.value, m.points]),
    [
      ['pretrain', 'train_loss', 2 - 4 * 0.1 - 0, 5],
      ['pretrain', 'test_accuracy', 0.9, 1],
      ['(run)', 'wall_seconds', 12, 1],
    ],
  );
  const many = await api.compare.runs({ runIds: [a, b] });
  assert.deepEqual(many.metrics.find((m) => m.key === 'pretrain.train_loss')?.values, [2 - 4 * 0.1 - 0, 2 - 4 * 0.1 - 1]);
  assert.equal((await refusal(() => api.compare.runs({ runIds: [a, `${TOKEN}-missing`] }))).code, 'NOT_FOUND');
  assert.equal((await refusal(() => api.compare.run({ runId: `${TOKEN}-missing` }))).code, 'NOT_FOUND');
  await db.delete(schema.metrics).where(inArray(schema.metrics.runId, [a, b]));
});

const cli = runCli;

test(`[RUNSLIST/${testDb()}] reprolab runs --status --recipe --limit --json filters through the API; a bad value is named`, async () => {
  const beta = `${TOKEN}-beta`;
  const json = await cli(['runs', '--recipe', beta, '--status', 'completed,failed', '--limit', '2', '--json']);
  assert.equal(json.code, 0, json.out);
  const page = JSON.parse(json.out) as { runs: { id: string }[]; total: number };
  const want = expected(seeded.filter((r) => r.recipe === beta && ['completed', 'failed'].includes(r.status)), 'created', 'desc');
  assert.deepEqual([page.runs.map((r) => r.id), page.total], [want.slice(0, 2), want.length]);
  const text = await cli(['runs', '--recipe', beta, '--sort', 'created:asc', '--limit', '3']);
  assert.equal(text.code, 0, text.out);
  const asc = expected(seeded.filter((r) => r.recipe === beta), 'created', 'asc');
  assert.match(text.out, new RegExp(`${asc[0]}[^\\n]*\\n${asc[1]}[^\\n]*\\n${asc[2]}`));
  assert.match(text.out, /runs 1–3 of 10 \(--limit N, --offset N for more\)/);
  const badStatus = await cli(['runs', '--status', 'done']);
  assert.equal(badStatus.code, 1);
  assert.match(badStatus.out, /status.*one of queued, running/);
  const badLimit = await cli(['runs', '--limit', 'ten']);
  assert.equal(badLimit.code, 1);
  assert.match(badLimit.out, /--limit must be a whole number ≥ 1, got "ten"/);
});
