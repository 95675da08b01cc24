/**
 * Runs a compute job in a child process and relays its progress and checkpoints. Cancellation (an
 * aborted signal) kills the child; the child exits on its own if this process dies.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './protocol';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export class ComputeJobError extends Error {
  constructor(
    readonly childName: string,
    message: string,
  ) {
    super(message);
    this.name = childName === 'InvalidJobInput' ? 'InvalidJobInput' : 'ComputeJobError';
  }
}

export class ComputeJobCancelled extends Error {
  override name = 'ComputeJobCancelled';
}

export interface ComputeJobOptions {
  job: string;
  args: unknown;
  files: Record<string, string>;
  signal?: AbortSignal;
  onReady?: (backend: string) => void;
  onProgress?: (data: Record<string, unknown>) => void;
  /** Store the file; resolve when it is durable. */
  onCheckpoint?: (path: string, data: Record<string, unknown>) => Promise<void>;
  /** Called with the output files before the scratch directory is removed. */
  onOutputs?: (files: Record<string, string>) => Promise<void>;
  /**
   * Called every second while the job runs (e.g. to heartbeat the last checkpoint): a job that is
   * still starting — loading a dataset, compiling kernels on a busy machine — is alive, and only a
   * dead or unreachable worker should miss the heartbeat timeout. A hung job is caught by the
   * step's own timeout instead.
   */
  keepAlive?: () => void;
  env?: NodeJS.ProcessEnv;
}

export async function runComputeJob<R>(o: ComputeJobOptions): Promise<R> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'reprolab-job-'));
  const child = fork(CHILD, [], {
    execArgv: ['--import', TSX],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...o.env },
    serialization: 'advanced',
  });
  const send = (m: ParentMessage) => {
    if (child.connected) child.send(m);
  };
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const keepAlive = o.keepAlive && setInterval(o.keepAlive, 1000);
  try {
    return await new Promise<R>((resolve, reject) => {
      let settled = false;
      let answered = false; // a done/error message arrived; the exit that follows is expected
      const settle = (f: () => void) => {
        if (!settled) {
          settled = true;
          f();
        }
      };
      const onAbort = () => {
        kill();
        settle(() => reject(new ComputeJobCancelled(`compute job ${o.job} cancelled`)));
      };
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      // Checkpoints are stored one at a time, in order; the child waits for each ack.
      let chain: Promise<void> = Promise.resolve();
      child.on('message', (m: ChildMessage) => {
        switch (m.type) {
          case 'ready':
            o.onReady?.(m.backend);
            break;
          case 'progress':
            o.onProgress?.(m.data);
            break;
          case 'checkpoint':
            chain = chain
              .then(() => o.onCheckpoint?.(m.path, m.data))
              .then(() => send({ type: 'ack', id: m.id }))
              .catch((e: unknown) => {
                kill();
                settle(() => reject(e));
              });
            break;
          case 'done':
            answered = true;
            chain
              .then(() => o.onOutputs?.(m.files))
              .then(() => settle(() => resolve(m.result as R)))
              .catch((e: unknown) => settle(() => reject(e)));
            break;
          case 'error':
            answered = true;
            settle(() => reject(new ComputeJobError(m.name, m.message)));
            break;
        }
      });
      child.on('exit', (code, signal) => {
        o.signal?.removeEventListener('abort', onAbort);
        // 'done' may still be storing outputs; only an exit before any answer is a crash.
        if (!answered) settle(() => reject(new ComputeJobError('ComputeCrash', `compute job ${o.job} exited (code ${code}, signal ${signal}) before finishing`)));
      });
      child.on('error', (e) => settle(() => reject(e)));
      send({ type: 'start', job: o.job, args: o.args, files: o.files, scratchDir });
    });
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    kill();
    await rm(scratchDir, { recursive: true, force: true });
  }
}
