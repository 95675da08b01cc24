/** Live control of a run: progress query, pause/resume signals, cancellation; and claim comparison. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ObjectStore } from '@reprolab/activities';
import type { Db } from '@reprolab/db';
import { connect, finalMetrics, interruptibleTraining, mpuMiniRecipe, sleep, startWorker, storedCounts, testDb, trainEvalRecipe, waitForRun, type Api, type WorkerProcess } from '../support/harness';

let api: Api;
let db: Db;
let store: ObjectStore;
let worker: WorkerProcess;
before(async () => {
  ({ api, db, store } = await connect());
  worker = await startWorker();
});

test(`[CONTROL/${testDb()}] cancel mid-pretrain stops the compute and marks run and steps cancelled`, async () => {
  const { params, steps } = await interruptibleTraining(api, db, worker);
  const launched = await api.runs.launch({ recipe: trainEvalRecipe('control-cancel', params), heartbeatTimeoutSeconds: 5 });
  const running = await waitForRun(api, launched.runId, { until: (r) => ((r.steps[0]?.progress as { done?: number } | null)?.done ?? 0) >= 5 });
  assert.equal(running.live?.status, 'running', 'the progress query answers while running');
  assert.deepEqual(running.live?.steps.map((s) => s.state), ['running', 'pending']);
  await api.runs.cancel({ runId: launched.runId });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'cancelled');
  assert.deepEqual(done.steps.map((s) => s.status), ['cancelled', 'cancelled']);
  const stoppedAt = (done.steps[0]!.progress as { done: number }).done;
  await sleep(2000);
  const later = await api.runs.get({ runId: launched.runId });
  assert.equal((later.steps[0]!.progress as { done: number }).done, stoppedAt, 'no training after cancellation');
  assert.ok(stoppedAt < steps, 'stopped before the end');
  await assert.rejects(api.runs.cancel({ runId: launched.runId }), /already cancelled/);
});

test(`[CONTROL/${testDb()}] cancel during preparation ends cancelled and stays so; an ended run's status is final`, async () => {
  for (let i = 0; i < 3; i++) {
    const launched = await api.runs.launch({ recipe: trainEvalRecipe(`control-early-cancel-${i}`, { epochs: 5 }) });
    // right away: the preparation activity is usually still in flight
    await api.runs.cancel({ runId: launched.runId });
    const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
    assert.equal(done.run.status, 'cancelled');
    await sleep(1500); // anything still in flight has landed by now
    const later = await api.runs.get({ runId: launched.runId });
    assert.equal(later.run.status, 'cancelled', 'the preparation must not set it back to running');
    assert.ok(later.steps.every((s) => s.status === 'cancelled'), JSON.stringify(later.steps.map((s) => s.status)));
  }
  // the rule itself, at the database
  const { setRunStatus } = await import('@reprolab/db');
  const { runs } = await api.runs.list({ limit: 1 });
  assert.equal(await setRunStatus(db, runs[0]!.id, 'running'), false);
  assert.equal((await api.runs.get({ runId: runs[0]!.id })).run.status, 'cancelled');
});

test(`[CONTROL/${testDb()}] pause holds the next step until resume`, async () => {
  const launched = await api.runs.launch({ recipe: trainEvalRecipe('control-pause', { trainLimit: 320 }) });
  await api.runs.pause({ runId: launched.runId });
  const paused = await waitForRun(api, launched.runId, { until: (r) => r.run.status === 'paused' });
  assert.ok(paused.live?.paused);
  await sleep(1500);
  const still = await api.runs.get({ runId: launched.runId });
  assert.equal(still.run.status, 'paused');
  assert.ok(still.steps.some((s) => s.status === 'pending'), 'a step is held back');
  await api.runs.resume({ runId: launched.runId });
  const done = await waitForRun(api, launched.runId);
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
});

test(`[COMPARE/${testDb()}] targets are compared with the claim registry, with scale and verdict`, async () => {
  const recipe = trainEvalRecipe('compare-claims', { trainLimit: 320 }, {
    targets: [
      { claim: 'gap-resnet50-90-nonuniform-top1-abstract', metric: 'evaluate.test_accuracy', tolerance: 1, scaleBy: 100 },
    ],
  });
  const launched = await api.runs.launch({ recipe });
  await waitForRun(api, launched.runId);
  const c = await api.compare.run({ runId: launched.runId });
  const acc = finalMetrics(await api.metrics.series({ runId: launched.runId }))['evaluate.test_accuracy']!;
  const [gap] = c.rows;
  assert.equal(gap!.paperValue, 77.9);
  assert.ok(Math.abs(gap!.reproduced! - acc * 100) < 1e-9);
  assert.ok(Math.abs(gap!.delta! - (acc * 100 - 77.9)) < 1e-9);
  assert.equal(gap!.verdict, 'not comparable', 'an absolute full-scale claim is not judged at proxy scale');
  const claims = await api.claims.list({});
  assert.equal(claims.length, 290, 'the whole registry is seeded: 273 numbers (10 of them Deep SVDD\'s, a baseline paper) and 17 orderings (9 of them qualitative claims checked in models)');
});

test(`[COMPARE/${testDb()}] a target naming an unknown claim is refused at launch (and by schedules), storing nothing`, async () => {
  const before = await storedCounts(api);
  const recipe = trainEvalRecipe('compare-unknown-claim', { trainLimit: 320 }, {
    targets: [
      { claim: 'gap-resnet50-90-nonuniform-top1-abstract', metric: 'evaluate.test_accuracy', tolerance: 1, scaleBy: 100 },
      { claim: 'no-such-claim', metric: 'evaluate.test_accuracy', tolerance: 1 },
      { claim: 'gap-resnet50-90-nonuniform-top1-abstrac', metric: 'evaluate.test_accuracy', tolerance: 1 },
    ],
  });
  const refused = (e: unknown) => {
    const msg = (e as Error).message;
    assert.match(msg, /targets\[1\]\.claim: unknown claim "no-such-claim" \(list the registry with `reprolab claims`/);
    assert.match(msg, /targets\[2\]\.claim: unknown claim "gap-resnet50-90-nonuniform-top1-abstrac"; did you mean "gap-resnet50-90-nonuniform-top1-abstract"\?/);
    assert.doesNotMatch(msg, /targets\[0\]/);
    return true;
  };
  await assert.rejects(api.runs.launch({ recipe }), refused);
  await assert.rejects(api.schedules.create({ recipe, id: 'unknown-claim-never', every: '1d' }), refused);
  await assert.rejects(api.schedules.get({ id: 'unknown-claim-never' }), /no schedule/);
  assert.deepEqual(await storedCounts(api), before, 'no recipe version and no run stored');
});

test(`[CONTROL/${testDb()}] a cancel that lands while preparation and a step start are in flight leaves every step ended`, async () => {
  // The activities themselves, called in the order a busy machine can produce, without Temporal.
  const { createActivities } = await import('@reprolab/activities');
  const { createRun, ensureStep, getRun, listSteps, saveRecipe } = await import('@reprolab/db');
  const { parseRecipe } = await import('@reprolab/recipes');
  const parsed = parseRecipe(mpuMiniRecipe(`cancel-interleaved-${process.pid}`, ['AXPY', 'GEMV'], { scale: 'proxy', targets: [] }));
  const stored = await saveRecipe(db, { name: parsed.recipe.name, contentHash: parsed.contentHash, document: parsed.recipe, source: parsed.source });
  const runId = `interleaved-${Date.now()}`;
  await createRun(db, { id: runId, recipeId: stored.id, workflowId: `run-${runId}`, seed: 0, force: false, scale: 'proxy' });
  const acts = createActivities({ db, store, codeVersion: 'test', lockfileHash: 'test', tensorBackend: 'none', host: 'test' });
  // Preparation has created the first step when the cancel arrives and ends the run…
  await ensureStep(db, { runId, stepKey: 'axpy', kind: 'simulateMpu', queue: 'sim' });
  await acts.setRunStatus({ runId, status: 'cancelled', error: 'cancelled by user' });
  // …then preparation goes on: it creates the other steps and finds the run ended.
  await acts.prepareRun(runId);
  assert.equal((await getRun(db, runId))!.status, 'cancelled', 'preparation does not revive the run');
  assert.deepEqual((await listSteps(db, runId)).map((s) => [s.stepKey, s.status]).sort(), [['axpy', 'cancelled'], ['gemv', 'cancelled'], ['summary', 'cancelled']]);
  // A step start still in flight from before the cancel does not revive its step either.
  await assert.rejects(acts.beginStep({ runId, stepKey: 'gemv', inputs: {}, force: false }), /ended \(cancelled\) before it could start/);
  assert.equal((await listSteps(db, runId)).find((s) => s.stepKey === 'gemv')!.status, 'cancelled');
});
