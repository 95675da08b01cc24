/**
 * `reprolab data import --format reside-its|reside-sots|dense-haze|nh-haze`: paired dehazing
 * datasets from a folder (or s3:// prefix), checked completely, then stored as one PNG object per
 * hazy and per clear image plus an RLDH1 manifest (activities/methods/src/dehaze/dataset.ts) naming
 * them. PNG only (no JPEG decoder here; all four sets ship PNG).
 *
 *  reside-its   hazy/<id>_<k>_<beta>.png with clear/<id>.png (other folders, e.g. trans/, ignored)
 *               → one set `train`, role train.
 *  reside-sots  hazy/<id>_<k>.png with gt/<id>.png (or clear/<id>.png), at the top or under indoor/
 *               (as SOTS extracts: SOTS/indoor/{hazy,gt}) → one set `SOTS-indoor`, role test.
 *  dense-haze,  <nn>_hazy.png with <nn>_GT.png, both in the folder (NH-HAZE as distributed) or in
 *  nh-haze      hazy/ and GT/ (Dense-Haze as distributed; gt/ or clear/ also accepted). Split by the
 *               NTIRE challenge numbering: 01–45 → set `train` (role train), 46–50 → `valid`
 *               (role test), 51–55 → `test` (role test); sets with no pairs are left out. To choose
 *               another split, put the pairs in train/, valid/ (or val/) and test/ folders, each laid
 *               out either way: the folders become the sets.
 *
 * RESIDE clear images up to 10 pixels a side larger than their hazy image are centre-cropped to it
 * (the NYU border); any other hazy/clear size difference is refused. Two passes, as the SR import:
 * the first reads, decodes and checks every image and stores nothing; the second stores. A refusal
 * therefore leaves the object store and database as they were.
 */
import { saveDataset, type Db } from '@reprolab/db';
import {
  checkDehazePair,
  dehazeManifestCounts,
  encodeDehazeManifest,
  naturalCompare,
  ntireSplitOf,
  pairNtireFiles,
  pairResideFiles,
  splitNtireFiles,
  type DehazeManifest,
  type DehazePairFiles,
  type DehazeRgbPair,
  type DehazeRole,
  type RgbU8,
} from '@reprolab/methods/dehaze/dataset';
import type { ObjectStore } from '../storage/object-store';
import { decodePngRgb, encodePngRgb } from '../png';
import { filesIn, join, label, subdirs, type TreeSource } from './sr-import';
import type { StoredDataset } from './store';

export const DEHAZE_IMPORT_FORMATS = ['reside-its', 'reside-sots', 'dense-haze', 'nh-haze'] as const;
export type DehazeImportFormat = (typeof DEHAZE_IMPORT_FORMATS)[number];

export const isDehazeImportFormat = (f: string): f is DehazeImportFormat => (DEHAZE_IMPORT_FORMATS as readonly string[]).includes(f);

interface PlannedSet {
  name: string;
  role: DehazeRole;
  hazyDir: string;
  clearDir: string;
  resideBorder: boolean;
  pairs: DehazePairFiles[];
}

/** A folder of the source for errors: the source itself for ''. */
const dirLabel = (src: TreeSource, dir: string) => (dir ? label(src, dir) : src.describe.replace(/\/+$/, ''));

/** The sub-folder of `dir` named one of `names` (any case), if there is one. */
const findDir = (paths: string[], dir: string, names: string[]) => subdirs(paths, dir).find((d) => names.includes(d.toLowerCase()));

function planReside(src: TreeSource, paths: string[], format: 'reside-its' | 'reside-sots'): PlannedSet[] {
  const its = format === 'reside-its';
  const clearNames = its ? ['clear'] : ['gt', 'clear'];
  let base = '';
  if (!its && !findDir(paths, '', ['hazy'])) base = findDir(paths, '', ['indoor']) ?? '';
  const hazy = findDir(paths, base, ['hazy']);
  const clear = findDir(paths, base, clearNames);
  if (!hazy || !clear) {
    const here = subdirs(paths, base);
    throw new Error(
      `${dirLabel(src, base)}: no ${its ? 'RESIDE ITS' : 'RESIDE SOTS-indoor'} layout found (folders here: ${here.join(', ') || 'none'}); expected ` +
        (its ? 'hazy/ (<id>_<k>_<beta>.png) and clear/ (<id>.png), as ITS extracts' : 'hazy/ (<id>_<k>.png) and gt/ (<id>.png), at the top or under indoor/ as SOTS extracts'),
    );
  }
  const hazyDir = join(base, hazy);
  const clearDir = join(base, clear);
  const h = filesIn(paths, hazyDir).sort();
  const c = filesIn(paths, clearDir).sort();
  if (!h.length && !c.length) throw new Error(`${label(src, hazyDir)}, ${label(src, clearDir)}: no images; a ${format} set needs hazy and clear .png images`);
  const pairs = pairResideFiles(h, c, label(src, hazyDir), label(src, clearDir));
  return [{ name: its ? 'train' : 'SOTS-indoor', role: its ? 'train' : 'test', hazyDir, clearDir, resideBorder: true, pairs }];
}

/** One NTIRE-layout folder: hazy/ + GT/ inside it, or both kinds of file directly in it. */
function planNtireFolder(src: TreeSource, paths: string[], dir: string): { hazyDir: string; clearDir: string; pairs: DehazePairFiles[] } {
  const hazy = findDir(paths, dir, ['hazy']);
  if (hazy) {
    const clear = findDir(paths, dir, ['gt', 'clear']);
    if (!clear) throw new Error(`${label(src, join(dir, hazy))}: hazy images without a GT/ folder beside it (the clear images, <nn>_GT.png); add it`);
    const hazyDir = join(dir, hazy);
    const clearDir = join(dir, clear);
    const h = filesIn(paths, hazyDir).sort();
    const c = filesIn(paths, clearDir).sort();
    if (!h.length && !c.length) throw new Error(`${label(src, hazyDir)}, ${label(src, clearDir)}: no images; expected <nn>_hazy.png and <nn>_GT.png`);
    return { hazyDir, clearDir, pairs: pairNtireFiles(h, c, label(src, hazyDir), label(src, clearDir)) };
  }
  const files = filesIn(paths, dir).sort();
  if (!files.length) throw new Error(`${dirLabel(src, dir)}: no images; expected <nn>_hazy.png with <nn>_GT.png here, or in hazy/ and GT/`);
  const { hazy: h, clear: c } = splitNtireFiles(files, dirLabel(src, dir));
  return { hazyDir: dir, clearDir: dir, pairs: pairNtireFiles(h, c, dirLabel(src, dir), dirLabel(src, dir)) };
}

const SPLIT_FOLDERS: Record<string, { name: string; role: DehazeRole }> = {
  train: { name: 'train', role: 'train' },
  valid: { name: 'valid', role: 'test' },
  val: { name: 'valid', role: 'test' },
  validation: { name: 'valid', role: 'test' },
  test: { name: 'test', role: 'test' },
};

function planNtire(src: TreeSource, paths: string[]): PlannedSet[] {
  const splitDirs = subdirs(paths, '').filter((d) => SPLIT_FOLDERS[d.toLowerCase()]);
  if (splitDirs.length) {
    const stray = filesIn(paths, '');
    if (stray.length) throw new Error(`${label(src, stray[0]!)}: outside the split folders (${splitDirs.join(', ')}); with train/, valid/ and test/ folders every pair goes in one of them`);
    const sets = splitDirs.map((d): PlannedSet => ({ ...SPLIT_FOLDERS[d.toLowerCase()]!, ...planNtireFolder(src, paths, d), resideBorder: false }));
    const dupes = sets.map((s) => s.name).filter((n, i, a) => a.indexOf(n) !== i);
    if (dupes.length) throw new Error(`${src.describe}: two folders hold the ${dupes[0]} split (${splitDirs.join(', ')}); keep one`);
    return sets.sort((a, b) => ['train', 'valid', 'test'].indexOf(a.name) - ['train', 'valid', 'test'].indexOf(b.name));
  }
  const all = planNtireFolder(src, paths, '');
  const bySplit = new Map<string, DehazePairFiles[]>();
  for (const p of all.pairs) {
    const split = ntireSplitOf(p.name, label(src, join(all.hazyDir, p.hazyFile)));
    bySplit.set(split, [...(bySplit.get(split) ?? []), p]);
  }
  return (['train', 'valid', 'test'] as const)
    .filter((s) => bySplit.has(s))
    .map((s) => ({ name: s, role: s === 'train' ? 'train' : 'test', hazyDir: all.hazyDir, clearDir: all.clearDir, resideBorder: false, pairs: bySplit.get(s)! }));
}

const rgb = (i: { width: number; height: number; rgb: Uint8Array }): RgbU8 => ({ width: i.width, height: i.height, data: i.rgb });

/**
 * The checked pairs of a set, in order, decoded one at a time (a clear image shared by adjacent
 * hazy ones, as in RESIDE, is decoded once).
 */
async function* readSet(src: TreeSource, set: PlannedSet): AsyncGenerator<DehazeRgbPair & { clearFile: string; clearCropped: boolean }> {
  let last: { file: string; img: RgbU8 } | undefined;
  for (const p of set.pairs) {
    const hazyPath = join(set.hazyDir, p.hazyFile);
    const clearPath = join(set.clearDir, p.clearFile);
    const hazy = rgb(decodePngRgb(await src.read(hazyPath), label(src, hazyPath)));
    if (last?.file !== p.clearFile) last = { file: p.clearFile, img: rgb(decodePngRgb(await src.read(clearPath), label(src, clearPath))) };
    const pair = checkDehazePair(p.name, hazy, last.img, label(src, hazyPath), label(src, clearPath), { resideBorder: set.resideBorder, hazyVariant: p.hazyVariant });
    yield { ...pair, clearFile: p.clearFile };
  }
}

export async function importDehazeDataset(db: Db, store: ObjectStore, src: TreeSource, opts: { format: DehazeImportFormat; name?: string }): Promise<StoredDataset> {
  const paths = await src.listTree();
  if (!paths.filter((p) => !p.split('/').some((part) => part.startsWith('.'))).length) throw new Error(`${src.describe}: empty folder; ${opts.format} needs hazy and clear PNG images (see README, "data import")`);
  const sets = opts.format === 'reside-its' || opts.format === 'reside-sots' ? planReside(src, paths, opts.format) : planNtire(src, paths);
  // Pass 1: decode and check every pair; nothing is stored until all of them pass.
  let cropped = 0;
  for (const set of sets) for await (const p of readSet(src, set)) if (p.clearCropped) cropped++;
  // Pass 2: store each image as a PNG object (a shared clear image once), then the manifest and its row.
  const putPng = async (img: RgbU8) => (await store.putBytes(encodePngRgb({ width: img.width, height: img.height, rgb: img.data }))).sha256;
  const manifest: DehazeManifest = { format: 'reprolab-dehaze', version: 1, name: opts.name ?? opts.format, sets: [] };
  for (const set of sets) {
    const clearSha = new Map<string, string>();
    const pairs: DehazeManifest['sets'][number]['pairs'] = [];
    for await (const p of readSet(src, set)) {
      const key = `${p.clearFile}@${p.clear.width}x${p.clear.height}`;
      let clear = clearSha.get(key);
      if (!clear) clearSha.set(key, (clear = await putPng(p.clear)));
      pairs.push({
        name: p.name,
        hazy: { sha256: await putPng(p.hazy), height: p.hazy.height, width: p.hazy.width },
        clear: { sha256: clear, height: p.clear.height, width: p.clear.width },
        ...(p.hazyVariant === undefined ? {} : { hazyVariant: p.hazyVariant }),
      });
    }
    manifest.sets.push({ name: set.name, role: set.role, pairs: pairs.sort((a, b) => naturalCompare(a.name, b.name)) });
  }
  const put = await store.putBytes(encodeDehazeManifest(manifest));
  const counts = dehazeManifestCounts(manifest);
  await saveDataset(db, {
    sha256: put.sha256,
    name: manifest.name,
    format: opts.format,
    source: `${opts.format}:${src.describe} (hazy/clear pairs; sets ${manifest.sets.map((s) => `${s.name} ${s.pairs.length}`).join(', ')}${cropped ? `; ${cropped} clear image(s) centre-cropped to their hazy size (RESIDE border)` : ''})`,
    trainCount: counts.train,
    testCount: counts.test,
    shape: [0, 0, 3], // whole images of differing sizes
    classes: 0,
  });
  return { sha256: put.sha256, name: manifest.name, size: put.size, trainCount: counts.train, testCount: counts.test, uploaded: put.uploaded };
}
