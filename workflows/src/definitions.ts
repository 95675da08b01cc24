/**
 * Messages, inputs and constants of the reproduce workflow. Clients (CLI, dashboard) import this
 * file only: it holds define* calls and types, never workflow code.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * Workflows and the short bookkeeping activities run on `control`, apart from the compute queues,
 * so a long training step never holds up another run's orchestration.
 */
export const WORKFLOW_QUEUE = 'control';
/** Compute queues a recipe step can ask for. */
export const TASK_QUEUES = ['cpu', 'gpu', 'sim'] as const;
export const ALL_QUEUES = [WORKFLOW_QUEUE, ...TASK_QUEUES] as const;

export interface ReproduceInput {
  runId: string;
  /** How long a compute activity may go without heartbeating before it is retried elsewhere. */
  heartbeatTimeoutSeconds?: number;
  /** Upper bound on one compute step, across its retries. */
  stepTimeoutMinutes?: number;
}

export type StepState = 'pending' | 'waiting' | 'running' | 'completed' | 'cached' | 'failed' | 'cancelled' | 'skipped';

export interface RunProgress {
  runId: string;
  status: 'preparing' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  paused: boolean;
  steps: { id: string; kind: string; queue: string; state: StepState; error?: string }[];
}

/**
 * How each step kind runs. An activity kind is an activity of the same name on the step's queue;
 * a child-workflow kind is a workflow of the same name (for steps made of many resumable parts).
 */
export const ACTIVITY_STEP_KINDS = ['pretrain', 'evaluate', 'simulateMpu', 'aggregate'] as const;
export const CHILD_WORKFLOW_STEP_KINDS: readonly string[] = ['growPrune'];

/** Input of a child workflow that implements one step. */
export interface StepWorkflowInput {
  runId: string;
  stepKey: string;
  queue: string;
  /** slot → artifact digest */
  inputs: Record<string, string>;
  heartbeatTimeoutSeconds?: number;
  stepTimeoutMinutes?: number;
}

export const progressQuery = defineQuery<RunProgress>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

export const workflowIdForRun = (runId: string): string => `run-${runId}`;
