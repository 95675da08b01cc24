/**
 * What a run's page adds to its rows: per step, where its time went (orchestration overhead);
 * the run's lineage (which digest fed which step, and where each came from); a cached step's
 * origin; and the checks behind an artifact download link.
 */
import { artifactProducers, getDatasets, getStepsByIds, type ArtifactRow, type Db, type RunRow, type StepRow } from '@reprolab/db';

export interface StepOverhead {
  /**
   * Ready → a worker began it: bookkeeping (fingerprint, cache lookup), dispatch and the wait on
   * the task queue, before any of its own work. Null for a cached step or one not picked up yet.
   */
  timeToStartMs: number | null;
  /** Ready → its work was put on its task queue (the control activities and workflow tasks between). */
  dispatchMs: number | null;
  /** Time on the task queue waiting for a worker, summed over every attempt (and every activity of a multi-activity step). */
  queuedMs: number | null;
  /** First picked up → finished: the work itself, failed attempts and retry backoff included. */
  runMs: number | null;
  /** Ready → finished. */
  wallMs: number | null;
  /** Attempts after the first, over every activity of the step. */
  retries: number;
  /** Worker host of the last attempt. */
  workerHost: string | null;
}

const ms = (from: Date | null, to: Date | null): number | null => (from && to ? to.getTime() - from.getTime() : null);

/**
 * A step's overhead from its recorded timeline (see the steps table). Steps recorded before the
 * timeline existed have no ready time: their fields are null rather than guessed.
 */
export function stepOverhead(s: Pick<StepRow, 'cacheHit' | 'readyAt' | 'scheduledAt' | 'pickedUpAt' | 'finishedAt' | 'queuedMs' | 'retries' | 'workerHost'>): StepOverhead {
  const computed = !s.cacheHit && s.pickedUpAt !== null;
  return {
    timeToStartMs: computed ? ms(s.readyAt, s.pickedUpAt) : null,
    dispatchMs: computed ? ms(s.readyAt, s.scheduledAt) : null,
    queuedMs: computed ? s.queuedMs : null,
    runMs: computed ? ms(s.pickedUpAt, s.finishedAt) : null,
    wallMs: ms(s.readyAt, s.finishedAt),
    retries: s.retries,
    workerHost: s.workerHost,
  };
}

export interface OverheadTotals {
  /** Launch → the run's steps were planned (datasets resolved, environment recorded). */
  preparationMs: number | null;
  /** Sums over the steps that ran (cached steps have none). */
  queuedMs: number;
  timeToStartMs: number;
  retries: number;
  cacheHits: number;
  /** Steps that ran on a worker (not cached). */
  computed: number;
}

export function overheadTotals(run: Pick<RunRow, 'createdAt' | 'startedAt'>, steps: { cacheHit: boolean; overhead: StepOverhead }[]): OverheadTotals {
  const ran = steps.filter((s) => !s.cacheHit);
  return {
    preparationMs: ms(run.createdAt, run.startedAt),
    queuedMs: ran.reduce((a, s) => a + (s.overhead.queuedMs ?? 0), 0),
    timeToStartMs: ran.reduce((a, s) => a + (s.overhead.timeToStartMs ?? 0), 0),
    retries: steps.reduce((a, s) => a + s.overhead.retries, 0),
    cacheHits: steps.length - ran.length,
    computed: ran.filter((s) => s.overhead.timeToStartMs !== null).length,
  };
}

export type LineageSource =
  | { kind: 'dataset'; name: string; format: string }
  /** Produced by a step: of this run, or of an earlier one (a stored teacher, a cache origin). */
  | { kind: 'step'; runId: string | null; stepKey: string | null; artifact: string; artifactKind: string; sameRun: boolean }
  | { kind: 'unknown' };

export interface LineageInput {
  slot: string;
  /** What the recipe wrote: a dataset name, `<step>.<output>` or a digest. */
  ref: string | null;
  digest: string;
  source: LineageSource;
}

export interface StepLineage {
  stepKey: string;
  /** Null when the step has not begun (or began before inputs were recorded). */
  inputs: LineageInput[] | null;
  outputs: { name: string; digest: string }[];
}

type RecipeDoc = { steps?: { id: string; inputs?: Record<string, string> }[] } | null;

/** Each step's consumed digests with their source, and what it produced, in step order. */
export async function runLineage(db: Db, runId: string, steps: StepRow[], recipe: RecipeDoc): Promise<StepLineage[]> {
  const outputsOf = (s: StepRow) => Object.entries((s.outputs ?? {}) as Record<string, string>);
  const consumed = (s: StepRow) => Object.entries((s.inputs ?? {}) as Record<string, string>);
  const produced = new Map<string, { stepKey: string; name: string }>();
  for (const s of steps) for (const [name, digest] of outputsOf(s)) if (!produced.has(digest)) produced.set(digest, { stepKey: s.stepKey, name });
  const digests = [...new Set(steps.flatMap((s) => consumed(s).map(([, d]) => d)))];
  const elsewhere = digests.filter((d) => !produced.has(d));
  const [datasets, producers] = await Promise.all([getDatasets(db, elsewhere), artifactProducers(db, elsewhere)]);
  const dataset = new Map(datasets.map((d) => [d.sha256, d]));
  const refs = new Map((recipe?.steps ?? []).map((s) => [s.id, s.inputs ?? {}]));
  const sourceOf = (digest: string): LineageSource => {
    const own = produced.get(digest);
    if (own) return { kind: 'step', runId, stepKey: own.stepKey, artifact: own.name, artifactKind: 'output', sameRun: true };
    const d = dataset.get(digest);
    if (d) return { kind: 'dataset', name: d.name, format: d.format };
    const p = producers.get(digest);
    if (p) return { kind: 'step', runId: p.runId, stepKey: p.stepKey, artifact: p.name, artifactKind: p.kind, sameRun: p.runId === runId };
    return { kind: 'unknown' };
  };
  return steps.map((s) => ({
    stepKey: s.stepKey,
    inputs:
      s.inputs === null
        ? null
        : consumed(s)
            // By slot name: jsonb (the step row and the stored recipe alike) keeps no written order.
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([slot, digest]) => ({ slot, ref: refs.get(s.stepKey)?.[slot] ?? null, digest, source: sourceOf(digest) })),
    outputs: outputsOf(s).map(([name, digest]) => ({ name, digest })),
  }));
}

/** A cached step's origin: the run and step whose results it reused. */
export async function cachedOrigins(db: Db, steps: StepRow[]): Promise<Map<number, { runId: string; stepKey: string }>> {
  const ids = steps.flatMap((s) => (s.cacheHit && s.cachedFromStepId !== null ? [s.cachedFromStepId] : []));
  const from = new Map((await getStepsByIds(db, ids)).map((s) => [s.id, { runId: s.runId, stepKey: s.stepKey }]));
  return new Map(steps.flatMap((s) => (s.cachedFromStepId !== null && from.has(s.cachedFromStepId) ? [[s.id, from.get(s.cachedFromStepId)!] as const] : [])));
}

/**
 * Why a run may not hand out a download link for `digest`, or null when it may: the digest must be
 * one of the run's own artifacts or an input one of its steps consumed (a dataset, a stored
 * teacher). A caller never reaches another run's bytes through this run.
 */
export function downloadRefusal(runId: string, digest: string, artifacts: Pick<ArtifactRow, 'sha256'>[], steps: Pick<StepRow, 'inputs'>[], storedBy: string[]): string | null {
  if (artifacts.some((a) => a.sha256 === digest)) return null;
  if (steps.some((s) => Object.values((s.inputs ?? {}) as Record<string, string>).includes(digest))) return null;
  const where = storedBy.length ? `; it was stored by run ${storedBy.slice(0, 3).join(', ')}${storedBy.length > 3 ? ' …' : ''}: ask that run for it` : '; no run stored it';
  return `${digest} is not an artifact of run ${runId} nor an input its steps consumed${where} (list a run's artifacts with \`reprolab status <run>\`)`;
}
