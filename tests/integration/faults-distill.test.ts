/**
 * A worker killed in the middle of a `distill` (CSD, teacher and student trained jointly): a new
 * worker resumes from the checkpoint named in the last heartbeat and ends with exactly the metrics
 * and model bytes of an uninterrupted run with the same seed.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
});

const STEPS = 400;
const CHECKPOINT_EVERY = 40;
const recipe = stringify({
  name: 'fault-distill',
  version: 1,
  datasets: { photos: { builtin: 'photos-skimage' } },
  steps: [
    {
      id: 'sr',
      kind: 'distill',
      inputs: { dataset: 'photos' },
      // Cosine schedule and augmentation on: a resumed run must redraw the same patches and rates.
      params: { method: 'csd', model: { kind: 'edsr', blocks: 2, feats: 16 }, width: 0.25, scale: 4, patch: 8, batchSize: 6, negatives: 4, steps: STEPS, learningRate: 0.001, lrSchedule: { kind: 'cosine' }, augment: true, checkpointEvery: CHECKPOINT_EVERY, evalLimit: 4, seed: 5 },
    },
  ],
});

test(`[FAULTS/${testDb()}] worker killed mid-distill → another worker resumes from the last checkpoint with identical results`, async () => {
  const first = await startWorker();
  const baseline = await api.runs.launch({ recipe });
  const base = await waitForRun(api, baseline.runId, { timeoutMs: 300_000 });
  assert.equal(base.run.status, 'completed', base.run.error ?? '');

  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 4 });
  let killedAt = 0;
  await waitForRun(api, launched.runId, {
    timeoutMs: 300_000,
    until: (r) => {
      const p = r.steps[0]?.progress as { done?: number } | null;
      killedAt = p?.done ?? 0;
      return killedAt >= 3.5 * CHECKPOINT_EVERY && killedAt < STEPS - 2 * CHECKPOINT_EVERY;
    },
  });
  await first.kill(); // SIGKILL the process group: no graceful shutdown, no final heartbeat
  const second = await startWorker();
  const done = await waitForRun(api, launched.runId, { timeoutMs: 300_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const step = done.steps[0]!;
  assert.ok(step.attempts >= 2, `expected a retried attempt, got ${step.attempts}`);
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const resumedFrom = m['sr.resumed_from_step']!;
  assert.ok(resumedFrom > 0 && resumedFrom % CHECKPOINT_EVERY === 0, `resumed from step ${resumedFrom}`);
  assert.ok(killedAt - resumedFrom < 2 * CHECKPOINT_EVERY, `redid ${killedAt - resumedFrom} steps (killed at ≥${killedAt}, resumed from ${resumedFrom})`);
  // Exactly the uninterrupted run's PSNR/SSIM (student, teacher), loss and model; only timing differs.
  const baseMetrics = finalMetrics(await api.metrics.series({ runId: baseline.runId }));
  for (const k of ['sr.resumed_from_step', 'sr.seconds_per_step']) {
    delete baseMetrics[k];
    delete m[k];
  }
  assert.deepEqual(m, baseMetrics);
  assert.deepEqual(step.outputs, base.steps[0]!.outputs);
  const idx = (await api.metrics.series({ runId: launched.runId, name: 'train_loss' })).map((p) => p.index);
  assert.deepEqual(idx, Array.from({ length: STEPS }, (_, i) => i + 1), 'one loss point per step: redone steps replaced, not duplicated');
  await second.stop();
});
