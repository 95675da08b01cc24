/** The worker's configuration, read once from the environment and validated. */
import { z } from 'zod';

const Env = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // No default: every install has its own database password and MinIO keys (reprolab up: <state dir>/secrets.json).
  DATABASE_URL: z.string({ error: 'not set: give the metadata database URL (the embedded stack writes it, with its password, to <state dir>/env.json)' }).min(1),
  S3_ENDPOINT: z.string().default('http://127.0.0.1:9000'),
  S3_ACCESS_KEY: z.string({ error: 'not set: give the object store access key (the embedded stack keeps it in <state dir>/secrets.json as s3AccessKey)' }).min(1),
  S3_SECRET_KEY: z.string({ error: 'not set: give the object store secret key (the embedded stack keeps it in <state dir>/secrets.json as s3SecretKey)' }).min(1),
  S3_BUCKET: z.string().default('reprolab'),
  S3_REGION: z.string().optional(),
  /** Comma-separated task queues to poll; the embedded default polls all of them. */
  REPROLAB_QUEUES: z.string().default('control,cpu,gpu,sim'),
  /**
   * A file written once every queue's worker is created and removed at shutdown: a readiness
   * signal for supervisors that cannot see the log (Kubernetes' exec probe `test -f FILE`).
   */
  REPROLAB_READY_FILE: z.string().optional(),
  /** A pre-built workflow bundle (tests build it once instead of once per worker). */
  REPROLAB_WORKFLOW_BUNDLE: z.string().optional(),
  REPROLAB_TF_BACKEND: z.string().optional(),
  /** Concurrent compute activities per cpu/gpu queue (training uses every core itself). */
  REPROLAB_TRAIN_CONCURRENCY: z.coerce.number().int().positive().default(1),
  /** Concurrent simulations on the sim queue (each is single-threaded); default: one per core. */
  REPROLAB_SIM_CONCURRENCY: z.coerce.number().int().positive().optional(),
});

export type WorkerEnv = z.infer<typeof Env>;

export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error('bad worker environment:\n' + parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const queues = parsed.data.REPROLAB_QUEUES.split(',').map((q) => q.trim());
  const bad = queues.filter((q) => !['control', 'cpu', 'gpu', 'sim'].includes(q));
  if (bad.length) throw new Error(`REPROLAB_QUEUES: unknown queue(s) ${bad.join(', ')}; use control, cpu, gpu, sim`);
  return parsed.data;
}
