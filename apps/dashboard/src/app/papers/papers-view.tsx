'use client';
import { scaleLinear } from '@visx/scale';
import { useMemo, useState } from 'react';
import { TableHead } from '../table-head';

export interface PaperInfo {
  id: string;
  short: string;
  title: string | null;
}

export interface StandingRow {
  claimId: string;
  paper: string;
  task: string | null;
  dataset: string | null;
  setting: string | null;
  unit: string | null;
  paperValue: number | null;
  hypothesis: string;
  standing: string;
  label: string;
  statement: string | null;
  fidelity: string | null;
  scale: string | null;
  runId: string | null;
  recipe: string | null;
  runsJudged: number;
  recipes: string[];
  outOfReach: string | null;
}

/** One colour per standing, in the order the summary bars stack them. */
export const STANDING_COLORS: [string, string][] = [
  ['reproduced', '#1a7f37'],
  ['not reproduced', '#cf222e'],
  ['holds in a model', '#6fdd8b'],
  ['fails in a model', '#ff8182'],
  ['inconclusive', '#9a6700'],
  ['not comparable', '#8c959f'],
  ['not yet run', '#d0d7de'],
  ['no recipe', '#eaeef2'],
];
const COLOR = Object.fromEntries(STANDING_COLORS);

/** A stacked bar: how many of a paper's claims stand where. */
function StandingBar({ rows }: { rows: StandingRow[] }) {
  const sx = scaleLinear<number>({ domain: [0, rows.length || 1], range: [0, 320] });
  let before = 0;
  return (
    <svg width={320} height={14} role="img" aria-label="claims by standing">
      {STANDING_COLORS.map(([s, color]) => {
        const n = rows.filter((r) => r.standing === s).length;
        const rect = n ? <rect key={s} data-standing={s} data-count={n} x={sx(before)} y={0} width={sx(before + n) - sx(before)} height={14} fill={color}><title>{`${n} ${s}`}</title></rect> : null;
        before += n;
        return rect;
      })}
    </svg>
  );
}

export function PapersView({ papers, rows }: { papers: PaperInfo[]; rows: StandingRow[] }) {
  const [paper, setPaper] = useState('');
  const [standing, setStanding] = useState('');
  const [text, setText] = useState('');
  const shown = useMemo(
    () =>
      rows.filter(
        (r) =>
          (!paper || r.paper === paper) &&
          (!standing || r.standing === standing) &&
          (!text || `${r.claimId} ${r.task ?? ''} ${r.dataset ?? ''} ${r.setting ?? ''}`.toLowerCase().includes(text.toLowerCase())),
      ),
    [rows, paper, standing, text],
  );
  return (
    <>
      <table data-testid="papers" style={{ borderCollapse: 'collapse', width: '100%', marginBottom: '1rem' }}>
        <TableHead columns={['paper', 'claims', 'standing', 'decided']} />
        <tbody>
          {papers.map((p) => {
            const own = rows.filter((r) => r.paper === p.id);
            const decided = own.filter((r) => r.standing === 'reproduced' || r.standing === 'not reproduced').length;
            return (
              <tr key={p.id} data-paper={p.id} style={{ borderBottom: '1px solid #eee' }}>
                <td>
                  <a href={`https://arxiv.org/abs/${p.id}`}>{p.short}</a> <span style={{ color: '#666' }}>{p.title}</span>
                </td>
                <td>{own.length}</td>
                <td>
                  <StandingBar rows={own} />
                </td>
                <td>{decided}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p style={{ fontSize: 12 }}>
        {STANDING_COLORS.map(([s, c]) => (
          <span key={s} style={{ marginRight: 12 }}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: c, marginRight: 4 }} />
            {s}
          </span>
        ))}
      </p>
      <div style={{ display: 'flex', gap: 8, margin: '1rem 0' }}>
        <select aria-label="paper" value={paper} onChange={(e) => setPaper(e.target.value)}>
          <option value="">all papers</option>
          {papers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.short}
            </option>
          ))}
        </select>
        <select aria-label="standing" value={standing} onChange={(e) => setStanding(e.target.value)}>
          <option value="">any standing</option>
          {STANDING_COLORS.map(([s]) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input aria-label="search" placeholder="task, dataset, setting, claim id" value={text} onChange={(e) => setText(e.target.value)} style={{ flex: 1 }} />
        <span data-testid="claims-shown">{shown.length} claims</span>
      </div>
      <table data-testid="claims" style={{ borderCollapse: 'collapse', width: '100%', fontSize: 13 }}>
        <TableHead columns={['claim', 'paper says', 'standing', 'evidence', 'run']} />
        <tbody>
          {shown.map((r) => (
            <tr key={r.claimId} data-claim={r.claimId} data-standing={r.standing} style={{ borderBottom: '1px solid #eee', verticalAlign: 'top' }}>
              <td title={r.setting ?? undefined}>
                {r.claimId}
                <div style={{ color: '#777' }}>{[r.task, r.dataset].filter(Boolean).join(' · ')}</div>
              </td>
              <td>{r.paperValue === null ? r.hypothesis : `${r.paperValue} ${r.unit ?? ''}`}</td>
              <td style={{ color: COLOR[r.standing] === '#eaeef2' || COLOR[r.standing] === '#d0d7de' ? '#555' : COLOR[r.standing] }}>
                {r.label}
                {r.statement ? <div style={{ color: '#555', fontSize: 12 }}>{r.statement}</div> : null}
                {r.outOfReach ? <div style={{ color: '#777', fontSize: 12 }}>out of reach here: {r.outOfReach}</div> : null}
              </td>
              <td>{r.fidelity ? `${r.fidelity}${r.scale ? ` · ${r.scale} scale` : ''}` : '—'}</td>
              <td>
                {r.runId ? (
                  <a href={`/runs/${r.runId}`}>{r.recipe}</a>
                ) : (
                  '—'
                )}
                {r.runsJudged > 1 ? <div style={{ color: '#777', fontSize: 12 }}>{r.runsJudged} runs judged it</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
