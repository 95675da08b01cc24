/**
 * `novelty`: one-class novelty detection on one class of a classification dataset (MNIST,
 * Fashion-MNIST or an imported one), trained and scored in a compute child. Metrics: AUROC in
 * percent (and, for the decoder-encoder, each score term's AUROC alone); a report artifact keeps
 * every test image's score with its novel/normal label, so an AUROC can be recomputed or a ROC
 * drawn later. No mid-run checkpoints: a step trains in seconds to minutes, and a retry reruns it
 * from its seed (same seed, same scores on the same backend).
 */
import { readFile } from 'node:fs/promises';
import { deleteStepMetrics, insertMetrics } from '@reprolab/db';
import { NoveltyParams, noveltyArm } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { NoveltyJobArgs, NoveltyJobResult } from '../compute/jobs';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact, requireInput, rethrowComputeFailure } from './context';

/** The decoder-encoder's details that no source fixes, recorded with every result (NOTES §1). */
export const NOVELTY_GUESSES = {
  latentInit: 'how G\'s latents are initialised "from the training set\'s distribution"',
  nda: 'which transformations NDA combines, and how many',
  miEstimator: 'InfoNCE as the mutual-information estimator, with (x, G(z_x)) as the positive pair',
  score: 'how reconstruction and representation combine into the novelty score',
  temperature: 'the InfoNCE temperature',
};

export async function novelty(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, NoveltyParams);
  const seed = params.seed ?? run.seed;
  const datasetDigest = requireInput(input, 'dataset');
  const files = { dataset: await artifactFile(deps.store, datasetDigest, deps.log) };
  await deleteStepMetrics(deps.db, step.id);
  let report = '';
  try {
    const started = Date.now();
    let last = { step: 0, totalSteps: 1, stage: 'starting' };
    const args: NoveltyJobArgs = { params, seed };
    const r = await runComputeJob<NoveltyJobResult>({
      job: 'novelty',
      args,
      files,
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat({ step: last.step, seconds: Math.round((Date.now() - started) / 1000) }),
      onProgress: (d) => {
        const p = d as { stage: string; step: number; totalSteps: number; loss: number };
        last = p;
        reporter.report({ done: p.step, total: p.totalSteps, unit: 'steps', message: `${params.method} ${p.stage}, class ${params.normalClass}`, metrics: { loss: p.loss } });
      },
      onOutputs: async (out) => {
        const scores = JSON.parse(await readFile(out.scores!, 'utf8')) as { scores: number[]; novel: boolean[] };
        const body = {
          arm: noveltyArm(params),
          method: params.method,
          normalClass: params.normalClass,
          seed,
          params,
          ...(params.method === 'decoder-encoder' ? { guesses: NOVELTY_GUESSES } : {}),
          ...scores,
        };
        report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(body)), 'report', `novelty-${noveltyArm(params)}-class${params.normalClass}`);
      },
    });
    const m = (name: string, value: number | undefined) => (value === undefined || !Number.isFinite(value) ? [] : [{ runId: input.runId, stepId: step.id, name, value, index: null }]);
    await insertMetrics(deps.db, [
      ...m('auroc', r.aurocPct),
      ...m('auroc_reconstruction_term', r.termAurocPct?.reconstruction),
      ...m('auroc_contrastive_term', r.termAurocPct?.contrastive),
      ...m('normal_class', params.normalClass),
      ...m('train_images', r.trainImages),
      ...m('test_normal', r.testNormal),
      ...m('test_novel', r.testNovel),
      ...m('parameters', r.parameters),
      ...m('final_train_loss', r.finalLoss),
      ...m('train_steps', r.steps),
      ...m('seconds', r.seconds),
    ]);
    reporter.report({ done: r.steps, total: r.steps, unit: 'steps', message: `done: AUROC ${r.aurocPct.toFixed(1)} %`, metrics: { auroc: r.aurocPct } }, true);
    await reporter.flush();
    return { outputs: { report } };
  } catch (e) {
    rethrowComputeFailure(e, `novelty (class ${params.normalClass})`);
  } finally {
    await reporter.flush();
  }
}
