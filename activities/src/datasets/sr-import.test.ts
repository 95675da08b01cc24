/**
 * `data import --format div2k|sr-benchmark` on small real PNG folders written by the test. The
 * database and object store given to a refused import throw on any use: every refusal must come
 * before anything is stored.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { bicubicLr, decodeSrManifest, modcrop } from '@reprolab/methods/sr/index';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '../storage/object-store';
import { importDataset } from './import';
import { decodePngRgb, encodePngRgb } from '../png';

const untouchable = <T>(what: string) => new Proxy({}, { get: (_, k) => { throw new Error(`refused import touched the ${what} (.${String(k)})`); } }) as T;
const db = untouchable<Db>('database');
const store = untouchable<ObjectStore>('object store');

const pixels = (h: number, w: number, seed = 1) => Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 29 + seed * 71) % 256);
const png = (h: number, w: number, seed = 1) => encodePngRgb({ width: w, height: h, rgb: pixels(h, w, seed) });

/** A temp folder with `files` (relative path → bytes). */
function folder(files: Record<string, Uint8Array | string>, name = 'data'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'reprolab-sr-')), name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  return dir;
}

const div2k = (extra: Record<string, Uint8Array | string> = {}) => ({
  'DIV2K_train_HR/0001.png': png(48, 40, 1),
  'DIV2K_train_HR/0002.png': png(40, 48, 2),
  'DIV2K_train_LR_bicubic/X4/0001x4.png': png(12, 10, 3),
  'DIV2K_train_LR_bicubic/X4/0002x4.png': png(10, 12, 4),
  ...extra,
});

/** An object store that keeps what it is given, and the manifest the import wrote last. */
function recordingStore() {
  const objects = new Map<string, Uint8Array>();
  let n = 0;
  const s = {
    putBytes: async (bytes: Uint8Array) => {
      const sha256 = `sha256:${(++n).toString(16).padStart(64, '0')}`;
      objects.set(sha256, bytes);
      return { sha256, size: bytes.length, uploaded: true, bucket: 'b', key: sha256 };
    },
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

test('[DATA] div2k: a missing partner on either side, a wrong-size LR or a missing X{s} folder is refused, naming the file and the fix', async () => {
  const noLr = folder(div2k({ 'DIV2K_train_HR/0003.png': png(48, 48) }));
  await refused({ format: 'div2k', from: noLr, scale: 4 }, new RegExp(`^${noLr}/DIV2K_train_HR/0003\\.png: HR image without its LR partner ${noLr}/DIV2K_train_LR_bicubic/X4/0003x4\\.png`));
  const noHr = folder(div2k({ 'DIV2K_train_LR_bicubic/X4/0007x4.png': png(12, 12) }));
  await refused({ format: 'div2k', from: noHr, scale: 4 }, new RegExp(`^${noHr}/DIV2K_train_LR_bicubic/X4/0007x4\\.png: LR image without an HR partner \\(expected ${noHr}/DIV2K_train_HR/0007\\.png\\)`));
  const wrongSize = folder(div2k({ 'DIV2K_train_LR_bicubic/X4/0002x4.png': png(20, 24) }));
  await refused({ format: 'div2k', from: wrongSize, scale: 4 }, new RegExp(`^${wrongSize}/DIV2K_train_LR_bicubic/X4/0002x4\\.png: LR is 24×20 but its HR ${wrongSize}/DIV2K_train_HR/0002\\.png is 48×40, so ×4 needs 12×10; check that the LR folder is X4`));
  const wrongScale = folder(div2k());
  await refused({ format: 'div2k', from: wrongScale, scale: 2 }, new RegExp(`^${wrongScale}/DIV2K_train_LR_bicubic/X2: missing \\(the ×2 LR images of ${wrongScale}/DIV2K_train_HR\\); add it`));
  const notDiv2k = folder({ 'pictures/a.png': png(40, 40) });
  await refused({ format: 'div2k', from: notDiv2k, scale: 4 }, /no DIV2K layout found \(folders here: pictures\); expected DIV2K_train_HR\/ and DIV2K_train_LR_bicubic\/X4\//);
});

test('[DATA] sr-benchmark: non-PNG, corrupt and too-small files, an empty folder, a bad or missing scale are refused before anything is stored', async () => {
  const jpg = folder({ 'baby.png': png(40, 40), 'bird.jpg': 'JFIF' }, 'Set5');
  await refused({ format: 'sr-benchmark', from: jpg, scale: 4 }, new RegExp(`^${jpg}/bird\\.jpg: not a PNG \\(the SR formats read \\.png images only\\); convert it to PNG`));
  const corrupt = folder({ 'baby.png': png(40, 40), 'head.png': png(40, 40).subarray(0, 60) }, 'Set5');
  await refused({ format: 'sr-benchmark', from: corrupt, scale: 4 }, new RegExp(`^${corrupt}/head\\.png: not a readable PNG \\(.+\\); replace it with an intact 8-bit RGB PNG`));
  const fake = folder({ 'baby.png': 'not a png at all' }, 'Set5');
  await refused({ format: 'sr-benchmark', from: fake, scale: 4 }, new RegExp(`^${fake}/baby\\.png: not a readable PNG`));
  const small = folder({ 'baby.png': png(40, 40), 'tiny.png': png(16, 40) }, 'Set5');
  await refused({ format: 'sr-benchmark', from: small, scale: 4 }, new RegExp(`^${small}/tiny\\.png: 40×16 is too small for ×4: an SR image needs both sides ≥ 19`));
  const empty = folder({}, 'Set5');
  await refused({ format: 'sr-benchmark', from: empty, scale: 4 }, new RegExp(`^${empty}: empty folder; sr-benchmark needs PNG images`));
  const onlyDirs = folder({ 'notes/readme.md': 'x' }, 'bench');
  await refused({ format: 'sr-benchmark', from: onlyDirs, scale: 4 }, new RegExp(`^${onlyDirs}/notes/readme\\.md: not a PNG`));
  const noImages = folder({ 'Set5/HR/.keep': '' }, 'bench');
  await refused({ format: 'sr-benchmark', from: noImages, scale: 4 }, new RegExp(`^${noImages}/Set5/HR: no PNG images; an SR test set needs at least one HR \\.png`));
  await refused({ format: 'sr-benchmark', from: jpg }, /^--scale: sr-benchmark needs the upscaling factor the dataset is for, 2, 3 or 4 \(e\.g\. --scale 4\)/);
  await refused({ format: 'sr-benchmark', from: jpg, scale: 5 }, /^--scale 5: the SR formats take scale 2, 3 or 4/);
  await refused({ format: 'mnist-idx', from: jpg, scale: 4 }, /^--scale is for the SR formats \(div2k, sr-benchmark\), not mnist-idx/);
  const shippedWrong = folder({ 'HR/baby.png': png(40, 40), 'LR_bicubic/X4/babyx4.png': png(12, 12) }, 'Set5');
  await refused({ format: 'sr-benchmark', from: shippedWrong, scale: 4 }, new RegExp(`^${shippedWrong}/LR_bicubic/X4/babyx4\\.png: LR is 12×12 but its HR ${shippedWrong}/HR/baby\\.png is 40×40, so ×4 needs 10×10`));
});

test('[DATA] sr-benchmark: set folders become test sets; HR is modcropped, LR made by MATLAB bicubic unless shipped; one PNG object per image', async () => {
  const dir = folder({
    'Set5/baby.png': png(42, 39, 1),
    'Set5/bird.png': png(20, 24, 2),
    'Set14/HR/zebra.png': png(40, 44, 3),
    'Set14/LR_bicubic/X4/zebrax4.png': png(10, 11, 4),
    'Set14/LR_bicubic/X2/zebrax2.png': png(20, 22, 5), // another scale: ignored
  }, 'benchmark');
  const { store: s, objects } = recordingStore();
  const { db: d, rows } = recordingDb();
  const stored = await importDataset(d, s, { format: 'sr-benchmark', from: dir, scale: 4, name: 'benchmarks' });
  const m = decodeSrManifest(objects.get(stored.sha256)!);
  assert.deepEqual(m.sets.map((x) => [x.name, x.role, x.images.map((i) => `${i.name}:${i.hr.width}×${i.hr.height}/${i.lr.width}×${i.lr.height}:${i.lrSource}`)]), [
    ['Set14', 'test', ['zebra:44×40/11×10:shipped']],
    ['Set5', 'test', ['baby:36×40/9×10:bicubic', 'bird:24×20/6×5:bicubic']],
  ]);
  const baby = m.sets[1]!.images[0]!;
  const hr = modcrop({ height: 42, width: 39, data: pixels(42, 39, 1) }, 4);
  assert.deepEqual(decodePngRgb(objects.get(baby.hr.sha256)!, 'hr').rgb, hr.data);
  assert.deepEqual(decodePngRgb(objects.get(baby.lr.sha256)!, 'lr').rgb, bicubicLr(hr, 4).data);
  assert.deepEqual(decodePngRgb(objects.get(m.sets[0]!.images[0]!.lr.sha256)!, 'lr').rgb, pixels(10, 11, 4));
  assert.equal(objects.size, 7); // 3 HR + 3 LR + the manifest
  assert.deepEqual([stored.name, stored.trainCount, stored.testCount], ['benchmarks', 0, 3]);
  assert.deepEqual((rows[0] as { format: string; classes: number }).format, 'sr-benchmark');
});

test('[DATA] div2k: train and valid splits with their shipped ×4 LR; a single-set folder is named after itself', async () => {
  const dir = folder(div2k({ 'DIV2K_valid_HR/0801.png': png(44, 48, 5), 'DIV2K_valid_LR_bicubic/X4/0801x4.png': png(11, 12, 6), 'DIV2K_train_LR_bicubic/X2/0001x2.png': png(24, 20) }));
  const { store: s, objects } = recordingStore();
  const stored = await importDataset(recordingDb().db, s, { format: 'div2k', from: dir, scale: 4 });
  const m = decodeSrManifest(objects.get(stored.sha256)!);
  assert.deepEqual(m.sets.map((x) => [x.name, x.role, x.images.map((i) => i.name)]), [['train', 'train', ['0001', '0002']], ['valid', 'test', ['0801']]]);
  assert.ok(m.sets.every((x) => x.images.every((i) => i.lrSource === 'shipped')));
  assert.deepEqual([stored.name, stored.trainCount, stored.testCount], ['div2k', 2, 1]);
  const set5 = folder({ 'a.png': png(24, 24) }, 'Set5');
  const r = recordingStore();
  const one = await importDataset(recordingDb().db, r.store, { format: 'sr-benchmark', from: set5, scale: 3 });
  assert.equal(one.name, 'Set5');
  assert.deepEqual(decodeSrManifest(r.objects.get(one.sha256)!).sets.map((x) => x.name), ['Set5']);
});
