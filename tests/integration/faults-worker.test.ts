/**
 * A worker killed in the middle of `pretrain`: a new worker resumes from the checkpoint named in
 * the last heartbeat, redoes less than two checkpoint intervals, and finishes with exactly the
 * metrics of an uninterrupted run with the same seed.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Db } from '@reprolab/db';
import { connect, finalMetrics, interruptibleTraining, startWorker, testDb, trainEvalRecipe, waitForRun, type Api } from '../support/harness';

let api: Api;
let db: Db;
before(async () => {
  ({ api, db } = await connect());
});


test(`[FAULTS/${testDb()}] worker killed mid-pretrain → another worker resumes from the last checkpoint with identical results`, async () => {
  const first = await startWorker();
  const { params, steps, checkpointEvery: CHECKPOINT_EVERY } = await interruptibleTraining(api, db, first);
  const recipe = trainEvalRecipe('fault-worker', params);
  const baseline = await api.runs.launch({ recipe });
  const base = await waitForRun(api, baseline.runId);
  assert.equal(base.run.status, 'completed', base.run.error ?? '');

  // Same recipe and seed, forced to recompute, with a short heartbeat timeout so the loss is noticed quickly.
  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 4 });
  let killedAt = 0;
  await waitForRun(api, launched.runId, {
    timeoutMs: 120_000,
    until: (r) => {
      const p = r.steps[0]?.progress as { done?: number; checkpoint?: string } | null;
      killedAt = p?.done ?? 0;
      return killedAt >= 3.5 * CHECKPOINT_EVERY && killedAt < steps - 2 * CHECKPOINT_EVERY;
    },
  });
  await first.kill(); // SIGKILL the whole process group: no graceful shutdown, no final heartbeat
  const second = await startWorker();
  const done = await waitForRun(api, launched.runId, { timeoutMs: 180_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const pretrain = done.steps[0]!;
  assert.ok(pretrain.attempts >= 2, `expected a retried attempt, got ${pretrain.attempts}`);
  // The run page's overhead counts it: one retry per attempt after the first, each attempt's queue
  // wait inside the step's wall time, the retry's time (heartbeat timeout, backoff) in its running time.
  const o = pretrain.overhead;
  assert.equal(o.retries, pretrain.attempts - 1);
  assert.equal(done.overhead.retries, o.retries);
  assert.ok(o.queuedMs !== null && o.queuedMs >= 0 && o.wallMs !== null && o.queuedMs <= o.wallMs, JSON.stringify(o));
  assert.ok(o.runMs !== null && o.runMs >= 4000, `running ${o.runMs} ms includes the 4 s heartbeat timeout that noticed the kill`);
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const resumedFrom = m['pretrain.resumed_from_step']!;
  assert.ok(resumedFrom > 0, 'resumed from a checkpoint, not from scratch');
  // killedAt is the last progress the database saw (≤ 1 s stale), so this bounds the redone steps from below.
  assert.ok(killedAt - resumedFrom < 2 * CHECKPOINT_EVERY, `redid ${killedAt - resumedFrom} steps (killed at ≥${killedAt}, resumed from ${resumedFrom})`);
  assert.ok(resumedFrom % CHECKPOINT_EVERY === 0);
  // Exactly the uninterrupted run's numbers and model bytes.
  const baseMetrics = finalMetrics(await api.metrics.series({ runId: baseline.runId }));
  delete baseMetrics['pretrain.resumed_from_step'];
  delete m['pretrain.resumed_from_step'];
  assert.deepEqual(m, baseMetrics);
  assert.deepEqual(pretrain.outputs, base.steps[0]!.outputs);
  // The loss series has exactly one point per step: the redone steps replaced, not duplicated.
  const idx = (await api.metrics.series({ runId: launched.runId, name: 'train_loss' })).map((p) => p.index);
  assert.deepEqual(idx, Array.from({ length: steps }, (_, i) => i + 1));
  await second.stop();
});
