'use client';
/**
 * What a run ran on and made: its environment, where each step's time went (orchestration
 * overhead), which digests fed which step (lineage), and its artifacts with download links
 * (presigned by the API; the bytes come straight from the object store).
 */
import Link from 'next/link';
import { useState } from 'react';
import type { LineageSource, OverheadTotals, StepLineage, StepOverhead } from '@reprolab/api';
import { TableHead } from '../../table-head';
import { query } from '../../trpc-client';

export interface EnvironmentView {
  codeVersion: string;
  lockfileHash: string;
  nodeVersion: string;
  tensorBackend: string;
  seed: number;
  host: string;
  platform: string;
}

export interface ArtifactView {
  sha256: string;
  size: number;
  kind: string;
  name: string;
  stepKey: string | null;
}

/** 40 ms, 1.2 s, 3 min 05 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);
const short = (digest: string) => digest.slice(0, 19);
const muted = { color: '#555' };

export function EnvironmentPanel({ env }: { env: EnvironmentView | null }) {
  if (!env) return <p style={muted}>Environment not recorded yet (the run has not been prepared).</p>;
  const rows: [string, string][] = [
    ['code version', env.codeVersion],
    ['lockfile hash', env.lockfileHash],
    ['tensor backend', env.tensorBackend],
    ['host', `${env.host} (${env.platform}, node ${env.nodeVersion})`],
    ['seed', String(env.seed)],
  ];
  return (
    <dl data-testid="environment" style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', fontSize: 13 }}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt style={muted}>{k}</dt>
          <dd style={{ margin: 0, fontFamily: k === 'seed' ? undefined : 'monospace' }} data-env={k}>
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Dispatch (grey), queue (orange), work (blue) of one step, to scale with the longest step. */
export function OverheadBar({ o, scaleMs }: { o: StepOverhead; scaleMs: number }) {
  if (o.timeToStartMs === null || !scaleMs) return null;
  const parts: [string, number, string][] = [
    ['before queue (bookkeeping, dispatch)', Math.max(0, o.timeToStartMs - (o.queuedMs ?? 0)), '#bbb'],
    ['queued for a worker', o.queuedMs ?? 0, '#e8a33d'],
    ['running (retries included)', o.runMs ?? 0, '#3b82c4'],
  ];
  return (
    <span style={{ display: 'inline-flex', width: 140, height: 8, background: '#f3f3f3' }} aria-label="where the step's time went">
      {parts.map(([label, ms, color]) => (
        <span key={label} title={`${label}: ${fmtMs(ms)}`} style={{ width: `${(100 * ms) / scaleMs}%`, background: color }} />
      ))}
    </span>
  );
}

export function OverheadSummary({ t, steps }: { t: OverheadTotals; steps: number }) {
  return (
    <p data-testid="overhead-summary" style={{ ...muted, fontSize: 13 }}>
      Where time went: preparation {fmtMs(t.preparationMs)} · time to start {fmtMs(t.timeToStartMs)} (queued {fmtMs(t.queuedMs)}) over {t.computed} computed step
      {t.computed === 1 ? '' : 's'} · retries {t.retries} · cache hits {t.cacheHits}/{steps}
    </p>
  );
}

function SourceCell({ s }: { s: LineageSource }) {
  if (s.kind === 'dataset') return <>dataset {s.name}</>;
  if (s.kind === 'unknown') return <>unknown</>;
  const what = `${s.stepKey ?? '?'}.${s.artifact}`;
  return s.sameRun || !s.runId ? <>{what}</> : <>{what} of run <Link href={`/runs/${encodeURIComponent(s.runId)}`}>{s.runId}</Link></>;
}

/** A button that asks the API for a presigned link, then lets the browser download from the store. */
function DownloadButton({ runId, sha256, label }: { runId: string; sha256: string; label: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = () => {
    setBusy(true);
    setProblem(null);
    query<{ url: string }>('artifacts.url', { runId, sha256 })
      .then(({ url }) => window.location.assign(url))
      .catch((e: unknown) => setProblem((e as Error).message))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={download} aria-label={`download ${label}`}>
        Download
      </button>
      {problem && (
        <span role="alert" style={{ color: '#cf222e', fontSize: 12 }}>
          {' '}
          {problem}
        </span>
      )}
    </>
  );
}

export function LineageTable({ runId, lineage }: { runId: string; lineage: StepLineage[] }) {
  const rows = lineage.flatMap((l) => (l.inputs ?? []).map((i) => ({ step: l.stepKey, ...i })));
  if (!rows.length) return <p style={muted}>No step has begun yet: nothing consumed.</p>;
  return (
    <table data-testid="lineage" style={{ borderCollapse: 'collapse', width: '100%', fontSize: 13 }}>
      <TableHead columns={['step', 'input', 'from', 'digest', '']} />
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.step}/${r.slot}`} data-lineage={`${r.step}.${r.slot}`} style={{ borderBottom: '1px solid #eee' }}>
            <td>{r.step}</td>
            <td>
              {r.slot}
              {r.ref && r.ref !== r.digest && <span style={{ color: '#777' }}> ({r.ref})</span>}
            </td>
            <td>
              <SourceCell s={r.source} />
            </td>
            <td title={r.digest} style={{ fontFamily: 'monospace' }}>
              {short(r.digest)}
            </td>
            <td>{r.source.kind === 'dataset' && <DownloadButton runId={runId} sha256={r.digest} label={`${r.step} ${r.slot}`} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ArtifactsTable({ runId, artifacts }: { runId: string; artifacts: ArtifactView[] }) {
  if (!artifacts.length) return <p style={muted}>No artifacts stored yet.</p>;
  return (
    <table data-testid="artifacts" style={{ borderCollapse: 'collapse', width: '100%', fontSize: 13 }}>
      <TableHead columns={['step', 'kind', 'name', 'size', 'sha256', '']} />
      <tbody>
        {artifacts.map((a, i) => (
          <tr key={`${a.sha256}/${i}`} data-artifact={a.name} style={{ borderBottom: '1px solid #eee' }}>
            <td>{a.stepKey ?? '—'}</td>
            <td>{a.kind}</td>
            <td>{a.name}</td>
            <td>{bytes(a.size)}</td>
            <td title={a.sha256} style={{ fontFamily: 'monospace' }}>
              {short(a.sha256)}
            </td>
            <td>
              <DownloadButton runId={runId} sha256={a.sha256} label={a.name} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
