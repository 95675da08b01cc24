/**
 * `reprolab worker`: one more worker process, on this host, joining a reprolab that runs elsewhere
 * (a lab's Temporal, S3 and Postgres) or the embedded stack in the state dir. It serves the task
 * queues it is given (`--queues gpu` on a GPU node) and stops cleanly on Ctrl-C / SIGTERM: the
 * activity it is running is retried elsewhere from its last checkpoint.
 */
import { spawn } from 'node:child_process';
import { redact } from '@reprolab/db';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { stackEnv } from '../connect';

export const QUEUES = ['control', 'cpu', 'gpu', 'sim'] as const;

export interface WorkerOptions {
  stateDir: string;
  queues?: string;
  temporal?: string;
  namespace?: string;
  database?: string;
  s3?: string;
  bucket?: string;
}

/** Checks the flags and resolves the worker's environment: flags, then the shell's env, then the local stack's. */
export async function workerEnv(opts: WorkerOptions, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const queues = (opts.queues ?? env.REPROLAB_QUEUES ?? QUEUES.join(',')).split(',').map((q) => q.trim());
  const unknown = queues.filter((q) => !(QUEUES as readonly string[]).includes(q));
  if (unknown.length || !queues.length) throw new Error(`--queues: unknown queue ${unknown.map((q) => `"${q}"`).join(', ')}; give a comma-separated subset of ${QUEUES.join(', ')} (e.g. --queues gpu,cpu)`);
  if (opts.temporal !== undefined && !/^[^\s:/]+:\d{1,5}$/.test(opts.temporal)) throw new Error(`--temporal: "${opts.temporal}" is not HOST:PORT (e.g. --temporal temporal.lab.example:7233)`);
  if (opts.database !== undefined && !/^postgres(ql)?:\/\//.test(opts.database)) throw new Error(`--database: "${opts.database}" is not a postgres:// URL (e.g. --database postgres://reprolab:…@db.lab.example:5432/reprolab)`);
  if (opts.s3 !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.s3)) throw new Error(`--s3: "${opts.s3}" is not an http(s):// endpoint (e.g. --s3 https://s3.lab.example)`);
  // Explicit addresses need no local stack; without them, join the one in the state dir.
  const explicit = Boolean(opts.temporal ?? env.TEMPORAL_ADDRESS) && Boolean(opts.database ?? env.DATABASE_URL);
  const base = explicit ? {} : await stackEnv(opts.stateDir).catch(() => ({}));
  const out: Record<string, string> = { ...base };
  const set = (k: string, v: string | undefined) => v !== undefined && (out[k] = v);
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'DATABASE_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION']) set(k, env[k]);
  set('TEMPORAL_ADDRESS', opts.temporal);
  set('TEMPORAL_NAMESPACE', opts.namespace);
  set('DATABASE_URL', opts.database);
  set('S3_ENDPOINT', opts.s3);
  set('S3_BUCKET', opts.bucket);
  out.REPROLAB_QUEUES = queues.join(',');
  const missing = ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'].filter((k) => !out[k]);
  if (missing.length) {
    throw new Error(
      `cannot join: ${missing.join(', ')} not set. Give --temporal, --database and --s3 (or TEMPORAL_ADDRESS, DATABASE_URL, S3_ENDPOINT), ` +
        'and the object store keys in S3_ACCESS_KEY / S3_SECRET_KEY (never on the command line, where `ps` shows them); or start a local stack with `reprolab up` to join it',
    );
  }
  return out;
}

export async function workerCommand(opts: WorkerOptions): Promise<number> {
  const env = await workerEnv(opts);
  console.log(`joining temporal ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE ?? 'default'}), object store ${env.S3_ENDPOINT} (bucket ${env.S3_BUCKET ?? 'reprolab'}), db ${redact(env.DATABASE_URL!)}; queues ${env.REPROLAB_QUEUES}`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
  // The worker drains on SIGINT/SIGTERM (its running activity is retried elsewhere); pass them on.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
