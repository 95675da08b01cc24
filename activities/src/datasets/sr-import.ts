/**
 * `reprolab data import --format div2k|sr-benchmark --scale N`: whole-image super-resolution
 * datasets from a folder (or s3:// prefix), checked completely, then stored as one PNG object per
 * HR and LR image plus an RLSR1 manifest (activities/methods/src/sr/dataset.ts) naming them.
 *
 *  div2k         DIV2K_{train,valid}_HR/*.png with DIV2K_{train,valid}_LR_bicubic/X{s}/*x{s}.png
 *                (either split or both: train → a `train` set, valid → a `valid` test set), or
 *                HR/*.png with LR_bicubic/X{s}/*x{s}.png (one `train` set). The LR is required.
 *  sr-benchmark  one test set: PNGs directly in the folder, or HR/*.png (+ LR_bicubic/X{s}/*x{s}.png);
 *                or several: one sub-folder per set (Set5/, Set14/, B100/, Urban100/ …), each laid
 *                out either way. HR is modcropped to a multiple of s; LR not shipped is made with
 *                MATLAB-compatible bicubic downsampling.
 *
 * Two passes: the first reads, decodes and checks every image and stores nothing; the second
 * stores. A refusal therefore leaves the object store and database as they were.
 */
import { saveDataset, type Db } from '@reprolab/db';
import { checkSrScale, encodeSrManifest, prepareSrPair, pairSrFiles, pngStem, srManifestCounts, type SrManifest, type SrPair } from '@reprolab/methods/sr/index';
import type { ObjectStore } from '../storage/object-store';
import { decodePngRgb, encodePngRgb } from '../png';
import type { StoredDataset } from './store';

export type SrImportFormat = 'div2k' | 'sr-benchmark';

/** A folder tree: file paths relative to its root, '/'-separated. */
export interface TreeSource {
  describe: string;
  listTree(): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
}

interface PlannedSet {
  name: string;
  role: 'train' | 'test';
  hrDir: string;
  lrDir?: string;
  pairs: { name: string; hrFile: string; lrFile?: string }[];
}

const isPng = (f: string) => /\.png$/i.test(f);

/** Direct children (files) of `dir` ('' for the root) in `paths`, hidden files left out. */
export function filesIn(paths: string[], dir: string): string[] {
  const prefix = dir ? `${dir}/` : '';
  return paths.filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length)).filter((f) => !f.startsWith('.'));
}

/** Direct sub-folders of `dir` ('' for the root) in `paths`, hidden ones left out, sorted. */
export const subdirs = (paths: string[], dir: string) => {
  const prefix = dir ? `${dir}/` : '';
  return [...new Set(paths.filter((p) => p.startsWith(prefix) && p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length).split('/')[0]!))].filter((d) => !d.startsWith('.')).sort();
};

/** The PNG files of an image folder; any other file there is refused by name. */
function pngsIn(src: TreeSource, paths: string[], dir: string): string[] {
  const files = filesIn(paths, dir);
  const other = files.find((f) => !isPng(f));
  if (other) throw new Error(`${label(src, dir ? `${dir}/${other}` : other)}: not a PNG (the SR formats read .png images only); convert it to PNG or move it out of ${label(src, dir || '.')}`);
  return files.sort();
}

/** Where `path` of the source is, for errors: its folder or s3:// prefix joined with the path. */
export const label = (src: TreeSource, path: string) => `${src.describe.replace(/\/+$/, '')}/${path}`;
export const join = (...parts: string[]) => parts.filter(Boolean).join('/');

function planSet(src: TreeSource, paths: string[], o: { name: string; role: 'train' | 'test'; hrDir: string; lrDir?: string; lrRequired: boolean; scale: number }): PlannedSet {
  const hr = pngsIn(src, paths, o.hrDir);
  if (!hr.length) throw new Error(`${label(src, o.hrDir || '.')}: no PNG images; an SR ${o.role === 'train' ? 'training' : 'test'} set needs at least one HR .png`);
  const hasLr = o.lrDir !== undefined && filesIn(paths, o.lrDir).length > 0;
  if (!hasLr && o.lrRequired) throw new Error(`${label(src, o.lrDir!)}: missing (the ×${o.scale} LR images of ${label(src, o.hrDir)}); add it, e.g. from DIV2K_${o.name}_LR_bicubic_X${o.scale}.zip, or import with --format sr-benchmark to make LR by bicubic downsampling`);
  if (!hasLr) return { name: o.name, role: o.role, hrDir: o.hrDir, pairs: hr.map((f) => ({ name: pngStem(f), hrFile: f })) };
  const lr = pngsIn(src, paths, o.lrDir!);
  return { name: o.name, role: o.role, hrDir: o.hrDir, lrDir: o.lrDir, pairs: pairSrFiles(hr, lr, o.scale, label(src, o.hrDir), label(src, o.lrDir!)) };
}

function planDiv2k(src: TreeSource, paths: string[], scale: number): PlannedSet[] {
  const top = subdirs(paths, '');
  const sets: PlannedSet[] = [];
  for (const split of ['train', 'valid'] as const) {
    if (!top.includes(`DIV2K_${split}_HR`)) continue;
    sets.push(planSet(src, paths, { name: split, role: split === 'train' ? 'train' : 'test', hrDir: `DIV2K_${split}_HR`, lrDir: `DIV2K_${split}_LR_bicubic/X${scale}`, lrRequired: true, scale }));
  }
  if (!sets.length && top.includes('HR')) sets.push(planSet(src, paths, { name: 'train', role: 'train', hrDir: 'HR', lrDir: `LR_bicubic/X${scale}`, lrRequired: true, scale }));
  if (!sets.length) {
    throw new Error(`${src.describe}: no DIV2K layout found (folders here: ${top.join(', ') || 'none'}); expected DIV2K_train_HR/ and DIV2K_train_LR_bicubic/X${scale}/ (and/or the valid ones), or HR/ and LR_bicubic/X${scale}/, as the DIV2K zips extract`);
  }
  return sets;
}

function planBenchmarkSet(src: TreeSource, paths: string[], dir: string, name: string, scale: number): PlannedSet | undefined {
  const sub = subdirs(paths, dir);
  if (sub.includes('HR')) return planSet(src, paths, { name, role: 'test', hrDir: join(dir, 'HR'), lrDir: join(dir, `LR_bicubic/X${scale}`), lrRequired: false, scale });
  if (filesIn(paths, dir).length) return planSet(src, paths, { name, role: 'test', hrDir: dir, lrRequired: false, scale });
  return undefined;
}

function planBenchmark(src: TreeSource, paths: string[], scale: number): PlannedSet[] {
  const base = src.describe.replace(/\/+$/, '').split('/').pop() || 'benchmark';
  const single = planBenchmarkSet(src, paths, '', base, scale);
  if (single) return [single];
  const sets = subdirs(paths, '')
    .map((d) => planBenchmarkSet(src, paths, d, d, scale))
    .filter((s): s is PlannedSet => s !== undefined);
  if (!sets.length) throw new Error(`${src.describe}: no PNG images found; sr-benchmark takes a folder of PNGs (e.g. Set5/*.png or Set5/HR/*.png), or a folder of such set folders (Set5/, Set14/, B100/, Urban100/)`);
  return sets;
}

async function readPair(src: TreeSource, set: PlannedSet, p: PlannedSet['pairs'][number], scale: number): Promise<SrPair> {
  const hrPath = join(set.hrDir, p.hrFile);
  const hr = decodePngRgb(await src.read(hrPath), label(src, hrPath));
  const lrPath = p.lrFile ? join(set.lrDir!, p.lrFile) : undefined;
  const lr = lrPath ? decodePngRgb(await src.read(lrPath), label(src, lrPath)) : undefined;
  const rgb = (i: { width: number; height: number; rgb: Uint8Array }) => ({ width: i.width, height: i.height, data: i.rgb });
  return prepareSrPair(p.name, rgb(hr), lr && rgb(lr), scale, label(src, hrPath), lrPath && label(src, lrPath));
}

export async function importSrDataset(db: Db, store: ObjectStore, src: TreeSource, opts: { format: SrImportFormat; name?: string; scale?: number }): Promise<StoredDataset> {
  if (opts.scale === undefined) throw new Error(`--scale: ${opts.format} needs the upscaling factor the dataset is for, 2, 3 or 4 (e.g. --scale 4)`);
  const scale = checkSrScale(opts.scale);
  const paths = await src.listTree();
  if (!paths.length) throw new Error(`${src.describe}: empty folder; ${opts.format} needs PNG images (see README, "data import")`);
  const sets = opts.format === 'div2k' ? planDiv2k(src, paths, scale) : planBenchmark(src, paths, scale);
  const dupes = sets.map((s) => s.name).filter((n, i, a) => a.indexOf(n) !== i);
  if (dupes.length) throw new Error(`${src.describe}: two image sets named ${dupes[0]}; rename one folder`);
  // Pass 1: decode and check every image; nothing is stored until all of them pass.
  for (const set of sets) for (const p of set.pairs) await readPair(src, set, p, scale);
  // Pass 2: store each image as a PNG object, then the manifest and its database row.
  const putPng = async (img: SrPair['hr']) => (await store.putBytes(encodePngRgb({ width: img.width, height: img.height, rgb: img.data }))).sha256;
  const manifest: SrManifest = { format: 'reprolab-sr', version: 1, name: opts.name ?? (opts.format === 'div2k' ? 'div2k' : sets.length === 1 ? sets[0]!.name : 'sr-benchmark'), scale, sets: [] };
  for (const set of sets) {
    const images: SrManifest['sets'][number]['images'] = [];
    for (const p of set.pairs) {
      const pair = await readPair(src, set, p, scale);
      images.push({
        name: pair.name,
        hr: { sha256: await putPng(pair.hr), height: pair.hr.height, width: pair.hr.width },
        lr: { sha256: await putPng(pair.lr), height: pair.lr.height, width: pair.lr.width },
        lrSource: pair.lrSource,
      });
    }
    manifest.sets.push({ name: set.name, role: set.role, images });
  }
  const put = await store.putBytes(encodeSrManifest(manifest));
  const counts = srManifestCounts(manifest);
  await saveDataset(db, {
    sha256: put.sha256,
    name: manifest.name,
    format: opts.format,
    source: `${opts.format}:${src.describe} (×${scale}; sets ${manifest.sets.map((s) => `${s.name} ${s.images.length}`).join(', ')})`,
    trainCount: counts.train,
    testCount: counts.test,
    shape: [0, 0, 3], // whole images of differing sizes
    classes: 0,
  });
  return { sha256: put.sha256, name: manifest.name, size: put.size, trainCount: counts.train, testCount: counts.test, uploaded: put.uploaded };
}
