import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkDehazePair,
  decodeDehazeManifest,
  dehazeManifestCounts,
  encodeDehazeManifest,
  isDehazeManifest,
  naturalCompare,
  ntireSplitOf,
  pairNtireFiles,
  pairResideFiles,
  splitNtireFiles,
  type DehazeManifest,
} from './dataset';

const sha = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const ref = (n: number, h = 4, w = 6) => ({ sha256: sha(n), height: h, width: w });
const manifest = (): DehazeManifest => ({
  format: 'reprolab-dehaze',
  version: 1,
  name: 'tiny',
  sets: [
    { name: 'train', role: 'train', pairs: [{ name: '1_1_0.8', hazy: ref(1), clear: ref(2), hazyVariant: '1_0.8' }, { name: '1_2_0.9', hazy: ref(3), clear: ref(2), hazyVariant: '2_0.9' }] },
    { name: 'test', role: 'test', pairs: [{ name: '51', hazy: ref(4, 8, 8), clear: ref(5, 8, 8) }] },
  ],
});
const img = (h: number, w: number, f = (i: number) => i % 256) => ({ height: h, width: w, data: Uint8Array.from({ length: h * w * 3 }, (_, i) => f(i)) });

test('[DEHAZE-DATA] RESIDE pairing: several hazy per clear (ITS <id>_<k>_<beta>, SOTS <id>_<k>), natural order, variants kept', () => {
  const its = pairResideFiles(['10_1_0.8.png', '2_1_0.9.png', '2_2_0.7.png'], ['2.png', '10.png'], 'ITS/hazy', 'ITS/clear');
  assert.deepEqual(its, [
    { name: '2_1_0.9', hazyFile: '2_1_0.9.png', clearFile: '2.png', hazyVariant: '1_0.9' },
    { name: '2_2_0.7', hazyFile: '2_2_0.7.png', clearFile: '2.png', hazyVariant: '2_0.7' },
    { name: '10_1_0.8', hazyFile: '10_1_0.8.png', clearFile: '10.png', hazyVariant: '1_0.8' },
  ]);
  const sots = pairResideFiles(['1400_1.png', '1400_10.png', '1400_2.png'], ['1400.png'], 'hazy', 'gt');
  assert.deepEqual(sots.map((p) => [p.name, p.hazyVariant]), [['1400_1', '1'], ['1400_2', '2'], ['1400_10', '10']]);
});

test('[DEHAZE-DATA] RESIDE pairing refuses, naming the file: hazy without clear, unused clear, bad names, non-PNG', () => {
  assert.throws(() => pairResideFiles(['1_1.png', '7_3_0.8.png'], ['1.png'], 'd/hazy', 'd/clear'), /^Error: d\/hazy\/7_3_0\.8\.png: hazy image without its clear image d\/clear\/7\.png/);
  assert.throws(() => pairResideFiles(['1_1.png'], ['1.png', '5.png', '6.png'], 'd/hazy', 'd/clear'), /^Error: d\/clear\/5\.png: clear image used by no hazy image \(and 1 more\) \(expected d\/hazy\/5_<k>….png\)/);
  assert.throws(() => pairResideFiles(['1.png'], ['1.png'], 'd/hazy', 'd/clear'), /^Error: d\/hazy\/1\.png: a RESIDE hazy image is named <id>_<k>\[_<beta>\]\.png/);
  assert.throws(() => pairResideFiles(['1_1.jpg'], ['1.png'], 'd/hazy', 'd/clear'), /^Error: d\/hazy\/1_1\.jpg: not a PNG \(the dehazing formats read \.png images only/);
});

test('[DEHAZE-DATA] NTIRE pairing: <nn>_hazy ↔ <nn>_GT (any case, O-HAZE-style stems too); flat folders split by suffix', () => {
  const flat = splitNtireFiles(['01_GT.png', '01_hazy.png', '02_gt.PNG', '02_Hazy.png'], 'NH-HAZE');
  assert.deepEqual(flat, { hazy: ['01_hazy.png', '02_Hazy.png'], clear: ['01_GT.png', '02_gt.PNG'] });
  assert.deepEqual(pairNtireFiles(flat.hazy, flat.clear, 'NH-HAZE', 'NH-HAZE').map((p) => [p.name, p.hazyFile, p.clearFile]), [['01', '01_hazy.png', '01_GT.png'], ['02', '02_Hazy.png', '02_gt.PNG']]);
  assert.deepEqual(pairNtireFiles(['01_outdoor_hazy.png'], ['01_outdoor_GT.png'], 'h', 'c').map((p) => p.name), ['01_outdoor']);
  assert.throws(() => splitNtireFiles(['01_hazy.png', 'readme.png'], 'NH'), /^Error: NH\/readme\.png: neither <nn>_hazy\.png nor <nn>_GT\.png/);
  assert.throws(() => splitNtireFiles(['01_hazy.png', 'notes.txt'], 'NH'), /^Error: NH\/notes\.txt: not a PNG/);
  assert.throws(() => pairNtireFiles(['01_hazy.png', '02_hazy.png'], ['01_GT.png'], 'h', 'c'), /^Error: h\/02_hazy\.png: hazy image without its clear image c\/02_GT\.png/);
  assert.throws(() => pairNtireFiles(['01_hazy.png'], ['01_GT.png', '03_GT.png'], 'h', 'c'), /^Error: c\/03_GT\.png: clear image used by no hazy image \(expected h\/03_hazy\.png\)/);
  assert.throws(() => pairNtireFiles(['01.png'], ['01_GT.png'], 'h', 'c'), /^Error: h\/01\.png: an NTIRE hazy image is named <nn>_hazy\.png/);
});

test('[DEHAZE-DATA] NTIRE challenge split: 01–45 train, 46–50 valid, 51–55 test; anything else refused', () => {
  assert.deepEqual(['01', '45', '46', '50', '51', '55', '07_outdoor'].map((n) => ntireSplitOf(n, n)), ['train', 'train', 'valid', 'valid', 'test', 'test', 'train']);
  assert.throws(() => ntireSplitOf('56', 'x/56_hazy.png'), /^Error: x\/56_hazy\.png: pair number 56 is outside the NTIRE challenge numbering 01–55/);
  assert.throws(() => ntireSplitOf('beach', 'x/beach_hazy.png'), /no pair number at the start of the name.*train\/ and test\//);
});

test('[DEHAZE-DATA] pair check: same size passes; a mismatch is refused naming both files; RESIDE border centre-cropped', () => {
  const ok = checkDehazePair('a', img(4, 6), img(4, 6), 'h.png', 'c.png');
  assert.equal(ok.clearCropped, false);
  assert.throws(() => checkDehazePair('a', img(4, 6), img(6, 4), 'h.png', 'c.png'), /^Error: h\.png: hazy image is 6×4 but its clear image c\.png is 4×6; mismatched hazy\/clear pairs are refused; check/);
  assert.throws(() => checkDehazePair('a', img(4, 6), img(8, 10), 'h.png', 'c.png'), /mismatched hazy\/clear pairs are refused;/); // not RESIDE: no crop
  // RESIDE: 2-pixel border top/bottom, 1 left/right.
  const clear = img(8, 8, (i) => i % 251);
  const r = checkDehazePair('a', img(4, 6), clear, 'h.png', 'c.png', { resideBorder: true, hazyVariant: '1' });
  assert.equal(r.clearCropped, true);
  assert.equal(r.hazyVariant, '1');
  assert.deepEqual([r.clear.height, r.clear.width], [4, 6]);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < 3; c++) assert.equal(r.clear.data[(y * 6 + x) * 3 + c], clear.data[((y + 2) * 8 + x + 1) * 3 + c]);
  assert.throws(() => checkDehazePair('a', img(4, 6), img(5, 8), 'h.png', 'c.png', { resideBorder: true }), /RESIDE's white border/); // odd margin
  assert.throws(() => checkDehazePair('a', img(4, 6), img(4 + 22, 6), 'h.png', 'c.png', { resideBorder: true }), /mismatched/); // > 10 a side
  assert.throws(() => checkDehazePair('a', img(8, 8), img(4, 6), 'h.png', 'c.png', { resideBorder: true }), /mismatched/); // clear smaller
});

test('[DEHAZE-DATA] manifest: round trip, counts; bad magic, bad JSON, wrong version and inconsistent content refused clearly', () => {
  const m = manifest();
  const bytes = encodeDehazeManifest(m);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), 'RLDH1\n');
  assert.ok(isDehazeManifest(bytes));
  assert.deepEqual(decodeDehazeManifest(bytes), m);
  assert.deepEqual(dehazeManifestCounts(m), { train: 2, test: 1 });
  assert.throws(() => decodeDehazeManifest(new TextEncoder().encode('RLSR1\n{}\n')), /^Error: not a reprolab dehazing dataset \(missing RLDH1 header\)/);
  assert.throws(() => decodeDehazeManifest(new TextEncoder().encode('RLDH1\n{"format":')), /unterminated header/);
  assert.throws(() => decodeDehazeManifest(new TextEncoder().encode('RLDH1\n{"format":\n')), /^Error: corrupt dehazing dataset manifest: /);
  const enc = (x: unknown) => new TextEncoder().encode(`RLDH1\n${JSON.stringify(x)}\n`);
  assert.throws(() => decodeDehazeManifest(enc({ ...m, version: 2 })), /^Error: dehazing dataset manifest format "reprolab-dehaze" version 2 unsupported; this reprolab reads reprolab-dehaze version 1/);
  assert.throws(() => decodeDehazeManifest(enc([1])), /format undefined version undefined unsupported/);
  const sized = manifest();
  sized.sets[1]!.pairs[0]!.clear.width = 9;
  assert.throws(() => encodeDehazeManifest(sized), /^Error: dehazing dataset tiny: test\/51: hazy 8×8 and clear 9×8 differ in size/);
  const empty = manifest();
  empty.sets[0]!.pairs = [];
  assert.throws(() => encodeDehazeManifest(empty), /set train has no pairs/);
  const role = manifest() as unknown as { sets: { role: string }[] };
  role.sets[0]!.role = 'valid';
  assert.throws(() => decodeDehazeManifest(enc(role)), /role "valid"; a role is "train" or "test"/);
  const badSha = manifest();
  badSha.sets[0]!.pairs[0]!.hazy.sha256 = 'abc';
  assert.throws(() => encodeDehazeManifest(badSha), /train\/1_1_0\.8: hazy image reference must be/);
  const dupe = manifest();
  dupe.sets[1]!.name = 'train';
  assert.throws(() => encodeDehazeManifest(dupe), /two sets named train/);
});

test('[DEHAZE-DATA] natural order', () => {
  assert.deepEqual(['10', '9', '1_10', '1_2', 'b', 'a2', 'a10'].sort(naturalCompare), ['1_2', '1_10', '9', '10', 'a2', 'a10', 'b']);
});
