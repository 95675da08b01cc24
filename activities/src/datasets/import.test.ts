/**
 * `data import` refusals, on tiny real-format files in a temp dir. The database and object store
 * given to a refused import throw on any use: a refusal must come before anything is stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeDataset } from '@reprolab/methods';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '../storage/object-store';
import { checkDatasetName, importDataset } from './import';

const untouchable = <T>(what: string) => new Proxy({}, { get: (_, k) => { throw new Error(`refused import touched the ${what} (.${String(k)})`); } }) as T;
const db = untouchable<Db>('database');
const store = untouchable<ObjectStore>('object store');

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 8, dims.length]);
  const v = new DataView(out.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function mnistDir(files: Partial<Record<string, Uint8Array>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprolab-import-'));
  const all: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': idx([2, 2, 2], new Uint8Array(8)),
    'train-labels-idx1-ubyte': idx([2], Uint8Array.of(0, 1)),
    't10k-images-idx3-ubyte': idx([1, 2, 2], new Uint8Array(4)),
    't10k-labels-idx1-ubyte': idx([1], Uint8Array.of(1)),
    ...files,
  };
  for (const [name, bytes] of Object.entries(all)) if (bytes) writeFileSync(join(dir, name), bytes);
  return dir;
}

test('[DATA] a CIFAR-10 folder missing some batches is refused, naming every missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprolab-cifar-'));
  const rec = Buffer.alloc(3073, 1);
  for (const n of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_4.bin']) writeFileSync(join(dir, n), rec);
  await assert.rejects(
    importDataset(db, store, { format: 'cifar10-binary', from: dir }),
    new RegExp(`^Error: ${dir}: incomplete CIFAR-10 binary folder: missing data_batch_3\\.bin, data_batch_5\\.bin, test_batch\\.bin \\(expected data_batch_1\\.bin … data_batch_5\\.bin and test_batch\\.bin`),
  );
});

test('[DATA] a truncated or wrong-magic idx file is refused naming the file, what was expected and what was found', async () => {
  const truncated = mnistDir({ 'train-labels-idx1-ubyte': Uint8Array.of(0, 0, 8, 1, 0, 0) });
  await assert.rejects(
    importDataset(db, store, { format: 'mnist-idx', from: truncated }),
    (e: unknown) => !(e instanceof RangeError) && (e as Error).message === `${truncated}/train-labels-idx1-ubyte: truncated idx header: 1 dimension(s) need 8 header bytes, found 6`,
  );
  const gz = mnistDir({ 't10k-images-idx3-ubyte': undefined });
  writeFileSync(join(gz, 't10k-images-idx3-ubyte.gz'), gzipSync(Uint8Array.of(0x50, 0x4b, 3, 4)));
  await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: gz }), new RegExp(`${gz}/t10k-images-idx3-ubyte\\.gz: not an idx file \\(bad magic\\): expected 00 00 08 03, found 50 4b 03 04`));
  const notGz = mnistDir({ 't10k-images-idx3-ubyte': undefined });
  writeFileSync(join(notGz, 't10k-images-idx3-ubyte.gz'), idx([1, 2, 2], new Uint8Array(4)));
  await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: notGz }), new RegExp(`${notGz}/t10k-images-idx3-ubyte\\.gz: expected gzip-compressed data`));
  const swapped = mnistDir({ 'train-images-idx3-ubyte': idx([2], Uint8Array.of(0, 1)) });
  await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: swapped }), new RegExp(`${swapped}/train-images-idx3-ubyte: expected 3 dimension\\(s\\) \\(magic 00 00 08 03\\), found 1`));
});

test('[DATA] dataset names that are empty, whitespace or hold path separators are refused, naming the rule', async () => {
  const dir = mnistDir();
  for (const name of ['', '   ', 'a/b', '..\\x', ' mnist', 'mnist\n', 'x'.repeat(101)]) {
    await assert.rejects(importDataset(db, store, { format: 'mnist-idx', from: dir, name }), (e: unknown) => {
      assert.equal((e as Error).message, `--name ${JSON.stringify(name)}: a dataset name must be 1–100 characters, not only whitespace, with no leading or trailing whitespace, no path separators (/ or \\) and no control characters, e.g. --name emnist-letters`);
      return true;
    });
  }
  for (const name of ['mnist', 'emnist letters', 'cifar-10 (mine)']) assert.doesNotThrow(() => checkDatasetName(name));
});

test('[DATA] an EMNIST-sized label file (250,000 labels) imports up to the store', async () => {
  const n = 250_000;
  const dir = mnistDir({ 'train-images-idx3-ubyte': idx([n, 1, 1], new Uint8Array(n)), 'train-labels-idx1-ubyte': idx([n], new Uint8Array(n).map((_, i) => i % 62)), 't10k-images-idx3-ubyte': idx([1, 1, 1], Uint8Array.of(0)) });
  let stored: Uint8Array | undefined;
  // The store receives the encoded dataset; stopping there leaves the database out of this unit test.
  const recording = { putBytes: async (bytes: Uint8Array) => { stored = bytes; throw new Error('stop: reached the store'); } } as unknown as ObjectStore;
  await assert.rejects(importDataset(db, recording, { format: 'mnist-idx', from: dir, name: 'emnist-byclass' }), /stop: reached the store/);
  const d = decodeDataset(stored!);
  assert.equal(d.train.labels.length, n);
  assert.equal(d.classes, 62);
});
