/**
 * `dehaze`: AECR-Net trained with L1 + beta·CR (beta 0: the arm without CR) in a compute child, on
 * imported hazy/clear pairs or on photos-skimage tiles hazed by the atmospheric scattering model,
 * then evaluated on the test pairs (RGB PSNR/SSIM, the dehazing convention). Same durability as
 * `distill`: checkpoints go to the object store and are named in the heartbeat, so a retried attempt
 * resumes from the last one. Stores the model, a report (network and extractor as used, every stand-in
 * named, beta, the data's provenance) and a hazy | dehazed | clear strip of the first test pair.
 */
import { readFile } from 'node:fs/promises';
import { insertMetrics } from '@reprolab/db';
import { DehazeParams, dehazeArm } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { DehazeJobArgs, DehazeJobResult } from '../compute/dehaze-jobs';
import { srSetSlug } from '../compute/sr-jobs';
import { dehazeImageFiles, dehazeTestPick } from '../datasets/dehaze-files';
import { DEHAZE_STRIP_KIND } from '../dehaze-strip';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact, requireInput, rethrowComputeFailure } from './context';
import { resumableTraining } from './resumable';


export async function dehaze(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, DehazeParams);
  const seed = params.seed ?? run.seed;
  const arm = dehazeArm(params);
  const datasetDigest = requireInput(input, 'dataset');
  const files: Record<string, string> = { dataset: await artifactFile(deps.store, datasetDigest, deps.log) };
  // A separate test dataset (inputs.test): training reads only `dataset`'s train sets, evaluation only its test sets.
  const testDigest = input.inputs.test;
  if (testDigest) files.test = await artifactFile(deps.store, testDigest, deps.log);
  Object.assign(files, await dehazeImageFiles(deps, files.dataset!, testDigest ? (s) => (s.role === 'train' ? params.trainLimit : false) : dehazeTestPick(params)));
  if (files.test) Object.assign(files, await dehazeImageFiles(deps, files.test, (s) => (s.role === 'train' ? false : dehazeTestPick(params)(s))));
  const session = await resumableTraining(deps, input, step, ctx, files, 'dehaze');
  let modelDigest = '';
  const args: DehazeJobArgs = { params, seed, meta: { dataset: datasetDigest, ...(testDigest ? { test: testDigest } : {}), seed, arm } };
  try {
    const r = await runComputeJob<DehazeJobResult>({
      job: 'dehaze',
      args,
      files,
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat(session.beat()),
      onProgress: (d) => {
        const p = d as { step: number; totalSteps: number; loss: number; l1: number; cr: number };
        session.progress(p.step, p.loss);
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', metrics: { loss: p.loss, l1: p.l1, cr: p.cr }, checkpoint: session.beat().checkpoint });
      },
      onCheckpoint: (path, d) => session.checkpoint(path, d),
      onOutputs: async (out) => {
        modelDigest = await putArtifact(deps, step, new Uint8Array(await readFile(out.model!)), 'model', `aecr-net-${arm}-s${seed}`);
        if (out.strip) await putArtifact(deps, step, new Uint8Array(await readFile(out.strip)), DEHAZE_STRIP_KIND, `dehaze-strip-${arm}-s${seed}`);
      },
    });
    await session.flushLosses();
    const m = (name: string, value: number | undefined) => (value === undefined || !Number.isFinite(value) ? [] : [{ runId: input.runId, stepId: step.id, name, value, index: null }]);
    const e = r.eval;
    await insertMetrics(deps.db, [
      ...m('psnr', e.psnr),
      ...m('ssim', e.ssim),
      ...m('hazy_psnr', e.hazyPsnr),
      ...m('hazy_ssim', e.hazySsim),
      ...m('eval_images', e.count),
      ...Object.entries(e.perSet).flatMap(([set, v]) => [...m(`psnr_${srSetSlug(set)}`, v.psnr), ...m(`ssim_${srSetSlug(set)}`, v.ssim)]),
      ...m('beta', params.beta),
      ...m('parameters', r.parameters),
      ...m('train_pairs', r.data.train),
      ...m('seconds_per_step', r.secondsPerStep),
      ...m('final_train_loss', r.finalLoss),
      ...m('train_steps', r.position.step),
      ...m('resumed_from_step', r.resumedFromStep),
    ]);
    // The network as built (DCNv2 or its named stand-in), the CR extractor, beta and the data's
    // provenance are not numbers: they are kept in this report with the step's settings and results.
    const note = { arm, seed, params, beta: params.beta, network: r.network, extractor: r.extractor ?? 'none (beta 0: no contrastive regulariser)', data: r.data, eval: e, parameters: r.parameters, secondsPerStep: r.secondsPerStep };
    await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(note, null, 1)), 'report', `dehaze-${arm}-s${seed}`);
    reporter.report({ done: r.position.step, total: r.position.step, unit: 'steps', message: 'done', metrics: { loss: r.finalLoss, psnr: e.psnr } }, true);
    await reporter.flush();
    return { outputs: { model: modelDigest } };
  } catch (e) {
    rethrowComputeFailure(e, `dehaze (at step ${session.beat().step})`);
  } finally {
    await reporter.flush();
  }
}
