/** The object store over a real MinIO, and dataset import from a local folder and an s3:// URL. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { importDataset, loadDataset, type ObjectStore } from '@reprolab/activities';
import { getDatasets, listDatasets, type Db } from '@reprolab/db';
import { connect, testDb } from '../support/harness';

let store: ObjectStore;
let db: Db;
before(async () => {
  ({ store, db } = await connect());
});

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test(`[STORE/${testDb()}] identical bytes are stored once under their sha256; reads verify the digest`, async () => {
  const bytes = new TextEncoder().encode(`hello ${Date.now()}`);
  const a = await store.putBytes(bytes);
  const b = await store.putBytes(bytes);
  assert.equal(a.sha256, sha(bytes));
  assert.equal(a.uploaded, true);
  assert.equal(b.uploaded, false, 'second put is a no-op');
  assert.deepEqual(await store.getBytes(a.sha256), bytes);
  // Corrupt the stored object behind the store's back: the read refuses it.
  await store.client.putObject(store.bucket, a.key, Buffer.from('tampered'));
  await assert.rejects(store.getBytes(a.sha256), /is corrupt in the store/);
  await store.client.removeObject(store.bucket, a.key);
  await assert.rejects(store.getBytes(sha(new TextEncoder().encode('never stored'))), /no artifact sha256:/);
});

test(`[STORE/${testDb()}] streamed and file uploads land at their content address`, async () => {
  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const put = await store.putStream(Readable.from([Buffer.from(big.subarray(0, 1 << 20)), Buffer.from(big.subarray(1 << 20))]));
  assert.equal(put.sha256, sha(big));
  assert.equal(put.size, big.length);
  const file = join(mkdtempSync(join(tmpdir(), 'reprolab-put-')), 'blob');
  writeFileSync(file, big);
  const again = await store.putFile(file);
  assert.deepEqual([again.sha256, again.uploaded], [put.sha256, false]);
  const chunks: Buffer[] = [];
  for await (const c of await store.getStream(put.sha256)) chunks.push(c as Buffer);
  assert.equal(sha(Buffer.concat(chunks)), put.sha256);
});

test(`[STORE/${testDb()}] a failed streamed upload never becomes visible`, async () => {
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024, 7));
      this.destroy(new Error('disk went away'));
    },
  });
  await assert.rejects(store.putStream(failing), /disk went away/);
  for await (const o of store.client.listObjectsV2(store.bucket, 'sha256/', true)) {
    const name = (o as { name: string }).name;
    assert.equal(sha(await store.getExternal(store.bucket, name)).slice(7), name.split('/').pop(), `${name} holds other bytes than its address`);
  }
});

test(`[STORE/${testDb()}] presigned URLs download the artifact over plain HTTP`, async () => {
  const put = await store.putBytes(new TextEncoder().encode('presigned payload'));
  const url = await store.presignedUrl(put.sha256, 60);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'presigned payload');
  await assert.rejects(store.presignedUrl(sha(new TextEncoder().encode('absent'))), /no artifact/);
});

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

test(`[DATA/${testDb()}] MNIST idx imports from a folder (gzipped or not) and from s3://, to the same digest`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprolab-idx-'));
  const img = (n: number) => new Uint8Array(n * 28 * 28).map((_, i) => (i * 7) % 256);
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': idx([20, 28, 28], img(20)),
    'train-labels-idx1-ubyte': idx([20], new Uint8Array(20).map((_, i) => i % 10)),
    't10k-images-idx3-ubyte': idx([5, 28, 28], img(5)),
    't10k-labels-idx1-ubyte': idx([5], Uint8Array.from([1, 2, 3, 4, 5])),
  };
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n.startsWith('train-images') ? `${n}.gz` : n), n.startsWith('train-images') ? gzipSync(b) : b);
  const local = await importDataset(db, store, { format: 'mnist-idx', from: dir, name: 'mnist-mini' });
  assert.equal(local.trainCount, 20);
  assert.equal(local.testCount, 5);
  const [row] = await getDatasets(db, [local.sha256]);
  assert.equal(row?.name, 'mnist-mini');
  const d = await loadDataset(store, local.sha256);
  assert.deepEqual(d.shape, [28, 28, 1]);
  // The same files from an S3 prefix.
  const bucket = 'user-data';
  if (!(await store.client.bucketExists(bucket))) await store.client.makeBucket(bucket);
  for (const [n, b] of Object.entries(files)) await store.client.putObject(bucket, `mnist/${n}`, Buffer.from(b));
  const remote = await importDataset(db, store, { format: 'mnist-idx', from: `s3://${bucket}/mnist`, name: 'mnist-mini' });
  assert.equal(remote.sha256, local.sha256);
  assert.equal(remote.uploaded, false);
});

test(`[DATA/${testDb()}] CIFAR-10 binary imports; missing or malformed files are named`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprolab-cifar-'));
  const rec = (label: number) => Buffer.concat([Buffer.from([label]), Buffer.alloc(3072, label * 10)]);
  writeFileSync(join(dir, 'data_batch_1.bin'), Buffer.concat([rec(1), rec(2), rec(3)]));
  const already = await listDatasets(db);
  await assert.rejects(importDataset(db, store, { format: 'cifar10-binary', from: dir }), /missing data_batch_2\.bin, data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin, test_batch\.bin/);
  for (const i of [2, 3, 4, 5]) writeFileSync(join(dir, `data_batch_${i}.bin`), rec(i));
  await assert.rejects(importDataset(db, store, { format: 'cifar10-binary', from: dir }), /missing test_batch\.bin \(expected/);
  await assert.rejects(importDataset(db, store, { format: 'cifar10-binary', from: dir, name: '' }), /--name "": a dataset name must be/);
  assert.deepEqual(await listDatasets(db), already, 'a refused import stores nothing');
  writeFileSync(join(dir, 'test_batch.bin'), rec(9));
  const d = await importDataset(db, store, { format: 'cifar10-binary', from: dir, name: 'cifar-mini' });
  assert.equal(d.trainCount, 7);
  writeFileSync(join(dir, 'test_batch.bin'), Buffer.alloc(10));
  await assert.rejects(importDataset(db, store, { format: 'cifar10-binary', from: dir }), /not a whole number of 3073-byte CIFAR-10 records/);
  await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: join(dir, 'nope') }), /cannot read directory/);
  await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: 's3:/bad' }), /cannot read directory|s3:\/\/bucket/);
});
