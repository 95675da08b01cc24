/**
 * Messages, inputs and constants of the reproduce workflow. Clients (CLI, dashboard) import this
 * file only: it holds define* calls and types, never workflow code.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const WORKFLOW_QUEUE = 'cpu';
export const TASK_QUEUES = ['cpu', 'gpu', 'sim'] as const;

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

export const progressQuery = defineQuery<RunProgress>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

export const workflowIdForRun = (runId: string): string => `run-${runId}`;
