import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bicubicLr, decodeSrManifest, encodeSrManifest, modcrop, pairSrFiles, prepareSrPair, srMinSide, type SrManifest } from './dataset';
import { bicubicDownsample } from './resize';

const rgb = (height: number, width: number) => ({ height, width, data: Uint8Array.from({ length: height * width * 3 }, (_, i) => (i * 13) % 256) });

test('pairSrFiles pairs 0001.png with 0001x4.png and names a missing partner on either side', () => {
  assert.deepEqual(pairSrFiles(['0002.png', '0001.png'], ['0001x4.png', '0002x4.png'], 4, 'HR', 'LR'), [
    { name: '0001', hrFile: '0001.png', lrFile: '0001x4.png' },
    { name: '0002', hrFile: '0002.png', lrFile: '0002x4.png' },
  ]);
  assert.throws(() => pairSrFiles(['0001.png', '0002.png'], ['0001x4.png'], 4, 'HR', 'LR'), /^Error: HR\/0002\.png: HR image without its LR partner LR\/0002x4\.png/);
  assert.throws(() => pairSrFiles(['0001.png'], ['0001x4.png', '0009x4.png'], 4, 'HR', 'LR'), /^Error: LR\/0009x4\.png: LR image without an HR partner \(expected HR\/0009\.png\)/);
  assert.throws(() => pairSrFiles(['0001.png'], ['0001x2.png'], 4, 'HR', 'LR'), /^Error: LR\/0001x2\.png: an LR file at ×4 is named <HR name>x4\.png/);
});

test('prepareSrPair modcrops the HR, makes the bicubic LR when none is shipped, and refuses a wrong-size LR or a too-small image', () => {
  const hr = rgb(30, 27);
  const p = prepareSrPair('a', hr, undefined, 4, 'a.png');
  assert.deepEqual([p.hr.height, p.hr.width, p.lr.height, p.lr.width, p.lrSource], [28, 24, 7, 6, 'bicubic']);
  assert.deepEqual(p.hr, modcrop(hr, 4));
  const direct = bicubicDownsample({ height: 28, width: 24, channels: 3, data: p.hr.data }, 4).data;
  assert.deepEqual(Array.from(p.lr.data), Array.from(direct, (v) => Math.min(255, Math.max(0, Math.round(v)))));
  assert.deepEqual(bicubicLr(p.hr, 4), p.lr);
  const shipped = prepareSrPair('a', hr, rgb(7, 6), 4, 'a.png', 'ax4.png');
  assert.equal(shipped.lrSource, 'shipped');
  assert.throws(() => prepareSrPair('a', hr, rgb(8, 6), 4, 'HR/a.png', 'LR/ax4.png'), /^Error: LR\/ax4\.png: LR is 6×8 but its HR HR\/a\.png is 27×30, so ×4 needs 6×7; check that the LR folder is X4/);
  assert.equal(srMinSide(4), 19);
  assert.throws(() => prepareSrPair('t', rgb(18, 40), undefined, 4, 'tiny.png'), /^Error: tiny\.png: 40×18 is too small for ×4: an SR image needs both sides ≥ 19/);
  assert.doesNotThrow(() => prepareSrPair('t', rgb(19, 19), undefined, 4, 'ok.png'));
});

test('the RLSR1 manifest round-trips and refuses another magic, version or an LR that is not HR / scale', () => {
  const ref = (h: number, w: number) => ({ sha256: `sha256:${'a'.repeat(64)}`, height: h, width: w });
  const m: SrManifest = { format: 'reprolab-sr', version: 1, name: 'set5', scale: 4, sets: [{ name: 'Set5', role: 'test', images: [{ name: 'baby', hr: ref(512, 508), lr: ref(128, 127), lrSource: 'bicubic' }] }] };
  const bytes = encodeSrManifest(m);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), 'RLSR1\n');
  assert.deepEqual(decodeSrManifest(bytes), m);
  assert.throws(() => decodeSrManifest(new TextEncoder().encode('RLDS1\n{}\n')), /not a reprolab SR dataset \(missing RLSR1 header\)/);
  assert.throws(() => encodeSrManifest({ ...m, version: 2 as 1 }), /version 2 unsupported/);
  assert.throws(() => encodeSrManifest({ ...m, sets: [{ ...m.sets[0]!, images: [{ ...m.sets[0]!.images[0]!, lr: ref(128, 128) }] }] }), /Set5\/baby HR 508×512 is not ×4 its LR 128×128/);
});

test('srPairBatch draws aligned LR/HR patches from whole images of different sizes, from (seed, step) only; checkPatchFits names a too-small image', async () => {
  const { srPairBatch, checkPatchFits } = await import('./dataset');
  // HR = nearest-neighbour ×2 of the LR, so an aligned HR patch is the LR patch upsampled.
  const pair = (name: string, h: number, w: number) => {
    const lr = rgb(h, w);
    const hr = new Uint8Array(4 * h * w * 3);
    for (let y = 0; y < 2 * h; y++) for (let x = 0; x < 2 * w; x++) for (let c = 0; c < 3; c++) hr[(y * 2 * w + x) * 3 + c] = lr.data[((y >> 1) * w + (x >> 1)) * 3 + c]!;
    return { name, lr, hr: { height: 2 * h, width: 2 * w, data: hr }, lrSource: 'bicubic' as const };
  };
  const pairs = [pair('a', 9, 13), pair('b', 17, 6)];
  const a = srPairBatch(pairs, 2, 5, 4, 11, 3);
  assert.deepEqual([a.lr.shape, a.hr.shape], [[4, 5, 5, 3], [4, 10, 10, 3]]);
  const lr = a.lr.arraySync();
  const hr = a.hr.arraySync();
  for (let b = 0; b < 4; b++) for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) assert.deepEqual(hr[b]![y]![x], lr[b]![y >> 1]![x >> 1]);
  assert.deepEqual(srPairBatch(pairs, 2, 5, 4, 11, 3).lr.arraySync(), lr);
  assert.notDeepEqual(srPairBatch(pairs, 2, 5, 4, 11, 4).lr.arraySync(), lr);
  assert.throws(() => checkPatchFits(pairs, 7, 2, 'div2k/train'), /^Error: div2k\/train\/b: its 6×17 LR \(HR 12×34\) is smaller than the 7-pixel LR patch \(HR 14\); lower params\.patch or drop the image/);
  assert.doesNotThrow(() => checkPatchFits(pairs, 6, 2, 'div2k/train'));
});
