import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdsrArch } from './arch';
import { cropSquare, cropTileIndices, pickCropWindow, srCrops } from './crops';
import { psnr } from './metrics';
import { buildSrModel, makeSrTiles, srNetworks } from './train';

/** A flat grey tile with a checkerboard block of `block` pixels at (by, bx). */
function tileWithTexture(tile: number, by: number, bx: number, block: number): Uint8Array {
  const t = new Uint8Array(tile * tile * 3).fill(100);
  for (let y = by; y < by + block; y++) for (let x = bx; x < bx + block; x++) for (let c = 0; c < 3; c++) t[(y * tile + x) * 3 + c] = (x + y) % 2 ? 230 : 20;
  return t;
}

test('pickCropWindow: the window over the textured block, on the LR grid and clear of the shaved border; ties go to the first', () => {
  assert.deepEqual(pickCropWindow(tileWithTexture(32, 14, 18, 8), 32, 8, 2), { y: 14, x: 18 });
  // A 9-pixel block off the LR grid: the grid-aligned window that holds 8×8 of it.
  assert.deepEqual(pickCropWindow(tileWithTexture(32, 15, 9, 9), 32, 8, 2), { y: 16, x: 10 });
  // Near the border the window stops `scale` pixels short of it.
  assert.deepEqual(pickCropWindow(tileWithTexture(32, 0, 24, 8), 32, 8, 2), { y: 2, x: 22 });
  // Flat: every window ties, the first (top-left, clear of the border) wins.
  assert.deepEqual(pickCropWindow(new Uint8Array(32 * 32 * 3).fill(7), 32, 8, 4), { y: 4, x: 4 });
  assert.throws(() => pickCropWindow(new Uint8Array(32 * 32 * 3), 32, 30, 2), /does not fit/);
});

test('cropTileIndices: evenly spaced, never more than there are', () => {
  assert.deepEqual(cropTileIndices(37, 3), [0, 12, 24]);
  assert.deepEqual(cropTileIndices(4, 3), [0, 1, 2]);
  assert.deepEqual(cropTileIndices(2, 3), [0, 1]);
});

test('srCrops: the same regions for every arm, HR cut from the tile, sizes and roles per arm, PSNR against the HR crop', () => {
  const tile = 32;
  const scale = 2;
  const hr = new Uint8Array([...tileWithTexture(tile, 6, 10, 12), ...tileWithTexture(tile, 16, 4, 12), ...tileWithTexture(tile, 2, 2, 12)]);
  const tiles = makeSrTiles(hr, tile, scale);
  const arch: EdsrArch = { kind: 'edsr', nResblocks: 1, nFeats: 8, resScale: 1, scale };
  const byMethod = Object.fromEntries(
    (['student-alone', 'split-no-contrastive', 'teacher-alone'] as const).map((method) => {
      const model = buildSrModel(method, arch, 0.5, 1);
      try {
        return [method, srCrops(srNetworks(model, method, arch, 0.5), tiles, { count: 2, size: 12 })];
      } finally {
        model.dispose();
      }
    }),
  );
  const roles = (m: string) => byMethod[m]!.map((c) => c.images.map((i) => i.role).join(','));
  assert.deepEqual(roles('student-alone'), ['hr,bicubic,student', 'hr,bicubic,student']);
  assert.deepEqual(roles('split-no-contrastive'), ['hr,bicubic,student,teacher', 'hr,bicubic,student,teacher']);
  assert.deepEqual(roles('teacher-alone'), ['hr,bicubic,teacher', 'hr,bicubic,teacher']);
  const a = byMethod['student-alone']!;
  assert.deepEqual(
    a.map((c) => [c.tile, c.y, c.x, c.size]),
    [
      [0, 6, 10, 12],
      [1, 16, 4, 12],
    ],
  );
  for (const m of ['split-no-contrastive', 'teacher-alone']) {
    const b = byMethod[m]!;
    assert.deepEqual(
      b.map((c) => [c.tile, c.y, c.x]),
      a.map((c) => [c.tile, c.y, c.x]),
      m,
    );
    // HR and bicubic do not depend on the network.
    for (let k = 0; k < 2; k++) for (const j of [0, 1]) assert.deepEqual(b[k]!.images[j]!.rgb, a[k]!.images[j]!.rgb);
  }
  for (const c of a) {
    const px = tile * tile * 3;
    assert.deepEqual(c.images[0]!.rgb, cropSquare(hr.subarray(c.tile * px, (c.tile + 1) * px), tile, c.y, c.x, c.size));
    for (const img of c.images) assert.equal(img.rgb.length, 12 * 12 * 3);
    assert.equal(c.images[0]!.psnrY, null);
    const bic = c.images[1]!;
    assert.equal(bic.psnrY, psnr({ height: 12, width: 12, data: bic.rgb }, { height: 12, width: 12, data: c.images[0]!.rgb }, 0));
    assert.ok(bic.psnrY! > 5 && bic.psnrY! < 60, `bicubic crop PSNR ${bic.psnrY}`);
  }
});
