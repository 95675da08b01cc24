/**
 * The evaluate-sr compute job on real files: a tiny EDSR checkpoint as a distill step writes it and
 * an RLSR1 manifest with its PNG images. It scores whole images per set, self-ensembles on request,
 * and refuses a model of the wrong architecture or scale, naming the mismatch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureState, encodeCheckpoint } from '@reprolab/methods';
import { bicubicLr, buildSrModel, countParams, encodeSrManifest, srConvLayers, type EdsrArch, type SrManifest } from '@reprolab/methods/sr/index';
import { EvaluateParams } from '@reprolab/recipes';
import { encodePngRgb } from '../png';
import { InvalidJobInput, type JobContext } from './jobs';
import { evaluateSrJob, srSetSlug, type SrEvalJobResult } from './sr-jobs';

const dir = mkdtempSync(join(tmpdir(), 'reprolab-sreval-'));
const arch: EdsrArch = { kind: 'edsr', nResblocks: 1, nFeats: 8, resScale: 1, scale: 2 };

async function modelFile(name: string, a: EdsrArch, method: string, width = 0.5): Promise<string> {
  const model = buildSrModel(method as 'csd', a, width, 4);
  const path = join(dir, name);
  writeFileSync(path, encodeCheckpoint(await captureState(model, undefined, { step: 1, epoch: 0, batchInEpoch: 1 }, { arch: a, width, method })));
  model.dispose();
  return path;
}

/** An RLSR1 manifest at ×`scale` with two sets of odd-sized images, each image written as a PNG file. */
function datasetFiles(scale: 2 | 3 | 4): Record<string, string> {
  const files: Record<string, string> = {};
  let n = 0;
  const image = (h: number, w: number) => {
    const hr = { height: h, width: w, data: Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 7 + (i % 5) * 40) % 256) };
    const put = (img: { height: number; width: number; data: Uint8Array }) => {
      const sha256 = `sha256:${(++n).toString(16).padStart(64, '0')}`;
      const path = join(dir, `${scale}-${n}.png`);
      writeFileSync(path, encodePngRgb({ width: img.width, height: img.height, rgb: img.data }));
      files[`img:${sha256}`] = path;
      return { sha256, height: img.height, width: img.width };
    };
    return { hr: put(hr), lr: put(bicubicLr(hr, scale)) };
  };
  const m: SrManifest = {
    format: 'reprolab-sr', version: 1, name: 'tiny', scale,
    sets: [
      { name: 'Set5', role: 'test', images: [{ name: 'a', ...image(24, 36), lrSource: 'bicubic' }, { name: 'b', ...image(36, 24), lrSource: 'bicubic' }] },
      { name: 'train', role: 'train', images: [{ name: 'c', ...image(24, 24), lrSource: 'bicubic' }] },
    ],
  };
  files.dataset = join(dir, `manifest-${scale}.bin`);
  writeFileSync(files.dataset, encodeSrManifest(m));
  return files;
}

const ctxOf = (files: Record<string, string>): JobContext => ({ files, scratchDir: dir, progress: () => {}, checkpoint: async () => {} });
const run = async (files: Record<string, string>, params: Record<string, unknown> = {}) => (await evaluateSrJob({ params: EvaluateParams.parse(params) }, ctxOf(files))).result as SrEvalJobResult;

test('[SR] evaluate-sr scores the student per test set on whole images; the self-ensemble changes the numbers; parameters are the student\'s', async () => {
  const files = { ...datasetFiles(2), model: await modelFile('csd.bin', arch, 'csd') };
  const plain = await run(files);
  assert.deepEqual(plain.sets.map((s) => [s.name, s.images]), [['Set5', 2]]);
  assert.ok(Number.isFinite(plain.sets[0]!.psnr) && plain.sets[0]!.ssim <= 1 && plain.sets[0]!.secondsPerImage > 0);
  assert.equal(plain.params, countParams(srConvLayers(arch, 0.5)));
  assert.deepEqual([plain.network, plain.width, plain.selfEnsemble], ['student', 0.5, false]);
  const ens = await run(files, { selfEnsemble: true });
  assert.equal(ens.selfEnsemble, true);
  assert.notEqual(ens.sets[0]!.psnr, plain.sets[0]!.psnr);
  const teacher = await run(files, { network: 'teacher', sets: ['Set5', 'train'], limit: 1 });
  assert.deepEqual(teacher.sets.map((s) => [s.name, s.images]), [['Set5', 1], ['train', 1]]);
  assert.equal(teacher.params, countParams(srConvLayers(arch, 1)));
  assert.equal(srSetSlug('Urban100'), 'urban100');
  assert.equal(srSetSlug('photos-skimage'), 'photos_skimage');
});

test('[SR] evaluate-sr refuses a model of the wrong architecture, width or scale and a classifier, naming the mismatch', async () => {
  const files = { ...datasetFiles(2), model: await modelFile('csd.bin', arch, 'csd') };
  const refused = (params: Record<string, unknown>, f: Record<string, string>, message: RegExp) =>
    assert.rejects(run(f, params), (e: unknown) => e instanceof InvalidJobInput && message.test((e as Error).message));
  await refused({ model: { kind: 'edsr', blocks: 32, feats: 256, resScale: 0.1 } }, files, /the model artifact is EDSR 1 blocks × 8 feats \(res scale 1\), ×2, student width 0\.5 \(csd\), but the step expects EDSR 32 blocks × 256 feats \(res scale 0\.1\) \(params\.model \/ params\.width\)/);
  await refused({ width: 0.25 }, files, /student width 0\.5 \(csd\), but the step expects its architecture, width 0\.25/);
  await refused({}, { ...datasetFiles(4), model: files.model! }, /the model is ×2 but dataset tiny was imported at ×4; import it again with --scale 2/);
  await refused({ sets: ['Set14'] }, files, /params\.sets names "Set14", which dataset tiny does not have; it has Set5, train/);
  const alone = await modelFile('alone.bin', arch, 'student-alone');
  await refused({ network: 'teacher' }, { ...files, model: alone }, /network teacher: this student-alone model holds the width-w student only; use network: student/);
  const classifier = join(dir, 'classifier.bin');
  writeFileSync(classifier, encodeCheckpoint({ position: { step: 0, epoch: 0, batchInEpoch: 0 }, weights: [], optimizer: [], meta: { model: 'small-cnn' } }));
  await refused({}, { ...files, model: classifier }, /the model artifact is not an SR model/);
  // A checkpoint whose weights are not the architecture its meta names (e.g. a mislabelled artifact).
  const wide = await modelFile('wide.bin', { ...arch, nFeats: 16 }, 'csd');
  const { readFileSync } = await import('node:fs');
  const relabelled = join(dir, 'relabelled.bin');
  writeFileSync(relabelled, Buffer.from(readFileSync(wide).toString('latin1').replace('"nFeats":16', '"nFeats":8 '), 'latin1'));
  await refused({}, { ...files, model: relabelled }, /the model artifact's weights do not fit its recorded architecture \(EDSR 1 blocks × 8 feats.*checkpoint weight .* has shape/);
});

test('[SR] distill data from an imported SR dataset: patches from its train set, evaluation on its test sets; a too-large patch or another scale is refused', async () => {
  const { distillData } = await import('./sr-jobs');
  const { DistillParams } = await import('@reprolab/recipes');
  const { buildSrModel, srNetworks } = await import('@reprolab/methods/sr/index');
  const files = datasetFiles(2);
  const params = (extra: Record<string, unknown> = {}) => DistillParams.parse({ method: 'csd', scale: 2, patch: 6, steps: 1, model: { kind: 'edsr', blocks: 1, feats: 8 }, width: 0.5, ...extra });
  const d = await distillData(ctxOf(files), params());
  assert.equal(typeof d.train, 'function');
  const batch = (d.train as (p: number, b: number, s: number, t: number, a: boolean) => { lr: { shape: number[] }; hr: { shape: number[] } })(6, 3, 1, 0, true);
  assert.deepEqual([batch.lr.shape, batch.hr.shape], [[3, 6, 6, 3], [3, 12, 12, 3]]);
  const model = buildSrModel('csd', arch, 0.5, 1);
  const e = d.evaluate(srNetworks(model, 'csd', arch, 0.5));
  model.dispose();
  assert.equal(e.images, 2);
  assert.ok(Number.isFinite(e.psnr) && Number.isFinite(e.teacherPsnr!) && e.bicubicPsnr > 0);
  await assert.rejects(distillData(ctxOf(files), params({ patch: 13 })), (err: unknown) => err instanceof InvalidJobInput && /distill: tiny\/train\/c: its 12×12 LR \(HR 24×24\) is smaller than the 13-pixel LR patch/.test((err as Error).message));
  await assert.rejects(distillData(ctxOf(files), params({ scale: 4, patch: 3 })), /params\.scale is 4 but dataset tiny was imported at ×2; import it again with --scale 4/);
});
