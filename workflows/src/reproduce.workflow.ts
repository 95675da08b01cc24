/**
 * `reproduce`: runs one recipe's step DAG. Each step starts as soon as the steps it needs are done
 * (independent branches run in parallel), on the task queue its kind asks for. Step results
 * travel as artifact digests only; metrics and artifacts go to the database and object store.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
// Only the activity *types*: workflow code never imports activity implementations.
import type { Activities, PlannedStep, RunPlan } from '@reprolab/activities';
import {
  ACTIVITY_STEP_KINDS,
  CHILD_WORKFLOW_STEP_KINDS,
  pauseSignal,
  progressQuery,
  resumeSignal,
  WORKFLOW_QUEUE,
  type ReproduceInput,
  type StepWorkflowInput,
  type RunProgress,
  type StepState,
} from './definitions';

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 10 };

const control = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { ...retry, nonRetryableErrorTypes: ['InvalidInput', 'UnknownDataset'] },
});

export function computeOn(queue: string, input: Pick<ReproduceInput, 'heartbeatTimeoutSeconds' | 'stepTimeoutMinutes'>) {
  return proxyActivities<Activities>({
    taskQueue: queue,
    scheduleToCloseTimeout: `${input.stepTimeoutMinutes ?? 240} minutes`,
    startToCloseTimeout: `${input.stepTimeoutMinutes ?? 240} minutes`,
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 30} seconds`,
    // On cancel, wait until the step has really stopped, so "cancelled" means nothing still runs.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...retry, nonRetryableErrorTypes: ['InvalidInput', 'UnknownDataset', 'Diverged'] },
  });
}

type ActivityKind = (typeof ACTIVITY_STEP_KINDS)[number];

/** Runs a validated recipe (stored with its run) to completion, failure or cancellation. */
export async function reproduce(input: ReproduceInput): Promise<{ runId: string; status: 'completed' }> {
  const progress: RunProgress = { runId: input.runId, status: 'preparing', paused: false, steps: [] };
  setHandler(progressQuery, () => progress);
  setHandler(pauseSignal, () => {
    progress.paused = true;
  });
  setHandler(resumeSignal, () => {
    progress.paused = false;
  });

  try {
    const plan = await control.prepareRun(input.runId);
    progress.status = 'running';
    progress.steps = plan.steps.map((s) => ({ id: s.id, kind: s.kind, queue: s.queue, state: 'pending' as StepState }));
    await runDag(plan, input, progress);
    await control.setRunStatus({ runId: input.runId, status: 'completed' });
    progress.status = 'completed';
    return { runId: input.runId, status: 'completed' };
  } catch (err) {
    const cancelled = isCancellation(err);
    progress.status = cancelled ? 'cancelled' : 'failed';
    // Record the outcome even though this scope may be cancelled.
    await CancellationScope.nonCancellable(() =>
      control.setRunStatus({ runId: input.runId, status: cancelled ? 'cancelled' : 'failed', error: cancelled ? 'cancelled by user' : describe(err) }),
    );
    throw err;
  }
}

async function runDag(plan: RunPlan, input: ReproduceInput, progress: RunProgress): Promise<void> {
  const outputs = new Map<string, Promise<Record<string, string>>>();
  const state = (id: string) => progress.steps.find((s) => s.id === id)!;
  let pauseRecorded = false;

  const resolveInputs = async (step: PlannedStep): Promise<Record<string, string>> => {
    const resolved: Record<string, string> = {};
    for (const [slot, ref] of Object.entries(step.inputs)) {
      if (ref in plan.datasets) resolved[slot] = plan.datasets[ref]!;
      else if (ref.startsWith('sha256:')) resolved[slot] = ref; // a stored model, checked by prepareRun
      else {
        const [from, out] = ref.split('.');
        const produced = await outputs.get(from!)!;
        const digest = produced[out!];
        if (!digest) throw ApplicationFailure.nonRetryable(`step ${from} produced no "${out}" for ${step.id}`);
        resolved[slot] = digest;
      }
    }
    return resolved;
  };

  const runStep = async (step: PlannedStep): Promise<Record<string, string>> => {
    await Promise.all(step.needs.map((n) => outputs.get(n)!));
    if (progress.paused) {
      state(step.id).state = 'waiting';
      if (!pauseRecorded) {
        pauseRecorded = true;
        await control.setRunStatus({ runId: plan.runId, status: 'paused' });
      }
      await condition(() => !progress.paused);
      if (pauseRecorded) {
        pauseRecorded = false;
        await control.setRunStatus({ runId: plan.runId, status: 'running' });
      }
    }
    const inputs = await resolveInputs(step);
    const begun = await control.beginStep({ runId: plan.runId, stepKey: step.id, inputs, force: plan.force });
    if (begun.cached) {
      state(step.id).state = 'cached';
      return begun.outputs;
    }
    state(step.id).state = 'running';
    try {
      const result = await runStepWork(plan.runId, step, inputs, input);
      await control.completeStep({ runId: plan.runId, stepKey: step.id, outputs: result.outputs });
      state(step.id).state = 'completed';
      return result.outputs;
    } catch (err) {
      const cancelled = isCancellation(err);
      state(step.id).state = cancelled ? 'cancelled' : 'failed';
      state(step.id).error = describe(err);
      await CancellationScope.nonCancellable(() =>
        control.failStep({ runId: plan.runId, stepKey: step.id, status: cancelled ? 'cancelled' : 'failed', error: describe(err) }),
      );
      throw err;
    }
  };

  // Steps are listed so that every step's needs were registered first (validated acyclic).
  for (const step of topologicalOrder(plan.steps)) outputs.set(step.id, runStep(step));
  // Avoid unhandled rejections on branches while another branch's failure propagates.
  for (const p of outputs.values()) p.catch(() => {});
  await Promise.all(outputs.values());
}

/** Runs one step's work: an activity of the kind's name, or a child workflow for composite kinds. */
async function runStepWork(runId: string, step: PlannedStep, inputs: Record<string, string>, input: ReproduceInput): Promise<{ outputs: Record<string, string> }> {
  if (CHILD_WORKFLOW_STEP_KINDS.includes(step.kind)) {
    const args: StepWorkflowInput = { runId, stepKey: step.id, queue: step.queue, inputs, heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds, stepTimeoutMinutes: input.stepTimeoutMinutes };
    return executeChild(step.kind, { args: [args], taskQueue: WORKFLOW_QUEUE, workflowId: `${workflowInfo().workflowId}-${step.id}` });
  }
  if (!(ACTIVITY_STEP_KINDS as readonly string[]).includes(step.kind)) {
    throw ApplicationFailure.nonRetryable(`no activity or workflow implements step kind "${step.kind}"`);
  }
  return computeOn(step.queue, input)[step.kind as ActivityKind]({ runId, stepKey: step.id, inputs });
}

export function topologicalOrder(steps: PlannedStep[]): PlannedStep[] {
  const done = new Set<string>();
  const out: PlannedStep[] = [];
  while (out.length < steps.length) {
    const ready = steps.filter((s) => !done.has(s.id) && s.needs.every((n) => done.has(n)));
    if (!ready.length) throw ApplicationFailure.nonRetryable('step graph has a cycle');
    for (const s of ready) {
      done.add(s.id);
      out.push(s);
    }
  }
  return out;
}

function describe(err: unknown): string {
  let e: unknown = err;
  // Unwrap ActivityFailure → the activity's own error message.
  while ((e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
