import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readWorkerEnv } from './env';

test('worker env: object-store keys have no default and their absence names where to find them', () => {
  assert.throws(() => readWorkerEnv({}), /S3_ACCESS_KEY: not set: .*secrets\.json as s3AccessKey[\s\S]*S3_SECRET_KEY: not set/);
  const env = readWorkerEnv({ S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' });
  assert.deepEqual([env.S3_ACCESS_KEY, env.S3_SECRET_KEY, env.REPROLAB_QUEUES], ['k', 's', 'control,cpu,gpu,sim']);
  assert.throws(() => readWorkerEnv({ S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', REPROLAB_QUEUES: 'cpu,tpu' }), /unknown queue\(s\) tpu/);
});
