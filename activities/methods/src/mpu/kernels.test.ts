import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKLOAD_NAMES, runAndCheck, workloadDef } from './workloads';

// Small sizes, ragged where the workload allows it (tiled layouts need multiples of 32, GEMV of 128).
const SMALL: Record<string, number> = {
  BLUR: 64, CONV: 64, GEMV: 256, HIST: 5000, KMEANS: 1000, KNN: 3001, TTRANS: 96, MAXP: 33, NW: 40, UPSAMP: 45, AXPY: 70001, PR: 70001,
};

for (const name of WORKLOAD_NAMES) {
  test(`${name} kernel matches its plain TS implementation`, () => {
    const def = workloadDef(name);
    const inst = def.build(SMALL[name]!, 7);
    const check = runAndCheck(inst);
    assert.ok(check.ok, `${name}: max rel error ${check.maxRelError} at ${check.worst}`);
    assert.ok(check.warpInstructions > 0);
  });
}

test('functional check catches a wrong kernel', () => {
  const inst = workloadDef('AXPY').build(100, 1);
  const launch = inst.launches[0]!;
  const body = launch.body;
  launch.body = (k) => { body(k); if (k.bid === 0) k.st(inst.outputs[0]!, 0, 42); };
  assert.equal(runAndCheck(inst).ok, false);
});

test('unknown workload names the allowed set', () => {
  assert.throws(() => workloadDef('FFT'), /workload: unknown workload "FFT"; allowed: BLUR/);
});
