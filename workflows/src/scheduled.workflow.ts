/**
 * One action of a Temporal Schedule: create the run row for this scheduled time, then run the
 * recipe as a `reproduce` child under the run's usual workflow id (so status, cancel, pause and
 * the dashboard treat it like any launched run). The schedule's overlap policy sees this
 * workflow open until the child ends, so a slow run is never overlapped by the next one.
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@reprolab/activities';
import { runIdForScheduledAction, workflowIdForRun, type ScheduledReproductionInput } from './definitions';
import { reproduce } from './reproduce.workflow';

const control = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 10, nonRetryableErrorTypes: ['InvalidInput'] },
});

export async function scheduledReproduction(input: ScheduledReproductionInput): Promise<{ runId: string; status: 'completed' }> {
  const runId = runIdForScheduledAction(workflowInfo().workflowId, input.recipeName);
  const workflowId = workflowIdForRun(runId);
  await control.createScheduledRun({ runId, workflowId, recipeId: input.recipeId, seed: input.seed, force: input.force });
  return executeChild(reproduce, { workflowId, args: [{ runId }] });
}
