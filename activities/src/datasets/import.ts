/**
 * `reprolab data import`: MNIST idx and CIFAR-10 binary, from a local directory or an s3:// URL
 * (read through the configured S3 endpoint), converted and stored content-addressed.
 */
import { readFile, readdir } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { cifar10FromBinary, mnistFromIdx } from '@reprolab/methods';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '../storage/object-store';
import { storeDataset, type StoredDataset } from './store';

export type ImportFormat = 'mnist-idx' | 'cifar10-binary';

interface Source {
  list(): Promise<string[]>;
  read(name: string): Promise<Uint8Array>;
  describe: string;
}

function localSource(dir: string): Source {
  return {
    describe: dir,
    list: async () => {
      try {
        return await readdir(dir);
      } catch (e) {
        throw new Error(`cannot read directory ${dir}: ${(e as Error).message}`);
      }
    },
    read: async (name) => new Uint8Array(await readFile(join(dir, name))),
  };
}

function s3Source(store: ObjectStore, url: string): Source {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`an S3 URL looks like s3://bucket/prefix/, got "${url}"`);
  const bucket = m[1]!;
  const prefix = m[2] && !m[2].endsWith('/') ? `${m[2]}/` : (m[2] ?? '');
  return {
    describe: url,
    list: async () => {
      const names: string[] = [];
      for await (const o of store.client.listObjectsV2(bucket, prefix, false)) {
        if ((o as { name?: string }).name) names.push((o as { name: string }).name.slice(prefix.length));
      }
      return names;
    },
    read: (name) => store.getExternal(bucket, prefix + name),
  };
}

async function readMaybeGz(src: Source, names: string[], base: string): Promise<Uint8Array> {
  const found = names.find((n) => n === base) ?? names.find((n) => n === `${base}.gz`);
  if (!found) throw new Error(`${src.describe}: missing ${base} (or ${base}.gz)`);
  const bytes = await src.read(found);
  return found.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : bytes;
}

export async function importDataset(db: Db, store: ObjectStore, opts: { format: ImportFormat; from: string; name?: string }): Promise<StoredDataset> {
  const src = opts.from.startsWith('s3://') ? s3Source(store, opts.from) : localSource(opts.from);
  const names = await src.list();
  if (opts.format === 'mnist-idx') {
    const d = mnistFromIdx(
      {
        trainImages: await readMaybeGz(src, names, 'train-images-idx3-ubyte'),
        trainLabels: await readMaybeGz(src, names, 'train-labels-idx1-ubyte'),
        testImages: await readMaybeGz(src, names, 't10k-images-idx3-ubyte'),
        testLabels: await readMaybeGz(src, names, 't10k-labels-idx1-ubyte'),
      },
      opts.name ?? 'mnist',
      `mnist-idx:${src.describe}`,
    );
    return storeDataset(db, store, d, 'mnist-idx');
  }
  if (opts.format === 'cifar10-binary') {
    const trainNames = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).filter((n) => names.includes(n));
    if (!trainNames.length) throw new Error(`${src.describe}: no data_batch_<n>.bin files (expected the extracted cifar-10-batches-bin folder)`);
    if (!names.includes('test_batch.bin')) throw new Error(`${src.describe}: missing test_batch.bin`);
    const train = await Promise.all(trainNames.map((n) => src.read(n)));
    const d = cifar10FromBinary(train, await src.read('test_batch.bin'), opts.name ?? 'cifar10', `cifar10-binary:${src.describe}`);
    return storeDataset(db, store, d, 'cifar10-binary');
  }
  throw new Error(`unknown format "${String(opts.format)}"; use mnist-idx or cifar10-binary`);
}
