import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentDisposition } from '@reprolab/activities/storage/object-store';
import { downloadRefusal, overheadTotals, stepOverhead } from './run-page';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const base = { cacheHit: false, readyAt: at(0), scheduledAt: at(1), pickedUpAt: at(4), finishedAt: at(14), queuedMs: 3000, retries: 0, workerHost: 'w1' };

test('a computed step splits its wall time into dispatch, queue and work', () => {
  assert.deepEqual(stepOverhead(base), { timeToStartMs: 4000, dispatchMs: 1000, queuedMs: 3000, runMs: 10000, wallMs: 14000, retries: 0, workerHost: 'w1' });
  // Still running: no run or wall time yet.
  assert.deepEqual(stepOverhead({ ...base, finishedAt: null }), { timeToStartMs: 4000, dispatchMs: 1000, queuedMs: 3000, runMs: null, wallMs: null, retries: 0, workerHost: 'w1' });
});

test('a cached step has no queue or start time; a step from before the timeline has nothing guessed', () => {
  const cached = stepOverhead({ ...base, cacheHit: true, scheduledAt: null, pickedUpAt: null, queuedMs: 0, finishedAt: at(0) });
  assert.equal(cached.timeToStartMs, null);
  assert.equal(cached.queuedMs, null);
  assert.equal(cached.wallMs, 0);
  const old = stepOverhead({ ...base, readyAt: null, scheduledAt: null, pickedUpAt: null, queuedMs: 0 });
  assert.deepEqual([old.timeToStartMs, old.queuedMs, old.runMs, old.wallMs], [null, null, null, null]);
});

test('run totals add the computed steps and count cache hits and retries', () => {
  const steps = [
    { cacheHit: false, overhead: stepOverhead(base) },
    { cacheHit: false, overhead: stepOverhead({ ...base, queuedMs: 500, retries: 2 }) },
    { cacheHit: true, overhead: stepOverhead({ ...base, cacheHit: true }) },
  ];
  assert.deepEqual(overheadTotals({ createdAt: at(0), startedAt: at(2) }, steps), { preparationMs: 2000, queuedMs: 3500, timeToStartMs: 8000, retries: 2, cacheHits: 1, computed: 2 });
});

test('a download link is only for the run’s own artifacts and the inputs its steps consumed', () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  const artifacts = [{ sha256: d('a') }];
  const steps = [{ inputs: { dataset: d('b') } }, { inputs: null }];
  assert.equal(downloadRefusal('r1', d('a'), artifacts, steps, ['r1']), null);
  assert.equal(downloadRefusal('r1', d('b'), artifacts, steps, []), null, 'a consumed dataset');
  assert.match(downloadRefusal('r1', d('c'), artifacts, steps, ['r2'])!, /is not an artifact of run r1 .*stored by run r2: ask that run for it/);
  assert.match(downloadRefusal('r1', d('e'), artifacts, steps, [])!, /no run stored it/);
});

test('the download name survives quotes and non-ASCII characters', () => {
  assert.equal(contentDisposition('model "v1".bin'), `attachment; filename="model _v1_.bin"; filename*=UTF-8''model%20%22v1%22.bin`);
  assert.equal(contentDisposition('σ.bin'), `attachment; filename="_.bin"; filename*=UTF-8''%CF%83.bin`);
});
