import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSparseMethods, gapInterval, meanInterval, studentTQuantile, verdictFor, type RunAccuracy } from './compare';

test('Student t quantiles match tables', () => {
  for (const [df, q] of [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [30, 2.0423]] as const) {
    assert.ok(Math.abs(studentTQuantile(0.975, df) - q) < 1e-3, `df ${df}`);
  }
});

test('mean interval over seeds', () => {
  const iv = meanInterval([1, 2, 3]);
  assert.equal(iv.mean, 2);
  assert.ok(Math.abs(iv.halfWidth - 4.3027 * (1 / Math.sqrt(3))) < 1e-3);
  assert.equal(meanInterval([5]).halfWidth, Infinity);
});

test('gaps are paired by seed when both sides share seeds, Welch otherwise', () => {
  const a = [{ seed: 1, value: 0.9 }, { seed: 2, value: 0.8 }, { seed: 3, value: 0.85 }];
  const b = [{ seed: 1, value: 0.88 }, { seed: 2, value: 0.78 }, { seed: 3, value: 0.83 }];
  const p = gapInterval(a, b);
  assert.equal(p.paired, true);
  assert.ok(Math.abs(p.mean - 0.02) < 1e-12 && p.halfWidth < 1e-9);
  const w = gapInterval(a, b.slice(0, 2));
  assert.equal(w.paired, false);
  assert.ok(w.halfWidth > 0.05);
});

test('verdicts against a tolerance', () => {
  const iv = (lower: number, upper: number) => ({ mean: (lower + upper) / 2, lower, upper, halfWidth: (upper - lower) / 2, n: 3, df: 2, paired: true });
  assert.equal(verdictFor(iv(-0.005, 0.02), 0.01), 'supported');
  assert.equal(verdictFor(iv(-0.05, -0.02), 0.01), 'refuted');
  assert.equal(verdictFor(iv(-0.05, 0.02), 0.01), 'inconclusive');
  assert.throws(() => verdictFor(iv(0, 1), -1), /tolerance/);
});

test('compareSparseMethods produces the three relative claims', () => {
  const runs: RunAccuracy[] = [];
  for (const seed of [1, 2, 3]) {
    runs.push({ method: 'dense', sparsity: 0, seed, accuracy: 0.9 + seed * 0.001 });
    runs.push({ method: 'gap-serial', sparsity: 0.9, distribution: 'uniform', seed, accuracy: 0.88 + seed * 0.001 });
    runs.push({ method: 'gap-serial', sparsity: 0.9, distribution: 'global', seed, accuracy: 0.895 + seed * 0.001 });
    runs.push({ method: 'gmp', sparsity: 0.9, distribution: 'uniform', seed, accuracy: 0.87 + seed * 0.0012 });
  }
  const out = compareSparseMethods(runs, { gap: 'gap-serial', tolerance: 0.01 });
  const by = (claim: string, label: string) => out.find((c) => c.claim === claim && c.label.includes(label))!;
  assert.equal(by('sparse-minus-dense', 'gap-serial@0.9/uniform').verdict, 'refuted'); // −2 pp < −1 pp
  assert.equal(by('sparse-minus-dense', 'gap-serial@0.9/global').verdict, 'supported'); // −0.5 pp
  const g = by('gap-minus-prune-from-dense', 'uniform');
  assert.ok(g.interval.mean > 0.005 && g.verdict === 'supported');
  assert.ok(Math.abs(by('nonuniform-minus-uniform', 'global').interval.mean - 0.015) < 1e-9);
});
