import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePngRgb, encodePngRgb } from './png';
import { decodeSrCropImage, encodeSrCrops, parseSrCrops } from './sr-crops';

test('encodePngRgb → decodePngRgb gives back the pixels; a PNG signature; wrong sizes refused', () => {
  const rgb = new Uint8Array(7 * 5 * 3).map((_, i) => (i * 37) % 256);
  const bytes = encodePngRgb({ width: 7, height: 5, rgb });
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(decodePngRgb(bytes), { width: 7, height: 5, rgb });
  assert.throws(() => encodePngRgb({ width: 7, height: 5, rgb: rgb.subarray(1) }), /needs 105 bytes, got 104/);
});

test('an SR crops artifact keeps every crop, role, PSNR and pixel; anything else is refused', () => {
  const px = (v: number) => new Uint8Array(4 * 4 * 3).fill(v);
  const bytes = encodeSrCrops(
    [{ tile: 3, y: 4, x: 8, size: 4, images: [{ role: 'hr', rgb: px(10), psnrY: null }, { role: 'student', rgb: px(12), psnrY: 36.1 }, { role: 'bicubic', rgb: px(11), psnrY: Infinity }] }],
    { method: 'student-alone', seed: 2, width: 0.25, scale: 4 },
  );
  const doc = parseSrCrops(bytes);
  assert.deepEqual([doc.method, doc.seed, doc.width, doc.scale], ['student-alone', 2, 0.25, 4]);
  assert.deepEqual(doc.crops.map((c) => [c.tile, c.y, c.x, c.size]), [[3, 4, 8, 4]]);
  // An infinite PSNR (identical pixels) has no JSON number: it is stored as null.
  assert.deepEqual(doc.crops[0]!.images.map((i) => [i.role, i.psnrY]), [['hr', null], ['student', 36.1], ['bicubic', null]]);
  assert.deepEqual(doc.crops[0]!.images.map((i) => decodeSrCropImage(i.png).rgb[0]), [10, 12, 11]);
  assert.throws(() => parseSrCrops(new TextEncoder().encode('{"format":"other"}')), /not an SR crops artifact/);
  assert.throws(() => parseSrCrops(new TextEncoder().encode('not json')), /not an SR crops artifact/);
});
