/**
 * `evaluate`: accuracy and mean cross-entropy of a classifier on a held-out split, or, when the
 * model artifact is a `distill` step's SR model, Y-PSNR/SSIM per test set (`<set>_psnr_y`,
 * `<set>_ssim_y`, `<set>_images`, `<set>_seconds_per_image`), `params`, `macs_720p` and
 * `self_ensemble` (sr-jobs.ts).
 */
import { open } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { insertMetrics } from '@reprolab/db';
import { checkpointMeta, type EvalResult } from '@reprolab/methods';
import { EvaluateParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import { srSetSlug, type SrEvalJobResult } from '../compute/sr-jobs';
import { srImageFiles } from '../datasets/sr-files';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, rethrowComputeFailure, requireInput } from './context';

/** The meta of a checkpoint file, read from its header only (an EDSR+ checkpoint is ~170 MB). */
async function modelMeta(path: string): Promise<Record<string, unknown> | undefined> {
  const f = await open(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    const { bytesRead } = await f.read(buf, 0, buf.length, 0);
    return checkpointMeta(buf.subarray(0, bytesRead));
  } finally {
    await f.close();
  }
}

export async function evaluate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, ctx, reporter } = await openStep(deps, input, EvaluateParams);
  const files: Record<string, string> = {
    dataset: await artifactFile(deps.store, requireInput(input, 'dataset'), deps.log),
    model: await artifactFile(deps.store, requireInput(input, 'model'), deps.log),
  };
  const sr = (await modelMeta(files.model!))?.arch !== undefined;
  const srOnly = (['selfEnsemble', 'network', 'model', 'width', 'sets', 'chop', 'chopOverlap'] as const).filter((k) => params[k] !== undefined);
  if (!sr && srOnly.length) throw ApplicationFailure.nonRetryable(`step ${input.stepKey}: params.${srOnly[0]} is for SR models (a distill step's model output), but this model is a classifier; remove it`, 'InvalidInput');
  // An SR dataset is a manifest: its images are objects of their own, fetched here for the child.
  if (sr) Object.assign(files, await srImageFiles(deps, files.dataset!, (s) => ((params.sets ? params.sets.includes(s.name) : s.role === 'test') ? params.limit : false)));
  reporter.report({ done: 0, total: 1, unit: 'passes', message: `evaluating on ${sr ? (params.sets?.join(', ') ?? 'the test sets') : params.split}${params.selfEnsemble ? ' (×8 self-ensemble)' : ''}` }, true);
  const metric = (name: string, value: number) => ({ runId: input.runId, stepId: step.id, name, value, index: null });
  try {
    if (sr) {
      const r = await runComputeJob<SrEvalJobResult>({ job: 'evaluate-sr', args: { params }, files, signal: ctx.cancellationSignal, keepAlive: () => ctx.heartbeat() });
      await insertMetrics(deps.db, [
        ...r.sets.flatMap((s) => {
          const k = srSetSlug(s.name);
          return [metric(`${k}_psnr_y`, s.psnr), metric(`${k}_ssim_y`, s.ssim), metric(`${k}_images`, s.images), metric(`${k}_seconds_per_image`, s.secondsPerImage)];
        }),
        metric('params', r.params),
        metric('macs_720p', r.macs720p),
        metric('self_ensemble', r.selfEnsemble ? 1 : 0),
      ]);
      reporter.report({ done: 1, total: 1, unit: 'passes', metrics: Object.fromEntries(r.sets.map((s) => [`${srSetSlug(s.name)}_psnr_y`, s.psnr])) }, true);
    } else {
      const r = await runComputeJob<EvalResult>({ job: 'evaluate-classifier', args: { params }, files, signal: ctx.cancellationSignal, keepAlive: () => ctx.heartbeat() });
      await insertMetrics(deps.db, [metric(`${params.split}_accuracy`, r.accuracy), metric(`${params.split}_loss`, r.loss), metric(`${params.split}_examples`, r.count)]);
      reporter.report({ done: 1, total: 1, unit: 'passes', metrics: { accuracy: r.accuracy, loss: r.loss } }, true);
    }
    await reporter.flush();
    return { outputs: {} };
  } catch (e) {
    rethrowComputeFailure(e, 'evaluate');
  } finally {
    await reporter.flush(); // no progress write may land after the step has ended
  }
}
