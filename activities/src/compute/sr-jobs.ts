/**
 * Compute jobs for super-resolution (runs in the child): evaluation of a `distill` model artifact
 * on the test sets of an imported SR dataset (RLSR1 manifest + one PNG file per image, handed over
 * by the parent as `img:<sha256>`) or on the built-in photos-skimage test tiles; and the training
 * data of a `distill` step, from either.
 */
import { readFile } from 'node:fs/promises';
import { decodeCheckpoint, decodeDataset, restoreState } from '@reprolab/methods';
import type { DistillParams, EvaluateParams } from '@reprolab/recipes';
import type { EdsrArch, SrEvalResult, SrForward, SrManifest, SrMethod, SrPair, SrCrop, SrTiles, trainSr } from '@reprolab/methods/sr/index';
import { decodePngRgb } from '../png';
import { InvalidJobInput, type JobContext, type JobResult } from './jobs';

/** What a distill step records in its model artifact's meta. */
export interface SrModelMeta {
  arch: EdsrArch;
  width: number;
  method: string;
}

export interface SrEvalSet {
  name: string;
  psnr: number;
  ssim: number;
  images: number;
  secondsPerImage: number;
}

export interface SrEvalJobResult {
  network: 'student' | 'teacher';
  width: number;
  scale: number;
  selfEnsemble: boolean;
  params: number;
  /** MACs of one pass for a 1280×720 output (LR 1280/s × 720/s, floored). */
  macs720p: number;
  sets: SrEvalSet[];
}

/** The metric-name stem of a test set: Set5 → set5, photos-skimage → photos_skimage. */
export const srSetSlug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?=[0-9])/, 'set_') || 'set';

const describeArch = (a: { nResblocks: number; nFeats: number; resScale: number; scale: number }, width: number) => `EDSR ${a.nResblocks} blocks × ${a.nFeats} feats (res scale ${a.resScale}), ×${a.scale}, student width ${width}`;

/** Refuses a model artifact that is not an SR model, or not the architecture the step expects. */
export function checkSrModel(meta: Record<string, unknown>, p: EvaluateParams): SrModelMeta {
  const m = meta as Partial<SrModelMeta>;
  if (m.arch?.kind !== 'edsr' || typeof m.width !== 'number' || typeof m.method !== 'string') {
    throw new InvalidJobInput('evaluate: the model artifact is not an SR model (its meta lacks an EDSR arch, width and method); SR evaluation takes the `model` output of a distill step');
  }
  const want = p.model && { nResblocks: p.model.blocks, nFeats: p.model.feats, resScale: p.model.resScale };
  const a = m.arch;
  const archDiffers = want && (want.nResblocks !== a.nResblocks || want.nFeats !== a.nFeats || want.resScale !== a.resScale);
  if (archDiffers || (p.width !== undefined && p.width !== m.width)) {
    throw new InvalidJobInput(
      `evaluate: the model artifact is ${describeArch(a, m.width)} (${m.method}), but the step expects ` +
        `${want ? `EDSR ${want.nResblocks} blocks × ${want.nFeats} feats (res scale ${want.resScale})` : 'its architecture'}${p.width !== undefined ? `, width ${p.width}` : ''} (params.model / params.width); ` +
        'point inputs.model at the distill step that trained that network, or correct the expected architecture',
    );
  }
  if (p.network === 'teacher' && m.method === 'student-alone') throw new InvalidJobInput('evaluate: network teacher: a student-alone model has no teacher (it is the width-w network only); use network: student');
  return m as SrModelMeta;
}

/** The test sets to evaluate as HR/LR pairs, at the model's scale. */
async function testPairs(ctx: JobContext, p: EvaluateParams, scale: number): Promise<{ name: string; pairs: SrPair[] }[]> {
  const sr = await import('@reprolab/methods/sr/index');
  const bytes = new Uint8Array(await readFile(ctx.files.dataset!));
  if (!sr.isSrManifest(bytes)) {
    // An image-tile dataset (the built-in photos-skimage): its test split, LR made here.
    const data = decodeDataset(bytes);
    const [h, w, c] = data.shape;
    if (h !== w || c !== 3 || data.classes !== 1) throw new InvalidJobInput(`evaluate: dataset ${data.name} (${data.shape.join('×')}, ${data.classes} classes) is not SR data; use an imported div2k / sr-benchmark dataset or builtin photos-skimage`);
    if (h % scale !== 0) throw new InvalidJobInput(`evaluate: ${h}-pixel tiles of ${data.name} are not divisible by the model's scale ${scale}`);
    const tiles = sr.makeSrTiles(data[p.split].images, h, scale, p.limit);
    const lt = h / scale;
    const pairs = Array.from({ length: tiles.count }, (_, i): SrPair => ({
      name: `${data.name}-${i}`,
      hr: { height: h, width: h, data: tiles.hr.subarray(i * h * h * 3, (i + 1) * h * h * 3) },
      lr: { height: lt, width: lt, data: Uint8Array.from(tiles.lr.subarray(i * lt * lt * 3, (i + 1) * lt * lt * 3)) },
      lrSource: 'bicubic',
    }));
    return [{ name: data.name, pairs }];
  }
  const m = sr.decodeSrManifest(bytes);
  if (m.scale !== scale) throw new InvalidJobInput(`evaluate: the model is ×${scale} but dataset ${m.name} was imported at ×${m.scale}; import it again with --scale ${scale}`);
  const out = [];
  for (const set of selectSets(m, p.sets)) out.push({ name: set.name, pairs: await setPairs(ctx, m, set, p.limit) });
  return out;
}

/** The first `limit` images of a manifest's set, decoded from the PNG files the parent fetched. */
async function setPairs(ctx: JobContext, m: SrManifest, set: SrManifest['sets'][number], limit?: number): Promise<SrPair[]> {
  const image = async (ref: { sha256: string }, what: string) => {
    const path = ctx.files[`img:${ref.sha256}`];
    if (!path) throw new Error(`job input img:${ref.sha256} (${what}) missing`);
    const d = decodePngRgb(new Uint8Array(await readFile(path)), `${m.name}/${what}`);
    return { height: d.height, width: d.width, data: d.rgb };
  };
  const pairs: SrPair[] = [];
  for (const im of set.images.slice(0, limit)) pairs.push({ name: im.name, hr: await image(im.hr, `${set.name}/${im.name} HR`), lr: await image(im.lr, `${set.name}/${im.name} LR`), lrSource: im.lrSource });
  return pairs;
}

type Model = Awaited<ReturnType<typeof trainSr>>['model'];

/**
 * A distill step's training data and its evaluation: HR tiles of an image-tile dataset (the
 * built-in photos-skimage; LR made by bicubic downsampling, whole test tiles), or the whole images
 * of an imported SR dataset: patches from its train sets, evaluation on the first `evalLimit`
 * images of each test set (none when it has no test set: the metrics are then left out).
 */
export async function distillData(ctx: JobContext, p: DistillParams): Promise<{
  train: SrTiles | ((patch: number, batchSize: number, seed: number, step: number, augment: boolean) => { lr: Parameters<SrForward>[0]; hr: ReturnType<SrForward> });
  evaluate: (model: Model, method: SrMethod, arch: EdsrArch, width: number) => SrEvalResult;
  /** The run page's crop comparison: on tile datasets only (whole imported images have none yet). */
  crops?: (model: Model, method: SrMethod, arch: EdsrArch, width: number) => SrCrop[];
}> {
  const sr = await import('@reprolab/methods/sr/index');
  const bytes = new Uint8Array(await readFile(ctx.files.dataset!));
  if (!sr.isSrManifest(bytes)) {
    const data = decodeDataset(bytes);
    const [h, w, c] = data.shape;
    if (h !== w || c !== 3) throw new InvalidJobInput(`distill needs square RGB HR tiles (e.g. builtin photos-skimage) or an imported div2k / sr-benchmark dataset; dataset ${data.name} has ${data.shape.join('×')}`);
    if (p.patch * p.scale > h) throw new InvalidJobInput(`distill: patch · scale = ${p.patch * p.scale} exceeds the ${h}-pixel tiles of ${data.name}`);
    const test = sr.makeSrTiles(data.test.images, h, p.scale, p.evalLimit);
    return {
      train: sr.makeSrTiles(data.train.images, h, p.scale),
      evaluate: (model, method, arch, width) => sr.evaluateSr(model, method, arch, width, test),
      crops: (model, method, arch, width) => sr.srCrops(model, method, arch, width, test),
    };
  }
  const m = sr.decodeSrManifest(bytes);
  if (m.scale !== p.scale) throw new InvalidJobInput(`distill: params.scale is ${p.scale} but dataset ${m.name} was imported at ×${m.scale}; import it again with --scale ${p.scale}`);
  const trainSets = m.sets.filter((s) => s.role === 'train');
  if (!trainSets.length) throw new InvalidJobInput(`distill: dataset ${m.name} has no training set (sets: ${m.sets.map((s) => `${s.name} (${s.role})`).join(', ')}); import DIV2K's train split with --format div2k`);
  const train: SrPair[] = [];
  for (const set of trainSets) {
    const pairs = await setPairs(ctx, m, set);
    try {
      sr.checkPatchFits(pairs, p.patch, p.scale, `${m.name}/${set.name}`);
    } catch (e) {
      throw new InvalidJobInput(`distill: ${(e as Error).message}`);
    }
    train.push(...pairs);
  }
  const test: SrPair[] = [];
  for (const set of m.sets.filter((s) => s.role === 'test')) test.push(...(await setPairs(ctx, m, set, p.evalLimit)));
  return {
    train: (patch, batchSize, seed, step, augment) => sr.srPairBatch(train, p.scale, patch, batchSize, seed, step, augment),
    evaluate: (model, method, arch, width) => {
      if (!test.length) return { psnr: NaN, ssim: NaN, bicubicPsnr: NaN, bicubicSsim: NaN, images: 0 };
      const shared = method === 'student-alone' ? undefined : sr.readConvWeights(model, arch);
      const at = (w: number): SrForward => (shared ? (lr) => sr.edsrForward(shared, arch, w, lr) : (lr) => model.apply(lr) as ReturnType<SrForward>);
      const main = sr.evaluateSrPairs(at(method === 'teacher-alone' ? 1 : width), test, p.scale);
      const teacher = shared ? sr.evaluateSrPairs(at(1), test, p.scale) : undefined;
      const bicubic = sr.evaluateSrPairs((lr) => sr.bicubicUpsample(lr, p.scale), test, p.scale);
      return { psnr: main.psnr, ssim: main.ssim, ...(teacher ? { teacherPsnr: teacher.psnr, teacherSsim: teacher.ssim } : {}), bicubicPsnr: bicubic.psnr, bicubicSsim: bicubic.ssim, images: test.length };
    },
  };
}

/** The sets a step evaluates: those named in `params.sets`, else every test set of the manifest. */
export function selectSets<S extends { name: string; role: string }>(m: { name: string; sets: S[] }, names: string[] | undefined): S[] {
  if (!names) {
    const test = m.sets.filter((s) => s.role === 'test');
    if (!test.length) throw new InvalidJobInput(`evaluate: dataset ${m.name} has no test set (sets: ${m.sets.map((s) => `${s.name} (${s.role})`).join(', ')}); name one in params.sets or import a benchmark`);
    return test;
  }
  return names.map((n) => {
    const s = m.sets.find((x) => x.name === n);
    if (!s) throw new InvalidJobInput(`evaluate: params.sets names "${n}", which dataset ${m.name} does not have; it has ${m.sets.map((x) => x.name).join(', ')}`);
    return s;
  });
}

export async function evaluateSrJob(args: { params: EvaluateParams }, ctx: JobContext): Promise<JobResult> {
  const sr = await import('@reprolab/methods/sr/index');
  const p = args.params;
  const ck = decodeCheckpoint(new Uint8Array(await readFile(ctx.files.model!)));
  const meta = checkSrModel(ck.meta, p);
  const { arch, width, method } = meta;
  const sets = await testPairs(ctx, p, arch.scale);
  const model = sr.buildSrModel(method as (typeof sr.SR_METHODS)[number], arch, width, 0);
  try {
    try {
      await restoreState(model, undefined, ck);
    } catch (e) {
      throw new InvalidJobInput(`evaluate: the model artifact's weights do not fit its recorded architecture (${describeArch(arch, width)}, ${method}): ${(e as Error).message}`);
    }
    const network = p.network ?? (method === 'teacher-alone' ? 'teacher' : 'student');
    const w = network === 'teacher' ? 1 : width;
    const shared = method === 'student-alone' ? undefined : sr.readConvWeights(model, arch);
    let forward: SrForward = shared ? (lr) => sr.edsrForward(shared, arch, w, lr) : (lr) => model.apply(lr) as ReturnType<SrForward>;
    if (p.chop) forward = sr.chopForward(forward, arch.scale, p.chop, p.chopOverlap ?? 10);
    if (p.selfEnsemble) forward = sr.selfEnsemble(forward);
    const results: SrEvalSet[] = [];
    for (const [i, s] of sets.entries()) {
      if (!s.pairs.length) continue;
      results.push({ name: s.name, ...sr.evaluateSrPairs(forward, s.pairs, arch.scale) });
      ctx.progress({ setsDone: i + 1, sets: sets.length });
    }
    const c = sr.srComplexity(arch, w, Math.floor(720 / arch.scale), Math.floor(1280 / arch.scale));
    const result: SrEvalJobResult = { network, width: w, scale: arch.scale, selfEnsemble: p.selfEnsemble ?? false, params: c.params, macs720p: c.macs, sets: results };
    return { result, files: {} };
  } finally {
    model.dispose();
  }
}
