import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runComputeJob } from './client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a compute job keeps its activity alive every second while it runs (child start-up included), and stops when it ends', async () => {
  let beats = 0;
  const t0 = Date.now();
  await runComputeJob({ job: 'simulate-mpu', args: { params: { workload: 'AXPY', sizeScale: 1 / 64 } }, files: {}, keepAlive: () => beats++ });
  const seconds = (Date.now() - t0) / 1000;
  assert.ok(seconds >= 1, `the job took ${seconds.toFixed(2)} s; too short to see a keep-alive`);
  assert.ok(beats >= Math.floor(seconds) - 1 && beats <= Math.ceil(seconds), `${beats} keep-alives in ${seconds.toFixed(2)} s`);
  const after = beats;
  await sleep(1500);
  assert.equal(beats, after, 'no keep-alive after the job ended');
});
