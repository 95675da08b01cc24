'use client';
/**
 * Dehazing runs: every dehaze step's hazy | dehazed | clear strip of the same first test pair, with
 * its arm (with or without the contrastive regulariser), seed and test PSNR. Fetched again when
 * another dehaze step finishes.
 */
import { useEffect, useState } from 'react';
import type { DehazeStripView } from '@reprolab/api';
import { query } from '../../trpc-client';
import { fmt, type MetricView } from './charts';

export const completedDehazeSteps = (steps: { kind: string; status: string }[]) => steps.filter((s) => s.kind === 'dehaze' && s.status === 'completed').length;

export function DehazePanel({ runId, completed, metrics }: { runId: string; completed: number; metrics: MetricView[] }) {
  const [strips, setStrips] = useState<DehazeStripView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!completed) return;
    query<DehazeStripView[]>('dehaze.strips', { runId })
      .then((s) => {
        setStrips(s);
        setProblem(null);
      })
      .catch((e: unknown) => setProblem((e as Error).message));
  }, [runId, completed]);
  const metric = (step: string, name: string) => metrics.find((m) => m.step === step && m.name === name)?.value;
  return (
    <section data-testid="dehaze-panel">
      <h3>Dehazing: the same test image through every arm</h3>
      {problem && <p role="alert">{problem}</p>}
      {!completed && <p style={{ color: '#555' }}>No dehaze step has finished yet.</p>}
      {strips && strips.length === 0 && completed > 0 && <p style={{ color: '#555' }}>No strips stored.</p>}
      {strips?.map((s) => (
        <figure key={s.step + s.name} data-step={s.step} data-arm={s.arm ?? ''} style={{ margin: '6px 0' }}>
          <img src={s.src} alt={`hazy, dehazed and clear test image, ${s.step}`} style={{ imageRendering: 'pixelated', height: 192, display: 'block' }} />
          <figcaption style={{ fontSize: 12, color: '#555' }}>
            {s.step}: {s.arm === 'with-cr' ? `with CR (β ${fmt(metric(s.step, 'beta'), 3)})` : s.arm === 'without-cr' ? 'without CR (L1 only)' : s.arm}
            {s.seed !== null ? `, seed ${s.seed}` : ''} · left to right: hazy input ({fmt(metric(s.step, 'hazy_psnr'), 4)} dB), dehazed (test mean{' '}
            {fmt(metric(s.step, 'psnr'), 4)} dB), clear
          </figcaption>
        </figure>
      ))}
    </section>
  );
}
