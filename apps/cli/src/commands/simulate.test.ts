import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureConsole } from '../testing';
import { simulateCommand } from './simulate';

const capture = (args: string[]) => captureConsole(() => simulateCommand(args));

test('simulate mpu --jobs: a bad count or a single workload is refused, naming the flag', async () => {
  for (const bad of ['0', '-2', '1.5', 'many']) {
    const r = await capture(['mpu', '--jobs', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`--jobs: "${bad.replace('.', '\\.')}" must be a positive integer`));
  }
  const r = await capture(['mpu', '--workload', 'AXPY', '--jobs', '2']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--jobs: only for the whole suite/);
});

test('simulate mpu --workload still runs one workload in this thread', async () => {
  const r = await capture(['mpu', '--workload', 'AXPY', '--size', '4096', '--json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { workloads: { name: string; size: number; speedup: number }[] };
  assert.equal(doc.workloads[0]!.name, 'AXPY');
  assert.equal(doc.workloads[0]!.size, 4096);
  assert.ok(doc.workloads[0]!.speedup > 0);
});
