/**
 * `reprolab data import`: MNIST idx and CIFAR-10 binary, whole-image super-resolution data
 * (DIV2K, SR benchmarks: sr-import.ts) and paired dehazing data (RESIDE ITS / SOTS-indoor,
 * Dense-Haze, NH-HAZE: dehaze-import.ts), from a local directory or an s3:// URL (read through the
 * configured S3 endpoint), converted and stored content-addressed.
 */
import { readFile, readdir } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { cifar10FromBinary, mnistFromIdx } from '@reprolab/methods';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '../storage/object-store';
import { importDehazeDataset, isDehazeImportFormat } from './dehaze-import';
import { importSrDataset, type SrImportFormat, type TreeSource } from './sr-import';
import { storeDataset, type StoredDataset } from './store';

export const IMPORT_FORMATS = ['mnist-idx', 'cifar10-binary', 'div2k', 'sr-benchmark', 'reside-its', 'reside-sots', 'dense-haze', 'nh-haze'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A folder: `list` gives its files, `listTree` every file below it (relative, '/'-separated). */
interface Source extends TreeSource {
  list(): Promise<string[]>;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
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
    listTree: async () => {
      try {
        return await walk(dir);
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
  const list = async (recursive: boolean) => {
    const names: string[] = [];
    for await (const o of store.client.listObjectsV2(bucket, prefix, recursive)) {
      if ((o as { name?: string }).name) names.push((o as { name: string }).name.slice(prefix.length));
    }
    return names;
  };
  return {
    describe: url,
    list: () => list(false),
    listTree: () => list(true),
    read: (name) => store.getExternal(bucket, prefix + name),
  };
}

/** Where a file of the source is, for errors: the directory or s3:// prefix joined with its name. */
const fileLabel = (src: Source, name: string) => `${src.describe.replace(/\/+$/, '')}/${name}`;

async function readMaybeGz(src: Source, names: string[], base: string): Promise<{ bytes: Uint8Array; label: string }> {
  const found = names.find((n) => n === base) ?? names.find((n) => n === `${base}.gz`);
  if (!found) throw new Error(`${src.describe}: missing ${base} (or ${base}.gz)`);
  const label = fileLabel(src, found);
  const bytes = await src.read(found);
  if (!found.endsWith('.gz')) return { bytes, label };
  try {
    return { bytes: new Uint8Array(gunzipSync(bytes)), label };
  } catch (e) {
    throw new Error(`${label}: expected gzip-compressed data (the name ends in .gz), found ${bytes.length} bytes that do not decompress: ${(e as Error).message}`);
  }
}

/**
 * A dataset name is what recipes refer to (`imported: <name>`) and what `data list` shows: refused
 * before anything is read or stored when it could not be written back on a command line or path.
 */
export function checkDatasetName(name: string): void {
  const rule = 'a dataset name must be 1–100 characters, not only whitespace, with no leading or trailing whitespace, no path separators (/ or \\) and no control characters, e.g. --name emnist-letters';
  if (name.length === 0 || name.length > 100 || !name.trim() || name !== name.trim() || /[/\\\u0000-\u001f\u007f]/.test(name)) {
    throw new Error(`--name ${JSON.stringify(name)}: ${rule}`);
  }
}

const CIFAR10_FILES = [...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), 'test_batch.bin'];

export async function importDataset(db: Db, store: ObjectStore, opts: { format: ImportFormat; from: string; name?: string; scale?: number }): Promise<StoredDataset> {
  if (opts.name !== undefined) checkDatasetName(opts.name);
  if (!IMPORT_FORMATS.includes(opts.format)) throw new Error(`unknown format "${String(opts.format)}"; use ${IMPORT_FORMATS.join(', ')}`);
  const src = opts.from.startsWith('s3://') ? s3Source(store, opts.from) : localSource(opts.from);
  if (opts.format === 'div2k' || opts.format === 'sr-benchmark') return importSrDataset(db, store, src, { format: opts.format as SrImportFormat, name: opts.name, scale: opts.scale });
  if (opts.scale !== undefined) throw new Error(`--scale is for the SR formats (div2k, sr-benchmark), not ${opts.format}`);
  if (isDehazeImportFormat(opts.format)) return importDehazeDataset(db, store, src, { format: opts.format, name: opts.name });
  const names = await src.list();
  if (opts.format === 'mnist-idx') {
    const trainImages = await readMaybeGz(src, names, 'train-images-idx3-ubyte');
    const trainLabels = await readMaybeGz(src, names, 'train-labels-idx1-ubyte');
    const testImages = await readMaybeGz(src, names, 't10k-images-idx3-ubyte');
    const testLabels = await readMaybeGz(src, names, 't10k-labels-idx1-ubyte');
    const d = mnistFromIdx(
      { trainImages: trainImages.bytes, trainLabels: trainLabels.bytes, testImages: testImages.bytes, testLabels: testLabels.bytes },
      opts.name ?? 'mnist',
      `mnist-idx:${src.describe}`,
      { trainImages: trainImages.label, trainLabels: trainLabels.label, testImages: testImages.label, testLabels: testLabels.label },
    );
    return storeDataset(db, store, d, 'mnist-idx');
  }
  // All five training batches and the test batch: a partial folder would import as "cifar10"
  // with a fraction of its training set, and nothing downstream would notice.
  const missing = CIFAR10_FILES.filter((n) => !names.includes(n));
  if (missing.length) {
    throw new Error(`${src.describe}: incomplete CIFAR-10 binary folder: missing ${missing.join(', ')} (expected data_batch_1.bin … data_batch_5.bin and test_batch.bin, as in the extracted cifar-10-batches-bin folder)`);
  }
  const train = await Promise.all(CIFAR10_FILES.slice(0, 5).map((n) => src.read(n)));
  const d = cifar10FromBinary(train, await src.read('test_batch.bin'), opts.name ?? 'cifar10', `cifar10-binary:${src.describe}`);
  return storeDataset(db, store, d, 'cifar10-binary');
}
