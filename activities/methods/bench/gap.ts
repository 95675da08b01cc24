/**
 * GaP masking cost: ResNet-20 training steps/s dense vs masked (gradients multiplied by 90 %-sparse
 * masks) on the active backend, and the sparse/dense checkpoint size ratio at 0.9 sparsity; then
 * the same on real Fashion-MNIST at 28×28×1 (the gap-fashion-resnet setting), when Debian's
 * dataset-fashion-mnist is installed (REPROLAB_FASHION_MNIST_DIR overrides where).
 *
 *   npm run bench:gap [-- --json] [--batch N] [--steps N] [--repeats N]
 *
 * Defaults: on the pure-JS backend batch 2, 1 timed step, 1 repeat and no warm-up runs (a
 * ResNet-20 training step takes many seconds there, so its overhead figure is rough); elsewhere
 * batch 32, 8 steps, 3 repeats after one untimed warm-up run of each kind. The first step of
 * every run is dropped and runs alternate dense/masked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { mnistFromIdx } from '../src/data/importers';
import type { ImageDataset } from '../src/data/dataset';
import { buildModelFromSpec, type ModelSpec } from '../src/gap/config';
import { LiveMasks } from '../src/gap/live-masks';
import { magnitudeMasks } from '../src/gap/masks';
import { kernelValues, prunableLayers } from '../src/gap/prunable';
import { checkpointSizeRatio } from '../src/gap/sparse-checkpoint';
import { withGapState } from '../src/gap/state';
import type { TrainCheckpoint } from '../src/train/checkpoint';
import { captureState, trainClassifier } from '../src/train/classifier';
import { mulberry32 } from '../src/util/random';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const json = process.argv.includes('--json');
const SPARSITY = 0.9;
const CIFAR_SPEC: ModelSpec = { kind: 'resnet-cifar', depth: 20 };
const FASHION_SPEC: ModelSpec = { kind: 'resnet-cifar', depth: 20, inputShape: [28, 28, 1], classes: 10 };

async function activateBackend(): Promise<string> {
  try {
    // The backend chooser lives beside this package; fall back to tf.js' default if it is absent.
    const mod = (await import('../src/backend/index.js')) as { selectBackend?: (o?: object) => Promise<{ tfBackend: string }> };
    if (mod.selectBackend) return (await mod.selectBackend({ warn: (l: string) => console.error(l) })).tfBackend;
  } catch {
    /* default backend */
  }
  await tf.ready();
  return tf.getBackend();
}

function syntheticCifar(n: number): ImageDataset {
  const rand = mulberry32(1);
  const images = Uint8Array.from({ length: n * 32 * 32 * 3 }, () => Math.floor(rand() * 256));
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { name: 'synthetic-cifar', shape: [32, 32, 3], classes: 10, train: { images, labels }, test: { images, labels }, source: 'bench' };
}

/** The first `n` real Fashion-MNIST training images, or undefined when the package is not installed. */
function fashionMnist(n: number): ImageDataset | undefined {
  const dir = process.env.REPROLAB_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
  const read = (f: string) => (existsSync(join(dir, `${f}.gz`)) ? new Uint8Array(gunzipSync(readFileSync(join(dir, `${f}.gz`)))) : undefined);
  const [trainImages, trainLabels, testImages, testLabels] = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(read);
  if (!trainImages || !trainLabels || !testImages || !testLabels) return undefined;
  const d = mnistFromIdx({ trainImages, trainLabels, testImages, testLabels }, 'fashion-mnist', dir);
  return { ...d, train: { images: d.train.images.subarray(0, n * 784), labels: d.train.labels.subarray(0, n) } };
}

/** Median seconds per step over `steps` steps after one warm-up step. */
async function timeRun(spec: ModelSpec, data: ImageDataset, masked: boolean): Promise<{ secPerStep: number; final?: TrainCheckpoint; masks?: Record<string, Uint8Array> }> {
  const model = buildModelFromSpec(spec, 1);
  const layers = prunableLayers(model);
  let live: LiveMasks | undefined;
  let masks: Record<string, Uint8Array> | undefined;
  if (masked) {
    const init = await captureState(model, undefined, { step: 0, epoch: 0, batchInEpoch: 0 }, {});
    masks = magnitudeMasks(kernelValues(init, layers), SPARSITY, 'uniform');
    live = new LiveMasks(layers, masks);
  }
  const stamps: number[] = [];
  let final: TrainCheckpoint | undefined;
  try {
    await trainClassifier({
      model,
      data,
      epochs: 1,
      batchSize: batch,
      learningRate: 0.01,
      momentum: 0.9,
      seed: 1,
      trainLimit: batch * (steps + 1),
      checkpointEvery: 1_000_000,
      transformGradients: live ? (g) => live!.maskGradients(g) : undefined,
      afterStep: async (ctx) => {
        if (ctx.position.step === 1 && live) await live.applyToLive(model, ctx.optimizer, undefined);
        if (ctx.position.step === ctx.totalSteps && masked) final = await captureState(model, ctx.optimizer, ctx.position, {});
      },
      onStep: () => void stamps.push(performance.now()),
    });
  } finally {
    live?.dispose();
    model.dispose();
  }
  const dts = stamps.slice(1).map((t, i) => (t - stamps[i]!) / 1000);
  dts.sort((a, b) => a - b);
  return { secPerStep: dts[Math.floor(dts.length / 2)]!, final, masks };
}

const backend = await activateBackend();
const pureJs = backend === 'cpu';
const batch = arg('batch', pureJs ? 2 : 32);
const steps = arg('steps', pureJs ? 1 : 8);
const repeats = arg('repeats', pureJs ? 1 : 3);
/** Dense and masked steps/s, interleaved so drift (thermal, other load) hits both sides alike. */
async function measure(spec: ModelSpec, data: ImageDataset) {
  const dense: number[] = [];
  const masked: number[] = [];
  let ratio = NaN;
  if (!pureJs) {
    await timeRun(spec, data, false);
    await timeRun(spec, data, true);
  }
  for (let r = 0; r < repeats; r++) {
    dense.push((await timeRun(spec, data, false)).secPerStep);
    const m = await timeRun(spec, data, true);
    masked.push(m.secPerStep);
    if (m.final && m.masks) ratio = checkpointSizeRatio(withGapState(m.final, { phaseId: 'bench', completed: true, masks: m.masks, lossSum: 0, lossSteps: 0 })).ratio;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const denseStepsPerSec = 1 / median(dense);
  const maskedStepsPerSec = 1 / median(masked);
  return { denseStepsPerSec, maskedStepsPerSec, maskOverhead: denseStepsPerSec / maskedStepsPerSec - 1, checkpointSizeRatio: ratio };
}

const cifar = await measure(CIFAR_SPEC, syntheticCifar(batch * (steps + 1)));
const fashionData = fashionMnist(batch * (steps + 1));
const fashion = fashionData ? await measure(FASHION_SPEC, fashionData) : null;
const result = {
  backend,
  ...cifar,
  fashion: fashion && { denseStepsPerSec: fashion.denseStepsPerSec, maskedStepsPerSec: fashion.maskedStepsPerSec, maskOverhead: fashion.maskOverhead },
};
if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`backend ${backend}, ResNet-20, batch ${batch}, ${steps} timed steps × ${repeats} repeats`);
  console.log(`32×32×3 (synthetic CIFAR-sized)  dense ${cifar.denseStepsPerSec.toFixed(3)} steps/s, masked ${cifar.maskedStepsPerSec.toFixed(3)} steps/s (sparsity ${SPARSITY}), overhead ${(cifar.maskOverhead * 100).toFixed(1)} % (goal < 5 %)`);
  if (fashion) console.log(`28×28×1 (Fashion-MNIST, real)     dense ${fashion.denseStepsPerSec.toFixed(3)} steps/s, masked ${fashion.maskedStepsPerSec.toFixed(3)} steps/s, overhead ${(fashion.maskOverhead * 100).toFixed(1)} % (goal < 5 %)`);
  else console.log('Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): its step rate is not measured');
  console.log(`checkpoint size sparse/dense at ${SPARSITY}: ${cifar.checkpointSizeRatio.toFixed(3)}`);
}
