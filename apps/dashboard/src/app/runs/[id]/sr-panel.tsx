'use client';
/**
 * Super-resolution runs: the same test crops through every arm (one seed at a time), and PSNR
 * against parameters beside the paper's points for the same model family.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { scaleLinear, scaleLog } from '@visx/scale';
import { useEffect, useRef, useState } from 'react';
import type { SrCropsView, SrView } from '@reprolab/api';
import { query } from '../../trpc-client';
import { COLORS, fmt } from './charts';

const SR_ARM_ORDER = ['student-alone', 'split-no-contrastive', 'csd', 'teacher-alone', 'split-no-contrastive-from-stored-teacher', 'csd-from-stored-teacher'];
const ARM_COLOR: Record<string, string> = {
  'student-alone': COLORS[0]!,
  'split-no-contrastive': COLORS[3]!,
  csd: COLORS[1]!,
  'teacher-alone': COLORS[4]!,
  'split-no-contrastive-from-stored-teacher': COLORS[5] ?? '#8c564b',
  'csd-from-stored-teacher': COLORS[2]!,
};

export interface SrSnapshot {
  view: SrView;
  crops: SrCropsView | null;
  cropsProblem: string | null;
}

/** Completed distill steps: the crops are fetched again when this changes. */
export const completedDistillSteps = (steps: { kind: string; status: string }[]) => steps.filter((s) => s.kind === 'distill' && s.status === 'completed').length;

/** Rows: test crops; columns: bicubic, each arm's student, the teacher, HR; each with its Y-PSNR on the crop. */
function CropGrid({ crops, scale }: { crops: SrCropsView; scale: number }) {
  const zoom = 3;
  if (!crops.rows.length)
    return (
      <p style={{ color: '#555' }}>
        No crops stored for seed {crops.seed}
        {crops.missing.length ? ` (none from ${crops.missing.join(', ')}: not finished yet, or computed before distill steps stored crops)` : ''}.
      </p>
    );
  return (
    <table data-testid="sr-crops" style={{ borderCollapse: 'collapse' }}>
      <thead>
        <tr>
          <th />
          {crops.columns.map((c) => (
            <th key={c.key} style={{ fontSize: 12, fontWeight: 'normal', padding: '0 4px', textAlign: 'center' }}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {crops.rows.map((r) => (
          <tr key={`${r.tile}/${r.y}/${r.x}`} data-tile={r.tile}>
            <td style={{ fontSize: 11, color: '#555', paddingRight: 6, verticalAlign: 'middle' }}>
              test tile {r.tile}
              <br />
              {r.size}×{r.size} at ({r.y}, {r.x})
            </td>
            {crops.columns.map((c) => {
              const cell = r.cells[c.key];
              return (
                <td key={c.key} data-col={c.key} style={{ padding: 4, textAlign: 'center', verticalAlign: 'top' }}>
                  {cell ? (
                    <>
                      <img src={cell.src} width={r.size * zoom} height={r.size * zoom} alt={`${c.label}, test tile ${r.tile}`} title={cell.step} style={{ imageRendering: 'pixelated', display: 'block' }} />
                      <div style={{ fontSize: 11 }}>{c.key === 'hr' ? 'reference' : `${fmt(cell.psnrY, 4)} dB`}</div>
                    </>
                  ) : (
                    <span style={{ color: '#999', fontSize: 11 }}>—</span>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
      <caption style={{ captionSide: 'bottom', fontSize: 12, color: '#555', textAlign: 'left', paddingTop: 4 }}>
        the same {crops.rows[0]!.size}×{crops.rows[0]!.size} HR region of each test tile (its most textured, chosen from the HR tile alone) for every arm, shown {zoom}× enlarged; ×{scale}{' '}
        super-resolution of the whole LR tile, rounded to 8 bits; Y-PSNR on the crop only, so it differs from the whole-test-set numbers
        {crops.missing.length ? `; none (yet) from ${crops.missing.join(', ')}` : ''}
      </caption>
    </table>
  );
}

/** PSNR (dB) against parameters (log scale): this run's arms (mean and 95 % interval over seeds) and the paper's points. */
export function SrTradeoffChart({ view }: { view: SrView }) {
  const measured = view.measured;
  const paper = view.paper?.points ?? [];
  if (!measured.length && !paper.length) return null;
  const xs = [...measured.map((m) => m.params), ...paper.map((p) => p.params)];
  const ys = [...measured.flatMap((m) => [m.mean, m.lower ?? m.mean, m.upper ?? m.mean]), ...paper.map((p) => p.value), ...(view.bicubic !== null ? [view.bicubic] : [])];
  const [w, h, padL, padR, padT, padB] = [720, 320, 48, 200, 20, 40];
  const lx0 = Math.floor(Math.log10(Math.min(...xs)) - 0.2);
  const lx1 = Math.ceil(Math.log10(Math.max(...xs)) + 0.2);
  const span = Math.max(...ys) - Math.min(...ys) || 1;
  const y0 = Math.min(...ys) - span * 0.08;
  const y1 = Math.max(...ys) + span * 0.08;
  const sx = scaleLog<number>({ base: 10, domain: [10 ** lx0, 10 ** lx1], range: [padL, w - padR] });
  const sy = scaleLinear<number>({ domain: [y0, y1], range: [h - padB, padT] });
  const decades = Array.from({ length: lx1 - lx0 + 1 }, (_, i) => 10 ** (lx0 + i));
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const nSeeds = Math.max(0, ...measured.map((m) => m.perSeed.length));
  const right = w - padR + 8;
  const count = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));
  return (
    <figure>
      <svg data-testid="sr-chart" width={w} height={h} role="img" aria-label="PSNR against parameters" style={{ border: '1px solid #eee' }}>
        {decades.map((d) => (
          <line key={d} x1={sx(d)} y1={padT} x2={sx(d)} y2={h - padB} stroke="#eee" />
        ))}
        {yTicks.map((t) => (
          <line key={t} x1={padL} y1={sy(t)} x2={w - padR} y2={sy(t)} stroke="#f3f3f3" />
        ))}
        <AxisBottom scale={sx} top={h - padB} tickValues={decades} tickFormat={(v) => count(Number(v))} label="parameters (log scale)" labelOffset={8} stroke="#999" tickStroke="#999" tickLength={3} tickLabelProps={{ fontSize: 10, fill: '#555' }} labelProps={{ fontSize: 11, fill: '#1a1a1a' }} />
        <AxisLeft scale={sy} left={padL} tickValues={yTicks} tickFormat={(v) => Number(v).toFixed(2)} stroke="#999" tickStroke="#999" tickLength={3} tickLabelProps={{ fontSize: 10, fill: '#555' }} />
        {/* Placed by hand, left of the tick labels: visx places an axis label by font size, not by the labels' width. */}
        <text x={12} y={padT + (h - padT - padB) / 2} fontSize="11" textAnchor="middle" transform={`rotate(-90 12 ${padT + (h - padT - padB) / 2})`}>
          Y-PSNR (dB)
        </text>
        {view.bicubic !== null && (
          <g data-kind="bicubic">
            <line x1={padL} y1={sy(view.bicubic)} x2={w - padR} y2={sy(view.bicubic)} stroke="#8c959f" strokeDasharray="4 3" />
            <text x={padL + 4} y={sy(view.bicubic) - 4} fontSize="10" fill="#555">
              bicubic, this run ({fmt(view.bicubic, 4)} dB)
            </text>
          </g>
        )}
        {paper.map((p) => {
          const [cx, cy] = [sx(p.params), sy(p.value)];
          return (
            <g key={p.claimId} data-kind="paper" data-claim={p.claimId}>
              <title>{`${view.paper!.label} ${p.label}: ${fmt(p.value, 4)} dB at ${fmt(p.params / 1e6, 3)} M parameters (${p.claimId})`}</title>
              <polygon points={`${cx},${cy - 6} ${cx + 6},${cy} ${cx},${cy + 6} ${cx - 6},${cy}`} fill="white" stroke="#1a1a1a" strokeWidth="1.5" />
            </g>
          );
        })}
        {measured.map((m) => {
          const color = ARM_COLOR[m.arm] ?? '#555';
          // Arms share parameter counts (every student has the same): spread them sideways a little.
          const [cx, cy] = [sx(m.params) + (SR_ARM_ORDER.indexOf(m.arm) - 1.5) * 7, sy(m.mean)];
          return (
            <g key={`${m.arm}/${m.role}`} data-kind="measured" data-arm={m.arm} data-role={m.role} data-seeds={m.perSeed.length}>
              <title>{`${m.label}: ${fmt(m.mean, 4)} dB${m.lower !== null ? ` [${fmt(m.lower, 4)}, ${fmt(m.upper, 4)}]` : ''} over ${m.perSeed.length} seed(s) at ${m.params.toLocaleString('en')} parameters`}</title>
              {m.lower !== null && m.upper !== null && <line x1={cx} y1={sy(m.lower)} x2={cx} y2={sy(m.upper)} stroke={color} strokeWidth="2" />}
              {m.role === 'teacher' ? <rect x={cx - 5} y={cy - 5} width={10} height={10} fill={color} /> : <circle cx={cx} cy={cy} r={5} fill={color} />}
            </g>
          );
        })}
        {/* Legend on the right: one line per measured point, then the paper's. */}
        {measured.map((m, i) => (
          <text key={`${m.arm}/${m.role}`} x={right} y={padT + 10 + i * 15} fontSize="11" fill={ARM_COLOR[m.arm] ?? '#555'}>
            {m.role === 'teacher' ? '■' : '●'} {m.label}
          </text>
        ))}
        {view.paper && paper.length > 0 && (
          <text x={right} y={padT + 14 + measured.length * 15} fontSize="11" fill="#1a1a1a">
            ◇ {view.paper.label}
          </text>
        )}
        {paper.map((p, i) => (
          <text key={p.claimId} x={right + 12} y={padT + 28 + measured.length * 15 + i * 12} fontSize="9" fill="#555">
            {p.label}: {fmt(p.value, 4)}
          </text>
        ))}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        Y-PSNR on the test tiles against parameters: ● students and ■ teachers of this run, mean over {nSeeds} seed{nSeeds === 1 ? '' : 's'}
        {nSeeds > 1 ? ' with its 95 % interval' : ' (one seed: no interval)'}, arms at the same parameter count spread sideways; ◇ {view.paper ? `${view.paper.label}, Table 1 (${view.paper.paramsNote})` : 'no paper points: the recipe targets no Table 1 PSNR claim'}.
        {view.note && (
          <strong data-testid="sr-proxy-note" style={{ display: 'block', color: '#9a6700', fontWeight: 'normal' }}>
            Not comparable — {view.note}.
          </strong>
        )}
      </figcaption>
    </figure>
  );
}

/** The SR section of a run page; crops are fetched again when another distill step finishes or the seed changes. */
export function SrPanel({ runId, view, initial, completedDistill }: { runId: string; view: SrView; initial: SrSnapshot; completedDistill: number }) {
  const [crops, setCrops] = useState(initial.crops);
  const [problem, setProblem] = useState(initial.cropsProblem);
  const [seed, setSeed] = useState<number | null>(initial.crops?.seed ?? view.seeds[0] ?? null);
  // What the server already rendered: no second fetch of the same images.
  const fetched = useRef(`${seed}/${completedDistill}`);
  useEffect(() => {
    const key = `${seed}/${completedDistill}`;
    if (seed === null || key === fetched.current) return;
    fetched.current = key;
    // A slower answer for an earlier seed never overwrites a later one.
    query<SrCropsView>('sr.crops', { runId, seed })
      .then((c) => {
        if (fetched.current !== key) return;
        setCrops(c);
        setProblem(null);
      })
      .catch((e: unknown) => fetched.current === key && setProblem((e as Error).message));
  }, [runId, seed, completedDistill]);
  const scale = crops?.rows[0]?.scale ?? 0;
  return (
    <section data-testid="sr-panel">
      <h3>Super-resolution: the same crops through every arm</h3>
      {view.seeds.length > 1 && (
        <label style={{ fontSize: 13 }}>
          seed{' '}
          <select data-testid="sr-seed" value={seed ?? ''} onChange={(e) => setSeed(Number(e.target.value))}>
            {view.seeds.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      {problem && <p role="alert">Crops unavailable: {problem}</p>}
      {crops && <CropGrid crops={crops} scale={scale} />}
      <h3>PSNR against parameters</h3>
      <SrTradeoffChart view={view} />
    </section>
  );
}
