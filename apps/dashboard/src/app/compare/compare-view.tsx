'use client';
import { scaleLinear } from '@visx/scale';
import { useState } from 'react';
import type { ComparedKey, RunsComparison } from '@reprolab/api';
import { TableHead } from '../table-head';

/** One metric across runs as horizontal bars (a run without the metric gets none). */
function MetricBars({ row }: { row: ComparedKey<number> }) {
  const vals = row.values.filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...vals);
  const hi = Math.max(0, ...vals);
  const sx = scaleLinear<number>({ domain: [lo, hi > lo ? hi : lo + 1], range: [0, 120] });
  return (
    <svg width={120} height={row.values.length * 5 + 2} role="img" aria-label={`${row.key} across runs`}>
      {row.values.map((v, i) =>
        v === null || !Number.isFinite(v) ? null : (
          <rect key={i} x={Math.min(sx(0), sx(v))} y={i * 5 + 1} width={Math.max(1, Math.abs(sx(v) - sx(0)))} height={4} fill="#0969da">
            <title>{`run ${i + 1}: ${v}`}</title>
          </rect>
        ),
      )}
    </svg>
  );
}

const short = (id: string) => id.split('-')[0];

export function CompareView({ comparison: c, csv }: { comparison: RunsComparison; csv: string }) {
  const [diffOnly, setDiffOnly] = useState(true);
  const params = diffOnly ? c.params.filter((r) => r.differs) : c.params;
  const metrics = diffOnly ? c.metrics.filter((r) => r.differs) : c.metrics;
  const runCols = c.runs.map((r) => short(r.id)!);
  return (
    <>
      <p style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
        <label>
          <input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> differences only
        </label>
        <a download="reprolab-comparison.csv" href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}>
          export CSV
        </a>
        <a download="reprolab-comparison.json" href={`data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(c))}`}>
          export JSON
        </a>
      </p>
      <div style={{ overflowX: 'auto' }}>
        <table data-testid="compare-runs" style={{ borderCollapse: 'collapse', fontSize: 12 }}>
          <TableHead columns={['', ...runCols]} />
          <tbody>
            <tr>
              <td>recipe</td>
              {c.runs.map((r) => (
                <td key={r.id}>
                  <a href={`/runs/${r.id}`}>{r.recipe}</a>
                </td>
              ))}
            </tr>
            <tr>
              <td>status</td>
              {c.runs.map((r) => (
                <td key={r.id}>{r.status}</td>
              ))}
            </tr>
          </tbody>
        </table>
        <h3>
          Parameters {diffOnly ? 'that differ' : ''} ({params.length} of {c.params.length})
        </h3>
        <table data-testid="compare-params" style={{ borderCollapse: 'collapse', fontSize: 12 }}>
          <TableHead columns={['parameter', ...runCols]} />
          <tbody>
            {params.map((r) => (
              <tr key={r.key} data-key={r.key} data-differs={r.differs} style={{ borderBottom: '1px solid #eee' }}>
                <td>{r.key}</td>
                {r.values.map((v, i) => (
                  <td key={i}>{v ?? '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <h3>
          Final metrics {diffOnly ? 'that differ' : ''} ({metrics.length} of {c.metrics.length})
        </h3>
        <table data-testid="compare-metrics" style={{ borderCollapse: 'collapse', fontSize: 12 }}>
          <TableHead columns={['metric', 'across runs', ...runCols]} />
          <tbody>
            {metrics.map((r) => (
              <tr key={r.key} data-key={r.key} data-differs={r.differs} style={{ borderBottom: '1px solid #eee' }}>
                <td>{r.key}</td>
                <td>
                  <MetricBars row={r} />
                </td>
                {r.values.map((v, i) => (
                  <td key={i} style={{ textAlign: 'right' }}>
                    {v === null ? '—' : Number(v.toPrecision(5))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
