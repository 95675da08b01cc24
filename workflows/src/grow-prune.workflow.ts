/**
 * `growPrune`: one sparse-training step as a child workflow. Its plan (a list of phases with their
 * inputs) comes from an activity; phases run wave by wave, each as its own activity with its own
 * checkpoint, so a crash loses at most part of one phase, and P-GaP's κ branches of a round run
 * in parallel (on as many workers as poll the queue). Only checkpoint digests pass through here.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '@reprolab/activities';
import type { StepWorkflowInput } from './definitions';
import { computeOn } from './reproduce.workflow';

const planning = (queue: string) => proxyActivities<Activities>({ taskQueue: queue, startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInput'] } });

/** Runs every phase of the step's sparse-training plan; returns the final model's digest. */
export async function growPrune(input: StepWorkflowInput): Promise<{ outputs: Record<string, string> }> {
  const ref = { runId: input.runId, stepKey: input.stepKey, inputs: input.inputs };
  const plan = await planning(input.queue).planGrowPrune(ref);
  const compute = computeOn(input.queue, input);
  const done = new Map<string, string>();
  const last = plan.phases[plan.phases.length - 1]!.id;
  for (const wave of plan.waves) {
    await Promise.all(
      wave.map(async (phaseId) => {
        const phase = plan.phases.find((p) => p.id === phaseId)!;
        const r = await compute.gapPhase({ ...ref, phaseId, phaseInputs: phase.inputs.map((id) => done.get(id)!), last: phaseId === last });
        done.set(phaseId, r.checkpoint);
      }),
    );
  }
  return { outputs: { model: done.get(last)! } };
}
