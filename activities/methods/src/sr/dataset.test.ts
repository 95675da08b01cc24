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
