import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBuiltinDataset } from './builtin';

test('fashion-mnist: the official 60,000 / 10,000 split, 10 balanced classes of 28×28 grey images', async () => {
  const d = await loadBuiltinDataset('fashion-mnist');
  assert.deepEqual(d.shape, [28, 28, 1]);
  assert.equal(d.classes, 10);
  assert.equal(d.train.images.length, 60000 * 784);
  const counts = new Array(10).fill(0);
  for (const l of d.train.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(6000), 'Fashion-MNIST has 6,000 training images per class');
  assert.match(d.source, /dataset-fashion-mnist/);
});

test('fashion-mnist: a missing package names the fix', async () => {
  const prev = process.env.REPROLAB_FASHION_MNIST_DIR;
  process.env.REPROLAB_FASHION_MNIST_DIR = mkdtempSync(join(tmpdir(), 'no-fashion-'));
  try {
    await assert.rejects(loadBuiltinDataset('fashion-mnist'), /apt-get install dataset-fashion-mnist.*REPROLAB_FASHION_MNIST_DIR.*data import/s);
  } finally {
    if (prev === undefined) delete process.env.REPROLAB_FASHION_MNIST_DIR;
    else process.env.REPROLAB_FASHION_MNIST_DIR = prev;
  }
});

test('an unknown built-in lists the known ones', async () => {
  await assert.rejects(loadBuiltinDataset('cifar-10'), /known: mnist-10k, fashion-mnist, photos-skimage/);
});

test('photos-skimage: 84 train / 37 test 96×96 RGB tiles cut from the real photographs', async () => {
  const d = await loadBuiltinDataset('photos-skimage');
  assert.deepEqual(d.shape, [96, 96, 3]);
  assert.equal(d.classes, 1);
  const px = 96 * 96 * 3;
  // astronaut 512² → 5×5, coffee 600×400 → 6×4, motorcycle_left 741×500 → 7×5; chelsea 451×300 → 4×3, camera 512² → 5×5.
  assert.equal(d.train.labels.length, 25 + 24 + 35);
  assert.equal(d.test.labels.length, 12 + 25);
  assert.equal(d.train.images.length, 84 * px);
  assert.ok(d.train.labels.every((l) => l === 0));
  // Values read from the PNGs with PIL: astronaut (0,0) and (95,95) of tile 0.
  assert.deepEqual([...d.train.images.subarray(0, 3)], [154, 147, 151]);
  assert.deepEqual([...d.train.images.subarray((95 * 96 + 95) * 3, (95 * 96 + 95) * 3 + 3)], [179, 172, 165]);
  // chelsea's second tile (x 96…191 of row 0): its top-left and bottom-right pixels.
  const t1 = d.test.images.subarray(px, 2 * px);
  assert.deepEqual([...t1.subarray(0, 3)], [176, 138, 125]);
  assert.deepEqual([...t1.subarray((95 * 96 + 95) * 3, (95 * 96 + 95) * 3 + 3)], [48, 32, 9]);
  // camera (greyscale, replicated): test tile 12 + 5·1 + 2 = row 1, column 2; its top-left pixel is 53.
  const cam = d.test.images.subarray((12 + 7) * px, (12 + 8) * px);
  assert.deepEqual([...cam.subarray(0, 3)], [53, 53, 53]);
});

test('photos-skimage: missing photographs name the install command', async () => {
  const prev = process.env.REPROLAB_CACHE_DIR;
  process.env.REPROLAB_CACHE_DIR = mkdtempSync(join(tmpdir(), 'no-photos-'));
  try {
    await assert.rejects(loadBuiltinDataset('photos-skimage'), /infra\/data\/install-photos\.sh/);
  } finally {
    if (prev === undefined) delete process.env.REPROLAB_CACHE_DIR;
    else process.env.REPROLAB_CACHE_DIR = prev;
  }
});
