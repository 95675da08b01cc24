/** `evaluate`: accuracy and mean cross-entropy of a model artifact on a held-out split. */
import { insertMetrics } from '@reprolab/db';
import type { EvalResult } from '@reprolab/methods';
import { EvaluateParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, rethrowComputeFailure, requireInput } from './context';

export async function evaluate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, ctx, reporter } = await openStep(deps, input, EvaluateParams);
  const files = {
    dataset: await artifactFile(deps.store, requireInput(input, 'dataset'), deps.log),
    model: await artifactFile(deps.store, requireInput(input, 'model'), deps.log),
  };
  reporter.report({ done: 0, total: 1, unit: 'passes', message: `evaluating on ${params.split}` }, true);
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  try {
    const r = await runComputeJob<EvalResult>({ job: 'evaluate-classifier', args: { params }, files, signal: ctx.cancellationSignal });
    await insertMetrics(deps.db, [
      { runId: input.runId, stepId: step.id, name: `${params.split}_accuracy`, value: r.accuracy, index: null },
      { runId: input.runId, stepId: step.id, name: `${params.split}_loss`, value: r.loss, index: null },
      { runId: input.runId, stepId: step.id, name: `${params.split}_examples`, value: r.count, index: null },
    ]);
    reporter.report({ done: 1, total: 1, unit: 'passes', metrics: { accuracy: r.accuracy, loss: r.loss } }, true);
    await reporter.flush();
    return { outputs: {} };
  } catch (e) {
    rethrowComputeFailure(e, 'evaluate');
  } finally {
    clearInterval(beat);
    await reporter.flush(); // no progress write may land after the step has ended
  }
}
