/** Worker process entry: `node --import tsx apps/worker/src/main.ts` (the supervisor starts it). */
import { readWorkerEnv } from './env';
import { probeTensorBackend } from '@reprolab/activities';
import { startWorkers } from './worker';

async function main(): Promise<void> {
  const env = readWorkerEnv();
  const backend = await probeTensorBackend();
  const workers = await startWorkers(env, backend);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => workers.shutdown());
  console.log(`worker ready: ${workers.describe}`);
  await workers.run();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
