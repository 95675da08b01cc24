'use client';
/**
 * One run, live: step progress with where each step's time went, its charts (training loss, MPU vs
 * V100) and the paper comparison, then its artifacts (downloadable), lineage and environment.
 */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { OverheadTotals, StepLineage, StepOverhead } from '@reprolab/api';
import { TableHead } from '../../table-head';
import { mutate, query } from '../../trpc-client';
import {
  ComparisonChart,
  fmt,
  LossChart,
  ModelSeriesCharts,
  NoveltyChart,
  SimulationChart,
  EnergySensitivityChart,
  type EnergySensitivityView,
  SparsityChart,
  SweepCharts,
  VERDICT_COLORS,
  type ComparisonRowView,
  type MetricView,
  type SeriesPoint,
  type SparseSpec,
  type SweepSpec,
} from './charts';
import {
  ArtifactsTable,
  EnvironmentPanel,
  fmtMs,
  LineageTable,
  OverheadBar,
  OverheadSummary,
  type ArtifactView,
  type EnvironmentView,
} from './run-provenance';
import { completedDistillSteps, SrPanel, type SrSnapshot } from './sr-panel';
import { completedDehazeSteps, DehazePanel } from './dehaze-panel';

interface Step {
  stepKey: string;
  kind: string;
  queue: string;
  status: string;
  attempts: number;
  cacheHit: boolean;
  progress: { done?: number; total?: number; unit?: string; message?: string } | null;
  error: string | null;
  overhead: StepOverhead;
  /** A cached step: the run and step whose results it reused. */
  cachedFrom: { runId: string; stepKey: string } | null;
}

export interface RunSnapshot {
  run: {
    run: { id: string; status: string; seed: number; error: string | null };
    recipe: { name: string; version: number } | null;
    environment: EnvironmentView | null;
    steps: Step[];
    overhead: OverheadTotals;
    lineage: StepLineage[];
    artifacts: ArtifactView[];
    /** The workflow's own view while it runs (a pause shows here before the run's status changes). */
    live: { paused: boolean } | null;
  };
  series: SeriesPoint[];
  /** `sweep_*` series of the swept steps (the loss series above stays separate: it can be long). */
  sweepSeries: SeriesPoint[];
  /** Curves of `simulate` steps (bands, DOS, sweeps), read when the page loads. */
  modelSeries: SeriesPoint[];
  comparison: { rows: ComparisonRowView[]; metrics: MetricView[]; scale: string; fidelity: string; energySensitivity?: EnergySensitivityView | null };
  /** From the recipe: fixed for the run. */
  sweeps: SweepSpec[];
  sparse: SparseSpec[];
  /** Super-resolution (distill) runs only; its `view` is refreshed while the run goes. */
  sr: SrSnapshot | null;
}


/** Pause / resume / cancel for a run that has not ended; cancel asks once more before it acts. */
function RunControls({ runId, status, paused }: { runId: string; status: string; paused: boolean }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  if (['completed', 'failed', 'cancelled'].includes(status)) return null;
  const act = (what: 'pause' | 'resume' | 'cancel', done: string) => {
    setBusy(true);
    setConfirming(false);
    mutate(`runs.${what}`, { runId })
      .then(() => setNote(done))
      .catch((e: unknown) => setNote(`could not ${what}: ${(e as Error).message}`))
      .finally(() => setBusy(false));
  };
  return (
    <p data-testid="run-controls" style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
      {paused ? (
        <button disabled={busy} onClick={() => act('resume', 'resume requested')}>
          Resume
        </button>
      ) : (
        <button disabled={busy} onClick={() => act('pause', 'pause requested: running steps finish, no new step starts')}>
          Pause
        </button>
      )}
      {confirming ? (
        <>
          <button disabled={busy} onClick={() => act('cancel', 'cancellation requested')} style={{ color: '#cf222e' }}>
            Stop the run and its compute
          </button>
          <button onClick={() => setConfirming(false)}>Keep running</button>
        </>
      ) : (
        <button disabled={busy} onClick={() => setConfirming(true)}>
          Cancel…
        </button>
      )}
      {note && <span style={{ color: '#555' }}>{note}</span>}
    </p>
  );
}

export function RunDetail({ runId, initial }: { runId: string; initial: RunSnapshot }) {
  const [snap, setSnap] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const finished = ['completed', 'failed', 'cancelled'].includes(snap.run.run.status);
  const hasSweeps = initial.sweeps.length > 0;
  const isSr = initial.sr !== null;
  useEffect(() => {
    if (finished) return;
    const t = setInterval(() => {
      Promise.all([
        query<RunSnapshot['run']>('runs.get', { runId }),
        query<RunSnapshot['series']>('metrics.series', { runId, name: 'train_loss' }),
        hasSweeps ? query<RunSnapshot['sweepSeries']>('metrics.series', { runId, prefix: 'sweep_' }) : Promise.resolve([]),
        query<RunSnapshot['comparison']>('compare.run', { runId }),
        isSr ? query<SrSnapshot['view'] | null>('sr.view', { runId }) : Promise.resolve(null),
      ])
        .then(([run, series, sweepSeries, comparison, srView]) => {
          setSnap((prev) => ({ ...prev, run, series, sweepSeries, comparison, sr: prev.sr && srView ? { ...prev.sr, view: srView } : prev.sr }));
          setError(null);
        })
        .catch((e: unknown) => setError((e as Error).message));
    }, 2000);
    return () => clearInterval(t);
  }, [runId, finished, hasSweeps, isSr]);
  const { run, recipe, environment, steps } = snap.run;
  const scaleMs = Math.max(0, ...steps.map((s) => s.overhead.wallMs ?? 0));
  return (
    <>
      <h2>
        Run <code>{run.id}</code> · {recipe?.name}@v{recipe?.version} · seed {run.seed} · <span data-testid="run-status">{run.status}</span>
      </h2>
      {run.error && <p style={{ color: '#cf222e' }}>{run.error}</p>}
      <RunControls runId={run.id} status={run.status} paused={run.status === 'paused' || !!snap.run.live?.paused} />
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
            <th title="ready (its needs done) → a worker began it">to start</th>
            <th title="waiting on its task queue for a worker, over every attempt">queued</th>
            <th title="a worker began it → finished">running</th>
            <th>retries</th>
            <th title="grey: bookkeeping and dispatch · orange: queued · blue: running">where time went</th>
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
                <td title={s.error ?? undefined}>
                  {s.cacheHit ? 'cached' : s.status}
                  {s.cachedFrom && (
                    <div style={{ color: '#777', fontSize: 11 }}>
                      reused from <Link href={`/runs/${encodeURIComponent(s.cachedFrom.runId)}`}>{s.cachedFrom.runId}</Link> · {s.cachedFrom.stepKey}
                    </div>
                  )}
                </td>
                <td>
                  <progress value={frac} max={1} style={{ width: 160 }} /> {p.total ? `${p.done ?? 0}/${p.total} ${p.unit ?? ''}` : ''}
                </td>
                <td>{s.attempts}</td>
                <td data-overhead="to-start">{fmtMs(s.overhead.timeToStartMs)}</td>
                <td data-overhead="queued">{fmtMs(s.overhead.queuedMs)}</td>
                <td data-overhead="running">{fmtMs(s.overhead.runMs)}</td>
                <td data-overhead="retries">{s.cacheHit ? '—' : s.overhead.retries}</td>
                <td>
                  <OverheadBar o={s.overhead} scaleMs={scaleMs} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <OverheadSummary t={snap.run.overhead} steps={steps.length} />
      <SparsityChart specs={snap.sparse} metrics={snap.comparison.metrics} />
      <NoveltyChart metrics={snap.comparison.metrics} rows={snap.comparison.rows} />
      {steps.some((s) => s.kind === 'dehaze') && <DehazePanel runId={run.id} completed={completedDehazeSteps(steps)} metrics={snap.comparison.metrics} />}
      <LossChart series={snap.series} />
      {snap.sr && initial.sr && <SrPanel runId={run.id} view={snap.sr.view} initial={initial.sr} completedDistill={completedDistillSteps(steps)} />}
      <SimulationChart metrics={snap.comparison.metrics} rows={snap.comparison.rows} stepOrder={steps.map((s) => s.stepKey)} />
      <EnergySensitivityChart s={snap.comparison.energySensitivity} />
      <SweepCharts sweeps={snap.sweeps} series={snap.sweepSeries} />
      <ModelSeriesCharts series={snap.modelSeries} />
      <h3>
        Against the paper ({snap.comparison.scale} scale, {snap.comparison.fidelity} evidence)
      </h3>
      {snap.comparison.rows.length === 0 ? (
        <p>This recipe targets no paper claim.</p>
      ) : (
        <>
          <ComparisonChart rows={snap.comparison.rows} />
          <table data-testid="comparison" style={{ borderCollapse: 'collapse', width: '100%' }}>
            <TableHead columns={['claim', 'evidence', 'paper', 'reproduced', 'verdict', 'what it means']} />
            <tbody>
              {snap.comparison.rows.map((r) => (
                <tr key={r.claimId + r.metric} style={{ borderBottom: '1px solid #eee', verticalAlign: 'top' }}>
                  <td title={r.claimText ?? undefined}>
                    {r.claimId}
                    <div style={{ color: '#777', fontSize: 11 }}>{r.metric}</div>
                  </td>
                  <td>{r.fidelity}</td>
                  <td>{fmt(r.paperValue)}</td>
                  <td>
                    {fmt(r.reproduced)}
                    {r.interval ? ` [${fmt(r.interval[0], 3)}, ${fmt(r.interval[1], 3)}]` : ''}
                  </td>
                  <td data-verdict={r.verdict} style={{ color: VERDICT_COLORS[r.verdict] ?? '#555' }}>
                    {r.label}
                  </td>
                  <td style={{ fontSize: 12 }}>
                    {r.statement}
                    <div style={{ color: '#777' }}>test: {r.test}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Artifacts</h3>
      <ArtifactsTable runId={run.id} artifacts={snap.run.artifacts} />
      <h3>Lineage</h3>
      <LineageTable runId={run.id} lineage={snap.run.lineage} />
      <h3>Environment</h3>
      <EnvironmentPanel env={environment} />
    </>
  );
}
