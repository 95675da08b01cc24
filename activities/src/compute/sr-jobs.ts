/**
 * Compute jobs for super-resolution (runs in the child): evaluation of a `distill` model artifact
 * on the test sets of an imported SR dataset (RLSR1 manifest + one PNG file per image, handed over
 * by the parent as `img:<sha256>`) or on the built-in photos-skimage test tiles; and the training
 * data of a `distill` step, from either.
 */
import { readFile } from 'node:fs/promises';
import { decodeCheckpoint, decodeDataset, restoreState } from '@reprolab/methods';
import type { DistillParams, EvaluateParams } from '@reprolab/recipes';
import type { ConvWeights, EdsrArch, SrEvalResult, SrForward, SrManifest, SrNetworks, SrPair, SrCrop, SrTiles } from '@reprolab/methods/sr/index';
import type { TrainCheckpoint } from '@reprolab/methods';
import { decodePngRgb } from '../png';
import { InvalidJobInput, type JobContext, type JobResult } from './jobs';

/** What a distill step records in its model artifact's meta. */
export interface SrModelMeta {
  arch: EdsrArch;
  width: number;
  method: string;
  /**
   * `shared`: one teacher-sized EDSR whose leading channels are the student (CSD's arms);
   * `student`: the width-w student alone (student-alone, or a student distilled from a stored
   * teacher). Absent in models stored before it was recorded: derived from the method.
   */
  layout?: 'shared' | 'student';
  /** The stored teacher a student was distilled from. */
  teacher?: string;
}

/** Whether a stored SR model holds the width-w student alone (no teacher inside it). */
export const isStandaloneStudent = (m: SrModelMeta) => (m.layout ?? (m.method === 'student-alone' ? 'student' : 'shared')) === 'student';

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
  if (p.network === 'teacher' && isStandaloneStudent(m as SrModelMeta)) {
    throw new InvalidJobInput(`evaluate: network teacher: this ${m.method} model holds the width-w student only${m.teacher ? ` (its teacher is the stored model ${m.teacher}: evaluate that one)` : ''}; use network: student`);
  }
  return m as SrModelMeta;
}

/**
 * The frozen teacher of a distill step given `inputs.teacher`: the teacher-sized EDSR inside a
 * stored model. Refused, naming what differs, unless the model holds a teacher (not a lone
 * student) of exactly the architecture and scale the step trains.
 */
export async function loadStoredTeacher(ctx: JobContext, p: DistillParams, digest: string): Promise<{ weights: ConvWeights; meta: SrModelMeta; dispose: () => void }> {
  const sr = await import('@reprolab/methods/sr/index');
  let ck: TrainCheckpoint;
  try {
    ck = decodeCheckpoint(new Uint8Array(await readFile(ctx.files.teacher!)));
  } catch (e) {
    throw new InvalidJobInput(`distill: inputs.teacher (${digest}) is not a stored model: ${(e as Error).message}; name the model output of a distill step`);
  }
  const m = ck.meta as Partial<SrModelMeta>;
  if (m.arch?.kind !== 'edsr' || typeof m.width !== 'number' || typeof m.method !== 'string') {
    throw new InvalidJobInput(`distill: inputs.teacher (${digest}) is not an SR model (its meta lacks an EDSR arch, width and method); name the model output of a teacher-alone, csd or split-no-contrastive distill step`);
  }
  const meta = m as SrModelMeta;
  if (isStandaloneStudent(meta)) {
    throw new InvalidJobInput(`distill: inputs.teacher (${digest}) is a ${meta.method} model: it holds a width-${meta.width} student only, no teacher; name the model of a teacher-alone, csd or split-no-contrastive step`);
  }
  const a = meta.arch;
  const want = { nResblocks: p.model.blocks, nFeats: p.model.feats, resScale: p.model.resScale, scale: p.scale };
  const differs = (['nResblocks', 'nFeats', 'resScale', 'scale'] as const).filter((k) => a[k] !== want[k]);
  if (differs.length) {
    throw new InvalidJobInput(
      `distill: inputs.teacher (${digest}) is the teacher of a ${meta.method} step, EDSR ${a.nResblocks} blocks × ${a.nFeats} feats (res scale ${a.resScale}), ×${a.scale}, but this step trains EDSR ${want.nResblocks} blocks × ${want.nFeats} feats (res scale ${want.resScale}), ×${want.scale} ` +
        `(${differs.join(', ')} differ); set params.model and params.scale to the teacher's, or name a teacher of this architecture`,
    );
  }
  const model = sr.buildSrModel('teacher-alone', a, 1, 0, false);
  try {
    await restoreState(model, undefined, ck);
  } catch (e) {
    model.dispose();
    throw new InvalidJobInput(`distill: inputs.teacher's weights do not fit its recorded architecture (${describeArch(a, meta.width)}): ${(e as Error).message}`);
  }
  return { weights: sr.readConvWeights(model, a), meta, dispose: () => model.dispose() };
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

/**
 * A distill step's training data and its evaluation: HR tiles of an image-tile dataset (the
 * built-in photos-skimage; LR made by bicubic downsampling, whole test tiles), or the whole images
 * of an imported SR dataset: patches from its train sets, evaluation on the first `evalLimit`
 * images of each test set (none when it has no test set: the metrics are then left out).
 */
export async function distillData(ctx: JobContext, p: DistillParams): Promise<{
  train: SrTiles | ((patch: number, batchSize: number, seed: number, step: number, augment: boolean) => { lr: Parameters<SrForward>[0]; hr: ReturnType<SrForward> });
  evaluate: (nets: SrNetworks) => SrEvalResult;
  /** The run page's crop comparison: on tile datasets only (whole imported images have none yet). */
  crops?: (nets: SrNetworks) => SrCrop[];
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
      evaluate: (nets) => sr.evaluateSr(nets, test),
      crops: (nets) => sr.srCrops(nets, test),
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
    evaluate: (nets) => {
      if (!test.length) return { psnr: NaN, ssim: NaN, bicubicPsnr: NaN, bicubicSsim: NaN, images: 0 };
      const main = sr.evaluateSrPairs((nets.student ?? nets.teacher)!, test, p.scale);
      const teacher = nets.teacher ? sr.evaluateSrPairs(nets.teacher, test, p.scale) : undefined;
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
  const standalone = isStandaloneStudent(meta);
  const model = sr.buildSrModel(method as (typeof sr.SR_METHODS)[number], arch, width, 0, standalone);
  try {
    try {
      await restoreState(model, undefined, ck);
    } catch (e) {
      throw new InvalidJobInput(`evaluate: the model artifact's weights do not fit its recorded architecture (${describeArch(arch, width)}, ${method}): ${(e as Error).message}`);
    }
    const network = p.network ?? (method === 'teacher-alone' ? 'teacher' : 'student');
    const w = network === 'teacher' ? 1 : width;
    const shared = standalone ? undefined : sr.readConvWeights(model, arch);
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
