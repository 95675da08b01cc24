'use client';
/**
 * The runs list: filtered, sorted and paged by the API (runs.list), its state in the URL's query
 * string, refreshed every two seconds through the tRPC HTTP endpoint. Changing a filter, the sort
 * or the page pushes a history entry (back and forward work) and fetches at once; picked runs
 * (for /compare) stay picked across pages and filters.
 */
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { hasFilters, listInput, PAGE_SIZES, pageOf, perOf, readUrlState, toQueryString, type RunsUrlState } from './runs-query';
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
  tags: string[];
}

export interface RunsPage {
  runs: RunListItem[];
  total: number;
  offset: number;
  limit: number;
}

export interface RunFilterOptions {
  recipes: string[];
  papers: { id: string; title: string }[];
  tags: string[];
}

const STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];
const COLORS: Record<string, string> = { completed: '#1a7f37', failed: '#cf222e', cancelled: '#6e7781', running: '#0969da', paused: '#9a6700', queued: '#6e7781' };

function took(r: RunListItem): string {
  if (!r.startedAt) return '';
  const end = r.finishedAt ? new Date(r.finishedAt).getTime() : Date.now();
  const s = Math.round((end - new Date(r.startedAt).getTime()) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');

/** A column header that sorts by its key: first click newest/largest first, the next flips it. */
function SortHeader({ label, sortKey, state, onSort }: { label: string; sortKey: string; state: RunsUrlState; onSort: (key: string, dir: 'asc' | 'desc') => void }) {
  const active = (state.sort ?? 'created') === sortKey;
  const dir = state.dir === 'asc' ? 'asc' : 'desc';
  const next = active && dir === 'desc' ? 'asc' : active ? 'desc' : sortKey === 'recipe' || sortKey === 'status' ? 'asc' : 'desc';
  return (
    <th aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" data-sort={sortKey} onClick={() => onSort(sortKey, next)} style={{ background: 'none', border: 'none', padding: 0, font: 'inherit', fontWeight: 'bold', cursor: 'pointer' }}>
        {label}
        {active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
}

export function RunsTable({ initial, initialError, options }: { initial: RunsPage | null; initialError: string | null; options: RunFilterOptions }) {
  const params = useSearchParams();
  const state = readUrlState(new URLSearchParams(params.toString()));
  const qs = toQueryString(state);
  const [data, setData] = useState<RunsPage | null>(initial);
  const [error, setError] = useState<string | null>(initialError);
  const [picked, setPicked] = useState<string[]>([]);
  const [search, setSearch] = useState(state.q ?? '');
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  // The last search this page put in the URL: only a different one (back/forward) resets the box.
  const pushedQ = useRef(state.q ?? '');
  /** Moves to a new state: a history entry (Next keeps useSearchParams in step), then the effect below fetches. */
  const go = useCallback(
    (patch: RunsUrlState, keepPage = false) => {
      if (patch.q !== undefined) pushedQ.current = patch.q;
      const next: RunsUrlState = { ...readUrlState(new URLSearchParams(window.location.search)), ...patch };
      if (!keepPage) delete next.page;
      for (const k of Object.keys(next) as (keyof RunsUrlState)[]) if (!next[k]) delete next[k];
      window.history.pushState(null, '', `${window.location.pathname}${toQueryString(next)}`);
    },
    [],
  );

  // Fetch now whenever the state changes, then every two seconds (live updates); the newest answer wins.
  const seq = useRef(0);
  const first = useRef(true);
  useEffect(() => {
    const input = listInput(readUrlState(new URLSearchParams(qs)));
    const tick = async () => {
      const mine = ++seq.current;
      try {
        const page = await query<RunsPage>('runs.list', input);
        if (mine !== seq.current) return;
        setData(page);
        setError(null);
      } catch (e) {
        if (mine !== seq.current) return;
        setError((e as Error).message);
      }
    };
    if (first.current) first.current = false; // the server rendered this state already
    else void tick();
    const t = setInterval(() => void tick(), 2000);
    return () => clearInterval(t);
  }, [qs]);

  // The search box follows the URL (back/forward), and types into it update the URL after a pause.
  useEffect(() => {
    if ((state.q ?? '') === pushedQ.current) return;
    pushedQ.current = state.q ?? '';
    setSearch(state.q ?? '');
  }, [state.q]);
  useEffect(() => {
    if (search === (state.q ?? '')) return;
    const t = setTimeout(() => go({ q: search }), 300);
    return () => clearTimeout(t);
  }, [search, state.q, go]);

  const page = pageOf(state);
  const per = perOf(state);
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / (data?.limit || per || 50)));
  const runs = data?.runs ?? [];
  const filtered = hasFilters(state);
  const select = (name: keyof RunsUrlState, label: string, values: { value: string; label: string }[]) => (
    <label>
      {label}{' '}
      <select name={name} aria-label={label} value={state[name] ?? ''} onChange={(e) => go({ [name]: e.target.value })}>
        <option value="">any</option>
        {values.map((v) => (
          <option key={v.value} value={v.value}>
            {v.label}
          </option>
        ))}
        {state[name] && !values.some((v) => v.value === state[name]) && <option value={state[name]}>{state[name]}</option>}
      </select>
    </label>
  );

  return (
    <>
      <form data-testid="runs-filters" role="search" onSubmit={(e) => (e.preventDefault(), go({ q: search }))} style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', margin: '8px 0' }}>
        <label>
          search{' '}
          <input type="search" name="q" aria-label="search runs" placeholder="run id or recipe" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        {select('status', 'status', STATUSES.map((s) => ({ value: s, label: s })))}
        {select('recipe', 'recipe', options.recipes.map((r) => ({ value: r, label: r })))}
        {select('paper', 'paper', options.papers.map((p) => ({ value: p.id, label: `${p.id} ${p.title.slice(0, 40)}` })))}
        {options.tags.length > 0 && select('tag', 'tag', options.tags.map((t) => ({ value: t, label: t })))}
        <label>
          from <input type="date" name="from" aria-label="created from" value={state.from ?? ''} onChange={(e) => go({ from: e.target.value })} />
        </label>
        <label>
          to <input type="date" name="to" aria-label="created to" value={state.to ?? ''} onChange={(e) => go({ to: e.target.value })} />
        </label>
        {filtered && (
          <button type="button" onClick={() => (setSearch(''), go({ q: '', status: '', recipe: '', paper: '', tag: '', from: '', to: '' }))}>
            clear filters
          </button>
        )}
      </form>
      {error && (
        <p role="alert" style={{ color: '#cf222e' }}>
          {data ? `Live updates paused: ${error}` : error}
        </p>
      )}
      <p>
        {picked.length >= 2 ? (
          <a data-testid="compare-picked" href={`/compare?runs=${picked.map(encodeURIComponent).join(',')}`}>
            compare {picked.length} selected runs
          </a>
        ) : (
          <span style={{ color: '#777' }}>tick two or more runs to compare them side by side{picked.length ? ` (${picked.length} picked)` : ''}</span>
        )}
      </p>
      {data && !runs.length && !filtered && page === 1 ? (
        <p data-testid="no-runs">
          No runs yet. Start one with <code>reprolab run workflows/recipes/smoke.yaml</code>.
        </p>
      ) : (
        <>
          <table data-testid="runs" style={{ borderCollapse: 'collapse', width: '100%' }}>
            <thead>
              <tr style={{ textAlign: 'left', borderBottom: '2px solid #ddd' }}>
                <th />
                <th>run</th>
                <SortHeader label="recipe" sortKey="recipe" state={state} onSort={(sort, dir) => go({ sort, dir })} />
                <th>seed</th>
                <SortHeader label="status" sortKey="status" state={state} onSort={(sort, dir) => go({ sort, dir })} />
                <SortHeader label="created" sortKey="created" state={state} onSort={(sort, dir) => go({ sort, dir })} />
                <SortHeader label="started" sortKey="started" state={state} onSort={(sort, dir) => go({ sort, dir })} />
                <SortHeader label="ended" sortKey="ended" state={state} onSort={(sort, dir) => go({ sort, dir })} />
                <th>took</th>
                <th>tags</th>
              </tr>
            </thead>
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
                  <td>{when(r.createdAt)}</td>
                  <td>{when(r.startedAt)}</td>
                  <td>{when(r.finishedAt)}</td>
                  <td>{took(r)}</td>
                  <td>{r.tags.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data && !runs.length && <p data-testid="no-match">No runs match{page > 1 ? ' on this page' : ' these filters'}.</p>}
          <nav aria-label="runs pages" style={{ display: 'flex', gap: 12, alignItems: 'center', marginTop: 8 }}>
            <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) }, true)}>
              ‹ previous
            </button>
            <span data-testid="runs-range">
              {runs.length ? `runs ${(data?.offset ?? 0) + 1}–${(data?.offset ?? 0) + runs.length} of ${total.toLocaleString('en')}` : `0 of ${total.toLocaleString('en')}`} · page {page} of {pages}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) }, true)}>
              next ›
            </button>
            <label>
              per page{' '}
              <select aria-label="runs per page" value={String(per)} onChange={(e) => go({ per: e.target.value })}>
                {[...new Set([...PAGE_SIZES, ...(Number.isInteger(per) && per > 0 ? [per] : [])])].sort((a, b) => a - b).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          </nav>
        </>
      )}
    </>
  );
}
