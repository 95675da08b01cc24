/**
 * MinIO stopped in the middle of a run: storage calls retry with backoff, the activity is retried
 * by Temporal, and once MinIO is back the run completes. No partial object is ever visible under
 * a content address: every stored object hashes to its key.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ObjectStore } from '@reprolab/activities';
import type { Db } from '@reprolab/db';
import { findFreePort } from '@reprolab/infra/ports';
import { assertStoreIntact, connect, interruptibleTraining, onCleanup, requireEnv, sleep, startWorker, testDb, trainEvalRecipe, waitForRun, type Api, type WorkerProcess } from '../support/harness';

let api: Api;
let db: Db;
let port = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'reprolab-minio-outage-'));
let minio: ChildProcess | undefined;
let worker: WorkerProcess;

async function startMinio(): Promise<void> {
  minio = spawn(requireEnv('REPROLAB_MINIO_BIN'), ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${await findFreePort()}`, '--quiet'], {
    env: { ...process.env, MINIO_ROOT_USER: 'reprolab', MINIO_ROOT_PASSWORD: 'reprolab-secret' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/minio/health/live`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error('dedicated MinIO did not start');
}

async function stopMinio(): Promise<void> {
  const p = minio;
  if (!p || p.exitCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await gone;
}

before(async () => {
  ({ api, db } = await connect());
  port = await findFreePort();
  await startMinio();
  onCleanup(stopMinio);
  worker = await startWorker({ S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: 'outage' });
});

test(`[FAULTS/${testDb()}] MinIO down mid-run → retries with backoff, completes once it is back, no partial artifact visible`, async () => {
  const { params, checkpointEvery } = await interruptibleTraining(api, db, worker);
  const recipe = trainEvalRecipe('fault-minio', params);
  const launched = await api.runs.launch({ recipe, heartbeatTimeoutSeconds: 5 });
  await waitForRun(api, launched.runId, { timeoutMs: 120_000, until: (r) => ((r.steps[0]?.progress as { done?: number } | null)?.done ?? 0) >= 1.5 * checkpointEvery });
  await stopMinio();
  // Long enough for checkpoint writes to fail through their in-process retries.
  await sleep(8_000);
  const during = await api.runs.get({ runId: launched.runId });
  assert.notEqual(during.run.status, 'completed', 'the run cannot finish while its store is down');
  await startMinio();
  const done = await waitForRun(api, launched.runId, { timeoutMs: 180_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const store = new ObjectStore({ endpoint: `http://127.0.0.1:${port}`, accessKey: 'reprolab', secretKey: 'reprolab-secret', bucket: 'outage' });
  const objects = await assertStoreIntact(store, 'outage');
  assert.ok(objects >= 3, `expected dataset, checkpoints and model in the store, found ${objects}`);
  for (const a of done.artifacts) assert.ok(await store.exists(a.sha256), `artifact ${a.name} recorded but not stored`);
});
