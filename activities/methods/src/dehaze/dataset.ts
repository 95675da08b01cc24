/**
 * Paired dehazing datasets of whole images (RESIDE ITS / SOTS-indoor, Dense-Haze, NH-HAZE): pairing
 * hazy and clear files by name, the checks an import makes before anything is stored, the
 * challenge split of the NTIRE sets, and the stored manifest ("RLDH1"). Method code: file names and
 * decoded images in, checked pairs out; reading folders, decoding PNGs and storing objects is the
 * caller's job (activities/src/datasets/dehaze-import.ts), as for SR (../sr/dataset.ts).
 *
 * Stored representation, as RLSR1: every hazy and every clear image is its own content-addressed
 * 8-bit RGB PNG object (a clear image shared by several hazy ones, as in RESIDE, is one object),
 * and the dataset artifact is a manifest naming them:
 *
 *   RLDH1\n{"format":"reprolab-dehaze","version":1,"name":…,"sets":[
 *     {"name":"train","role":"train","pairs":[
 *       {"name":"1_1_0.90179","hazy":{"sha256":"sha256:…","height":460,"width":620},
 *        "clear":{"sha256":"sha256:…","height":460,"width":620},"hazyVariant":"1_0.90179"}, …]}, …]}\n
 *
 * A hazy image and its clear image always have the same size (checked on encode and decode).
 *
 * Naming rules (PNG only: the repository has no JPEG decoder, and all four sets ship PNG):
 *  - RESIDE (ITS, SOTS-indoor): hazy `<id>_<variant>.png` ↔ clear `<id>.png`, where `<id>` is the
 *    part before the first `_` (ITS: `1_3_0.85.png` → `1.png`, variant `3_0.85`; SOTS: `1400_7.png`
 *    → `1400.png`, variant `7`). Several hazy images share one clear image.
 *  - NTIRE (Dense-Haze, NH-HAZE): `<stem>_hazy.png` ↔ `<stem>_GT.png` ("hazy"/"GT" in any case), e.g.
 *    `01_hazy.png` ↔ `01_GT.png` (both sets as distributed), or O-HAZE-style `01_outdoor_hazy.png` ↔
 *    `01_outdoor_GT.png`. One hazy image per clear image.
 * Refused, naming the file: a hazy image without its clear image, a clear image no hazy image uses
 * (refused, not warned: it means the two folders do not belong together, or files are missing), a
 * file named by neither rule, and a hazy/clear pair whose sizes differ. The one size difference
 * accepted is RESIDE's: its NYU-derived clear images can carry a white border, so a clear image
 * larger than its hazy image by an even margin of at most RESIDE_CLEAR_MARGIN pixels a side is
 * centre-cropped to the hazy size, as the reference loaders do (FFA-Net / AECR-Net
 * `CenterCrop(haze.size)(clear)`); every other mismatch is refused.
 */
import type { RgbU8, SrImageRef } from '../sr/dataset';

export type { RgbU8 } from '../sr/dataset';

export const DEHAZE_DATASET_MAGIC = 'RLDH1\n';

/** The border, in pixels a side, by which a RESIDE clear image may exceed its hazy image. */
export const RESIDE_CLEAR_MARGIN = 10;

export type DehazeImageRef = SrImageRef;
export type DehazeRole = 'train' | 'test';

export interface DehazeManifestPair {
  name: string;
  hazy: DehazeImageRef;
  clear: DehazeImageRef;
  /** RESIDE: what follows `<id>_` in the hazy file name (ITS `<k>_<beta>`, SOTS `<k>`). */
  hazyVariant?: string;
}

export interface DehazeManifestSet {
  name: string;
  role: DehazeRole;
  pairs: DehazeManifestPair[];
}

export interface DehazeManifest {
  format: 'reprolab-dehaze';
  version: 1;
  name: string;
  sets: DehazeManifestSet[];
}

/** Which hazy file goes with which clear file (names relative to their folders). */
export interface DehazePairFiles {
  name: string;
  hazyFile: string;
  clearFile: string;
  hazyVariant?: string;
}

/** A checked pair of decoded images, same size. */
export interface DehazeRgbPair {
  name: string;
  hazy: RgbU8;
  clear: RgbU8;
  hazyVariant?: string;
}

const stemOf = (file: string) => file.replace(/\.png$/i, '');
const isPngName = (file: string) => /\.png$/i.test(file);

/** Natural order ("2" before "10"), byte order otherwise: deterministic, locale-free. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

const andMore = (n: number) => (n > 1 ? ` (and ${n - 1} more)` : '');

function refuseNonPng(files: string[], dir: string): void {
  const other = files.filter((f) => !isPngName(f));
  if (other.length) throw new Error(`${dir}/${other[0]}: not a PNG${andMore(other.length)} (the dehazing formats read .png images only: there is no JPEG decoder here, and RESIDE ITS, SOTS-indoor, Dense-Haze and NH-HAZE ship PNG); convert it to PNG or move it out of ${dir}`);
}

function refuseUnusedClear(clear: string[], used: Set<string>, clearDir: string, hazyDir: string, expected: (f: string) => string): void {
  const unused = clear.filter((f) => !used.has(f));
  if (unused.length) {
    throw new Error(`${clearDir}/${unused[0]}: clear image used by no hazy image${andMore(unused.length)} (expected ${hazyDir}/${expected(unused[0]!)}); add its hazy image(s) or remove it — a clear image without hazy partners means the folders do not belong together or files are missing`);
  }
}

/**
 * RESIDE (ITS, SOTS-indoor) pairing: hazy `<id>_<variant>.png` ↔ clear `<id>.png`. Every hazy file
 * must have its clear file and every clear file at least one hazy file; `hazyDir` / `clearDir` name
 * the folders in errors. Pairs sorted by hazy name (natural order), so a clear image's hazy images
 * are adjacent.
 */
export function pairResideFiles(hazy: string[], clear: string[], hazyDir: string, clearDir: string): DehazePairFiles[] {
  refuseNonPng(hazy, hazyDir);
  refuseNonPng(clear, clearDir);
  const clearById = new Map(clear.map((f) => [stemOf(f), f]));
  const used = new Set<string>();
  const pairs = hazy.map((hazyFile): DehazePairFiles => {
    const stem = stemOf(hazyFile);
    const cut = stem.indexOf('_');
    if (cut <= 0 || cut === stem.length - 1) throw new Error(`${hazyDir}/${hazyFile}: a RESIDE hazy image is named <id>_<k>[_<beta>].png (e.g. 1_1_0.90179.png for clear 1.png); rename it, or move it out of ${hazyDir}`);
    const id = stem.slice(0, cut);
    const clearFile = clearById.get(id);
    if (!clearFile) throw new Error(`${hazyDir}/${hazyFile}: hazy image without its clear image ${clearDir}/${id}.png; add it, or remove the hazy image`);
    used.add(clearFile);
    return { name: stem, hazyFile, clearFile, hazyVariant: stem.slice(cut + 1) };
  });
  refuseUnusedClear(clear, used, clearDir, hazyDir, (f) => `${stemOf(f)}_<k>….png`);
  return pairs.sort((a, b) => naturalCompare(a.name, b.name));
}

const NTIRE_HAZY = /^(.+)_hazy\.png$/i;
const NTIRE_CLEAR = /^(.+)_gt\.png$/i;

/**
 * The files of one NTIRE folder split into hazy (`*_hazy.png`) and clear (`*_GT.png`) ones, for the
 * flat layout (both in one folder); anything else there is refused by name.
 */
export function splitNtireFiles(files: string[], dir: string): { hazy: string[]; clear: string[] } {
  refuseNonPng(files, dir);
  const odd = files.find((f) => !NTIRE_HAZY.test(f) && !NTIRE_CLEAR.test(f));
  if (odd) throw new Error(`${dir}/${odd}: neither <nn>_hazy.png nor <nn>_GT.png (as Dense-Haze and NH-HAZE name their pairs, e.g. 01_hazy.png and 01_GT.png); rename it, or move it out of ${dir}`);
  return { hazy: files.filter((f) => NTIRE_HAZY.test(f)), clear: files.filter((f) => NTIRE_CLEAR.test(f)) };
}

/**
 * NTIRE (Dense-Haze, NH-HAZE) pairing: `<stem>_hazy.png` ↔ `<stem>_GT.png`, one to one. `hazyDir`
 * and `clearDir` may be the same folder. Pairs named by `<stem>`, sorted in natural order.
 */
export function pairNtireFiles(hazy: string[], clear: string[], hazyDir: string, clearDir: string): DehazePairFiles[] {
  refuseNonPng(hazy, hazyDir);
  refuseNonPng(clear, clearDir);
  const clearByStem = new Map<string, string>();
  for (const f of clear) {
    const m = NTIRE_CLEAR.exec(f);
    if (!m) throw new Error(`${clearDir}/${f}: an NTIRE clear image is named <nn>_GT.png (e.g. 01_GT.png); rename it, or move it out of ${clearDir}`);
    clearByStem.set(m[1]!, f);
  }
  const used = new Set<string>();
  const pairs = hazy.map((hazyFile): DehazePairFiles => {
    const m = NTIRE_HAZY.exec(hazyFile);
    if (!m) throw new Error(`${hazyDir}/${hazyFile}: an NTIRE hazy image is named <nn>_hazy.png (e.g. 01_hazy.png); rename it, or move it out of ${hazyDir}`);
    const clearFile = clearByStem.get(m[1]!);
    if (!clearFile) throw new Error(`${hazyDir}/${hazyFile}: hazy image without its clear image ${clearDir}/${m[1]}_GT.png; add it, or remove the hazy image`);
    used.add(clearFile);
    return { name: m[1]!, hazyFile, clearFile };
  });
  refuseUnusedClear(clear, used, clearDir, hazyDir, (f) => `${NTIRE_CLEAR.exec(f)![1]}_hazy.png`);
  return pairs.sort((a, b) => naturalCompare(a.name, b.name));
}

/**
 * The NTIRE challenge split both Dense-Haze (NTIRE 2019) and NH-HAZE (NTIRE 2020) were released
 * with: 55 numbered pairs, 01–45 training, 46–50 validation, 51–55 test. Numbers are read from the
 * start of the pair name ("01", "01_outdoor"); a name without one, or a number outside 1–55, is
 * refused (put pairs in train/ and test/ folders to choose the split yourself).
 */
export const NTIRE_SPLIT = { train: [1, 45], valid: [46, 50], test: [51, 55] } as const;

export function ntireSplitOf(pairName: string, label: string): 'train' | 'valid' | 'test' {
  const m = /^(\d+)/.exec(pairName);
  const n = m ? Number(m[1]) : NaN;
  for (const split of ['train', 'valid', 'test'] as const) if (n >= NTIRE_SPLIT[split][0] && n <= NTIRE_SPLIT[split][1]) return split;
  throw new Error(
    `${label}: ${m ? `pair number ${n} is outside` : 'no pair number at the start of the name, so it has no place in'} the NTIRE challenge numbering 01–55 (01–45 train, 46–50 validation, 51–55 test); ` +
      'number it so, or lay the pairs out in train/ and test/ (and valid/) folders to choose the split yourself',
  );
}

/**
 * Checks one decoded pair and returns the stored one. Sizes must match; with `resideBorder`, a
 * clear image larger by an even margin of ≤ RESIDE_CLEAR_MARGIN pixels a side is centre-cropped to
 * the hazy size (`clearCropped` true). `hazyLabel` / `clearLabel` name the files in errors.
 */
export function checkDehazePair(name: string, hazy: RgbU8, clear: RgbU8, hazyLabel: string, clearLabel: string, opts: { resideBorder?: boolean; hazyVariant?: string } = {}): DehazeRgbPair & { clearCropped: boolean } {
  const variant = opts.hazyVariant === undefined ? {} : { hazyVariant: opts.hazyVariant };
  if (hazy.height === clear.height && hazy.width === clear.width) return { name, hazy, clear, ...variant, clearCropped: false };
  const dh = clear.height - hazy.height;
  const dw = clear.width - hazy.width;
  const border = (d: number) => d >= 0 && d % 2 === 0 && d / 2 <= RESIDE_CLEAR_MARGIN;
  if (opts.resideBorder && border(dh) && border(dw)) {
    const top = dh / 2;
    const left = dw / 2;
    const cropped = new Uint8Array(hazy.height * hazy.width * 3);
    for (let y = 0; y < hazy.height; y++) {
      const from = ((y + top) * clear.width + left) * 3;
      cropped.set(clear.data.subarray(from, from + hazy.width * 3), y * hazy.width * 3);
    }
    return { name, hazy, clear: { height: hazy.height, width: hazy.width, data: cropped }, ...variant, clearCropped: true };
  }
  throw new Error(
    `${hazyLabel}: hazy image is ${hazy.width}×${hazy.height} but its clear image ${clearLabel} is ${clear.width}×${clear.height}; mismatched hazy/clear pairs are refused` +
      `${opts.resideBorder ? ` (the one difference accepted is RESIDE's white border: a clear image up to ${2 * RESIDE_CLEAR_MARGIN} pixels larger, evenly on both sides, is centre-cropped)` : ''}; check that the two belong together`,
  );
}

export function encodeDehazeManifest(m: DehazeManifest): Uint8Array {
  checkDehazeManifest(m);
  return new TextEncoder().encode(DEHAZE_DATASET_MAGIC + JSON.stringify(m) + '\n');
}

export function isDehazeManifest(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, DEHAZE_DATASET_MAGIC.length)) === DEHAZE_DATASET_MAGIC;
}

export function decodeDehazeManifest(bytes: Uint8Array): DehazeManifest {
  if (!isDehazeManifest(bytes)) throw new Error('not a reprolab dehazing dataset (missing RLDH1 header); import one with `reprolab data import --format reside-its|reside-sots|dense-haze|nh-haze`');
  const nl = bytes.indexOf(10, DEHAZE_DATASET_MAGIC.length);
  if (nl < 0) throw new Error('corrupt dehazing dataset manifest: unterminated header');
  let m: DehazeManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes.subarray(DEHAZE_DATASET_MAGIC.length, nl))) as DehazeManifest;
  } catch (e) {
    throw new Error(`corrupt dehazing dataset manifest: ${(e as Error).message}`);
  }
  checkDehazeManifest(m);
  return m;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSide = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/** Refuses a manifest that is not reprolab-dehaze version 1 or is inconsistent, naming the fault. */
export function checkDehazeManifest(m: DehazeManifest): void {
  if (!isObj(m) || m.format !== 'reprolab-dehaze' || m.version !== 1) {
    const o: Record<string, unknown> = isObj(m) ? m : {};
    throw new Error(`dehazing dataset manifest format ${JSON.stringify(o.format)} version ${JSON.stringify(o.version)} unsupported; this reprolab reads reprolab-dehaze version 1`);
  }
  if (typeof m.name !== 'string' || !m.name) throw new Error('dehazing dataset manifest: missing name');
  if (!Array.isArray(m.sets) || !m.sets.length) throw new Error(`dehazing dataset ${m.name}: no sets`);
  const setNames = new Set<string>();
  for (const set of m.sets) {
    if (!isObj(set) || typeof set.name !== 'string' || !set.name) throw new Error(`dehazing dataset ${m.name}: a set without a name`);
    if (setNames.has(set.name)) throw new Error(`dehazing dataset ${m.name}: two sets named ${set.name}`);
    setNames.add(set.name);
    if (set.role !== 'train' && set.role !== 'test') throw new Error(`dehazing dataset ${m.name}: set ${set.name} has role ${JSON.stringify(set.role)}; a role is "train" or "test"`);
    if (!Array.isArray(set.pairs) || !set.pairs.length) throw new Error(`dehazing dataset ${m.name}: set ${set.name} has no pairs`);
    const names = new Set<string>();
    for (const p of set.pairs) {
      const where = `dehazing dataset ${m.name}: ${set.name}/${isObj(p) ? String(p.name) : '?'}`;
      if (!isObj(p) || typeof p.name !== 'string' || !p.name) throw new Error(`${where}: a pair without a name`);
      if (names.has(p.name)) throw new Error(`${where}: two pairs of that name in the set`);
      names.add(p.name);
      for (const side of ['hazy', 'clear'] as const) {
        const r = p[side] as unknown;
        if (!isObj(r) || typeof r.sha256 !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(r.sha256) || !isSide(r.height) || !isSide(r.width)) {
          throw new Error(`${where}: ${side} image reference must be {sha256: "sha256:<64 hex>", height, width} with positive integer sides`);
        }
      }
      if (p.hazy.height !== p.clear.height || p.hazy.width !== p.clear.width) throw new Error(`${where}: hazy ${p.hazy.width}×${p.hazy.height} and clear ${p.clear.width}×${p.clear.height} differ in size`);
      if (p.hazyVariant !== undefined && typeof p.hazyVariant !== 'string') throw new Error(`${where}: hazyVariant must be a string`);
    }
  }
}

/** Pair counts by role, as `data list` shows them. */
export function dehazeManifestCounts(m: DehazeManifest): { train: number; test: number } {
  const n = (role: DehazeRole) => m.sets.filter((s) => s.role === role).reduce((k, s) => k + s.pairs.length, 0);
  return { train: n('train'), test: n('test') };
}
