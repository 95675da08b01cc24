import type { RunComparison } from '@reprolab/db';
import { num, signed, table } from '../format';

export function printComparison(c: RunComparison, out: (s: string) => void = console.log): void {
  out(`run ${c.runId} · ${c.recipe} · ${c.status} · scale ${c.scale}`);
  const inInterval = new Set(c.intervals.flatMap((i) => ['_mean', '_lower', '_upper', '_n', '_verdict'].map((k) => `${i.step}.${i.name}${k}`)));
  const finals = c.metrics.filter((m) => m.points === 1 && !inInterval.has(`${m.step}.${m.name}`));
  const series = c.metrics.filter((m) => m.points > 1);
  if (!c.metrics.length) out('no metrics recorded');
  else {
    out('\nmetrics');
    out(table(['step', 'metric', 'value'], finals.map((m) => [m.step, m.name, num(m.value)])));
    if (series.length > 12) {
      out(`\n${series.length} series (training curves, per-phase values): see them with \`reprolab compare ${c.runId} --json\` or in the dashboard`);
    } else if (series.length) {
      out('\nseries (last value)');
      out(table(['step', 'metric', 'points', 'last'], series.map((m) => [m.step, m.name, m.points, num(m.value)])));
    }
  }
  if (c.intervals.length) {
    out('\nsummaries with 95% intervals over seeds (verdict: is the gap ≥ −tolerance?)');
    const word = (v: number | null) => (v === 1 ? 'supported' : v === -1 ? 'refuted' : v === 0 ? 'inconclusive' : '');
    out(table(['step', 'statistic', 'mean', '95% interval', 'n', 'verdict'], c.intervals.map((i) => [i.step, i.name, signed(i.mean, 3), `[${num(i.lower, 3)}, ${num(i.upper, 3)}]`, i.n, word(i.verdict)])));
    // The summary's own _mean/_lower/... rows are shown above; keep the metric table for the rest.
  }
  if (!c.rows.length) {
    out('\npaper claims: this recipe targets none (add `targets:` to compare metrics with claims)');
    return;
  }
  out('\npaper claims');
  out(
    table(
      ['claim', 'metric', 'paper', 'reproduced', 'Δ', 'tolerance', 'verdict'],
      c.rows.map((r) => [
        r.claimId,
        r.metric,
        num(r.paperValue),
        r.interval ? `${num(r.reproduced)} [${num(r.interval[0], 3)}, ${num(r.interval[1], 3)}]` : num(r.reproduced),
        signed(r.delta),
        `±${r.tolerance}`,
        `${r.verdict} (${r.why})`,
      ]),
    ),
  );
}
