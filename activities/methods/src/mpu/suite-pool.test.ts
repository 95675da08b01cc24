import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSuite } from './simulate';
import { simulateSuiteParallel } from './suite-pool';

// host time is the only field allowed to differ between a serial and a parallel suite
const results = (s: unknown) => JSON.stringify(s, (k, v) => (k === 'hostSeconds' ? undefined : v));
// AXPY at 1M elements runs past one progress report (every 200,000 events); the others are tiny
const QUICK = { workloads: ['AXPY', 'GEMV', 'HIST', 'NW', 'MAXP'], sizes: { AXPY: 1 << 20 }, sizeScale: 1 / 256 };

test('the suite over worker threads gives exactly the serial results, in suite order', async () => {
  const done: string[] = [];
  const progress = new Set<string>();
  const parallel = await simulateSuiteParallel({ ...QUICK, jobs: 3, onWorkloadDone: (i) => done.push(i.workload), onProgress: (i) => progress.add(i.workload) });
  const serial = await simulateSuite(QUICK);
  assert.deepEqual(parallel.workloads.map((w) => w.workload), ['AXPY', 'GEMV', 'HIST', 'NW', 'MAXP']);
  assert.equal(results(parallel), results(serial));
  assert.deepEqual([...done].sort(), ['AXPY', 'GEMV', 'HIST', 'MAXP', 'NW']);
  assert.ok(progress.size > 0, 'progress comes back from the workers');
});

test('a failing workload fails the parallel suite with its name and stops the workers', async () => {
  await assert.rejects(
    simulateSuiteParallel({ workloads: ['AXPY', 'GEMV'], sizes: { GEMV: 100 }, sizeScale: 1 / 256, jobs: 2 }),
    /GEMV: size: GEMV size must be .* multiple of 128/,
  );
});

test('jobs must be a positive integer', async () => {
  await assert.rejects(simulateSuiteParallel({ ...QUICK, jobs: 0 }), /jobs: 0 must be a positive integer/);
  await assert.rejects(simulateSuiteParallel({ ...QUICK, jobs: 1.5 }), /jobs: 1.5 must be a positive integer/);
});
