import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { workerEnv } from './worker';

const noStack = join(mkdtempSync(join(tmpdir(), 'reprolab-worker-')), 'state');
const keys = { S3_ACCESS_KEY: 'ak', S3_SECRET_KEY: 'sk' };
const flags = { stateDir: noStack, temporal: '10.0.0.1:7233', database: 'postgres://u:p@10.0.0.1:5432/r', s3: 'http://10.0.0.1:9000' };

test('reprolab worker: flags name the shared services, keys come from the environment, flags win over it', async () => {
  const env = await workerEnv({ ...flags, queues: 'gpu, cpu', bucket: 'lab' }, { ...keys, TEMPORAL_ADDRESS: '127.0.0.1:1', S3_BUCKET: 'other' });
  assert.equal(env.TEMPORAL_ADDRESS, '10.0.0.1:7233');
  assert.equal(env.DATABASE_URL, 'postgres://u:p@10.0.0.1:5432/r');
  assert.equal(env.S3_ENDPOINT, 'http://10.0.0.1:9000');
  assert.equal(env.S3_BUCKET, 'lab');
  assert.equal(env.REPROLAB_QUEUES, 'gpu,cpu');
  assert.equal(env.S3_SECRET_KEY, 'sk');
});

test('reprolab worker: bad flags are refused naming the flag and the fix', async () => {
  await assert.rejects(workerEnv({ ...flags, queues: 'gpu,tpu' }, keys), /--queues: unknown queue "tpu"; give a comma-separated subset of control, cpu, gpu, sim/);
  await assert.rejects(workerEnv({ ...flags, temporal: 'http://t:7233' }, keys), /--temporal: "http:\/\/t:7233" is not HOST:PORT/);
  await assert.rejects(workerEnv({ ...flags, database: 'mysql://x' }, keys), /--database: "mysql:\/\/x" is not a postgres:\/\/ URL/);
  await assert.rejects(workerEnv({ ...flags, s3: 's3.lab' }, keys), /--s3: "s3.lab" is not an http\(s\):\/\/ endpoint/);
});

test('reprolab worker: without keys, or without a stack and addresses, it says what is missing', async () => {
  await assert.rejects(workerEnv(flags, {}), /cannot join: S3_ACCESS_KEY, S3_SECRET_KEY not set.*never on the command line/);
  await assert.rejects(workerEnv({ stateDir: noStack }, {}), /cannot join: TEMPORAL_ADDRESS, DATABASE_URL, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY not set.*reprolab up/);
});
