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

test('simulate mpu --scaling: a workload at its default size and 4x the data, exit code from the tolerance', async () => {
  const r = await capture(['mpu', '--scaling', '--workload', 'UPSAMP', '--json']);
  const doc = JSON.parse(r.out) as { factor: number; allWithin: boolean; rows: { workload: string; from: number; to: number; mpuRatio: number; mpuCycles: number[] }[] };
  assert.equal(r.code, doc.allWithin ? 0 : 1, r.err);
  assert.equal(doc.rows[0]!.workload, 'UPSAMP');
  assert.equal(doc.rows[0]!.to, 2 * doc.rows[0]!.from, '2D: twice per side is 4x the data');
  assert.equal(doc.rows[0]!.mpuRatio, doc.rows[0]!.mpuCycles[1]! / doc.rows[0]!.mpuCycles[0]!);
});

test('simulate mpu --scaling: conflicting modes and --size are refused', async () => {
  assert.match((await capture(['mpu', '--scaling', '--validate'])).err, /--validate, --scaling and --sweep: choose one/);
  assert.match((await capture(['mpu', '--scaling', '--workload', 'AXPY', '--size', '64'])).err, /--scaling: starts from the default size/);
});
