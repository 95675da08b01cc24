'use client';
/** One run, live: step progress bars, the training-loss curves as a chart, and the paper comparison. */
import { useEffect, useState } from 'react';

interface Step {
  stepKey: string;
  kind: string;
  queue: string;
  status: string;
  attempts: number;
  cacheHit: boolean;
  progress: { done?: number; total?: number; unit?: string; message?: string } | null;
  error: string | null;
}

interface Row {
  claimId: string;
  metric: string;
  paperValue: number | null;
  reproduced: number | null;
  delta: number | null;
  interval: [number, number] | null;
  tolerance: number;
  verdict: string;
  why: string;
}

export interface RunSnapshot {
  run: {
    run: { id: string; status: string; seed: number; error: string | null };
    recipe: { name: string; version: number } | null;
    environment: { tensorBackend: string; codeVersion: string } | null;
    steps: Step[];
  };
  series: { step: string | null; name: string; index: number | null; value: number }[];
  comparison: { rows: Row[]; scale: string };
}

async function query<T>(path: string, input: unknown): Promise<T> {
  const res = await fetch(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!body.result) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.result.data;
}

const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? '—' : Number(v.toPrecision(d)).toString());
const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989'];

/** Loss per optimizer step for every step that records `train_loss`, as an SVG line chart. */
function LossChart({ series }: { series: RunSnapshot['series'] }) {
  const curves = new Map<string, { x: number; y: number }[]>();
  for (const p of series) {
    if (p.name !== 'train_loss' || p.index === null) continue;
    const k = p.step ?? '';
    curves.set(k, [...(curves.get(k) ?? []), { x: p.index, y: p.value }]);
  }
  if (!curves.size) return null;
  const all = [...curves.values()].flat();
  const [w, h, pad] = [640, 220, 36];
  const maxX = Math.max(...all.map((p) => p.x));
  const maxY = Math.max(...all.map((p) => p.y));
  const sx = (x: number) => pad + ((w - 2 * pad) * x) / Math.max(1, maxX);
  const sy = (y: number) => h - pad + (-(h - 2 * pad) * y) / Math.max(1e-9, maxY);
  return (
    <figure>
      <svg data-testid="loss-chart" width={w} height={h} role="img" aria-label="training loss per step" style={{ border: '1px solid #eee' }}>
        <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} stroke="#999" />
        <line x1={pad} y1={pad} x2={pad} y2={h - pad} stroke="#999" />
        <text x={pad} y={pad - 8} fontSize="11">
          loss (max {fmt(maxY, 3)})
        </text>
        <text x={w - pad} y={h - 10} fontSize="11" textAnchor="end">
          step {maxX}
        </text>
        {[...curves.entries()].map(([k, pts], i) => (
          <polyline key={k} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth="1.5" points={pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        training loss per optimizer step:{' '}
        {[...curves.keys()].map((k, i) => (
          <span key={k} style={{ color: COLORS[i % COLORS.length], marginRight: 8 }}>
            ■ {k}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function RunDetail({ runId, initial }: { runId: string; initial: RunSnapshot }) {
  const [snap, setSnap] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const finished = ['completed', 'failed', 'cancelled'].includes(snap.run.run.status);
  useEffect(() => {
    if (finished) return;
    const t = setInterval(() => {
      Promise.all([query<RunSnapshot['run']>('runs.get', { runId }), query<RunSnapshot['series']>('metrics.series', { runId, name: 'train_loss' }), query<RunSnapshot['comparison']>('compare.run', { runId })])
        .then(([run, series, comparison]) => {
          setSnap({ run, series, comparison });
          setError(null);
        })
        .catch((e: unknown) => setError((e as Error).message));
    }, 2000);
    return () => clearInterval(t);
  }, [runId, finished]);
  const { run, recipe, environment, steps } = snap.run;
  return (
    <>
      <h2>
        Run <code>{run.id}</code> · {recipe?.name}@v{recipe?.version} · seed {run.seed} · <span data-testid="run-status">{run.status}</span>
      </h2>
      {environment && <p style={{ color: '#555' }}>backend {environment.tensorBackend} · code {environment.codeVersion.slice(0, 12)}</p>}
      {run.error && <p style={{ color: '#cf222e' }}>{run.error}</p>}
      {error && <p role="alert">Live updates paused: {error}</p>}
      <table data-testid="steps" style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr style={{ textAlign: 'left', borderBottom: '2px solid #ddd' }}>
            <th>step</th>
            <th>kind</th>
            <th>queue</th>
            <th>status</th>
            <th>progress</th>
            <th>attempts</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => {
            const p = s.progress ?? {};
            const frac = s.status === 'completed' ? 1 : p.total ? Math.min(1, (p.done ?? 0) / p.total) : 0;
            return (
              <tr key={s.stepKey} data-step={s.stepKey} style={{ borderBottom: '1px solid #eee' }}>
                <td>{s.stepKey}</td>
                <td>{s.kind}</td>
                <td>{s.queue}</td>
                <td title={s.error ?? undefined}>{s.cacheHit ? 'cached' : s.status}</td>
                <td>
                  <progress value={frac} max={1} style={{ width: 160 }} /> {p.total ? `${p.done ?? 0}/${p.total} ${p.unit ?? ''}` : ''}
                </td>
                <td>{s.attempts}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <LossChart series={snap.series} />
      <h3>Against the paper ({snap.comparison.scale} scale)</h3>
      {snap.comparison.rows.length === 0 ? (
        <p>This recipe targets no paper claim.</p>
      ) : (
        <table data-testid="comparison" style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr style={{ textAlign: 'left', borderBottom: '2px solid #ddd' }}>
              <th>claim</th>
              <th>paper</th>
              <th>reproduced</th>
              <th>Δ</th>
              <th>tolerance</th>
              <th>verdict</th>
            </tr>
          </thead>
          <tbody>
            {snap.comparison.rows.map((r) => (
              <tr key={r.claimId + r.metric} style={{ borderBottom: '1px solid #eee' }}>
                <td>{r.claimId}</td>
                <td>{fmt(r.paperValue)}</td>
                <td>
                  {fmt(r.reproduced)}
                  {r.interval ? ` [${fmt(r.interval[0], 3)}, ${fmt(r.interval[1], 3)}]` : ''}
                </td>
                <td>{fmt(r.delta)}</td>
                <td>±{r.tolerance}</td>
                <td title={r.why}>{r.verdict}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
