/** The image objects an SR dataset's manifest names, fetched to local files for a compute child. */
import { readFile } from 'node:fs/promises';
import { decodeSrManifest, isSrManifest, type SrManifest } from '@reprolab/methods/sr/index';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';

/**
 * `img:<sha256>` → local path for the HR and LR images of the sets `pick` selects (the first `limit`
 * of each, when `limit` is given). Nothing when `datasetPath` is not an SR manifest (a tile dataset).
 */
export async function srImageFiles(deps: ActivityDeps, datasetPath: string, pick: (set: SrManifest['sets'][number]) => number | undefined | false): Promise<Record<string, string>> {
  const bytes = new Uint8Array(await readFile(datasetPath));
  if (!isSrManifest(bytes)) return {};
  const files: Record<string, string> = {};
  for (const set of decodeSrManifest(bytes).sets) {
    const limit = pick(set);
    if (limit === false) continue;
    for (const im of set.images.slice(0, limit)) for (const ref of [im.hr, im.lr]) files[`img:${ref.sha256}`] = await artifactFile(deps.store, ref.sha256, deps.log);
  }
  return files;
}
