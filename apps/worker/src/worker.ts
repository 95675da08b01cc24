/**
 * Composition root: connects to Temporal, the database and the object store, and runs one Temporal
 * worker per task queue in this process. The workflow worker lives on the `cpu` queue.
 */
import { createRequire } from 'node:module';
import { availableParallelism, hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, ObjectStore } from '@reprolab/activities';
import { createDb, prepareDatabase } from '@reprolab/db';
import { WORKFLOW_QUEUE } from '@reprolab/workflows/definitions';
import type { WorkerEnv } from './env';
import { codeVersion, lockfileHash } from './provenance';

const require = createRequire(import.meta.url);

export interface RunningWorkers {
  run(): Promise<void>;
  shutdown(): void;
  describe: string;
}

export async function startWorkers(env: WorkerEnv, tensorBackend: string, log: (m: string) => void = console.log): Promise<RunningWorkers> {
  const dbh = createDb(env.DATABASE_URL);
  await prepareDatabase(dbh.db); // idempotent: migrations and the claim registry
  const store = new ObjectStore({ endpoint: env.S3_ENDPOINT, accessKey: env.S3_ACCESS_KEY, secretKey: env.S3_SECRET_KEY, bucket: env.S3_BUCKET, region: env.S3_REGION });
  const activities = createActivities({
    db: dbh.db,
    store,
    codeVersion: codeVersion(),
    lockfileHash: lockfileHash(),
    tensorBackend,
    host: hostname(),
    log,
  });
  Runtime.install({ logger: quietLogger(log) });
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const queues = env.REPROLAB_QUEUES.split(',').map((q) => q.trim());
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = env.REPROLAB_WORKFLOW_BUNDLE
    ? { workflowBundle: { code: await readFile(env.REPROLAB_WORKFLOW_BUNDLE, 'utf8') } }
    : { workflowsPath: require.resolve('@reprolab/workflows') };
  const common = {
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    activities,
    // Heartbeats carry the latest checkpoint; send them promptly so a crash loses little work.
    defaultHeartbeatThrottleInterval: '1 second',
    maxHeartbeatThrottleInterval: '2 seconds',
    shutdownGraceTime: '5 seconds',
  } satisfies Partial<WorkerOptions>;
  const concurrency: Record<string, number> = {
    [WORKFLOW_QUEUE]: 16, // bookkeeping activities: short database and store calls
    cpu: env.REPROLAB_TRAIN_CONCURRENCY,
    gpu: env.REPROLAB_TRAIN_CONCURRENCY,
    sim: env.REPROLAB_SIM_CONCURRENCY ?? availableParallelism(),
  };
  const workers: Worker[] = [];
  for (const queue of queues) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: queue,
        maxConcurrentActivityTaskExecutions: concurrency[queue] ?? 1,
        ...(queue === WORKFLOW_QUEUE ? workflowSource : {}),
      }),
    );
  }
  if (!queues.includes(WORKFLOW_QUEUE)) log(`note: queue ${WORKFLOW_QUEUE} not polled, so this worker runs activities only`);
  return {
    describe: `queues ${queues.join(',')} · backend ${tensorBackend} · temporal ${env.TEMPORAL_ADDRESS}`,
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await connection.close();
        await dbh.close();
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}

function quietLogger(log: (m: string) => void) {
  const emit = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    if (level === 'WARN' || level === 'ERROR') log(`[${level.toLowerCase()}] ${message}${meta?.error ? `: ${String((meta.error as Error).message ?? meta.error)}` : ''}`);
  };
  return { log: (level: string, m: string, meta?: Record<string, unknown>) => emit(level)(m, meta), trace: emit('TRACE'), debug: emit('DEBUG'), info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
}
