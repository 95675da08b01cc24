/** Scheduled reproductions on Temporal Schedules: create, trigger, runs, pause/resume, delete, bad input. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import { connect, mpuMiniRecipe, startWorker, testDb, trainEvalRecipe, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
  await startWorker();
});

const uniq = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;
const quick = (name: string, sizeScale = 1 / 64) => mpuMiniRecipe(name, ['AXPY'], { scale: 'proxy', targets: [], sizeScale });

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { code?: string; message: string };
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test(`[SCHEDULES/${testDb()}] a schedule starts ordinary runs of its recipe version; pause, resume and delete`, async () => {
  const id = uniq('nightly');
  const created = await api.schedules.create({ recipe: quick('sched-mini'), id, every: '1d', seed: 11 });
  assert.equal(created.id, id);
  assert.equal(created.timetable, 'every 1d');
  assert.equal(created.seed, 11);
  assert.equal(created.paused, false);
  assert.deepEqual(created.recent, []);
  const next = new Date(created.nextRuns[0]!).getTime();
  assert.ok(next > Date.now() && next <= Date.now() + 86_400_000 + 60_000, `next run ${created.nextRuns[0]}`);

  const first = await api.schedules.trigger({ id });
  assert.equal(first.started, true);
  const done = await waitForRun(api, first.runId!, { timeoutMs: 120_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  assert.equal(done.run.seed, 11);
  assert.equal(done.run.workflowId, `run-${first.runId}`, 'a scheduled run is controlled like a launched one');
  assert.equal(done.recipe?.version, created.version);

  const second = await api.schedules.trigger({ id });
  assert.equal(second.started, true);
  assert.notEqual(second.runId, first.runId, 'each action is its own run');
  await waitForRun(api, second.runId!, { timeoutMs: 120_000 });
  const shown = await api.schedules.get({ id });
  assert.deepEqual(shown.recent.map((r) => [r.runId, r.status]), [[second.runId, 'completed'], [first.runId, 'completed']]);

  const paused = await api.schedules.pause({ id, note: 'maintenance' });
  assert.equal(paused.paused, true);
  assert.equal(paused.note, 'maintenance');
  assert.equal((await api.schedules.resume({ id })).paused, false);

  await api.schedules.delete({ id });
  await rejects(api.schedules.get({ id }), 'NOT_FOUND', /no schedule/);
  assert.equal((await api.runs.get({ runId: first.runId! })).run.status, 'completed', 'runs outlive their schedule');
});

test(`[SCHEDULES/${testDb()}] a trigger while the previous run still goes is skipped, not piled up`, async () => {
  const id = uniq('overlap');
  // A run that takes minutes (it is cancelled below), on its own seed so no step comes from the cache.
  const recipe = trainEvalRecipe('sched-held', { model: 'small-cnn', epochs: 20, trainLimit: 8000 });
  await api.schedules.create({ recipe, id, every: '1h', seed: 1000 + Math.floor(Math.random() * 1e6) });
  try {
    const first = await api.schedules.trigger({ id });
    assert.equal(first.started, true);
    const second = await api.schedules.trigger({ id });
    assert.equal(second.started, false);
    assert.equal(second.runId, null);
    assert.equal((await api.schedules.get({ id })).recent.length, 1);
    await api.runs.cancel({ runId: first.runId! });
    assert.equal((await waitForRun(api, first.runId!, { timeoutMs: 60_000 })).run.status, 'cancelled');
    // The run reads cancelled at once; its workflow closes once its compute has stopped, and
    // until then the schedule rightly counts it as running and skips.
    let third = await api.schedules.trigger({ id });
    for (let i = 0; i < 30 && !third.started; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      third = await api.schedules.trigger({ id });
    }
    assert.equal(third.started, true, 'once the run has ended, the next one starts');
    assert.notEqual(third.runId, first.runId);
    await api.runs.cancel({ runId: third.runId! });
    await waitForRun(api, third.runId!, { timeoutMs: 60_000 });
  } finally {
    await api.schedules.delete({ id });
  }
});

test(`[SCHEDULES/${testDb()}] bad timetables, ids and recipes are refused, naming what is wrong; nothing is created`, async () => {
  const recipe = quick('sched-bad');
  await rejects(api.schedules.create({ recipe, id: uniq('x') }), 'BAD_REQUEST', /give one timetable: every .* or cron/);
  await rejects(api.schedules.create({ recipe, id: uniq('x'), every: '1d', cron: '0 3 * * *' }), 'BAD_REQUEST', /not both/);
  await rejects(api.schedules.create({ recipe, id: uniq('x'), every: '30s' }), 'BAD_REQUEST', /every: "30s" is not an interval between 1m and 366d/);
  await rejects(api.schedules.create({ recipe, id: uniq('x'), every: 'daily' }), 'BAD_REQUEST', /every: "daily"/);
  await rejects(api.schedules.create({ recipe, id: uniq('x'), cron: '0 3 * *' }), 'BAD_REQUEST', /cron: "0 3 \* \*" has 4 fields, expected 5/);
  await rejects(api.schedules.create({ recipe, id: 'Nightly Smoke', every: '1d' }), 'BAD_REQUEST', /schedule id: lowercase letters, digits and dashes/);
  await rejects(api.schedules.create({ recipe: recipe.replace('workload: AXPY', 'workload: FFT'), id: uniq('x'), every: '1d' }), 'BAD_REQUEST', /steps\[0\]\.params\.workload/);
  await rejects(api.schedules.trigger({ id: 'no-such-schedule' }), 'NOT_FOUND', /no schedule "no-such-schedule"; list them/);
  const id = uniq('dup');
  await api.schedules.create({ recipe, id, cron: '0 3 * * *' });
  try {
    await rejects(api.schedules.create({ recipe, id, every: '1d' }), 'CONFLICT', new RegExp(`schedule "${id}" already exists`));
    const kept = await api.schedules.get({ id });
    assert.equal(kept.timetable, 'cron 0 3 * * * (UTC)', 'the existing schedule is unchanged');
    assert.equal(new Date(kept.nextRuns[0]!).getUTCHours(), 3);
  } finally {
    await api.schedules.delete({ id });
  }
});
