/**
 * Claim judgements persisted (claim_judgements): a run's judgements are stored when it completes;
 * a claim's standing is the best judgement over every run, so one reproduced by a run with 25
 * newer runs of its recipe still stands; judgements of a stale judge version (or of a changed
 * claims registry) are recomputed; concurrent judging of one run stores one row per claim.
 * Runs are stored directly (no worker), with two claims of this file's own added to the registry
 * (and removed after) so other files' runs never decide them.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { eq, inArray, sql } from 'drizzle-orm';
import type { ObjectStore } from '@reprolab/activities';
import { judgeAndStore, currentJudgeVersion } from '@reprolab/activities/judgements';
import { createRun, ensureStep, insertMetrics, runClaimJudgements, saveRecipe, schema, type Db, type RecipeRow } from '@reprolab/db';
import { connect, dbOnly, onCleanup, testDb, type Api } from '../support/harness';

const TOKEN = `cj${process.pid}`;
const PAPER = '2105.11683'; // an existing paper: the claims below join it for the test's life
const C1 = `${TOKEN}-params`;
const C2 = `${TOKEN}-ratio`;
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

let api: Api;
let db: Db;
let store: ObjectStore;
let recipe: RecipeRow;

before(async () => {
  ({ api, db, store } = await connect());
  const claim = (id: string, value: number) => ({ id, paperId: PAPER, metric: 'params', unit: 'M', value, kind: 'absolute', hypothesis: 'value', setting: `test claim ${id}` });
  await db.insert(schema.claims).values([claim(C1, 2.0), claim(C2, 10)]);
  const doc = {
    name: `${TOKEN}-size`,
    version: 1,
    papers: [PAPER],
    scale: 'full',
    fidelity: 'exact',
    steps: [{ id: 'size', kind: 'modelSize', queue: 'cpu', needs: [], params: {} }],
    targets: [
      { claim: C1, metric: 'size.params_m', tolerance: 0.05 },
      { claim: C2, metric: 'size.ratio', tolerance: 0.5 },
    ],
  };
  recipe = await saveRecipe(db, { name: doc.name, contentHash: `sha256:${doc.name}`, document: doc, source: JSON.stringify(doc) });
  // The registry as it was (before the connection closes: cleanups run in reverse).
  onCleanup(async () => {
    await db.delete(schema.claimJudgements).where(inArray(schema.claimJudgements.claimId, [C1, C2]));
    await db.delete(schema.claims).where(inArray(schema.claims.id, [C1, C2]));
  });
});

/** A run of the test recipe created at `at`, with `metrics` recorded on its step, left `status`. */
async function storeRun(id: string, at: number, metrics: Record<string, number>, status = 'completed'): Promise<string> {
  await createRun(db, { id, recipeId: recipe.id, workflowId: `run-${id}`, seed: 0, force: false, scale: 'full' });
  const step = await ensureStep(db, { runId: id, stepKey: 'size', kind: 'modelSize', queue: 'cpu' });
  await insertMetrics(db, Object.entries(metrics).map(([name, value]) => ({ runId: id, stepId: step.id, name, value, index: null })));
  await db.update(schema.runs).set({ status, createdAt: new Date(at) }).where(eq(schema.runs.id, id));
  return id;
}

const standingOf = async (claimId: string) => (await api.claims.standing({ paper: PAPER })).find((s) => s.claimId === claimId)!;

test(`[JUDGE/${testDb()}] a claim reproduced by a run with 25 newer completed runs of its recipe still stands, from the stored judgement`, async () => {
  const old = await storeRun(`${TOKEN}-old`, T0, { params_m: 2.01, ratio: 10.2 });
  // 25 newer runs that recorded nothing: each judges both claims "pending", which decides nothing.
  for (let i = 1; i <= 25; i++) await storeRun(`${TOKEN}-new${String(i).padStart(2, '0')}`, T0 + i * MIN, {});
  const s = await standingOf(C1);
  assert.deepEqual([s.standing, s.runId, s.recipe, s.fidelity, s.reproduced], ['reproduced', old, `${TOKEN}-size@v1`, 'exact', 2.01]);
  assert.equal(s.runsJudged, 26, 'every completed run counts, not a window of the newest');
  assert.match(s.label, /^reproduced/);
  assert.equal((await standingOf(C2)).standing, 'reproduced');
  // The standing came from rows now stored under the current version, one per run and claim.
  const version = await currentJudgeVersion(db);
  const rows = await db.select().from(schema.claimJudgements).where(inArray(schema.claimJudgements.claimId, [C1, C2]));
  assert.equal(rows.length, 52);
  assert.ok(rows.every((r) => r.judgeVersion === version));
  // A newer decisive judgement wins over an older one of the same fidelity.
  const worse = await storeRun(`${TOKEN}-worse`, T0 + 30 * MIN, { params_m: 3, ratio: 10 });
  const w = await standingOf(C1);
  assert.deepEqual([w.standing, w.runId, w.runsJudged], ['not reproduced', worse, 27]);
  assert.equal((await standingOf(C2)).runId, worse, 'the newer reproduction of the other claim');
  // A deleted run's judgements go with it (on delete cascade).
  await db.delete(schema.metrics).where(eq(schema.metrics.runId, worse));
  await db.delete(schema.steps).where(eq(schema.steps.runId, worse));
  await db.delete(schema.runs).where(eq(schema.runs.id, worse));
  assert.equal((await runClaimJudgements(db, worse)).length, 0);
  assert.equal((await standingOf(C1)).runId, old);
});

test(`[JUDGE/${testDb()}] judgements are written when a run completes (the setRunStatus activity), not for other statuses`, async () => {
  const { createActivities } = await import('@reprolab/activities');
  const acts = createActivities({ db, store, codeVersion: 'test', lockfileHash: 'test', tensorBackend: 'none', host: 'test' });
  const done = await storeRun(`${TOKEN}-done`, T0 + 40 * MIN, { params_m: 2.0, ratio: 10 }, 'running');
  const failed = await storeRun(`${TOKEN}-failed`, T0 + 41 * MIN, { params_m: 2.0 }, 'running');
  await acts.setRunStatus({ runId: failed, status: 'failed', error: 'boom' });
  assert.equal((await runClaimJudgements(db, failed)).length, 0);
  await acts.setRunStatus({ runId: done, status: 'completed' });
  const rows = await runClaimJudgements(db, done);
  const version = await currentJudgeVersion(db);
  assert.deepEqual(rows.map((r) => [r.claimId, r.verdict, r.fidelity, r.judgeVersion, r.reproduced, r.recipe]), [
    [C1, 'reproduced', 'exact', version, 2.0, `${TOKEN}-size@v1`],
    [C2, 'reproduced', 'exact', version, 10, `${TOKEN}-size@v1`],
  ]);
  assert.match(rows[0]!.test ?? '', /value/);
  assert.equal(rows[0]!.hypothesis, 'value');
  assert.equal(rows[0]!.runCreatedAt.getTime(), T0 + 40 * MIN);
  assert.equal((await db.select().from(schema.runs).where(eq(schema.runs.id, done)))[0]!.judgedVersion, version, 'the run is marked judged');
  assert.equal((await db.select().from(schema.runs).where(eq(schema.runs.id, failed)))[0]!.judgedVersion, null);
  // Judging that fails never fails the run: a run whose recipe row cannot be judged still completes.
  const broken = await storeRun(`${TOKEN}-broken`, T0 + 42 * MIN, {}, 'running');
  await db.execute(sql`update ${schema.recipes} set document = jsonb_set(document, '{targets}', '[{"claim": 42}]'::jsonb) where id = ${recipe.id}`).catch(() => undefined);
  await acts.setRunStatus({ runId: broken, status: 'completed' });
  assert.equal((await db.select().from(schema.runs).where(eq(schema.runs.id, broken)))[0]!.status, 'completed');
  await db.update(schema.recipes).set({ document: recipe.document }).where(eq(schema.recipes.id, recipe.id));
});

test(`[JUDGE/${testDb()}] stale judgements (an older judge version, a changed registry claim) are recomputed by the claims matrix`, async () => {
  const old = `${TOKEN}-old`;
  // As an older judge left it: its rows and the run's marker under another version.
  await db.update(schema.claimJudgements).set({ judgeVersion: 'j0-stale', verdict: 'not reproduced', verdictRank: 3, label: 'stale' }).where(eq(schema.claimJudgements.runId, old));
  await db.update(schema.runs).set({ judgedVersion: 'j0-stale' }).where(eq(schema.runs.id, old));
  const s = await standingOf(C1);
  assert.equal(s.standing, 'reproduced');
  const rows = await runClaimJudgements(db, old);
  const version = await currentJudgeVersion(db);
  assert.deepEqual(rows.map((r) => [r.claimId, r.judgeVersion, r.verdict]), [[C1, version, 'reproduced'], [C2, version, 'reproduced']]);
  // The registry changes what the paper says: every judgement made against the old registry is
  // stale, and the matrix re-judges (the old run no longer reproduces a paper value of 3.0).
  await db.update(schema.claims).set({ value: 3.0 }).where(eq(schema.claims.id, C1));
  try {
    const changed = await currentJudgeVersion(db);
    assert.notEqual(changed, version);
    const c = await standingOf(C1);
    assert.equal(c.standing, 'not reproduced');
    assert.equal(c.paperValue, 3.0);
    assert.ok((await runClaimJudgements(db, old)).every((r) => r.judgeVersion === changed));
  } finally {
    await db.update(schema.claims).set({ value: 2.0 }).where(eq(schema.claims.id, C1));
  }
  assert.equal((await standingOf(C1)).standing, 'reproduced');
});

test(`[JUDGE/${testDb()}] judging one run concurrently (two connections, several calls each) stores one row per claim, and fails none`, async () => {
  const other = dbOnly();
  const id = await storeRun(`${TOKEN}-race`, T0 + 50 * MIN, { params_m: 2.0, ratio: 11 });
  const counts = await Promise.all([db, other, db, other, db, other].map((d) => judgeAndStore(d, [id])));
  assert.deepEqual(counts, [2, 2, 2, 2, 2, 2]);
  const rows = await runClaimJudgements(db, id);
  assert.deepEqual(rows.map((r) => [r.claimId, r.verdict]), [[C1, 'reproduced'], [C2, 'not reproduced']]);
  // Idempotent: judging again rewrites the same rows.
  await judgeAndStore(other, [id]);
  assert.equal((await runClaimJudgements(db, id)).length, 2);
});
