/** Dataset artifacts: put into the object store once, registered by digest, loaded with a small cache. */
import { saveDataset, type Db } from '@reprolab/db';
import { datasetCounts, decodeDataset, encodeDataset, type ImageDataset } from '@reprolab/methods';
import type { ObjectStore } from '../storage/object-store';

export interface StoredDataset {
  sha256: string;
  name: string;
  size: number;
  trainCount: number;
  testCount: number;
  uploaded: boolean;
}

export async function storeDataset(db: Db, store: ObjectStore, d: ImageDataset, format: string): Promise<StoredDataset> {
  const bytes = encodeDataset(d);
  const put = await store.putBytes(bytes);
  const counts = datasetCounts(d);
  await saveDataset(db, {
    sha256: put.sha256,
    name: d.name,
    format,
    source: d.source,
    trainCount: counts.train,
    testCount: counts.test,
    shape: d.shape,
    classes: d.classes,
  });
  return { sha256: put.sha256, name: d.name, size: put.size, trainCount: counts.train, testCount: counts.test, uploaded: put.uploaded };
}

const cache = new Map<string, ImageDataset>();

/** Loads a dataset artifact, keeping the two most recent in memory (steps of a run share one). */
export async function loadDataset(store: ObjectStore, sha256: string): Promise<ImageDataset> {
  const hit = cache.get(sha256);
  if (hit) return hit;
  const d = decodeDataset(await store.getBytes(sha256));
  cache.set(sha256, d);
  while (cache.size > 2) cache.delete(cache.keys().next().value!);
  return d;
}
