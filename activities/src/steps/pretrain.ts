/**
 * `pretrain`: trains a model from scratch on a dataset artifact, in a compute child process.
 * Checkpoints go to the object store every `checkpointEvery` steps and are named in the heartbeat,
 * so a retried attempt (worker crash, storage outage) resumes from the last one instead of
 * starting over.
 */
import { readFile } from 'node:fs/promises';
import { deleteMetricsAfter, deleteStepMetrics, insertMetrics } from '@reprolab/db';
import { PretrainParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { TrainJobArgs } from '../compute/jobs';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, rethrowComputeFailure, putArtifact, requireInput } from './context';

export interface PretrainHeartbeat {
  checkpoint?: string;
  checkpointStep?: number;
  step: number;
}

interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
}

export async function pretrain(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, PretrainParams);
  const datasetDigest = requireInput(input, 'dataset');
  const files: Record<string, string> = { dataset: await artifactFile(deps.store, datasetDigest, deps.log) };

  const last = ctx.info.heartbeatDetails as PretrainHeartbeat | undefined;
  if (last?.checkpoint && last.checkpointStep !== undefined) {
    files.resume = await artifactFile(deps.store, last.checkpoint, deps.log);
    await deleteMetricsAfter(deps.db, step.id, last.checkpointStep);
    deps.log?.(`pretrain ${input.runId}/${input.stepKey}: attempt ${ctx.info.attempt} resumes from step ${last.checkpointStep} (${last.checkpoint})`);
  } else {
    await deleteStepMetrics(deps.db, step.id); // an earlier attempt that died before its first checkpoint
  }

  let beat: PretrainHeartbeat = { checkpoint: last?.checkpoint, checkpointStep: last?.checkpointStep, step: last?.checkpointStep ?? 0 };
  const losses: { index: number; value: number }[] = [];
  const flushLosses = async () => {
    const rows = losses.splice(0).map((l) => ({ runId: input.runId, stepId: step.id, name: 'train_loss', value: l.value, index: l.index }));
    if (rows.length) await insertMetrics(deps.db, rows);
  };
  let modelDigest = '';
  const args: TrainJobArgs = {
    params,
    seed: run.seed,
    meta: { model: params.model, dataset: datasetDigest, seed: run.seed },
  };
  try {
    const result = await runComputeJob<{ position: { step: number }; finalLoss: number; resumedFromStep: number }>({
      job: 'train-classifier',
      args,
      files,
      signal: ctx.cancellationSignal,
      onProgress: (d) => {
        const p = d as unknown as TrainProgress;
        losses.push({ index: p.step, value: p.loss });
        beat = { ...beat, step: p.step };
        ctx.heartbeat(beat);
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', metrics: { loss: p.loss, epoch: p.epoch }, checkpoint: beat.checkpoint });
      },
      onCheckpoint: async (path, d) => {
        const at = (d as { step: number }).step;
        const digest = await putArtifact(deps, step, new Uint8Array(await readFile(path)), 'checkpoint', `step-${at}`);
        // Losses up to this checkpoint become durable together with it.
        await flushLosses();
        beat = { checkpoint: digest, checkpointStep: at, step: at };
        ctx.heartbeat(beat);
      },
      onOutputs: async (out) => {
        modelDigest = await putArtifact(deps, step, new Uint8Array(await readFile(out.model!)), 'model', `${params.model}-final`);
      },
    });
    await flushLosses();
    await insertMetrics(deps.db, [
      { runId: input.runId, stepId: step.id, name: 'final_train_loss', value: result.finalLoss, index: null },
      { runId: input.runId, stepId: step.id, name: 'train_steps', value: result.position.step, index: null },
      { runId: input.runId, stepId: step.id, name: 'resumed_from_step', value: result.resumedFromStep, index: null },
    ]);
    reporter.report({ done: result.position.step, total: result.position.step, unit: 'steps', message: 'done', metrics: { loss: result.finalLoss } }, true);
    await reporter.flush();
    return { outputs: { model: modelDigest } };
  } catch (e) {
    rethrowComputeFailure(e, `pretrain (at step ${beat.step})`);
  } finally {
    await reporter.flush(); // no progress write may land after the step has ended
  }
}
