import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDataset, encodeDataset, type ImageDataset } from './dataset';
import { cifar10FromBinary, maxOf, mnistFromIdx, parseIdx } from './importers';

function idx(dims: number[], data: number[]): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head.set([0, 0, 8, dims.length]);
  const v = new DataView(head.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...head, ...data]);
}

const tiny = (): ImageDataset => ({
  name: 't',
  shape: [2, 2, 1],
  classes: 3,
  source: 'test',
  train: { images: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), labels: Uint8Array.from([0, 2]) },
  test: { images: Uint8Array.from([9, 10, 11, 12]), labels: Uint8Array.from([1]) },
});

test('[DATA] the dataset encoding round-trips and rejects corrupt input', () => {
  const bytes = encodeDataset(tiny());
  assert.deepEqual(decodeDataset(bytes), { ...tiny(), source: '' });
  assert.deepEqual(encodeDataset({ ...tiny(), source: 'elsewhere' }), bytes, 'provenance does not change the digest');
  assert.throws(() => decodeDataset(bytes.subarray(0, bytes.length - 1)), /truncated/);
  assert.throws(() => decodeDataset(new TextEncoder().encode('hello')), /not a reprolab dataset/);
  const bad = tiny();
  bad.train.labels[0] = 7;
  assert.throws(() => encodeDataset(bad), /label 7 ≥ classes 3/);
});

test('[DATA] MNIST idx files import; malformed ones are named', () => {
  const d = mnistFromIdx({
    trainImages: idx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]),
    trainLabels: idx([2], [3, 9]),
    testImages: idx([1, 2, 2], [8, 9, 10, 11]),
    testLabels: idx([1], [1]),
  });
  assert.deepEqual(d.shape, [2, 2, 1]);
  assert.equal(d.classes, 10);
  assert.deepEqual([...d.test.images], [8, 9, 10, 11]);
  assert.throws(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), 'x'), /x: not an idx file/);
  // Malformed headers name the file, what was expected and what was found; never a raw RangeError.
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'f/train-images-idx3-ubyte', 3), /^Error: f\/train-images-idx3-ubyte: truncated idx header: 3 dimension\(s\) need 16 header bytes, found 6$/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 'f/x', 1), /f\/x: truncated idx file: expected the 4-byte magic number 00 00 08 01, found 2 byte\(s\) \(00 00\)/);
  assert.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2]), 'f/y', 3), /f\/y: not an idx file \(bad magic\): expected 00 00 08 03, found 1f 8b 08 00/);
  assert.throws(() => parseIdx(idx([4], [1, 2]), 'f/labels', 3), /f\/labels: expected 3 dimension\(s\) \(magic 00 00 08 03\), found 1/);
  assert.throws(() => parseIdx(idx([4], [1, 2]), 'f/labels', 1), /header says 4 = 4 bytes of data but the file has 2 \(truncated\?\)/);
  for (let n = 0; n < 12; n++) {
    const cut = idx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]).subarray(0, n);
    assert.throws(() => parseIdx(cut, 'cut', 3), (e: unknown) => !(e instanceof RangeError) && /^cut: /.test((e as Error).message), `cut at ${n} bytes`);
  }
  assert.throws(() => parseIdx(idx([3], [1, 2]), 'labels'), /header says 3 = 3 bytes of data but the file has 2/);
  assert.throws(
    () => mnistFromIdx({ trainImages: idx([2, 1, 1], [0, 1]), trainLabels: idx([3], [0, 1, 2]), testImages: idx([1, 1, 1], [0]), testLabels: idx([1], [0]) }),
    /train: 2 images but 3 labels/,
  );
});

test('[DATA] CIFAR-10 binary records convert from planar RGB to HWC', () => {
  const rec = new Uint8Array(3073);
  rec[0] = 4;
  for (let p = 0; p < 1024; p++) {
    rec[1 + p] = 10; // R
    rec[1 + 1024 + p] = 20; // G
    rec[1 + 2048 + p] = 30; // B
  }
  const d = cifar10FromBinary([rec, rec], rec);
  assert.equal(d.train.labels.length, 2);
  assert.deepEqual([...d.train.images.subarray(0, 6)], [10, 20, 30, 10, 20, 30]);
  assert.throws(() => cifar10FromBinary([rec.subarray(0, 100)], rec), /not a whole number of 3073-byte CIFAR-10 records/);
  const badLabel = rec.slice();
  badLabel[0] = 12;
  assert.throws(() => cifar10FromBinary([badLabel], rec), /label 12; CIFAR-10 labels are 0..9/);
});

test('[DATA] EMNIST-sized label sets import (no spread into Math.max)', () => {
  const n = 250_000;
  const labels = new Uint8Array(n).map((_, i) => i % 47);
  assert.equal(maxOf(labels), 46);
  assert.equal(maxOf(new Uint8Array(0)), 0);
  const d = mnistFromIdx({ trainImages: withData([n, 1, 1], new Uint8Array(n)), trainLabels: withData([n], labels), testImages: withData([1, 1, 1], Uint8Array.of(0)), testLabels: withData([1], Uint8Array.of(3)) });
  assert.equal(d.classes, 47);
  assert.equal(d.train.labels.length, n);
});

/** idx() without spreading the data (which would itself overflow for large arrays). */
function withData(dims: number[], data: Uint8Array): Uint8Array {
  const head = idx(dims, []);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}
