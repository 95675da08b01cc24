/** Shared plumbing for compute steps: params, step row, progress reporting, artifact writes. */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { getStep, insertArtifact, recordStepPickup, stepArtifacts, updateStep, type StepRow } from '@reprolab/db';
import type { z } from 'zod';
import type { ActivityDeps } from '../deps';
import { loadRunRecipe, stepOf } from '../run';
import { ComputeJobCancelled, ComputeJobError } from '../compute/client';
import { withRetry } from '../storage/object-store';
import type { ComputeStepInput } from '../types';

export interface StepProgress {
  done: number;
  total: number;
  unit: string;
  message?: string;
  metrics?: Record<string, number>;
  checkpoint?: string;
}

/**
 * What every compute activity does first: checks the step's params, and records that a worker
 * picked up this attempt (how long it waited on its queue, whether it is a retry; see
 * recordStepPickup), so a run's page can say where its time went.
 */
export async function openStep<S extends z.ZodType>(deps: ActivityDeps, input: ComputeStepInput, schema: S) {
  const pickedUpAt = new Date();
  const { run, recipe } = await loadRunRecipe(deps, input.runId);
  const spec = stepOf(recipe, input.stepKey);
  const parsed = schema.safeParse(spec.params);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`step ${input.stepKey}: ${parsed.error.message}`, 'InvalidInput');
  const step = await getStep(deps.db, input.runId, input.stepKey);
  if (!step) throw ApplicationFailure.nonRetryable(`run ${input.runId} has no step ${input.stepKey}`, 'InvalidInput');
  const ctx = Context.current();
  const { info } = ctx;
  await recordStepPickup(deps.db, step.id, {
    scheduledAt: new Date(info.scheduledTimestampMs),
    attemptScheduledAt: new Date(info.currentAttemptScheduledTimestampMs),
    pickedUpAt,
    attempt: info.attempt,
    host: deps.host,
  });
  return { run, step, params: parsed.data as z.infer<S>, ctx, reporter: progressReporter(deps, step) };
}

export type StepReporter = ReturnType<typeof progressReporter>;

/** Writes progress to the step row at most once a second (the dashboard and CLI poll it). */
export function progressReporter(deps: ActivityDeps, step: StepRow) {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    report(p: StepProgress, force = false): void {
      const now = Date.now();
      if (!force && now - last < 1000) return;
      last = now;
      pending = pending.then(() => updateStep(deps.db, step.id, { progress: p })).catch(() => {});
    },
    flush: () => pending,
  };
}

export async function putArtifact(deps: ActivityDeps, step: StepRow, bytes: Uint8Array, kind: string, name: string): Promise<string> {
  const put = await withRetry(`store ${kind}`, () => deps.store.putBytes(bytes), { onRetry: deps.log });
  await insertArtifact(deps.db, { sha256: put.sha256, size: put.size, kind, name, bucket: put.bucket, key: put.key, runId: step.runId, stepId: step.id });
  return put.sha256;
}

/**
 * The newest checkpoint this step stored under `<prefix>step-<N>` (by any attempt), or undefined.
 * A retried attempt resumes from it rather than only from the heartbeat: heartbeats are throttled,
 * so the last one that reached Temporal before a host died can name an older checkpoint (or none),
 * while an artifact row is written only once its bytes are in the store.
 */
export async function latestCheckpoint(deps: ActivityDeps, step: StepRow, prefix = ''): Promise<{ digest: string; step: number } | undefined> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}step-(\\d+)$`);
  let best: { digest: string; step: number } | undefined;
  for (const a of await stepArtifacts(deps.db, step.id)) {
    const m = a.kind === 'checkpoint' ? pattern.exec(a.name) : null;
    if (m && (!best || Number(m[1]) > best.step)) best = { digest: a.sha256, step: Number(m[1]) };
  }
  return best;
}

export function requireInput(input: ComputeStepInput, slot: string): string {
  const v = input.inputs[slot];
  if (!v) throw ApplicationFailure.nonRetryable(`step ${input.stepKey}: input "${slot}" was not resolved`, 'InvalidInput');
  return v;
}

/**
 * Maps a compute child's failure to what Temporal should do: a cancelled job is a cancellation, bad
 * input (and a diverged loss) is final, anything else (a crash, a lost store) is retried.
 */
export function rethrowComputeFailure(e: unknown, what: string): never {
  if (e instanceof ComputeJobCancelled) throw new CancelledFailure(`${what} cancelled`);
  if (e instanceof ComputeJobError && e.name === 'InvalidJobInput') throw ApplicationFailure.nonRetryable(e.message, 'InvalidInput');
  if (e instanceof ComputeJobError && /loss became/.test(e.message)) throw ApplicationFailure.nonRetryable(e.message, 'Diverged');
  throw e;
}
