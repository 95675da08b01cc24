/** The worker's environment: which queues it polls (one Deployment per queue on Kubernetes), the readiness file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readWorkerEnv } from './env';

test('REPROLAB_QUEUES: all four queues by default, a chosen subset when set, an unknown queue refused by name', () => {
  assert.equal(readWorkerEnv({}).REPROLAB_QUEUES, 'control,cpu,gpu,sim');
  assert.equal(readWorkerEnv({ REPROLAB_QUEUES: 'gpu' }).REPROLAB_QUEUES, 'gpu');
  assert.equal(readWorkerEnv({ REPROLAB_QUEUES: 'cpu, sim' }).REPROLAB_QUEUES, 'cpu, sim');
  assert.throws(() => readWorkerEnv({ REPROLAB_QUEUES: 'gpu,tpu' }), /unknown queue\(s\) tpu; use control, cpu, gpu, sim/);
});

test('REPROLAB_READY_FILE is optional and passed through; addresses come from the environment', () => {
  assert.equal(readWorkerEnv({}).REPROLAB_READY_FILE, undefined);
  const env = readWorkerEnv({ REPROLAB_READY_FILE: '/tmp/ready', TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233', S3_BUCKET: 'lab' });
  assert.equal(env.REPROLAB_READY_FILE, '/tmp/ready');
  assert.equal(env.TEMPORAL_ADDRESS, 'temporal-frontend.temporal:7233');
  assert.equal(env.S3_BUCKET, 'lab');
  assert.throws(() => readWorkerEnv({ REPROLAB_TRAIN_CONCURRENCY: '0' }), /REPROLAB_TRAIN_CONCURRENCY/);
});
