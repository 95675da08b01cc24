/**
 * How a reproduced number is judged against a paper's claim (ARCHITECTURE.md, "Comparing against
 * the papers"). Every verdict names the hypothesis it tests (the paper's value within a tolerance,
 * "A beats B", "A is no worse than B by more than a margin") and the kind of evidence it rests on
 * (exact, measured, modelled baseline, proxy); tests over seeds are Holm-corrected across a run.
 * An overshoot is "not reproduced (above the paper)", never "better".
 */
import { holmAdjust, pAbove, pBelow } from './stats';

export const FIDELITIES = ['exact', 'measured', 'modelled-baseline', 'proxy', 'qualitative-model'] as const;
/**
 * exact: a deterministic quantity (a parameter count) of the paper's own configuration;
 * measured: the paper's setting, real data, real hardware; modelled-baseline: one side is a model
 * (the simulated V100); proxy: a reduced setting, where only orderings get verdicts;
 * qualitative-model: a qualitative claim (no paper number) checked in an analytical/numerical
 * model with cited or user-chosen parameters: deterministic, judged by the sign of a margin and
 * labelled "holds in the model", never as reproducing a paper number.
 */
export type Fidelity = (typeof FIDELITIES)[number];

export const HYPOTHESES = ['value', 'superiority', 'non-inferiority'] as const;
export type Hypothesis = (typeof HYPOTHESES)[number];

/** The registry claim, as far as judging needs it. */
export interface ClaimForJudging {
  id: string;
  /** The paper's number; null for a qualitative claim ("matches dense") that states none. */
  value: number | null;
  unit: string | null;
  hypothesis: Hypothesis;
  /** Non-inferiority margin in the claim's unit. */
  margin: number | null;
  higherIsBetter: boolean | null;
  /** What the subject is compared with ("pruning from a pre-trained dense model"). */
  baseline: string | null;
}

export interface TargetForJudging {
  claim: string;
  metric: string;
  /** Value claims: the |reproduced − paper| that still counts; non-inferiority: margin if the claim has none. */
  tolerance?: number;
  fidelity: Fidelity;
  /** `analogue`: the run measures a related but different quantity; shown as direction only. */
  quantity?: 'same' | 'analogue';
  note?: string;
}

/** A reproduced number, in the claim's unit. */
export type Estimate =
  | { kind: 'point'; value: number }
  /** Mean over seeds with its 95 % Student-t interval. */
  | { kind: 'seeds'; mean: number; lower: number; upper: number; se: number; df: number; n: number; paired: boolean }
  /** A deterministic model's central value and its range over uncertain parameters. */
  | { kind: 'band'; value: number; lower: number; upper: number };

export type Verdict = 'reproduced' | 'not reproduced' | 'inconclusive' | 'not comparable' | 'pending' | 'unknown claim';

export interface Judgement {
  verdict: Verdict;
  /** The verdict with what it means here: "not reproduced (above the paper)". */
  label: string;
  /** The test, in words: "superiority: one-sided t over 5 paired seeds, Holm across 3 tests". */
  test: string;
  /** One line a reader cannot misread: the claim's direction, the number, its interval, the seeds. */
  statement: string;
  /** One-sided p-value of the claim's hypothesis, and after Holm's correction (seeded tests only). */
  p: number | null;
  pAdjusted: number | null;
}

export interface JudgeInput {
  target: TargetForJudging;
  claim: ClaimForJudging | undefined;
  estimate: Estimate | undefined;
}

export const ALPHA = 0.05;

/** Judges every target of one run; seeded tests form one family for Holm's correction. */
export function judgeRun(inputs: readonly JudgeInput[]): Judgement[] {
  const drafts = inputs.map(draft);
  const tested = drafts.map((d, i) => ({ d, i })).filter((x) => x.d.p !== null);
  const adjusted = holmAdjust(tested.map((x) => x.d.p!));
  tested.forEach((x, k) => (x.d.pAdjusted = adjusted[k]!));
  return drafts.map((d) => finish(d, tested.length));
}

interface Draft {
  input: JudgeInput;
  p: number | null;
  pAdjusted: number | null;
  /** Decided without a p-value (deterministic, pending, not comparable). */
  fixed?: Omit<Judgement, 'p' | 'pAdjusted'>;
}

function sign(claim: ClaimForJudging): number {
  return claim.higherIsBetter === false ? -1 : 1;
}

function draft(input: JudgeInput): Draft {
  const { target: t, claim: c, estimate: e } = input;
  const d: Draft = { input, p: null, pAdjusted: null };
  if (!c) {
    d.fixed = { verdict: 'unknown claim', label: 'unknown claim', test: '—', statement: `claim "${t.claim}" is not in the registry` };
    return d;
  }
  if (!e) {
    d.fixed = { verdict: 'pending', label: 'pending', test: testName(c, t, undefined, 0), statement: `${t.metric} not recorded yet` };
    return d;
  }
  if (t.quantity === 'analogue') {
    const v = central(e);
    const same = c.value === null || c.value === 0 ? null : Math.sign(v) === Math.sign(c.value);
    d.fixed = {
      verdict: 'not comparable',
      label: 'not comparable (direction only)',
      test: 'none: the run measures a different quantity',
      statement: `${fmt(v, c.unit, true)}${spread(e, c.unit)} on this run's quantity${c.value === null ? '' : `; the paper reports ${fmt(c.value, c.unit, true)} on its own`}${same === null ? '' : same ? ' (same direction)' : ' (opposite direction)'}${t.note ? ` — ${t.note}` : ''}`,
    };
    return d;
  }
  if (c.hypothesis === 'value' && (t.fidelity === 'proxy' || t.fidelity === 'qualitative-model')) {
    d.fixed = {
      verdict: 'not comparable',
      label: 'not comparable at proxy scale',
      test: 'none: the paper\'s number comes from its full setting',
      statement: `this proxy measured ${fmt(central(e), c.unit)}${spread(e, c.unit)}; the paper's ${c.value === null ? 'claim' : fmt(c.value, c.unit)} is from its own setting${t.note ? ` — ${t.note}` : ''}`,
    };
    return d;
  }
  const margin = c.hypothesis === 'non-inferiority' ? (c.margin ?? t.tolerance) : undefined;
  if (c.hypothesis === 'non-inferiority' && margin === undefined) {
    d.fixed = { verdict: 'inconclusive', label: 'inconclusive (no margin)', test: 'non-inferiority', statement: `neither the claim nor the recipe gives a non-inferiority margin; add \`tolerance\` to the target` };
    return d;
  }
  if (c.hypothesis === 'value' && (t.tolerance === undefined || c.value === null)) {
    d.fixed = { verdict: 'inconclusive', label: 'inconclusive (no tolerance)', test: 'value', statement: c.value === null ? 'the claim states no number to compare with' : 'the recipe gives no tolerance for this value claim; add `tolerance` to the target' };
    return d;
  }
  if (e.kind === 'seeds') {
    const s = sign(c);
    if (c.hypothesis === 'superiority') d.p = s > 0 ? pAbove(e.mean, e.se, e.df, 0) : pBelow(e.mean, e.se, e.df, 0);
    else if (c.hypothesis === 'non-inferiority') d.p = s > 0 ? pAbove(e.mean, e.se, e.df, -margin!) : pBelow(e.mean, e.se, e.df, margin!);
    else d.p = Math.max(pAbove(e.mean, e.se, e.df, c.value! - t.tolerance!), pBelow(e.mean, e.se, e.df, c.value! + t.tolerance!));
    return d;
  }
  // A point or a band. One seed of a noisy measurement cannot order two methods.
  if (e.kind === 'point' && c.hypothesis !== 'value' && (t.fidelity === 'proxy' || t.fidelity === 'measured')) {
    d.fixed = { verdict: 'inconclusive', label: 'inconclusive (one seed)', test: testName(c, t, e, 0), statement: `${ordering(c, 'unknown', margin)}: ${fmt(e.value, c.unit, true)} from a single seed; add seeds to get an interval` };
    return d;
  }
  const [lo, hi] = e.kind === 'band' ? [e.lower, e.upper] : [e.value, e.value];
  const outcome = decide(c, t, lo, hi, margin);
  if (t.fidelity === 'qualitative-model') {
    const label = outcome.side === 'holds' ? 'holds in the model (qualitative claim; cited/user-chosen parameters)' : outcome.side === 'fails' ? 'does not hold in the model (qualitative claim; cited/user-chosen parameters)' : outcome.label;
    d.fixed = { verdict: outcome.verdict, label, test: testName(c, t, e, 0), statement: describe(c, t, e, outcome.side, margin) };
    return d;
  }
  d.fixed = { ...outcome, test: testName(c, t, e, 0), statement: describe(c, t, e, outcome.side, margin) };
  return d;
}

type Side = 'holds' | 'fails' | 'above' | 'below' | 'unknown';

/** Deterministic decision from a range [lo, hi] (a point has lo = hi). */
function decide(c: ClaimForJudging, t: TargetForJudging, lo: number, hi: number, margin: number | undefined): { verdict: Verdict; label: string; side: Side } {
  if (c.hypothesis === 'value') {
    const v = c.value!;
    const tol = t.tolerance!;
    if (lo >= v - tol && hi <= v + tol) return { verdict: 'reproduced', label: 'reproduced', side: 'holds' };
    if (lo > v + tol) return { verdict: 'not reproduced', label: 'not reproduced (above the paper)', side: 'above' };
    if (hi < v - tol) return { verdict: 'not reproduced', label: 'not reproduced (below the paper)', side: 'below' };
    return { verdict: 'inconclusive', label: 'inconclusive (range spans the tolerance)', side: 'unknown' };
  }
  const s = sign(c);
  const [a, b] = s > 0 ? [lo, hi] : [-hi, -lo];
  const threshold = c.hypothesis === 'superiority' ? 0 : -margin!;
  if (a > threshold) return { verdict: 'reproduced', label: 'reproduced', side: 'holds' };
  if (b <= threshold) return { verdict: 'not reproduced', label: c.hypothesis === 'superiority' ? 'not reproduced (not better)' : 'not reproduced (worse by more than the margin)', side: 'fails' };
  return { verdict: 'inconclusive', label: 'inconclusive (range spans the threshold)', side: 'unknown' };
}

function finish(d: Draft, family: number): Judgement {
  const { target: t, claim: c, estimate: e } = d.input;
  if (d.fixed) return { ...d.fixed, p: null, pAdjusted: null };
  // Seeded test: decided by the Holm-adjusted p-value; "not reproduced" needs the 95 % interval to
  // lie wholly on the other side.
  const est = e as Extract<Estimate, { kind: 'seeds' }>;
  const claim = c!;
  const margin = claim.hypothesis === 'non-inferiority' ? (claim.margin ?? t.tolerance) : undefined;
  let verdict: Verdict;
  let label: string;
  let side: Side;
  if (d.pAdjusted! <= ALPHA) {
    verdict = 'reproduced';
    label = 'reproduced';
    side = 'holds';
  } else {
    const contrary = decide(claim, t, est.lower, est.upper, margin);
    if (contrary.verdict === 'not reproduced') ({ verdict, label, side } = contrary);
    else {
      verdict = 'inconclusive';
      side = 'unknown';
      label = contrary.verdict === 'reproduced' ? 'inconclusive (not significant after Holm)' : 'inconclusive';
    }
  }
  return {
    verdict,
    label,
    test: testName(claim, t, est, family),
    statement: `${describe(claim, t, est, side, margin)}, p = ${fmtP(d.p!)}${family > 1 ? ` (Holm ${fmtP(d.pAdjusted!)})` : ''}`,
    p: d.p,
    pAdjusted: d.pAdjusted,
  };
}

function testName(c: ClaimForJudging, t: TargetForJudging, e: Estimate | undefined, family: number): string {
  const what = c.hypothesis === 'value' ? `value within ±${t.tolerance ?? '?'}${unitSuffix(c.unit)} of the paper` : c.hypothesis === 'superiority' ? 'superiority (A − B > 0)' : `non-inferiority (A − B > −${c.margin ?? t.tolerance ?? '?'}${unitSuffix(c.unit)})`;
  if (!e) return `${what} [${t.fidelity}]`;
  if (e.kind === 'seeds') {
    const how = c.hypothesis === 'value' ? 'two one-sided t-tests' : 'one-sided t-test';
    return `${what}: ${how} over ${e.n} ${e.paired ? 'paired ' : ''}seeds${family > 1 ? `, Holm across ${family} tests` : ''} [${t.fidelity}]`;
  }
  if (e.kind === 'band') return `${what}: the whole range over uncertain model parameters [${t.fidelity}]`;
  return `${what}: a single ${t.fidelity === 'exact' || t.fidelity === 'modelled-baseline' || t.fidelity === 'qualitative-model' ? 'deterministic ' : ''}value [${t.fidelity}]`;
}

function ordering(c: ClaimForJudging, side: Side, margin: number | undefined): string {
  const vs = c.baseline ?? 'the baseline';
  if (c.hypothesis === 'superiority') return side === 'holds' ? `better than ${vs}` : side === 'fails' ? `not better than ${vs}` : `not shown better than ${vs}`;
  const m = `${fmt(margin!, c.unit)}`;
  return side === 'holds' ? `within ${m} of ${vs} or better` : side === 'fails' ? `worse than ${vs} by more than ${m}` : `not shown within ${m} of ${vs}`;
}

function describe(c: ClaimForJudging, t: TargetForJudging, e: Estimate, side: Side, margin: number | undefined): string {
  const v = central(e);
  const seeds = e.kind === 'seeds' ? `, ${e.n} ${e.paired ? 'paired ' : ''}seed${e.n === 1 ? '' : 's'}` : e.kind === 'band' ? ' over the uncertain parameters' : '';
  const paper = c.value === null ? '' : `; paper ${fmt(c.value, c.unit, c.hypothesis !== 'value')}`;
  if (c.hypothesis === 'value') {
    const rel = side === 'holds' ? 'within' : side === 'above' ? 'above' : side === 'below' ? 'below' : 'not resolved against';
    return `${fmt(v, c.unit)}${spread(e, c.unit)}${seeds}: ${rel} the paper's ${fmt(c.value!, c.unit)} ± ${fmt(t.tolerance!, c.unit)}`;
  }
  return `${ordering(c, side, margin)}: ${fmt(v, c.unit, true)}${spread(e, c.unit)}${seeds}${paper}`;
}

function central(e: Estimate): number {
  return e.kind === 'seeds' ? e.mean : e.value;
}

function spread(e: Estimate, unit: string | null): string {
  if (e.kind === 'point') return '';
  const signed = e.kind === 'seeds';
  return ` [${fmt(e.lower, unit, signed, true)}, ${fmt(e.upper, unit, signed, true)}]`;
}

function unitSuffix(unit: string | null): string {
  if (!unit) return '';
  return unit === 'x' || unit === '×' ? '×' : unit === '%' ? ' %' : ` ${unit}`;
}

/** A number with the precision a reader needs, its unit, and a sign for differences. */
export function fmt(x: number, unit: string | null, signed = false, bare = false): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : x < 0 ? '−∞' : 'n/a';
  const a = Math.abs(x);
  const digits = a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 2 : a >= 0.01 ? 3 : 4;
  let s = a.toFixed(digits);
  if (x < 0) s = `−${s}`;
  else if (signed) s = `+${s}`;
  return bare ? s : s + unitSuffix(unit);
}

function fmtP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
