/**
 * SVG charts for the run page: training-loss curves, paper-vs-reproduced per claim, and per-workload
 * MPU-vs-V100 ratios. Scales, axes and shapes come from visx (see the README's dashboard section for
 * why): it renders plain React SVG, so the markup, its roles and data attributes stay ours.
 */
import { AxisBottom, AxisLeft, AxisRight } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleLinear, scaleLog } from '@visx/scale';
import { LinePath } from '@visx/shape';
import { type MouseEvent, useState } from 'react';

export interface SeriesPoint {
  step: string | null;
  name: string;
  index: number | null;
  value: number;
}

export interface ComparisonRowView {
  claimId: string;
  metric: string;
  unit?: string | null;
  paperValue: number | null;
  reproduced: number | null;
  delta: number | null;
  interval: [number, number] | null;
  intervalKind?: 'seeds' | 'band' | null;
  tolerance: number | null;
  hypothesis: 'value' | 'superiority' | 'non-inferiority' | null;
  fidelity: string;
  verdict: string;
  label: string;
  statement: string;
  test: string;
  claimText?: string | null;
}

export interface MetricView {
  step: string;
  name: string;
  value: number;
}

export const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(d)).toString());
export const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989'];
const TICK_LABEL = { fontSize: 9, fill: '#777' } as const;
const AXIS_LABEL = { fontSize: 11, fill: '#333' } as const;
export const VERDICT_COLORS: Record<string, string> = {
  reproduced: '#1a7f37',
  'not reproduced': '#cf222e',
  inconclusive: '#9a6700',
};

/**
 * Loss per optimizer step for every step that records `train_loss`: one line per step on a shared
 * step axis. Drag across the plot to zoom into a range of steps (the y axis rescales to what is
 * shown); double-click, or the reset button, to see every step again.
 */
export function LossChart({ series }: { series: SeriesPoint[] }) {
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const curves = new Map<string, { x: number; y: number }[]>();
  for (const p of series) {
    if (p.name !== 'train_loss' || p.index === null) continue;
    const k = p.step ?? '';
    const pts = curves.get(k) ?? [];
    pts.push({ x: p.index, y: p.value });
    curves.set(k, pts);
  }
  if (!curves.size) return null;
  const all = [...curves.values()].flat();
  const [w, h, m] = [640, 240, { top: 16, right: 16, bottom: 40, left: 56 }];
  const maxX = Math.max(1, ...all.map((p) => p.x));
  const [x0, x1] = zoom ?? [0, maxX];
  const shown = all.filter((p) => p.x >= x0 && p.x <= x1);
  const maxY = Math.max(1e-9, ...(shown.length ? shown : all).map((p) => p.y));
  const sx = scaleLinear<number>({ domain: [x0, x1], range: [m.left, w - m.right] });
  const sy = scaleLinear<number>({ domain: [0, maxY], range: [h - m.bottom, m.top], nice: true });
  const stepAt = (e: MouseEvent<SVGRectElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return sx.invert(m.left + ((e.clientX - r.left) / r.width) * (w - m.left - m.right));
  };
  return (
    <figure>
      <svg data-testid="loss-chart" width={w} height={h} role="img" aria-label="training loss per step" style={{ border: '1px solid #eee' }}>
        <defs>
          <clipPath id="loss-plot">
            <rect x={m.left} y={m.top} width={w - m.left - m.right} height={h - m.top - m.bottom} />
          </clipPath>
        </defs>
        <AxisLeft scale={sy} left={m.left} numTicks={5} label={`training loss (max ${fmt(maxY, 3)})`} tickLabelProps={TICK_LABEL} labelProps={AXIS_LABEL} />
        <AxisBottom scale={sx} top={h - m.bottom} numTicks={8} label={`optimizer step (last ${maxX})`} tickLabelProps={TICK_LABEL} labelProps={AXIS_LABEL} />
        <Group clipPath="url(#loss-plot)">
          {[...curves.entries()].map(([k, pts], i) => (
            <LinePath key={k} data-curve={k} data-points={pts.length} data={pts} x={(p) => sx(p.x)} y={(p) => sy(p.y)} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={1.5} />
          ))}
        </Group>
        {drag && <rect x={sx(Math.min(drag.from, drag.to))} y={m.top} width={Math.abs(sx(drag.to) - sx(drag.from))} height={h - m.top - m.bottom} fill="#0969da" opacity={0.1} pointerEvents="none" />}
        <rect
          data-testid="loss-zoom"
          x={m.left}
          y={m.top}
          width={w - m.left - m.right}
          height={h - m.top - m.bottom}
          fill="transparent"
          style={{ cursor: 'crosshair' }}
          onMouseDown={(e) => setDrag({ from: stepAt(e), to: stepAt(e) })}
          onMouseMove={(e) => drag && setDrag({ ...drag, to: stepAt(e) })}
          onMouseUp={() => {
            if (drag && Math.abs(drag.to - drag.from) >= 1) setZoom([Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)]);
            setDrag(null);
          }}
          onMouseLeave={() => setDrag(null)}
          onDoubleClick={() => setZoom(null)}
        />
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        training loss per optimizer step:{' '}
        {[...curves.keys()].map((k, i) => (
          <span key={k} style={{ color: COLORS[i % COLORS.length], marginRight: 8 }}>
            ■ {k}
          </span>
        ))}
        {zoom ? (
          <button type="button" onClick={() => setZoom(null)} style={{ fontSize: 11 }}>
            steps {Math.round(x0)}–{Math.round(x1)}: show all
          </button>
        ) : (
          <span style={{ color: '#777' }}>(drag across the chart to zoom)</span>
        )}
      </figcaption>
    </figure>
  );
}

/**
 * One line per claim, each on its own axis (claims differ in unit and scale). A value claim shows
 * the paper's value with its tolerance band; an ordering ("A beats B") shows the difference A − B
 * against its threshold (0, or −margin), with the region where the claim holds shaded. The
 * reproduced value carries its 95 % interval over seeds or its range over a model's uncertain
 * parameters. Rows without a judged number (pending, not comparable) are left to the table.
 */
export function ComparisonChart({ rows }: { rows: ComparisonRowView[] }) {
  const drawable = rows.filter((r) => r.reproduced !== null && Number.isFinite(r.reproduced) && r.verdict in VERDICT_COLORS && (r.hypothesis !== 'value' || (r.paperValue !== null && r.tolerance !== null)));
  if (!drawable.length) return null;
  const [w, rowH, labelW, verdictW] = [860, 34, 250, 230];
  const x0 = labelW;
  const x1 = w - verdictW;
  const h = rowH * drawable.length + 24;
  return (
    <figure>
      <svg data-testid="comparison-chart" width={w} height={h} role="img" aria-label="paper claim against the reproduced value, per claim" style={{ border: '1px solid #eee' }}>
        {drawable.map((r, i) => {
          const got = r.reproduced!;
          const [iLo, iHi] = r.interval ?? [got, got];
          const isValue = r.hypothesis === 'value';
          // Reference line: the paper's value, or the ordering's threshold.
          const ref = isValue ? r.paperValue! : r.hypothesis === 'non-inferiority' ? -(r.tolerance ?? 0) : 0;
          const [bandLo, bandHi] = isValue ? [ref - r.tolerance!, ref + r.tolerance!] : [ref, Math.max(iHi, got, ref) + Math.abs(iHi - iLo || 1)];
          let lo = Math.min(bandLo, iLo, got, ref);
          let hi = Math.max(isValue ? bandHi : ref, iHi, got);
          const span = hi - lo || Math.abs(ref) || 1;
          lo -= span * 0.08;
          hi += span * 0.08;
          const sx = scaleLinear<number>({ domain: [lo, hi], range: [x0, x1], clamp: true });
          const y = 12 + i * rowH + rowH / 2;
          const color = VERDICT_COLORS[r.verdict]!;
          return (
            <g key={r.claimId + r.metric} data-claim={r.claimId} data-verdict={r.verdict}>
              <title>{`${r.claimId} — ${r.label}: ${r.statement}. Test: ${r.test}`}</title>
              <text x={4} y={y + 4} fontSize="12">
                {r.claimId.length > 34 ? `${r.claimId.slice(0, 33)}…` : r.claimId}
              </text>
              <line x1={x0} y1={y} x2={x1} y2={y} stroke="#eee" />
              <rect x={sx(bandLo)} y={y - 9} width={Math.max(1, sx(bandHi) - sx(bandLo))} height={18} fill="#1a7f37" opacity={0.12} />
              <line x1={sx(ref)} y1={y - 11} x2={sx(ref)} y2={y + 11} stroke="#1a1a1a" strokeWidth="2" strokeDasharray={isValue ? undefined : '3 2'} />
              {r.interval && <line x1={sx(iLo)} y1={y} x2={sx(iHi)} y2={y} stroke={color} strokeWidth="2" />}
              <circle cx={sx(got)} cy={y} r={5} fill={color} />
              <text x={x0} y={y + 15} fontSize="9" fill="#777">
                {fmt(lo, 3)}
              </text>
              <text x={x1} y={y + 15} fontSize="9" fill="#777" textAnchor="end">
                {fmt(hi, 3)}
              </text>
              <text x={x1 + 8} y={y + 4} fontSize="11" fill={color}>
                {r.label.length > 36 ? `${r.label.slice(0, 35)}…` : r.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        per claim, on its own axis: <b>|</b> paper value with its tolerance shaded, or <b>┆</b> the threshold an ordering must clear (0, or −margin) with the region where it holds shaded; ● reproduced value (line: 95 % interval over seeds, or the range over a model&apos;s uncertain parameters)
      </figcaption>
    </figure>
  );
}

/** Workload rows of a simulation run: steps that report both `speedup` and `energy_ratio`. */
export function simulationRows(metrics: MetricView[]): { step: string; speedup: number; energyRatio: number }[] {
  const byStep = new Map<string, { speedup?: number; energyRatio?: number }>();
  for (const m of metrics) {
    if (m.name !== 'speedup' && m.name !== 'energy_ratio') continue;
    const e = byStep.get(m.step) ?? {};
    if (m.name === 'speedup') e.speedup = m.value;
    else e.energyRatio = m.value;
    byStep.set(m.step, e);
  }
  return [...byStep.entries()]
    .filter(([, e]) => e.speedup! > 0 && e.energyRatio! > 0)
    .map(([step, e]) => ({ step, speedup: e.speedup!, energyRatio: e.energyRatio! }));
}

/**
 * MPU over V100 per workload, speedup and energy reduction side by side on a log axis centred on 1×
 * (bars to the right: MPU better), with the suite's geometric mean and the paper's claim as lines.
 */
export function SimulationChart({ metrics, rows, stepOrder }: { metrics: MetricView[]; rows: ComparisonRowView[]; stepOrder: string[] }) {
  // In the recipe's step order, not in the order the steps happened to finish.
  const pos = (step: string) => (stepOrder.includes(step) ? stepOrder.indexOf(step) : stepOrder.length);
  const wl = simulationRows(metrics).sort((a, b) => pos(a.step) - pos(b.step));
  if (!wl.length) return null;
  const geo = (name: string) => metrics.find((m) => m.name === name)?.value;
  const claimFor = (name: string) => rows.find((r) => r.metric.endsWith(`.${name}`))?.paperValue ?? undefined;
  const panels = [
    { key: 'speedup', title: 'speedup (V100 time / MPU time)', values: wl.map((r) => r.speedup), geomean: geo('geomean_speedup'), paper: claimFor('geomean_speedup') },
    { key: 'energy', title: 'energy reduction (V100 energy / MPU energy)', values: wl.map((r) => r.energyRatio), geomean: geo('geomean_energy_ratio'), paper: claimFor('geomean_energy_ratio') },
  ];
  const all = panels.flatMap((p) => [...p.values, p.geomean ?? 1, p.paper ?? 1]);
  // Power-of-two decades that cover every value and 1×.
  const kLo = Math.floor(Math.log2(Math.min(1, ...all)));
  const kHi = Math.ceil(Math.log2(Math.max(1, ...all)));
  const [labelW, panelW, gap, rowH, top] = [90, 320, 48, 20, 34];
  const w = labelW + 2 * panelW + gap + 24; // right margin for the last tick label
  const h = top + rowH * wl.length + 30;
  const axisY = h - 28;
  const ticks = Array.from({ length: kHi - kLo + 1 }, (_, i) => 2 ** (kLo + i));
  const ratio = (t: number) => (t >= 1 ? `${t}×` : `1/${1 / t}×`);
  return (
    <figure>
      <svg data-testid="simulation-chart" width={w} height={h} role="img" aria-label="MPU over V100, per workload" style={{ border: '1px solid #eee' }}>
        {wl.map((r, i) => (
          <text key={r.step} x={labelW - 8} y={top + i * rowH + rowH / 2 + 4} fontSize="11" textAnchor="end">
            {r.step}
          </text>
        ))}
        {panels.map((p, pi) => {
          const x0 = labelW + pi * (panelW + gap);
          const sx = scaleLog<number>({ base: 2, domain: [2 ** kLo, 2 ** Math.max(kHi, kLo + 1)], range: [x0, x0 + panelW] });
          return (
            <g key={p.key} data-panel={p.key}>
              <text x={x0} y={14} fontSize="11" fontWeight="bold">
                {p.title}
              </text>
              {ticks.map((t) => (
                <line key={t} x1={sx(t)} y1={top - 6} x2={sx(t)} y2={axisY} stroke={t === 1 ? '#999' : '#eee'} />
              ))}
              <AxisBottom scale={sx} top={axisY} tickValues={ticks} tickFormat={(t) => ratio(Number(t))} tickLabelProps={TICK_LABEL} stroke="#999" tickStroke="#999" tickLength={3} />
              {p.values.map((v, i) => {
                const y = top + i * rowH + 3;
                const [a, b] = [sx(Math.min(1, v)), sx(Math.max(1, v))];
                return (
                  <rect key={wl[i]!.step} data-workload={wl[i]!.step} x={a} y={y} width={Math.max(1, b - a)} height={rowH - 6} fill={v >= 1 ? '#0969da' : '#cf222e'} opacity={0.75}>
                    <title>{`${wl[i]!.step}: ${fmt(v, 3)}×`}</title>
                  </rect>
                );
              })}
              {p.geomean !== undefined && (
                <line x1={sx(p.geomean)} y1={top - 6} x2={sx(p.geomean)} y2={axisY} stroke="#0969da" strokeDasharray="4 3" strokeWidth="1.5">
                  <title>{`geometric mean ${fmt(p.geomean, 3)}×`}</title>
                </line>
              )}
              {p.paper !== undefined && (
                <line x1={sx(p.paper)} y1={top - 6} x2={sx(p.paper)} y2={axisY} stroke="#1a1a1a" strokeWidth="2">
                  <title>{`paper ${fmt(p.paper, 3)}×`}</title>
                </line>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        MPU over the V100 model per workload (log scale; blue: MPU better, red: V100 better); dashed: this run&apos;s geometric mean
        {panels[0]!.geomean !== undefined ? ` (${fmt(panels[0]!.geomean, 3)}× / ${fmt(panels[1]!.geomean, 3)}×)` : ''}; solid black: the paper&apos;s claim
        {panels[0]!.paper !== undefined ? ` (${fmt(panels[0]!.paper, 3)}× / ${fmt(panels[1]!.paper ?? null, 3)}×)` : ''}.
      </figcaption>
    </figure>
  );
}

/** The suite's energy ratio against the V100's power (compare.run's `energySensitivity`). */
export interface EnergySensitivityView {
  paper: number | null;
  tolerance: number | null;
  workloads: number;
  curves: { model: string; band: { lowerW: number; upperW: number }; bandRatio: { lower: number; upper: number }; points: [number, number][]; powerForPaperW: number | null }[];
}

const PRICING_STYLE: Record<string, { label: string; color: string }> = {
  'bottom-up-static': { label: 'bottom-up V100 model, its static power varied', color: '#8250df' },
  'board-power': { label: "paper's method: V100 time × board power", color: '#0969da' },
};

/**
 * How the headline energy ratio moves with its least certain parameter, the V100's power: one line per
 * pricing over 0–300 W, thick where the power's sources allow it, the paper's value with its tolerance
 * band, and a mark where each line meets the paper.
 */
export function EnergySensitivityChart({ s }: { s: EnergySensitivityView | null | undefined }) {
  if (!s || !s.curves.length) return null;
  const [w, h, left, right, top, bottom] = [560, 240, 52, 16, 14, 40];
  const maxW = Math.max(...s.curves.flatMap((c) => c.points.map(([x]) => x)));
  const ys = s.curves.flatMap((c) => c.points.map(([, y]) => y)).concat(s.paper !== null ? [s.paper + (s.tolerance ?? 0)] : []);
  const sx = scaleLinear<number>({ domain: [0, maxW], range: [left, w - right] });
  const sy = scaleLinear<number>({ domain: [0, Math.max(...ys) * 1.05], range: [h - bottom, top], nice: true });
  return (
    <figure>
      <svg data-testid="energy-sensitivity-chart" width={w} height={h} role="img" aria-label="energy ratio against the V100's power" style={{ border: '1px solid #eee' }}>
        {s.paper !== null && (
          <g data-paper={s.paper}>
            {s.tolerance !== null && <rect x={left} width={w - right - left} y={sy(s.paper + s.tolerance)} height={Math.max(1, sy(s.paper - s.tolerance) - sy(s.paper + s.tolerance))} fill="#1a1a1a" opacity={0.08} />}
            <line x1={left} x2={w - right} y1={sy(s.paper)} y2={sy(s.paper)} stroke="#1a1a1a" strokeWidth="1.5">
              <title>{`paper ${fmt(s.paper, 3)}×${s.tolerance !== null ? ` ± ${fmt(s.tolerance, 3)}×` : ''}`}</title>
            </line>
          </g>
        )}
        <AxisBottom scale={sx} top={h - bottom} numTicks={6} tickFormat={(v) => `${Number(v)} W`} tickLabelProps={TICK_LABEL} stroke="#999" tickStroke="#999" label="V100 power (static part, or whole board)" labelProps={{ fontSize: 11, textAnchor: 'middle', fill: '#555' }} />
        <AxisLeft scale={sy} left={left} numTicks={5} tickFormat={(v) => `${Number(v)}×`} tickLabelProps={{ ...TICK_LABEL, textAnchor: 'end', dx: -4, dy: 3 }} stroke="#999" tickStroke="#999" />
        {s.curves.map((c) => {
          const st = PRICING_STYLE[c.model] ?? { label: c.model, color: '#555' };
          const inBand = c.points.filter(([x]) => x >= c.band.lowerW && x <= c.band.upperW);
          // the band's exact ends, so the thick segment covers exactly what the sources allow
          const band: [number, number][] = [[c.band.lowerW, c.bandRatio.lower], ...inBand, [c.band.upperW, c.bandRatio.upper]];
          return (
            <g key={c.model} data-pricing={c.model}>
              <LinePath data={c.points} x={(p) => sx(p[0])} y={(p) => sy(p[1])} stroke={st.color} strokeWidth={1} strokeDasharray="3 3" />
              <path d={`M${band.map((p) => `${sx(p[0])},${sy(p[1])}`).join('L')}`} stroke={st.color} strokeWidth={3.5} fill="none">
                <title>{`${st.label}: ${fmt(c.bandRatio.lower, 3)}×–${fmt(c.bandRatio.upper, 3)}× over ${c.band.lowerW}–${c.band.upperW} W`}</title>
              </path>
              {c.powerForPaperW !== null && s.paper !== null && (
                <circle data-meets-paper-w={c.powerForPaperW.toFixed(0)} cx={sx(c.powerForPaperW)} cy={sy(s.paper)} r={4} fill="#fff" stroke={st.color} strokeWidth={2}>
                  <title>{`${st.label}: meets the paper's ${fmt(s.paper, 3)}× at ${c.powerForPaperW.toFixed(0)} W`}</title>
                </circle>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        Geometric-mean energy reduction over {s.workloads} workloads as the V100&apos;s power varies — the parameter this verdict is least sure of.{' '}
        {s.curves.map((c, i) => {
          const st = PRICING_STYLE[c.model] ?? { label: c.model, color: '#555' };
          return (
            <span key={c.model}>
              {i > 0 ? '; ' : ''}
              <span style={{ color: st.color }}>■</span> {st.label}: {fmt(c.bandRatio.lower, 3)}×–{fmt(c.bandRatio.upper, 3)}× over the {c.band.lowerW}–{c.band.upperW} W its sources allow (thick)
              {s.paper !== null ? (c.powerForPaperW !== null ? `, the paper's ${fmt(s.paper, 3)}× needs ${c.powerForPaperW.toFixed(0)} W` : `, never reaches the paper's ${fmt(s.paper, 3)}× below 300 W`) : ''}
            </span>
          );
        })}
        ; black line: the paper&apos;s value with its tolerance shaded.
      </figcaption>
    </figure>
  );
}

/** A `simulateMpu` step with a `sweep` in the recipe: which parameter and which values, in order. */
export interface SweepSpec {
  step: string;
  workload: string;
  parameter: string;
  values: (number | string)[];
}

/**
 * One small chart per swept step: MPU-over-V100 speedup and energy reduction at each value of the
 * parameter, with 1× marked, and the MPU's row-buffer hit rate on the right axis (0–100 %).
 */
export function SweepCharts({ sweeps, series }: { sweeps: SweepSpec[]; series: SeriesPoint[] }) {
  if (!sweeps.length) return null;
  const [w, h, padL, padR, padT, padB] = [320, 190, 44, 40, 28, 34];
  const lines = [
    { name: 'sweep_speedup', label: 'speedup', color: '#0969da' },
    { name: 'sweep_energy_ratio', label: 'energy reduction', color: '#1a7f37' },
  ];
  return (
    <figure>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        {sweeps.map((sw) => {
          const at = (name: string) => {
            const ys: (number | undefined)[] = sw.values.map(() => undefined);
            for (const p of series) if (p.step === sw.step && p.name === name && p.index !== null && p.index < ys.length) ys[p.index] = p.value;
            return ys;
          };
          const data = lines.map((l) => ({ ...l, ys: at(l.name) }));
          const hit = at('sweep_row_hit_rate');
          const maxY = Math.max(1.2, ...data.flatMap((d) => d.ys.filter((y): y is number => y !== undefined))) * 1.1;
          const n = sw.values.length;
          const sx = scaleLinear<number>({ domain: n === 1 ? [-1, 1] : [0, n - 1], range: [padL, w - padR] });
          const sy = scaleLinear<number>({ domain: [0, maxY], range: [h - padB, padT] });
          const sh = scaleLinear<number>({ domain: [0, 1], range: [h - padB, padT] });
          const pts = (ys: (number | undefined)[]) => ys.flatMap((y, i) => (y === undefined ? [] : [{ i, y }]));
          const done = data[0]!.ys.filter((y) => y !== undefined).length;
          return (
            <svg key={sw.step} data-testid="sweep-chart" data-step={sw.step} data-points={done} width={w} height={h} role="img" aria-label={`${sw.workload}: ${sw.parameter} sweep`} style={{ border: '1px solid #eee' }}>
              <text x={padL} y={14} fontSize="11" fontWeight="bold">
                {sw.workload} · {sw.parameter}
              </text>
              <line x1={padL} y1={sy(1)} x2={w - padR} y2={sy(1)} stroke="#999" strokeDasharray="3 3" />
              <AxisLeft scale={sy} left={padL} tickValues={[1, maxY / 1.1]} tickFormat={(v) => `${fmt(Number(v), 3)}×`} tickLabelProps={TICK_LABEL} stroke="#ccc" tickStroke="#999" tickLength={3} />
              <AxisRight scale={sh} left={w - padR} tickValues={[0, 0.5, 1]} tickFormat={(v) => `${Math.round(Number(v) * 100)}%`} tickLabelProps={TICK_LABEL} stroke="#ccc" tickStroke="#999" tickLength={3} />
              <AxisBottom scale={sx} top={h - padB} tickValues={sw.values.map((_, i) => i)} tickFormat={(i) => String(sw.values[Number(i)])} tickLabelProps={{ fontSize: 9, fill: '#555' }} stroke="#ccc" tickStroke="#999" tickLength={3} />
              <LinePath data={pts(hit)} x={(p) => sx(p.i)} y={(p) => sh(p.y)} fill="none" stroke="#8c959f" strokeDasharray="2 2" />
              {data.map((d) => (
                <g key={d.name}>
                  <LinePath data={pts(d.ys)} x={(p) => sx(p.i)} y={(p) => sy(p.y)} fill="none" stroke={d.color} strokeWidth={1.5} />
                  {d.ys.map((y, i) =>
                    y === undefined ? null : (
                      <circle key={i} cx={sx(i)} cy={sy(y)} r={3} fill={d.color}>
                        <title>{`${sw.parameter} = ${String(sw.values[i])}: ${d.label} ${fmt(y, 3)}×`}</title>
                      </circle>
                    ),
                  )}
                </g>
              ))}
            </svg>
          );
        })}
      </div>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        &quot;what if&quot; sweeps, MPU over the V100 model at each value: <span style={{ color: '#0969da' }}>■ speedup</span>{' '}
        <span style={{ color: '#1a7f37' }}>■ energy reduction</span> <span style={{ color: '#8c959f' }}>┄ MPU row-buffer hit rate (right axis)</span>
      </figcaption>
    </figure>
  );
}

/** A `growPrune` step of the recipe: which method, at which sparsity and distribution, which seed. */
export interface SparseSpec {
  step: string;
  method: string;
  sparsity: number;
  distribution: string;
  seed: number | null;
}

const METHOD_ORDER = ['dense', 'gap-serial', 'gap-parallel', 'gmp', 'static-random'];
const METHOD_LABEL: Record<string, string> = {
  dense: 'dense',
  'gap-serial': 'GaP serial',
  'gap-parallel': 'GaP parallel',
  gmp: 'prune from dense (GMP)',
  'static-random': 'static random',
};

/**
 * Final test accuracy of every sparse-training step: one panel per target sparsity, one row per
 * method (and layer-wise distribution), a dot per seed and a tick at their mean, with the dense
 * models' mean as the reference line. Points appear as the steps finish.
 */
export function SparsityChart({ specs, metrics }: { specs: SparseSpec[]; metrics: MetricView[] }) {
  const acc = new Map(metrics.filter((m) => m.name === 'test_accuracy').map((m) => [m.step, m.value * 100]));
  if (!specs.length) return null;
  const sparsities = [...new Set(specs.filter((s) => s.method !== 'dense').map((s) => s.sparsity))].sort();
  const rowKey = (s: SparseSpec) => `${s.method}/${s.distribution}`;
  const rows = [...new Set(specs.filter((s) => s.method !== 'dense').map(rowKey))].sort((a, b) => {
    const [ma, da] = a.split('/') as [string, string];
    const [mb, db] = b.split('/') as [string, string];
    return METHOD_ORDER.indexOf(ma) - METHOD_ORDER.indexOf(mb) || da.localeCompare(db);
  });
  const dense = specs.filter((s) => s.method === 'dense').flatMap((s) => (acc.has(s.step) ? [acc.get(s.step)!] : []));
  const denseMean = dense.length ? dense.reduce((a, b) => a + b, 0) / dense.length : undefined;
  const all = [...acc.values()];
  if (!sparsities.length || !all.length) return null;
  const lo = Math.floor(Math.min(...all) - 1);
  const hi = Math.ceil(Math.max(...all) + 0.5);
  const [labelW, panelW, gap, rowH, top] = [180, 300, 24, 24, 30];
  const w = labelW + sparsities.length * (panelW + gap);
  const h = top + rows.length * rowH + 28;
  return (
    <figure>
      <svg data-testid="sparsity-chart" width={w} height={h} role="img" aria-label="final test accuracy per method and sparsity" style={{ border: '1px solid #eee' }}>
        {rows.map((r, i) => {
          const [method, dist] = r.split('/') as [string, string];
          return (
            <text key={r} x={labelW - 8} y={top + i * rowH + rowH / 2 + 4} fontSize="11" textAnchor="end">
              {METHOD_LABEL[method] ?? method}
              {dist !== 'uniform' ? ` (${dist})` : ''}
            </text>
          );
        })}
        {sparsities.map((sp, pi) => {
          const x0 = labelW + pi * (panelW + gap);
          const sx = scaleLinear<number>({ domain: [lo, hi], range: [x0, x0 + panelW] });
          return (
            <g key={sp} data-sparsity={sp}>
              <text x={x0} y={14} fontSize="11" fontWeight="bold">
                {Math.round(sp * 100)}% sparse
              </text>
              <AxisBottom scale={sx} top={h - 24} tickValues={[lo, (lo + hi) / 2, hi]} tickFormat={(t) => `${fmt(Number(t), 3)}%`} tickLabelProps={TICK_LABEL} stroke="#999" tickStroke="#999" tickLength={3} />
              {denseMean !== undefined && (
                <line x1={sx(denseMean)} y1={top - 6} x2={sx(denseMean)} y2={h - 24} stroke="#1a1a1a" strokeDasharray="4 3">
                  <title>{`dense mean ${fmt(denseMean, 4)}%`}</title>
                </line>
              )}
              {rows.map((r, ri) => {
                const y = top + ri * rowH + rowH / 2;
                const pts = specs.filter((s) => rowKey(s) === r && s.sparsity === sp && acc.has(s.step));
                const vals = pts.map((s) => acc.get(s.step)!);
                const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : undefined;
                return (
                  <g key={r} data-row={r} data-points={vals.length}>
                    <line x1={x0} y1={y} x2={x0 + panelW} y2={y} stroke="#f3f3f3" />
                    {pts.map((s) => (
                      <circle key={s.step} cx={sx(acc.get(s.step)!)} cy={y} r={3.5} fill={COLORS[METHOD_ORDER.indexOf(s.method) % COLORS.length]} opacity={0.7}>
                        <title>{`${s.step}: ${fmt(acc.get(s.step)!, 4)}%${s.seed !== null ? ` (seed ${s.seed})` : ''}`}</title>
                      </circle>
                    ))}
                    {mean !== undefined && <line x1={sx(mean)} y1={y - 8} x2={sx(mean)} y2={y + 8} stroke="#1a1a1a" strokeWidth="2" />}
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        final test accuracy per method: ● one per seed, | their mean; dashed: the dense models&apos; mean
        {denseMean !== undefined ? ` (${fmt(denseMean, 4)}%)` : ''}
      </figcaption>
    </figure>
  );
}

/**
 * Curves of `simulate` steps (tight-binding bands and DOS, 3D-integration sweeps): every series
 * recorded as `<name>_x`[i] with `<name>_y<c>`[i], one small chart per step and name, one line per
 * curve c. Curves whose ranges differ by more than 100× (a sweep of quantities in different units)
 * are each scaled to their own maximum, and the chart says so.
 */
export function ModelSeriesCharts({ series }: { series: SeriesPoint[] }) {
  const groups = new Map<string, { step: string; name: string; x: number[]; ys: Map<number, number[]> }>();
  for (const p of series) {
    const m = /^(.*)_(x|y(\d+))$/.exec(p.name);
    if (!m || p.index === null || p.step === null) continue;
    const key = `${p.step}.${m[1]}`;
    const g = groups.get(key) ?? { step: p.step, name: m[1]!, x: [], ys: new Map<number, number[]>() };
    if (m[2] === 'x') g.x[p.index] = p.value;
    else {
      const c = Number(m[3]);
      const ys = g.ys.get(c) ?? [];
      ys[p.index] = p.value;
      g.ys.set(c, ys);
    }
    groups.set(key, g);
  }
  const charts = [...groups.values()].filter((g) => g.x.length > 1 && g.ys.size > 0);
  if (!charts.length) return null;
  const [w, h, padL, padR, padT, padB] = [320, 200, 48, 12, 24, 30];
  return (
    <figure>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        {charts.map((g) => {
          const curves = [...g.ys.entries()].sort((a, b) => a[0] - b[0]).map(([c, ys]) => ({ c, pts: ys.flatMap((y, i) => (g.x[i] === undefined || !Number.isFinite(y) ? [] : [{ x: g.x[i]!, y }])) }));
          const maxAbs = curves.map((cv) => Math.max(1e-300, ...cv.pts.map((p) => Math.abs(p.y))));
          const scaled = Math.max(...maxAbs) / Math.min(...maxAbs) > 100;
          const shown = curves.map((cv, i) => ({ ...cv, pts: scaled ? cv.pts.map((p) => ({ x: p.x, y: p.y / maxAbs[i]! })) : cv.pts }));
          const xs = g.x.filter((x) => x !== undefined);
          const ys = shown.flatMap((cv) => cv.pts.map((p) => p.y));
          const sx = scaleLinear<number>({ domain: [Math.min(...xs), Math.max(...xs)], range: [padL, w - padR] });
          const sy = scaleLinear<number>({ domain: [Math.min(0, ...ys), Math.max(...ys)], range: [h - padB, padT], nice: true });
          return (
            <svg key={`${g.step}.${g.name}`} data-testid="model-series-chart" data-series={`${g.step}.${g.name}`} data-curves={shown.length} width={w} height={h} role="img" aria-label={`${g.step}: ${g.name}`} style={{ border: '1px solid #eee' }}>
              <text x={padL} y={14} fontSize="11" fontWeight="bold">
                {g.step} · {g.name.replace(/_/g, ' ')}
                {scaled ? ' (each curve ÷ its max)' : ''}
              </text>
              <AxisLeft scale={sy} left={padL} numTicks={4} tickLabelProps={TICK_LABEL} stroke="#ccc" tickStroke="#999" tickLength={3} />
              <AxisBottom scale={sx} top={h - padB} numTicks={5} tickLabelProps={TICK_LABEL} stroke="#ccc" tickStroke="#999" tickLength={3} />
              {shown.map((cv, i) => (
                <LinePath key={cv.c} data={cv.pts} x={(p) => sx(p.x)} y={(p) => sy(p.y)} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={1.2} />
              ))}
            </svg>
          );
        })}
      </div>
      <figcaption style={{ fontSize: 12, color: '#555' }}>model curves (bands: E − E_F in eV along Γ–M–K–Γ; DOS per SoD per spin; sweeps: 3D ÷ 2D ratios, bond density / energy / bandwidth vs pitch); axis labels and sources are in the step&apos;s report artifact</figcaption>
    </figure>
  );
}

const NOVELTY_ARM_RE = /^auroc_(.+?)_((?:decoder_encoder|autoencoder|deep_svdd)(?:_[a-z_]+?)?)_class(\d+)$/;
const NOVELTY_ARM_LABEL: Record<string, string> = {
  decoder_encoder: 'decoder-encoder (NDA)',
  decoder_encoder_no_nda: 'decoder-encoder, no NDA',
  autoencoder: 'autoencoder (reconstruction)',
  deep_svdd: 'Deep SVDD',
};
const NOVELTY_ARM_ORDER = ['decoder_encoder', 'decoder_encoder_no_nda', 'autoencoder', 'deep_svdd'];

/**
 * One-class novelty detection: mean AUROC per normal class (over seeds) for each arm, one panel per
 * dataset, from a novelty-auroc summary's `auroc_<dataset>_<arm>_class<k>` metrics. Where a target
 * carries another paper's published number for an arm and class (Deep SVDD's), it is marked ◆ on
 * that arm's bar: those are baselines' own results, not numbers of the paper being reproduced.
 */
export function NoveltyChart({ metrics, rows }: { metrics: MetricView[]; rows: ComparisonRowView[] }) {
  const cells = metrics.flatMap((m) => {
    const g = NOVELTY_ARM_RE.exec(m.name);
    return g ? [{ dataset: g[1]!, arm: g[2]!, cls: Number(g[3]), value: m.value }] : [];
  });
  if (!cells.length) return null;
  const published = rows.flatMap((r) => {
    const g = NOVELTY_ARM_RE.exec(r.metric.split('.').slice(1).join('.'));
    return g && r.paperValue !== null ? [{ dataset: g[1]!, arm: g[2]!, cls: Number(g[3]), value: r.paperValue, claimId: r.claimId }] : [];
  });
  const datasets = [...new Set(cells.map((c) => c.dataset))];
  const arms = [...new Set(cells.map((c) => c.arm))].sort((a, b) => (NOVELTY_ARM_ORDER.indexOf(a) + 99) % 99 - (NOVELTY_ARM_ORDER.indexOf(b) + 99) % 99 || a.localeCompare(b));
  const all = [...cells.map((c) => c.value), ...published.map((p) => p.value)];
  const lo = Math.max(0, Math.floor(Math.min(50, ...all) / 10) * 10);
  const [w, h, left, top, bottom] = [620, 200, 44, 14, 30];
  const y = scaleLinear<number>({ domain: [lo, 100], range: [h - bottom, top] });
  return (
    <figure>
      {datasets.map((ds) => {
        const classes = [...new Set(cells.filter((c) => c.dataset === ds).map((c) => c.cls))].sort((a, b) => a - b);
        const groupW = (w - left - 10) / classes.length;
        const barW = Math.max(2, (groupW - 6) / arms.length);
        return (
          <svg key={ds} data-testid="novelty-chart" data-dataset={ds} width={w} height={h} role="img" aria-label={`one-class AUROC per class on ${ds}`} style={{ border: '1px solid #eee', display: 'block', marginBottom: 6 }}>
            <text x={left} y={11} fontSize="11" fontWeight="bold">
              {ds}
            </text>
            <AxisLeft scale={y} left={left} numTicks={5} tickFormat={(t) => `${fmt(Number(t), 3)}`} tickLabelProps={{ ...TICK_LABEL, textAnchor: 'end', dx: -2 }} stroke="#999" tickStroke="#999" tickLength={3} />
            <text x={8} y={top + (h - bottom - top) / 2} fontSize="10" fill="#333" transform={`rotate(-90 8 ${top + (h - bottom - top) / 2})`} textAnchor="middle">
              AUROC %
            </text>
            <line x1={left} x2={w - 10} y1={y(50)} y2={y(50)} stroke="#bbb" strokeDasharray="3 3">
              <title>chance (50 %)</title>
            </line>
            {classes.map((k, ci) => {
              const x0 = left + 3 + ci * groupW;
              return (
                <g key={k} data-class={k}>
                  <text x={x0 + groupW / 2 - 3} y={h - bottom + 14} fontSize="10" textAnchor="middle" fill="#555">
                    {k}
                  </text>
                  {arms.map((arm, ai) => {
                    const c = cells.find((x) => x.dataset === ds && x.arm === arm && x.cls === k);
                    const p = published.find((x) => x.dataset === ds && x.arm === arm && x.cls === k);
                    const bx = x0 + ai * barW;
                    return (
                      <g key={arm} data-arm={arm}>
                        {c && (
                          <rect data-value={c.value} x={bx} y={y(Math.max(lo, c.value))} width={barW - 1} height={Math.max(0, y(lo) - y(Math.max(lo, c.value)))} fill={COLORS[(NOVELTY_ARM_ORDER.indexOf(arm) + COLORS.length) % COLORS.length]}>
                            <title>{`${NOVELTY_ARM_LABEL[arm] ?? arm}, class ${k}: ${fmt(c.value, 4)} %`}</title>
                          </rect>
                        )}
                        {p && (
                          <path data-published={p.value} d={`M ${bx + (barW - 1) / 2} ${y(p.value) - 4} l 4 4 l -4 4 l -4 -4 z`} fill="#1a1a1a">
                            <title>{`published ${NOVELTY_ARM_LABEL[arm] ?? arm} (${p.claimId}), class ${k}: ${fmt(p.value, 4)} %, another paper's number`}</title>
                          </path>
                        )}
                      </g>
                    );
                  })}
                </g>
              );
            })}
          </svg>
        );
      })}
      <figcaption style={{ fontSize: 12, color: '#555' }}>
        one-class AUROC per normal class (mean over seeds):{' '}
        {arms.map((a) => (
          <span key={a} style={{ color: COLORS[(NOVELTY_ARM_ORDER.indexOf(a) + COLORS.length) % COLORS.length], marginRight: 8 }}>
            ■ {NOVELTY_ARM_LABEL[a] ?? a}
          </span>
        ))}
        {published.length > 0 && <span>◆ the baseline&apos;s own published value (another paper&apos;s number; the reproduced paper reports none)</span>}
      </figcaption>
    </figure>
  );
}
