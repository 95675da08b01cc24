/**
 * What the run page shows for dehazing (`dehaze`) runs: each step's stored hazy | dehazed | clear
 * strip of the first test pair, as a PNG data URL, with the step's arm (with or without CR), β and
 * seed. Read only through the run's own artifact rows: a caller never names a digest.
 */
import { listSteps, runArtifacts, type Db } from '@reprolab/db';
import { DEHAZE_STRIP_KIND } from '@reprolab/activities/dehaze-strip';
import type { ArtifactReader } from './sr-view';

export interface DehazeStripView {
  step: string;
  /** `dehaze-strip-<arm>-s<seed>` as stored. */
  name: string;
  arm: 'with-cr' | 'without-cr' | null;
  seed: number | null;
  /** data:image/png;base64 of three equal panels: hazy, dehazed, clear. */
  src: string;
}

export async function dehazeStrips(db: Db, store: ArtifactReader, runId: string): Promise<DehazeStripView[]> {
  const steps = new Map((await listSteps(db, runId)).map((s) => [s.id, s.stepKey]));
  const arts = (await runArtifacts(db, runId)).filter((a) => a.kind === DEHAZE_STRIP_KIND);
  const out: DehazeStripView[] = [];
  for (const a of arts) {
    const g = /^dehaze-strip-(with-cr|without-cr)-s(\d+)$/.exec(a.name);
    const bytes = await store.getBytes(a.sha256);
    out.push({ step: (a.stepId !== null ? steps.get(a.stepId) : undefined) ?? '', name: a.name, arm: (g?.[1] as DehazeStripView['arm']) ?? null, seed: g ? Number(g[2]) : null, src: `data:image/png;base64,${Buffer.from(bytes).toString('base64')}` });
  }
  return out.sort((x, y) => (x.seed ?? 0) - (y.seed ?? 0) || String(x.arm).localeCompare(String(y.arm)));
}
