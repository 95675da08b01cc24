import assert from 'node:assert/strict';
import { test } from 'node:test';
import { psnr, rgbToY, ssim, type RgbImage } from './metrics';
import { H, REFERENCE, referenceImages, W } from './testing';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

test('[METRICS]: the test images are the reference script\'s images', () => {
  const { hr, sr } = referenceImages();
  assert.equal(sum(hr.data), REFERENCE.sums.hr);
  assert.equal(sum(sr.data), REFERENCE.sums.sr);
});

test('[METRICS]: BT.601 Y, unrounded, matches numpy to float64 rounding', () => {
  const { hr, sr } = referenceImages();
  assert.ok(Math.abs(rgbToY(hr).data[0]! - REFERENCE.yHr00) < 1e-12);
  assert.ok(Math.abs(rgbToY(sr).data[3 * W + 5]! - REFERENCE.ySr35) < 1e-12);
  // Black and white land on the studio range 16 and 235.
  const bw: RgbImage = { height: 1, width: 2, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
  assert.deepEqual(Array.from(rgbToY(bw).data).map((v) => +v.toFixed(9)), [16, 235]);
});

test('[METRICS]: PSNR and SSIM agree with scikit-image at ×2, ×3, ×4 shaving', () => {
  const { hr, sr } = referenceImages();
  for (const r of REFERENCE.byScale) {
    // Sums in another order than numpy's pairwise sum: equal to ~1e-12, far below the 0.01 dB / 1e-4 printed in papers.
    assert.ok(Math.abs(psnr(sr, hr, r.scale) - r.psnr) < 1e-9, `PSNR ×${r.scale}: ${psnr(sr, hr, r.scale)} vs ${r.psnr}`);
    assert.ok(Math.abs(ssim(sr, hr, r.scale) - r.ssim) < 1e-9, `SSIM ×${r.scale}: ${ssim(sr, hr, r.scale)} vs ${r.ssim}`);
  }
});

test('[METRICS]: float input, identical images, and the shaved border is ignored', () => {
  const { hr, sr } = referenceImages();
  const asFloat: RgbImage = { ...sr, data: Float32Array.from(sr.data) };
  assert.equal(psnr(asFloat, hr, 4), psnr(sr, hr, 4));
  assert.equal(psnr(hr, hr, 2), Infinity);
  assert.ok(Math.abs(ssim(hr, hr, 2) - 1) < 1e-12);
  // Damage only the outer 4 pixels: ×4 metrics cannot see it.
  const damaged = Uint8Array.from(hr.data);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (y < 4 || x < 4 || y >= H - 4 || x >= W - 4) damaged.fill(0, (y * W + x) * 3, (y * W + x) * 3 + 3);
  assert.equal(psnr({ ...hr, data: damaged }, hr, 4), Infinity);
  assert.ok(psnr({ ...hr, data: damaged }, hr, 3) < 30);
});

test('[METRICS]: bad inputs are rejected with the reason', () => {
  const { hr } = referenceImages();
  assert.throws(() => psnr({ height: H, width: W - 1, data: hr.data }, hr, 2), /sr must hold height·width·3/);
  assert.throws(() => psnr({ height: H - 2, width: W, data: hr.data.subarray(0, (H - 2) * W * 3) }, hr, 2), /same size/);
  assert.throws(() => psnr(hr, hr, 24), /leaves nothing/);
  assert.throws(() => ssim({ height: 12, width: 12, data: new Uint8Array(432) }, { height: 12, width: 12, data: new Uint8Array(432) }, 2), /SSIM needs at least 11×11/);
});
