/**
 * `pretrain`: trains a model from scratch on a dataset artifact. Checkpoints go to the object store
 * every `checkpointEvery` steps and are named in the heartbeat, so a retried attempt (worker crash,
 * storage outage) resumes from the last one instead of starting over.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { deleteMetricsAfter, deleteStepMetrics, insertMetrics } from '@reprolab/db';
import {
  buildSmallModel,
  captureState,
  decodeCheckpoint,
  encodeCheckpoint,
  trainClassifier,
  TrainingStopped,
  type TrainCheckpoint,
} from '@reprolab/methods';
import { PretrainParams } from '@reprolab/recipes';
import { loadDataset } from '../datasets/store';
import type { ActivityDeps } from '../deps';
import { withRetry } from '../storage/object-store';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact, requireInput } from './context';

export interface PretrainHeartbeat {
  checkpoint?: string;
  checkpointStep?: number;
  step: number;
}

export async function pretrain(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, PretrainParams);
  const datasetDigest = requireInput(input, 'dataset');
  const data = await withRetry('load dataset', () => loadDataset(deps.store, datasetDigest), { onRetry: deps.log });
  const model = buildSmallModel(params.model, data.shape, data.classes, run.seed);
  const meta = { model: params.model, inputShape: data.shape, classes: data.classes, dataset: datasetDigest, seed: run.seed };

  const last = ctx.info.heartbeatDetails as PretrainHeartbeat | undefined;
  let resumeFrom: TrainCheckpoint | undefined;
  if (last?.checkpoint) {
    resumeFrom = decodeCheckpoint(await withRetry('load checkpoint', () => deps.store.getBytes(last.checkpoint!), { onRetry: deps.log }));
    await deleteMetricsAfter(deps.db, step.id, resumeFrom.position.step);
    deps.log?.(`pretrain ${input.runId}/${input.stepKey}: attempt ${ctx.info.attempt} resumes from step ${resumeFrom.position.step} (${last.checkpoint})`);
  } else {
    await deleteStepMetrics(deps.db, step.id); // an earlier attempt that died before its first checkpoint
  }

  let beat: PretrainHeartbeat = { checkpoint: last?.checkpoint, checkpointStep: resumeFrom?.position.step, step: resumeFrom?.position.step ?? 0 };
  const losses: { index: number; value: number }[] = [];
  const flushLosses = async () => {
    const rows = losses.splice(0).map((l) => ({ runId: input.runId, stepId: step.id, name: 'train_loss', value: l.value, index: l.index }));
    if (rows.length) await insertMetrics(deps.db, rows);
  };

  try {
    const result = await trainClassifier({
      model,
      data,
      epochs: params.epochs,
      batchSize: params.batchSize,
      learningRate: params.learningRate,
      momentum: params.momentum,
      seed: run.seed,
      trainLimit: params.trainLimit,
      checkpointEvery: params.checkpointEvery,
      resumeFrom,
      meta,
      shouldStop: () => ctx.cancellationSignal.aborted,
      onStep: (p) => {
        losses.push({ index: p.step, value: p.loss });
        beat = { ...beat, step: p.step };
        ctx.heartbeat(beat);
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', metrics: { loss: p.loss, epoch: p.epoch }, checkpoint: beat.checkpoint });
      },
      onCheckpoint: async (ck) => {
        const digest = await putArtifact(deps, step, encodeCheckpoint(ck), 'checkpoint', `step-${ck.position.step}`);
        // Losses up to this checkpoint become durable together with it.
        await flushLosses();
        beat = { checkpoint: digest, checkpointStep: ck.position.step, step: ck.position.step };
        ctx.heartbeat(beat);
      },
    });
    await flushLosses();
    const final = await captureState(model, undefined, result.position, meta);
    const modelDigest = await putArtifact(deps, step, encodeCheckpoint(final), 'model', `${params.model}-final`);
    await insertMetrics(deps.db, [
      { runId: input.runId, stepId: step.id, name: 'final_train_loss', value: result.finalLoss, index: null },
      { runId: input.runId, stepId: step.id, name: 'train_steps', value: result.position.step, index: null },
      { runId: input.runId, stepId: step.id, name: 'resumed_from_step', value: result.resumedFromStep, index: null },
    ]);
    reporter.report({ done: result.position.step, total: result.position.step, unit: 'steps', message: 'done', metrics: { loss: result.finalLoss } }, true);
    await reporter.flush();
    return { outputs: { model: modelDigest } };
  } catch (e) {
    if (e instanceof TrainingStopped) throw new CancelledFailure(`pretrain cancelled at step ${e.position.step}`);
    if (e instanceof Error && /loss became/.test(e.message)) throw ApplicationFailure.nonRetryable(e.message, 'Diverged');
    throw e;
  } finally {
    model.dispose();
  }
}
