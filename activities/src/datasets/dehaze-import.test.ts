/**
 * `data import --format reside-its|reside-sots|dense-haze|nh-haze` on small real PNG folders written
 * by the test, and the step-side loader (dehaze-files.ts) on what they stored. The database and
 * object store given to a refused import throw on any use: every refusal must come before anything
 * is stored.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { decodeDehazeManifest, type DehazeManifest } from '@reprolab/methods/dehaze/dataset';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '../storage/object-store';
import { importDataset } from './import';
import { dehazeImageFiles, loadDehazeSets, readDehazeSets } from './dehaze-files';
import { decodePngRgb, encodePngRgb } from '../png';

const untouchable = <T>(what: string) => new Proxy({}, { get: (_, k) => { throw new Error(`refused import touched the ${what} (.${String(k)})`); } }) as T;
const db = untouchable<Db>('database');
const store = untouchable<ObjectStore>('object store');

const pixels = (h: number, w: number, seed = 1) => Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 29 + seed * 71) % 256);
const png = (h: number, w: number, seed = 1) => encodePngRgb({ width: w, height: h, rgb: pixels(h, w, seed) });

/** A temp folder with `files` (relative path → bytes). */
function folder(files: Record<string, Uint8Array | string>, name = 'data'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'reprolab-dehaze-')), name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  return dir;
}

/** An object store that keeps what it is given under its real sha256 (so the local artifact cache is safe to share). */
function recordingStore() {
  const objects = new Map<string, Uint8Array>();
  const s = {
    putBytes: async (bytes: Uint8Array) => {
      const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const uploaded = !objects.has(sha256);
      objects.set(sha256, bytes);
      return { sha256, size: bytes.length, uploaded, bucket: 'b', key: sha256 };
    },
    getBytes: async (sha256: string) => objects.get(sha256)!,
  } as unknown as ObjectStore;
  return { store: s, objects };
}
const recordingDb = () => {
  const rows: unknown[] = [];
  const d = { insert: () => ({ values: (v: unknown) => ({ onConflictDoNothing: async () => rows.push(v) }) }), select: () => ({ from: () => ({ where: () => ({ limit: async () => rows.slice(-1) }) }) }) } as unknown as Db;
  return { db: d, rows };
};

const refused = async (opts: Parameters<typeof importDataset>[2], message: RegExp) => assert.rejects(importDataset(db, store, opts), (e: unknown) => {
  assert.match((e as Error).message, message);
  return true;
});

const summary = (m: DehazeManifest) => m.sets.map((s) => [s.name, s.role, s.pairs.map((p) => `${p.name}:${p.hazy.width}×${p.hazy.height}${p.hazyVariant ? `:${p.hazyVariant}` : ''}`)]);

/** NTIRE pairs `nn` as <nn>_hazy.png / <nn>_GT.png under `hazyDir` / `clearDir`. */
const ntire = (nums: number[], hazyDir = '', clearDir = '') =>
  Object.fromEntries(nums.flatMap((n) => {
    const nn = String(n).padStart(2, '0');
    return [[join(hazyDir, `${nn}_hazy.png`), png(6, 8, n)], [join(clearDir, `${nn}_GT.png`), png(6, 8, 100 + n)]];
  }));

test('[DATA] reside-its: hazy/<id>_<k>_<beta> with clear/<id>; one train set; a shared clear image is stored once; trans/ ignored', async () => {
  const dir = folder({
    'hazy/1_1_0.8.png': png(6, 8, 1),
    'hazy/1_2_0.9.png': png(6, 8, 2),
    'hazy/10_1_0.7.png': png(4, 4, 3),
    'clear/1.png': png(6, 8, 4),
    'clear/10.png': png(4, 4, 5),
    'trans/1_1.png': png(2, 2, 6),
    '.DS_Store': 'x',
  }, 'ITS');
  const { store: s, objects } = recordingStore();
  const { db: d, rows } = recordingDb();
  const stored = await importDataset(d, s, { format: 'reside-its', from: dir });
  const m = decodeDehazeManifest(objects.get(stored.sha256)!);
  assert.deepEqual(summary(m), [['train', 'train', ['1_1_0.8:8×6:1_0.8', '1_2_0.9:8×6:2_0.9', '10_1_0.7:4×4:1_0.7']]]);
  assert.equal(m.sets[0]!.pairs[0]!.clear.sha256, m.sets[0]!.pairs[1]!.clear.sha256);
  assert.equal(objects.size, 3 + 2 + 1); // 3 hazy + 2 clear + the manifest
  assert.deepEqual(decodePngRgb(objects.get(m.sets[0]!.pairs[2]!.hazy.sha256)!, 'h').rgb, pixels(4, 4, 3));
  assert.deepEqual([stored.name, stored.trainCount, stored.testCount], ['reside-its', 3, 0]);
  const row = rows[0] as { format: string; shape: number[]; classes: number; source: string };
  assert.deepEqual([row.format, row.shape, row.classes], ['reside-its', [0, 0, 3], 0]);
  assert.match(row.source, /^reside-its:.*\(hazy\/clear pairs; sets train 3\)$/);
});

test('[DATA] reside-sots: indoor/hazy + indoor/gt as SOTS extracts; one test set; a bordered clear image is centre-cropped', async () => {
  const dir = folder({
    'indoor/hazy/1400_1.png': png(6, 8, 1),
    'indoor/hazy/1400_2.png': png(6, 8, 2),
    'indoor/hazy/1401_1.png': png(6, 8, 3),
    'indoor/gt/1400.png': png(6, 8, 4),
    'indoor/gt/1401.png': png(10, 12, 5), // 2-pixel border on every side
  }, 'SOTS');
  const { store: s, objects } = recordingStore();
  const { db: d, rows } = recordingDb();
  const stored = await importDataset(d, s, { format: 'reside-sots', from: dir, name: 'sots' });
  const m = decodeDehazeManifest(objects.get(stored.sha256)!);
  assert.deepEqual(summary(m), [['SOTS-indoor', 'test', ['1400_1:8×6:1', '1400_2:8×6:2', '1401_1:8×6:1']]]);
  const cropped = decodePngRgb(objects.get(m.sets[0]!.pairs[2]!.clear.sha256)!, 'c');
  const full = pixels(10, 12, 5);
  assert.deepEqual([cropped.width, cropped.height], [8, 6]);
  assert.deepEqual(cropped.rgb.subarray(0, 24), full.subarray((2 * 12 + 2) * 3, (2 * 12 + 2) * 3 + 24));
  assert.deepEqual([stored.name, stored.trainCount, stored.testCount], ['sots', 0, 3]);
  assert.match((rows[0] as { source: string }).source, /1 clear image\(s\) centre-cropped to their hazy size \(RESIDE border\)/);
});

test('[DATA] nh-haze (flat) and dense-haze (hazy/ + GT/): the NTIRE split 01–45 / 46–50 / 51–55; the loader decodes what was stored', async () => {
  const nh = folder(ntire([1, 2, 46, 51, 55]), 'NH-HAZE');
  const r = recordingStore();
  const stored = await importDataset(recordingDb().db, r.store, { format: 'nh-haze', from: nh });
  const m = decodeDehazeManifest(r.objects.get(stored.sha256)!);
  assert.deepEqual(m.sets.map((s) => [s.name, s.role, s.pairs.map((p) => p.name)]), [['train', 'train', ['01', '02']], ['valid', 'test', ['46']], ['test', 'test', ['51', '55']]]);
  assert.deepEqual([stored.name, stored.trainCount, stored.testCount], ['nh-haze', 2, 3]);

  const dense = folder(ntire([3, 4], 'hazy', 'GT'), 'Dense-Haze');
  const r2 = recordingStore();
  const d2 = await importDataset(recordingDb().db, r2.store, { format: 'dense-haze', from: dense, name: 'dense' });
  assert.deepEqual(summary(decodeDehazeManifest(r2.objects.get(d2.sha256)!)), [['train', 'train', ['03:8×6', '04:8×6']]]);

  // Own split folders instead of the numbering.
  const own = folder({ ...ntire([7], 'train', 'train'), ...ntire([60], 'test/hazy', 'test/GT') }, 'mine');
  const r3 = recordingStore();
  const d3 = await importDataset(recordingDb().db, r3.store, { format: 'dense-haze', from: own });
  assert.deepEqual(decodeDehazeManifest(r3.objects.get(d3.sha256)!).sets.map((s) => [s.name, s.role, s.pairs.map((p) => p.name)]), [['train', 'train', ['07']], ['test', 'test', ['60']]]);

  // Step side: fetch the picked sets' images to local files, decode them into pairs.
  const manifestPath = join(mkdtempSync(join(tmpdir(), 'reprolab-dehaze-m-')), 'dataset');
  writeFileSync(manifestPath, r.objects.get(stored.sha256)!);
  const pick = (s: { role: string }) => (s.role === 'test' ? 1 : false);
  const files = await dehazeImageFiles({ store: r.store }, manifestPath, pick);
  assert.equal(Object.keys(files).length, 4); // valid 46 + test 51: hazy and clear each
  const sets = await readDehazeSets(m, files, pick);
  assert.deepEqual(sets.map((s) => [s.name, s.role, s.pairs.map((p) => p.name)]), [['valid', 'test', ['46']], ['test', 'test', ['51']]]);
  assert.deepEqual(sets[1]!.pairs[0]!.hazy, { height: 6, width: 8, data: pixels(6, 8, 51) });
  assert.deepEqual(sets[1]!.pairs[0]!.clear.data, pixels(6, 8, 151));
  const all = await loadDehazeSets({ store: r.store }, manifestPath);
  assert.deepEqual(all.sets.map((s) => s.pairs.length), [2, 1, 2]);
  await assert.rejects(readDehazeSets(m, {}, () => undefined), /job input img:sha256:[0-9a-f]{64} \(nh-haze\/train\/01 hazy\) missing/);
  const notDehaze = join(dirname(manifestPath), 'sr');
  writeFileSync(notDehaze, 'RLSR1\n{}\n');
  assert.deepEqual(await dehazeImageFiles({ store: r.store }, notDehaze, () => undefined), {});
  await assert.rejects(loadDehazeSets({ store: r.store }, notDehaze), /not a reprolab dehazing dataset \(missing RLDH1 header\)/);
});

test('[DATA] dehazing imports refuse mismatched sizes, orphans, unused clear images, empty folders, non-PNG files and wrong layouts before storing anything', async () => {
  const mismatch = folder({ ...ntire([1]), '02_hazy.png': png(6, 8), '02_GT.png': png(8, 6) }, 'NH-HAZE');
  await refused({ format: 'nh-haze', from: mismatch }, new RegExp(`^${mismatch}/02_hazy\\.png: hazy image is 8×6 but its clear image ${mismatch}/02_GT\\.png is 6×8; mismatched hazy/clear pairs are refused`));
  const itsMismatch = folder({ 'hazy/1_1_0.8.png': png(6, 8), 'clear/1.png': png(6, 30) }, 'ITS');
  await refused({ format: 'reside-its', from: itsMismatch }, new RegExp(`^${itsMismatch}/hazy/1_1_0\\.8\\.png: hazy image is 8×6 but its clear image ${itsMismatch}/clear/1\\.png is 30×6; mismatched hazy/clear pairs are refused \\(the one difference accepted is RESIDE's white border`));
  const orphan = folder({ 'hazy/1_1_0.8.png': png(6, 8), 'hazy/2_1_0.8.png': png(6, 8), 'clear/1.png': png(6, 8) }, 'ITS');
  await refused({ format: 'reside-its', from: orphan }, new RegExp(`^${orphan}/hazy/2_1_0\\.8\\.png: hazy image without its clear image ${orphan}/clear/2\\.png`));
  const orphanNtire = folder({ ...ntire([1], 'hazy', 'GT'), 'hazy/09_hazy.png': png(6, 8) }, 'Dense-Haze');
  await refused({ format: 'dense-haze', from: orphanNtire }, new RegExp(`^${orphanNtire}/hazy/09_hazy\\.png: hazy image without its clear image ${orphanNtire}/GT/09_GT\\.png`));
  const unused = folder({ 'hazy/1400_1.png': png(6, 8), 'gt/1400.png': png(6, 8), 'gt/1401.png': png(6, 8) }, 'SOTS');
  await refused({ format: 'reside-sots', from: unused }, new RegExp(`^${unused}/gt/1401\\.png: clear image used by no hazy image`));
  const empty = folder({}, 'NH-HAZE');
  await refused({ format: 'nh-haze', from: empty }, new RegExp(`^${empty}: empty folder; nh-haze needs hazy and clear PNG images`));
  const hiddenOnly = folder({ '.keep': '' }, 'ITS');
  await refused({ format: 'reside-its', from: hiddenOnly }, new RegExp(`^${hiddenOnly}: empty folder; reside-its needs`));
  const jpg = folder({ ...ntire([1]), '02_hazy.jpg': 'JFIF' }, 'NH-HAZE');
  await refused({ format: 'nh-haze', from: jpg }, new RegExp(`^${jpg}/02_hazy\\.jpg: not a PNG \\(the dehazing formats read \\.png images only`));
  const corrupt = folder({ ...ntire([1]), '01_GT.png': png(6, 8).subarray(0, 40) }, 'NH-HAZE');
  await refused({ format: 'nh-haze', from: corrupt }, new RegExp(`^${corrupt}/01_GT\\.png: not a readable PNG`));
  const noLayout = folder({ 'pictures/a.png': png(6, 8) }, 'ITS');
  await refused({ format: 'reside-its', from: noLayout }, new RegExp(`^${noLayout}: no RESIDE ITS layout found \\(folders here: pictures\\); expected hazy/ \\(<id>_<k>_<beta>\\.png\\) and clear/`));
  const noGt = folder(ntire([1], 'hazy', 'hazy'), 'Dense-Haze');
  await refused({ format: 'dense-haze', from: noGt }, new RegExp(`^${noGt}/hazy: hazy images without a GT/ folder beside it`));
  const outside = folder(ntire([56]), 'NH-HAZE');
  await refused({ format: 'nh-haze', from: outside }, /56_hazy\.png: pair number 56 is outside the NTIRE challenge numbering 01–55/);
  const stray = folder({ ...ntire([1], 'train', 'train'), 'notes.txt': 'x' }, 'NH-HAZE');
  await refused({ format: 'nh-haze', from: stray }, new RegExp(`^${stray}/notes\\.txt: outside the split folders \\(train\\)`));
  const ok = folder(ntire([1]), 'NH-HAZE');
  await refused({ format: 'nh-haze' as never, from: ok, scale: 4 }, /^--scale is for the SR formats \(div2k, sr-benchmark\), not nh-haze/);
  await refused({ format: 'nh_haze' as never, from: ok }, /^unknown format "nh_haze"; use mnist-idx, cifar10-binary, div2k, sr-benchmark, reside-its, reside-sots, dense-haze, nh-haze/);
  await refused({ format: 'reside-sots', from: ok, name: 'a/b' }, /^--name "a\/b": a dataset name must be/);
});
