/**
 * Messages between an activity (parent) and its compute child process. Bulk data (datasets,
 * checkpoints, models) travels as files in a scratch directory, never through the IPC channel.
 */
export interface JobRequest {
  type: 'start';
  job: string;
  args: unknown;
  /** name → path of an input file */
  files: Record<string, string>;
  scratchDir: string;
}

export type ChildMessage =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; data: Record<string, unknown> }
  /** The child waits for an `ack` with the same id before going on, so the heartbeat names a stored checkpoint. */
  | { type: 'checkpoint'; id: number; path: string; data: Record<string, unknown> }
  | { type: 'done'; result: unknown; files: Record<string, string> }
  | { type: 'error'; name: string; message: string; stack?: string };

export type ParentMessage = JobRequest | { type: 'ack'; id: number };
