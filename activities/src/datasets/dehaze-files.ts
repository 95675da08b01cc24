/**
 * The image objects a dehazing dataset's manifest (RLDH1) names, for a step: fetched to local files
 * (parent side, `dehazeImageFiles`, as sr-files.ts does for SR) and decoded to 8-bit RGB pairs
 * (child side, `readDehazeSets`, from the `img:<sha256>` files the parent handed over), or both at
 * once (`loadDehazeSets`). Each set is cut to its first `limit` pairs when `pick` gives a limit.
 */
import { readFile } from 'node:fs/promises';
import { decodeDehazeManifest, isDehazeManifest, type DehazeManifest, type DehazeManifestSet, type DehazeRgbPair, type DehazeRole, type RgbU8 } from '@reprolab/methods/dehaze/dataset';
import type { ActivityDeps } from '../deps';
import { decodePngRgb } from '../png';
import { artifactFile } from '../storage/local-cache';

/** Which sets to take and how many pairs of each: a limit, undefined for all, false to skip the set. */
export type DehazeSetPick = (set: DehazeManifestSet) => number | undefined | false;

export interface DehazeSetPairs {
  name: string;
  role: DehazeRole;
  pairs: DehazeRgbPair[];
}

/** The sets `pick` takes, each cut to its limit. */
function picked(m: DehazeManifest, pick: DehazeSetPick): { set: DehazeManifestSet; pairs: DehazeManifestSet['pairs'] }[] {
  const out = [];
  for (const set of m.sets) {
    const limit = pick(set);
    if (limit === false) continue;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`dehazing dataset ${m.name}: limit for set ${set.name} must be a non-negative integer, got ${limit}`);
    out.push({ set, pairs: set.pairs.slice(0, limit) });
  }
  return out;
}

/** Reads a dataset file and decodes it as a dehazing manifest; undefined when it is not one. */
export async function readDehazeManifest(datasetPath: string): Promise<DehazeManifest | undefined> {
  const bytes = new Uint8Array(await readFile(datasetPath));
  return isDehazeManifest(bytes) ? decodeDehazeManifest(bytes) : undefined;
}

/**
 * `img:<sha256>` → local path for the hazy and clear images of the sets `pick` selects. Nothing when
 * `datasetPath` is not a dehazing manifest.
 */
export async function dehazeImageFiles(deps: Pick<ActivityDeps, 'store' | 'log'>, datasetPath: string, pick: DehazeSetPick): Promise<Record<string, string>> {
  const m = await readDehazeManifest(datasetPath);
  if (!m) return {};
  const files: Record<string, string> = {};
  for (const { pairs } of picked(m, pick)) {
    for (const p of pairs) for (const ref of [p.hazy, p.clear]) files[`img:${ref.sha256}`] ??= await artifactFile(deps.store, ref.sha256, deps.log);
  }
  return files;
}

/**
 * The sets `pick` selects, decoded from the `img:<sha256>` files (as `dehazeImageFiles` gives them);
 * refuses a missing file and an image whose size is not the manifest's, naming the pair.
 */
export async function readDehazeSets(m: DehazeManifest, files: Record<string, string>, pick: DehazeSetPick): Promise<DehazeSetPairs[]> {
  const decoded = new Map<string, RgbU8>(); // a clear image shared by several hazy ones is decoded once
  const image = async (ref: { sha256: string; height: number; width: number }, what: string): Promise<RgbU8> => {
    const hit = decoded.get(ref.sha256);
    if (hit) return hit;
    const path = files[`img:${ref.sha256}`];
    if (!path) throw new Error(`job input img:${ref.sha256} (${m.name}/${what}) missing`);
    const d = decodePngRgb(new Uint8Array(await readFile(path)), `${m.name}/${what}`);
    if (d.height !== ref.height || d.width !== ref.width) throw new Error(`${m.name}/${what}: image ${ref.sha256} is ${d.width}×${d.height}, the manifest says ${ref.width}×${ref.height}`);
    const img = { height: d.height, width: d.width, data: d.rgb };
    decoded.set(ref.sha256, img);
    return img;
  };
  const out: DehazeSetPairs[] = [];
  for (const { set, pairs } of picked(m, pick)) {
    const rgbPairs: DehazeRgbPair[] = [];
    for (const p of pairs) {
      rgbPairs.push({
        name: p.name,
        hazy: await image(p.hazy, `${set.name}/${p.name} hazy`),
        clear: await image(p.clear, `${set.name}/${p.name} clear`),
        ...(p.hazyVariant === undefined ? {} : { hazyVariant: p.hazyVariant }),
      });
    }
    out.push({ name: set.name, role: set.role, pairs: rgbPairs });
  }
  return out;
}

/** Fetch and decode in one go: the manifest and the picked sets' pairs (an error when not a dehazing dataset). */
export async function loadDehazeSets(deps: Pick<ActivityDeps, 'store' | 'log'>, datasetPath: string, pick: DehazeSetPick = () => undefined): Promise<{ manifest: DehazeManifest; sets: DehazeSetPairs[] }> {
  const manifest = await readDehazeManifest(datasetPath);
  if (!manifest) throw new Error(`${datasetPath}: not a reprolab dehazing dataset (missing RLDH1 header); import one with \`reprolab data import --format reside-its|reside-sots|dense-haze|nh-haze\``);
  const files = await dehazeImageFiles(deps, datasetPath, pick);
  return { manifest, sets: await readDehazeSets(manifest, files, pick) };
}

/**
 * What a dehaze step reads of an imported dataset: its training sets (the first `trainLimit` pairs)
 * and the test sets it evaluates (`sets`, else every test-role set; the first `evalLimit` pairs).
 */
export const dehazeTestPick =
  (p: { sets?: string[]; evalLimit?: number; trainLimit?: number }): DehazeSetPick =>
  (s) =>
    s.role === 'train' ? p.trainLimit : p.sets ? (p.sets.includes(s.name) ? p.evalLimit : false) : p.evalLimit;
