import type { RunComparison } from '@reprolab/db';
import { num, signed, table } from '../format';

export function printComparison(c: RunComparison, out: (s: string) => void = console.log): void {
  out(`run ${c.runId} · ${c.recipe} · ${c.status} · scale ${c.scale}`);
  const finals = c.metrics.filter((m) => m.points === 1);
  const series = c.metrics.filter((m) => m.points > 1);
  if (!c.metrics.length) out('no metrics recorded');
  else {
    out('\nmetrics');
    out(table(['step', 'metric', 'value'], finals.map((m) => [m.step, m.name, num(m.value)])));
    if (series.length) {
      out('\nseries (last value)');
      out(table(['step', 'metric', 'points', 'last'], series.map((m) => [m.step, m.name, m.points, num(m.value)])));
    }
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
