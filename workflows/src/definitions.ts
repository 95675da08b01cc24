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
export const ACTIVITY_STEP_KINDS = ['pretrain', 'evaluate', 'simulateMpu', 'simulate', 'modelSize', 'distill', 'novelty', 'dehaze', 'aggregate'] as const;
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

/** What a Temporal Schedule starts at each of its times: one run of a stored recipe. */
export interface ScheduledReproductionInput {
  scheduleId: string;
  /** The stored recipe (its id in the recipes table), fixed when the schedule was created. */
  recipeId: number;
  recipeName: string;
  seed?: number;
  force?: boolean;
}

/** Workflow id the schedule gives its actions; Temporal appends the scheduled time to it. */
export const workflowIdForSchedule = (scheduleId: string): string => `schedule-${scheduleId}`;

/**
 * The run id of one scheduled action, derived from the action's workflow id (unique per
 * scheduled time) so a retried activity finds the same run and a schedule's history maps to its
 * runs: 8 hex digits of FNV-1a (no node:crypto in workflow code) and the recipe name, the same
 * shape as a launched run's id.
 */
export function runIdForScheduledAction(actionWorkflowId: string, recipeName: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < actionWorkflowId.length; i++) {
    h ^= actionWorkflowId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${h.toString(16).padStart(8, '0')}-${recipeName}`;
}
