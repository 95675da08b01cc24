/** Worker process entry: `node --import tsx apps/worker/src/main.ts` (the supervisor starts it). */
import { rmSync, writeFileSync } from 'node:fs';
import { readWorkerEnv } from './env';
import { probeTensorBackend } from '@reprolab/activities';
import { startWorkers } from './worker';

async function main(): Promise<void> {
  const env = readWorkerEnv();
  const backend = await probeTensorBackend();
  const workers = await startWorkers(env, backend);
  const ready = env.REPROLAB_READY_FILE;
  const notReady = () => ready && rmSync(ready, { force: true });
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      notReady();
      workers.shutdown();
    });
  console.log(`worker ready: ${workers.describe}`);
  if (ready) writeFileSync(ready, `${workers.describe}\n`);
  try {
    await workers.run();
  } finally {
    notReady();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
