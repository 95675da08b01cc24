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
  await assert.rejects(loadBuiltinDataset('cifar-10'), /known: mnist-10k, fashion-mnist/);
});
