import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holmAdjust, gapInterval, meanInterval, pAbove, pBelow, studentTCdf, studentTQuantile } from './stats';
import { compareSparseMethods, sparseMetricStem, type RunAccuracy } from './sparse';
import { judgeRun, type ClaimForJudging, type Estimate, type JudgeInput, type TargetForJudging } from './judge';

test('Student t quantiles match tables, and the cdf inverts them', () => {
  for (const [df, q] of [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [30, 2.0423]] as const) {
    assert.ok(Math.abs(studentTQuantile(0.975, df) - q) < 1e-3, `df ${df}`);
    assert.ok(Math.abs(studentTCdf(q, df) - 0.975) < 1e-4, `cdf df ${df}`);
  }
});

test('mean interval over seeds', () => {
  const iv = meanInterval([1, 2, 3]);
  assert.equal(iv.mean, 2);
  assert.ok(Math.abs(iv.se - 1 / Math.sqrt(3)) < 1e-12);
  assert.ok(Math.abs(iv.halfWidth - 4.3027 * (1 / Math.sqrt(3))) < 1e-3);
  assert.equal(meanInterval([5]).halfWidth, Infinity);
  assert.throws(() => meanInterval([]), /at least one/);
  assert.throws(() => meanInterval([1, 2], 1.5), /confidence/);
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

test('one-sided p-values: a t statistic at the 95 % quantile gives 0.05', () => {
  const t = studentTQuantile(0.95, 4);
  assert.ok(Math.abs(pAbove(t, 1, 4, 0) - 0.05) < 1e-4);
  assert.ok(Math.abs(pBelow(-t, 1, 4, 0) - 0.05) < 1e-4);
  assert.equal(pAbove(1, 0, 4, 0), 0, 'identical seeds above the threshold');
  assert.equal(pAbove(1, Infinity, 0, 0), 1, 'one seed cannot reject');
});

test('Holm: step-down, monotone, in input order', () => {
  assert.deepEqual(holmAdjust([0.01, 0.04, 0.03]).map((p) => +p.toFixed(6)), [0.03, 0.06, 0.06]);
  assert.deepEqual(holmAdjust([0.5]), [0.5]);
  assert.deepEqual(holmAdjust([0.9, 0.9]), [1, 1]);
});

test('compareSparseMethods produces the three relative comparisons, with stable metric stems', () => {
  const runs: RunAccuracy[] = [];
  for (const seed of [1, 2, 3]) {
    runs.push({ method: 'dense', sparsity: 0, seed, accuracy: 0.9 + seed * 0.001 });
    runs.push({ method: 'gap-serial', sparsity: 0.9, distribution: 'uniform', seed, accuracy: 0.88 + seed * 0.001 });
    runs.push({ method: 'gap-serial', sparsity: 0.9, distribution: 'global', seed, accuracy: 0.895 + seed * 0.001 });
    runs.push({ method: 'gmp', sparsity: 0.9, distribution: 'uniform', seed, accuracy: 0.87 + seed * 0.0012 });
    runs.push({ method: 'oneshot', sparsity: 0.9, distribution: 'uniform', seed, accuracy: 0.86 + seed * 0.0011 });
  }
  const out = compareSparseMethods(runs, { gap: 'gap-serial' });
  const find = (kind: string, label: string) => out.find((c) => c.kind === kind && c.label.includes(label))!;
  assert.ok(Math.abs(find('sparse-minus-dense', 'gap-serial@0.9/uniform').interval.mean + 0.02) < 1e-9);
  const g = find('gap-minus-prune-from-dense', 'gmp@0.9/uniform');
  assert.ok(g.interval.mean > 0.005 && g.interval.paired);
  assert.equal(sparseMetricStem(g), 'gap_minus_prune_from_dense__gap_serial_0_9_uniform');
  assert.equal(sparseMetricStem(find('gap-minus-prune-from-dense', 'oneshot@0.9/uniform')), 'gap_minus_prune_from_dense__gap_serial_0_9_uniform__vs_oneshot');
  const nu = find('nonuniform-minus-uniform', 'gap-serial@0.9');
  assert.ok(Math.abs(nu.interval.mean - 0.015) < 1e-9);
  assert.equal(sparseMetricStem(nu), 'nonuniform_minus_uniform__gap_serial_0_9');
  // gmp is a baseline: no GaP-vs comparisons are made for it.
  assert.equal(out.filter((c) => c.subject.startsWith('gmp') && c.kind !== 'sparse-minus-dense').length, 0);
});

// --- judging -----------------------------------------------------------------------------------

const claim = (over: Partial<ClaimForJudging> = {}): ClaimForJudging => ({ id: 'c', value: null, unit: 'pp', hypothesis: 'superiority', margin: null, higherIsBetter: true, baseline: 'GMP', ...over });
const target = (over: Partial<TargetForJudging> = {}): TargetForJudging => ({ claim: 'c', metric: 'm', fidelity: 'proxy', ...over });
/** Paired seeds estimate from per-seed differences. */
const seeds = (diffs: number[]): Estimate => {
  const iv = meanInterval(diffs);
  return { kind: 'seeds', mean: iv.mean, lower: iv.lower, upper: iv.upper, se: iv.se, df: iv.df, n: iv.n, paired: true };
};
const judge1 = (i: Partial<JudgeInput> & { estimate?: Estimate }) => judgeRun([{ target: target(), claim: claim(), estimate: undefined, ...i }])[0]!;

test('superiority: reproduced only when the ordering is significant; a wash is inconclusive, a reversal not reproduced', () => {
  const win = judge1({ estimate: seeds([0.8, 1.1, 0.9, 1.2, 1.0]) });
  assert.equal(win.verdict, 'reproduced');
  assert.ok(win.p! < 0.001 && /better than GMP/.test(win.statement) && /superiority/.test(win.test) && /5 paired seeds/.test(win.test));
  // A non-inferior but not better result must not count (the old tolerance test called −0.9 pp "supported").
  const wash = judge1({ estimate: seeds([-0.9, 0.4, -0.5, 0.6, -0.2]) });
  assert.equal(wash.verdict, 'inconclusive');
  const loss = judge1({ estimate: seeds([-1.0, -1.2, -0.9, -1.1, -1.05]) });
  assert.equal(loss.verdict, 'not reproduced');
  assert.equal(loss.label, 'not reproduced (not better)');
});

test('lower-is-better claims flip the direction', () => {
  const j = judge1({ claim: claim({ higherIsBetter: false }), estimate: seeds([-0.3, -0.4, -0.35]) });
  assert.equal(j.verdict, 'reproduced');
  assert.equal(judge1({ claim: claim({ higherIsBetter: false }), estimate: seeds([0.3, 0.4, 0.35]) }).verdict, 'not reproduced');
});

test('non-inferiority uses the claim margin (or the recipe tolerance) and says which it lacks', () => {
  const c = claim({ hypothesis: 'non-inferiority', margin: 0.5 });
  assert.equal(judge1({ claim: c, estimate: seeds([-0.1, 0.05, -0.05, 0.0]) }).verdict, 'reproduced');
  const far = judge1({ claim: c, estimate: seeds([-1.1, -1.0, -0.9, -1.05]) });
  assert.equal(far.label, 'not reproduced (worse by more than the margin)');
  const none = judge1({ claim: claim({ hypothesis: 'non-inferiority' }), estimate: seeds([0, 0.1]) });
  assert.equal(none.label, 'inconclusive (no margin)');
  assert.match(none.statement, /tolerance/);
  assert.equal(judge1({ claim: claim({ hypothesis: 'non-inferiority' }), target: target({ tolerance: 0.5 }), estimate: seeds([-0.1, 0.05, -0.05, 0.0]) }).verdict, 'reproduced');
});

test('value claims at proxy scale are never judged against the paper\'s number', () => {
  const j = judge1({ claim: claim({ hypothesis: 'value', value: 76.3, unit: '%' }), target: target({ tolerance: 1 }), estimate: { kind: 'point', value: 76.1 } });
  assert.equal(j.verdict, 'not comparable');
  assert.equal(j.label, 'not comparable at proxy scale');
});

test('exact and band values: within, above (never "better"), and a band that straddles the tolerance', () => {
  const c = claim({ hypothesis: 'value', value: 2.57, unit: '×' });
  const exact = (v: number) => judge1({ claim: c, target: target({ fidelity: 'exact', tolerance: 0.1 }), estimate: { kind: 'point', value: v } });
  assert.equal(exact(2.6).verdict, 'reproduced');
  assert.equal(exact(3.0).label, 'not reproduced (above the paper)');
  assert.equal(exact(2.0).label, 'not reproduced (below the paper)');
  const band = (lower: number, upper: number) => judge1({ claim: c, target: target({ fidelity: 'modelled-baseline', tolerance: 0.2 }), estimate: { kind: 'band', value: (lower + upper) / 2, lower, upper } });
  assert.equal(band(2.45, 2.7).verdict, 'reproduced');
  assert.equal(band(1.2, 3.5).label, 'inconclusive (range spans the tolerance)');
  assert.equal(band(3.0, 3.5).verdict, 'not reproduced');
  assert.match(band(1.2, 3.5).test, /whole range/);
});

test('value claims over seeds: two one-sided tests against the tolerance', () => {
  const c = claim({ hypothesis: 'value', value: 10, unit: 'dB' });
  const t = target({ fidelity: 'measured', tolerance: 0.5 });
  assert.equal(judge1({ claim: c, target: t, estimate: seeds([10.1, 9.9, 10.05, 10.0, 9.95]) }).verdict, 'reproduced');
  assert.equal(judge1({ claim: c, target: t, estimate: seeds([12.1, 11.9, 12.0]) }).label, 'not reproduced (above the paper)');
  assert.equal(judge1({ claim: c, target: t, estimate: seeds([9, 11]) }).verdict, 'inconclusive');
  assert.equal(judge1({ claim: c, target: target({ fidelity: 'measured' }), estimate: seeds([10, 10.1]) }).label, 'inconclusive (no tolerance)');
});

test('one seed cannot order two methods', () => {
  const j = judge1({ estimate: { kind: 'point', value: 1.2 } });
  assert.equal(j.label, 'inconclusive (one seed)');
  assert.match(j.statement, /add seeds/);
});

test('an analogue quantity is shown with its direction and never judged', () => {
  const j = judge1({ claim: claim({ value: 1.5, unit: 'pp' }), target: target({ quantity: 'analogue', note: 'MNIST, not ImageNet' }), estimate: seeds([0.3, 0.5, 0.4]) });
  assert.equal(j.label, 'not comparable (direction only)');
  assert.match(j.statement, /same direction/);
  assert.match(j.statement, /MNIST, not ImageNet/);
  assert.equal(j.p, null);
});

test('Holm across a run: a p-value that passes alone can fail in a family of tests', () => {
  // t ≈ 5.6 over 3 seeds: p ≈ 0.015 alone, ≈ 0.06 after Holm across 4 tests.
  const marginal = seeds([0.9, 1.3, 1.7]);
  const alone = judgeRun([{ target: target(), claim: claim(), estimate: marginal }])[0]!;
  assert.equal(alone.verdict, 'reproduced', alone.statement);
  const noisy = seeds([-1, 1, 0.2]);
  const family = judgeRun([marginal, noisy, noisy, noisy].map((estimate) => ({ target: target(), claim: claim(), estimate })));
  assert.ok(family[0]!.pAdjusted! > family[0]!.p!);
  assert.equal(family[0]!.label, 'inconclusive (not significant after Holm)');
  assert.match(family[0]!.test, /Holm across 4 tests/);
});

test('missing claim and missing metric', () => {
  assert.equal(judgeRun([{ target: target(), claim: undefined, estimate: undefined }])[0]!.verdict, 'unknown claim');
  assert.equal(judge1({}).verdict, 'pending');
});
