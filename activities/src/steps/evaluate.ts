/** `evaluate`: accuracy and mean cross-entropy of a model artifact on a held-out split. */
import { insertMetrics } from '@reprolab/db';
import { buildSmallModel, decodeCheckpoint, evaluateClassifier, restoreState, type SmallModelName } from '@reprolab/methods';
import { EvaluateParams } from '@reprolab/recipes';
import { ApplicationFailure } from '@temporalio/activity';
import { loadDataset } from '../datasets/store';
import type { ActivityDeps } from '../deps';
import { withRetry } from '../storage/object-store';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, requireInput } from './context';

export async function evaluate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, reporter } = await openStep(deps, input, EvaluateParams);
  const data = await withRetry('load dataset', () => loadDataset(deps.store, requireInput(input, 'dataset')), { onRetry: deps.log });
  const ck = decodeCheckpoint(await withRetry('load model', () => deps.store.getBytes(requireInput(input, 'model')), { onRetry: deps.log }));
  const meta = ck.meta as { model?: SmallModelName; inputShape?: [number, number, number]; classes?: number };
  if (!meta.model || !meta.inputShape || !meta.classes) throw ApplicationFailure.nonRetryable('model artifact lacks its architecture (model, inputShape, classes)', 'InvalidInput');
  if (meta.inputShape.join('x') !== data.shape.join('x') || meta.classes !== data.classes) {
    throw ApplicationFailure.nonRetryable(
      `model expects ${meta.inputShape.join('×')} images and ${meta.classes} classes; dataset ${data.name} has ${data.shape.join('×')} and ${data.classes}`,
      'InvalidInput',
    );
  }
  const model = buildSmallModel(meta.model, meta.inputShape, meta.classes, 0);
  try {
    await restoreState(model, undefined, ck);
    reporter.report({ done: 0, total: 1, unit: 'passes', message: `evaluating on ${params.split}` }, true);
    const r = evaluateClassifier(model, data, params.split, params.batchSize, params.limit);
    await insertMetrics(deps.db, [
      { runId: input.runId, stepId: step.id, name: `${params.split}_accuracy`, value: r.accuracy, index: null },
      { runId: input.runId, stepId: step.id, name: `${params.split}_loss`, value: r.loss, index: null },
      { runId: input.runId, stepId: step.id, name: `${params.split}_examples`, value: r.count, index: null },
    ]);
    reporter.report({ done: 1, total: 1, unit: 'passes', metrics: { accuracy: r.accuracy, loss: r.loss } }, true);
    await reporter.flush();
    return { outputs: {} };
  } finally {
    model.dispose();
  }
}
