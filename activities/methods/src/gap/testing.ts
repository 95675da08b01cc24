/** Tiny deterministic fixtures for the GaP tests (not part of the public API). */
import type { ImageDataset } from '../data/dataset';
import { mulberry32 } from '../util/random';
import type { SparseRunConfig } from './config';

/** 8×8×1 images of 3 classes: a class-specific bright quadrant plus noise. */
export function tinyDataset(train = 48, test = 24, seed = 7): ImageDataset {
  const rand = mulberry32(seed);
  const make = (count: number) => {
    const images = new Uint8Array(count * 64);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = i % 3;
      labels[i] = c;
      for (let p = 0; p < 64; p++) {
        const [y, x] = [p >> 3, p & 7];
        const hot = c === 0 ? y < 4 : c === 1 ? x < 4 : y >= 4 && x >= 4;
        images[i * 64 + p] = Math.min(255, Math.floor((hot ? 150 : 40) + rand() * 100));
      }
    }
    return { images, labels };
  };
  return { name: 'tiny', shape: [8, 8, 1], classes: 3, train: make(train), test: make(test), source: 'synthetic' };
}

export function tinyConfig(over: Partial<SparseRunConfig> = {}): SparseRunConfig {
  return {
    model: { kind: 'proxy-cnn', inputShape: [8, 8, 1], classes: 3 },
    seed: 11,
    sparsity: 0.8,
    distribution: 'uniform',
    batchSize: 16,
    learningRate: 0.05,
    momentum: 0.9,
    ...over,
  };
}
