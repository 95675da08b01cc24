/**
 * `pretrain`: trains a model from scratch on a dataset artifact, in a compute child process.
 * Checkpoints go to the object store every `checkpointEvery` steps and are named in the heartbeat,
 * so a retried attempt (worker crash, storage outage) resumes from the last one instead of
 * starting over.
 */
import { readFile } from 'node:fs/promises';
import { insertMetrics } from '@reprolab/db';
import { PretrainParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { TrainJobArgs } from '../compute/jobs';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, rethrowComputeFailure, putArtifact, requireInput } from './context';
import { resumableTraining, type CheckpointBeat } from './resumable';

/** What a pretrain attempt heartbeats (kept under this name for callers). */
export type PretrainHeartbeat = CheckpointBeat;

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

  const session = await resumableTraining(deps, input, step, ctx, files, 'pretrain');
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
      keepAlive: () => ctx.heartbeat(session.beat()),
      onProgress: (d) => {
        const p = d as unknown as TrainProgress;
        session.progress(p.step, p.loss);
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', metrics: { loss: p.loss, epoch: p.epoch }, checkpoint: session.beat().checkpoint });
      },
      onCheckpoint: (path, d) => session.checkpoint(path, d),
      onOutputs: async (out) => {
        modelDigest = await putArtifact(deps, step, new Uint8Array(await readFile(out.model!)), 'model', `${params.model}-final`);
      },
    });
    await session.flushLosses();
    await insertMetrics(deps.db, [
      { runId: input.runId, stepId: step.id, name: 'final_train_loss', value: result.finalLoss, index: null },
      { runId: input.runId, stepId: step.id, name: 'train_steps', value: result.position.step, index: null },
      { runId: input.runId, stepId: step.id, name: 'resumed_from_step', value: result.resumedFromStep, index: null },
    ]);
    reporter.report({ done: result.position.step, total: result.position.step, unit: 'steps', message: 'done', metrics: { loss: result.finalLoss } }, true);
    await reporter.flush();
    return { outputs: { model: modelDigest } };
  } catch (e) {
    rethrowComputeFailure(e, `pretrain (at step ${session.beat().step})`);
  } finally {
    await reporter.flush(); // no progress write may land after the step has ended
  }
}
