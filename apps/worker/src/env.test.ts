/** The worker's environment: which queues it polls (one Deployment per queue on Kubernetes), the readiness file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readWorkerEnv } from './env';

/** The object-store keys and the database URL every worker must be given. */
const keys = { S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:5433/postgres' };

test('worker env: object-store keys and the database URL have no default and their absence names where to find them', () => {
  assert.throws(() => readWorkerEnv({}), /DATABASE_URL: not set: .*env\.json[\s\S]*S3_ACCESS_KEY: not set: .*secrets\.json as s3AccessKey[\s\S]*S3_SECRET_KEY: not set/);
  const env = readWorkerEnv(keys);
  assert.deepEqual([env.S3_ACCESS_KEY, env.S3_SECRET_KEY, env.REPROLAB_QUEUES], ['k', 's', 'control,cpu,gpu,sim']);
  assert.throws(() => readWorkerEnv({ ...keys, REPROLAB_QUEUES: 'cpu,tpu' }), /unknown queue\(s\) tpu/);
});

test('REPROLAB_QUEUES: all four queues by default, a chosen subset when set, an unknown queue refused by name', () => {
  assert.equal(readWorkerEnv(keys).REPROLAB_QUEUES, 'control,cpu,gpu,sim');
  assert.equal(readWorkerEnv({ ...keys, REPROLAB_QUEUES: 'gpu' }).REPROLAB_QUEUES, 'gpu');
  assert.equal(readWorkerEnv({ ...keys, REPROLAB_QUEUES: 'cpu, sim' }).REPROLAB_QUEUES, 'cpu, sim');
  assert.throws(() => readWorkerEnv({ ...keys, REPROLAB_QUEUES: 'gpu,tpu' }), /unknown queue\(s\) tpu; use control, cpu, gpu, sim/);
});

test('REPROLAB_READY_FILE is optional and passed through; addresses come from the environment', () => {
  assert.equal(readWorkerEnv(keys).REPROLAB_READY_FILE, undefined);
  const env = readWorkerEnv({ ...keys, REPROLAB_READY_FILE: '/tmp/ready', TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233', S3_BUCKET: 'lab' });
  assert.equal(env.REPROLAB_READY_FILE, '/tmp/ready');
  assert.equal(env.TEMPORAL_ADDRESS, 'temporal-frontend.temporal:7233');
  assert.equal(env.S3_BUCKET, 'lab');
  assert.throws(() => readWorkerEnv({ ...keys, REPROLAB_TRAIN_CONCURRENCY: '0' }), /REPROLAB_TRAIN_CONCURRENCY/);
});
