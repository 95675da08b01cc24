import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge } from './compare';
import type { ClaimRow } from './queries';

const claim = (over: Partial<ClaimRow> = {}): ClaimRow => ({
  id: 'c', paperId: 'p', task: null, dataset: null, model: null, setting: null, metric: 'top1_acc', unit: '%', value: 76, higherIsBetter: true, kind: 'relative', baseline: null, source: null, confidence: null, note: null, ...over,
});

test('[COMPARE] verdicts follow tolerance, direction and scale', () => {
  const t = { claim: 'c', metric: 's.acc', tolerance: 1, scaleBy: 100 };
  assert.equal(judge(t, claim(), 0.755, 'proxy').verdict, 'reproduced');
  assert.equal(judge(t, claim(), 0.74, 'proxy').verdict, 'not reproduced');
  assert.equal(judge(t, claim(), 0.78, 'proxy').verdict, 'better than paper');
  assert.equal(judge(t, claim({ higherIsBetter: false }), 0.78, 'proxy').verdict, 'not reproduced');
  const abs = judge(t, claim({ kind: 'absolute' }), 0.755, 'proxy');
  assert.equal(abs.verdict, 'not comparable');
  assert.ok(Math.abs(abs.delta! - -0.5) < 1e-9, 'the numbers are still shown');
  assert.equal(judge(t, claim({ kind: 'absolute' }), 0.755, 'full').verdict, 'reproduced');
  assert.equal(judge(t, undefined, 0.7, 'full').verdict, 'unknown claim');
  assert.equal(judge(t, claim(), undefined, 'full').verdict, 'pending');
  // With an interval (in the metric's units, scaled like the value).
  assert.equal(judge(t, claim(), 0.755, 'proxy', [0.75, 0.765]).verdict, 'reproduced');
  assert.equal(judge(t, claim(), 0.70, 'proxy', [0.6, 0.8]).verdict, 'inconclusive', 'a 20-point interval proves nothing at ±1');
  assert.equal(judge(t, claim(), 0.70, 'proxy', [0.69, 0.71]).verdict, 'not reproduced');
  assert.equal(judge(t, claim(), 0.80, 'proxy', [0.79, 0.81]).verdict, 'better than paper');
});
