'use client';
/** The runs list, refreshed every two seconds through the tRPC HTTP endpoint. */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { TableHead } from './table-head';
import { query } from './trpc-client';

export interface RunListItem {
  id: string;
  recipeName: string;
  recipeVersion: number;
  seed: number;
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

const COLORS: Record<string, string> = { completed: '#1a7f37', failed: '#cf222e', cancelled: '#6e7781', running: '#0969da', paused: '#9a6700', queued: '#6e7781' };

function took(r: RunListItem): string {
  if (!r.startedAt) return '';
  const end = r.finishedAt ? new Date(r.finishedAt).getTime() : Date.now();
  const s = Math.round((end - new Date(r.startedAt).getTime()) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function RunsTable({ initial }: { initial: RunListItem[] }) {
  const [runs, setRuns] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  useEffect(() => {
    const tick = async () => {
      try {
        setRuns(await query<RunListItem[]>('runs.list', { limit: 100 }));
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      }
    };
    const t = setInterval(() => void tick(), 2000);
    return () => clearInterval(t);
  }, []);
  if (!runs.length) return <p data-testid="no-runs">No runs yet. Start one with <code>reprolab run workflows/recipes/smoke.yaml</code>.</p>;
  return (
    <>
      {error && <p role="alert" style={{ color: '#cf222e' }}>Live updates paused: {error}</p>}
      <p>
        {picked.length >= 2 ? (
          <a data-testid="compare-picked" href={`/compare?runs=${picked.map(encodeURIComponent).join(',')}`}>
            compare {picked.length} selected runs
          </a>
        ) : (
          <span style={{ color: '#777' }}>tick two or more runs to compare them side by side</span>
        )}
      </p>
      <table data-testid="runs" style={{ borderCollapse: 'collapse', width: '100%' }}>
        <TableHead columns={['', 'run', 'recipe', 'seed', 'status', 'created', 'took']} />
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run={r.id} style={{ borderBottom: '1px solid #eee' }}>
              <td>
                <input type="checkbox" aria-label={`pick ${r.id}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} />
              </td>
              <td>
                <Link href={`/runs/${r.id}`}>
                  <code>{r.id}</code>
                </Link>
              </td>
              <td>
                {r.recipeName}@v{r.recipeVersion}
              </td>
              <td>{r.seed}</td>
              <td style={{ color: COLORS[r.status] ?? 'inherit' }} title={r.error ?? undefined} data-testid="status">
                {r.status}
              </td>
              <td>{new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19)}</td>
              <td>{took(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
