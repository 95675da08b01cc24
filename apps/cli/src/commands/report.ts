import type { RunComparison } from '@reprolab/api';
import { num, signed, table } from '../format';

export function printComparison(c: RunComparison, out: (s: string) => void = console.log): void {
  out(`run ${c.runId} · ${c.recipe} · ${c.status} · scale ${c.scale} · evidence ${c.fidelity}`);
  const inInterval = new Set(c.intervals.flatMap((i) => ['_mean', '_lower', '_upper', '_n', '_se', '_df', '_paired'].map((k) => `${i.step}.${i.name}${k}`)));
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
    out('\nsummaries over seeds (mean and 95% Student-t interval)');
    out(table(['step', 'statistic', 'mean', '95% interval', 'seeds'], c.intervals.map((i) => [i.step, i.name, signed(i.mean, 3), `[${num(i.lower, 3)}, ${num(i.upper, 3)}]`, i.n])));
  }
  if (!c.rows.length) {
    out('\npaper claims: this recipe targets none (add `targets:` to compare metrics with claims)');
    return;
  }
  const tested = c.rows.filter((r) => r.p !== null).length;
  out(`\npaper claims${tested > 1 ? ` (the ${tested} tests over seeds are Holm-corrected together)` : ''}`);
  out(table(['claim', 'evidence', 'paper', 'reproduced', 'verdict'], c.rows.map((r) => [r.claimId, r.fidelity, num(r.paperValue), r.interval ? `${num(r.reproduced)} [${num(r.interval[0], 3)}, ${num(r.interval[1], 3)}]` : num(r.reproduced), r.label])));
  for (const r of c.rows) {
    out(`\n  ${r.claimId} — ${r.label}`);
    if (r.claimText) out(`    claim: ${r.claimText}`);
    // Two targets can test one claim against different baselines: name what was measured.
    out(`    measured: ${r.metric}`);
    out(`    ${r.statement}`);
    out(`    test: ${r.test}`);
  }
  printEnergySensitivity(c, out);
}

const PRICING: Record<string, string> = { 'bottom-up-static': 'bottom-up V100, static power', 'board-power': "paper's method, board power" };

/** The suite's energy ratio against the V100's power: a row per pricing, the sources' band, and the power the paper's value needs. */
function printEnergySensitivity(c: RunComparison, out: (s: string) => void): void {
  const s = c.energySensitivity;
  if (!s) return;
  const watts = [0, 50, 100, 150, 200, 250, 300];
  out(`\nenergy ratio against the V100's power (the least certain parameter), geomean over ${s.workloads} workloads`);
  out(
    table(
      ['pricing', ...watts.map((w) => `${w} W`), "sources' band", s.paper !== null ? `${num(s.paper)}× needs` : 'paper'],
      s.curves.map((cv) => {
        const at = new Map(cv.points.map(([w, r]) => [w, r]));
        const need = cv.powerForPaperW === null ? 'not within 0–300 W' : `${num(cv.powerForPaperW, 3)} W (${cv.powerForPaperW >= cv.band.lowerW && cv.powerForPaperW <= cv.band.upperW ? 'inside' : 'outside'} the band)`;
        return [PRICING[cv.model] ?? cv.model, ...watts.map((w) => (at.has(w) ? `${num(at.get(w)!, 3)}×` : '—')), `${cv.band.lowerW}–${cv.band.upperW} W: ${num(cv.bandRatio.lower, 3)}–${num(cv.bandRatio.upper, 3)}×`, s.paper !== null ? need : '—'];
      }),
    ),
  );
}
