import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepFingerprint } from './fingerprint';
import { digestKey, parseEndpoint, stripDigest } from './storage/object-store';

test('[CACHE] a fingerprint changes with every input of the computation, not with key order', () => {
  const base = { kind: 'pretrain', params: { epochs: 1, lr: 0.1 }, inputs: { dataset: 'sha256:aa' }, needs: { a: 'sha256:01', b: 'sha256:02' }, seed: 1, codeVersion: 'abc' };
  const fp = stepFingerprint(base);
  assert.equal(stepFingerprint({ ...base, params: { lr: 0.1, epochs: 1 } }), fp);
  assert.equal(stepFingerprint({ ...base, needs: { b: 'sha256:02', a: 'sha256:01' } }), fp);
  for (const changed of [
    { ...base, kind: 'evaluate' },
    { ...base, params: { epochs: 2, lr: 0.1 } },
    { ...base, inputs: { dataset: 'sha256:bb' } },
    // an aggregate over other steps, or over the same steps computed differently, is another computation
    { ...base, needs: { a: 'sha256:01' } },
    { ...base, needs: { a: 'sha256:01', b: 'sha256:03' } },
    { ...base, seed: 2 },
    { ...base, codeVersion: 'abd' },
  ]) {
    assert.notEqual(stepFingerprint(changed), fp);
  }
});

test('[STORE] endpoints and digests are validated with a clear message', () => {
  assert.deepEqual(parseEndpoint('http://127.0.0.1:9000'), { endPoint: '127.0.0.1', port: 9000, useSSL: false });
  assert.deepEqual(parseEndpoint('https://s3.example.org'), { endPoint: 's3.example.org', port: 443, useSSL: true });
  assert.throws(() => parseEndpoint('127.0.0.1:9000'), /S3_ENDPOINT must|must use http/);
  assert.throws(() => parseEndpoint('ftp://x'), /must use http or https/);
  const hex = 'a'.repeat(64);
  assert.equal(digestKey(`sha256:${hex}`), `sha256/aa/${hex}`);
  assert.equal(stripDigest(hex), hex);
  assert.throws(() => stripDigest('sha256:xyz'), /not a sha256 digest/);
});
