/**
 * Resume and loss-series plumbing shared by checkpointed training steps (`pretrain`, `distill`):
 * a retried attempt resumes from the newest checkpoint its predecessors stored, the
 * train_loss rows after that checkpoint are dropped, and rows up to a new checkpoint are stored
 * together with it, so the live chart never shows steps the resumed run will redo.
 */
import { readFile } from 'node:fs/promises';
import type { Context } from '@temporalio/activity';
import { deleteMetricsAfter, deleteStepMetrics, insertMetrics, type StepRow } from '@reprolab/db';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput } from '../types';
import { latestCheckpoint, putArtifact } from './context';

export interface CheckpointBeat {
  checkpoint?: string;
  checkpointStep?: number;
  step: number;
}

export async function resumableTraining(deps: ActivityDeps, input: ComputeStepInput, step: StepRow, ctx: Context, files: Record<string, string>, what: string) {
  // The newest checkpoint an earlier attempt stored (heartbeats are throttled: the last one that
  // reached Temporal may name an older one, or none).
  const stored = ctx.info.attempt > 1 ? await latestCheckpoint(deps, step) : undefined;
  const last: CheckpointBeat | undefined = stored && { checkpoint: stored.digest, checkpointStep: stored.step, step: stored.step };
  if (last?.checkpoint && last.checkpointStep !== undefined) {
    files.resume = await artifactFile(deps.store, last.checkpoint, deps.log);
    await deleteMetricsAfter(deps.db, step.id, last.checkpointStep);
    deps.log?.(`${what} ${input.runId}/${input.stepKey}: attempt ${ctx.info.attempt} resumes from step ${last.checkpointStep} (${last.checkpoint})`);
  } else {
    await deleteStepMetrics(deps.db, step.id); // an earlier attempt that died before its first checkpoint
  }
  let beat: CheckpointBeat = { checkpoint: last?.checkpoint, checkpointStep: last?.checkpointStep, step: last?.checkpointStep ?? 0 };
  const losses: { index: number; value: number }[] = [];
  const flushLosses = async () => {
    const rows = losses.splice(0).map((l) => ({ runId: input.runId, stepId: step.id, name: 'train_loss', value: l.value, index: l.index }));
    if (rows.length) await insertMetrics(deps.db, rows);
  };
  return {
    beat: () => beat,
    flushLosses,
    /** One optimizer step's loss: kept for the series, and the heartbeat moves on. */
    progress(at: number, loss: number): void {
      losses.push({ index: at, value: loss });
      beat = { ...beat, step: at };
      ctx.heartbeat(beat);
    },
    /** Stores a checkpoint file, then names it in the heartbeat (with the losses up to it stored). */
    async checkpoint(path: string, d: Record<string, unknown>): Promise<void> {
      const at = (d as { step: number }).step;
      const digest = await putArtifact(deps, step, new Uint8Array(await readFile(path)), 'checkpoint', `step-${at}`);
      await flushLosses();
      beat = { checkpoint: digest, checkpointStep: at, step: at };
      ctx.heartbeat(beat);
    },
  };
}
