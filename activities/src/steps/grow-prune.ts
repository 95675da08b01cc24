/**
 * Activities of the `growPrune` child workflow: plan the phases, then run one phase at a time in a
 * compute child process. A phase checkpoints inside itself (sparse encoding, masks included) and
 * names the checkpoint in its heartbeat; a retried phase resumes from it bit for bit.
 */
import { readFile } from 'node:fs/promises';
import { deleteMetricsAt, insertMetrics } from '@reprolab/db';
import type { PhaseMetrics } from '@reprolab/methods/gap/index';
import { GrowPruneParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { GapPhaseArgs, GapPlanSummary } from '../compute/jobs';
import type { ActivityDeps } from '../deps';
import { artifactFile } from '../storage/local-cache';
import type { ComputeStepInput } from '../types';
import { latestCheckpoint, openStep, putArtifact, requireInput, rethrowComputeFailure } from './context';

export async function planGrowPrune(deps: ActivityDeps, input: ComputeStepInput): Promise<GapPlanSummary> {
  const { run, params, reporter } = await openStep(deps, input, GrowPruneParams);
  const files = { dataset: await artifactFile(deps.store, requireInput(input, 'dataset'), deps.log) };
  try {
    const plan = await runComputeJob<GapPlanSummary>({ job: 'gap-plan', args: { params, seed: params.seed ?? run.seed }, files });
    reporter.report({ done: 0, total: plan.phases.length, unit: 'phases', message: `${plan.method}: ${plan.budget.sequentialEpochs} epochs budget` }, true);
    await reporter.flush();
    return plan;
  } catch (e) {
    rethrowComputeFailure(e, 'growPrune planning');
  }
}

export interface GapPhaseInput extends ComputeStepInput {
  phaseId: string;
  /** Digests of the phase's input checkpoints, in plan order. */
  phaseInputs: string[];
  last: boolean;
}

interface PhaseHeartbeat {
  phaseId: string;
  checkpoint?: string;
  step: number;
}

interface PhaseOutcome {
  metrics: PhaseMetrics;
  resumedFromStep: number;
  phaseIndex: number;
  phases: number;
  label: string;
  budget: { sequentialEpochs: number; computeEpochs: number };
  /** The GaP round this phase completed (its model was evaluated). */
  endsRound?: number;
}

export async function gapPhase(deps: ActivityDeps, input: GapPhaseInput): Promise<{ checkpoint: string }> {
  const { run, step, params, ctx, reporter } = await openStep(deps, input, GrowPruneParams);
  const files: Record<string, string> = { dataset: await artifactFile(deps.store, requireInput(input, 'dataset'), deps.log) };
  for (const [i, d] of input.phaseInputs.entries()) files[`input${i}`] = await artifactFile(deps.store, d, deps.log);
  // A retried phase resumes from the newest checkpoint it stored (the heartbeat may lag behind it).
  const stored = ctx.info.attempt > 1 ? await latestCheckpoint(deps, step, `${input.phaseId}-`) : undefined;
  if (stored) files.resume = await artifactFile(deps.store, stored.digest, deps.log);
  let beat: PhaseHeartbeat = { phaseId: input.phaseId, checkpoint: stored?.digest, step: stored?.step ?? 0 };
  let outDigest = '';
  const args: GapPhaseArgs = { params, seed: params.seed ?? run.seed, phaseId: input.phaseId, inputCount: input.phaseInputs.length, last: input.last };
  try {
    const r = await runComputeJob<PhaseOutcome>({
      job: 'gap-phase',
      args,
      files,
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat(beat),
      onProgress: (d) => {
        beat = { ...beat, step: Number(d.step) };
        ctx.heartbeat(beat);
        reporter.report({ done: Number(d.step), total: Number(d.totalSteps), unit: 'steps', message: `phase ${input.phaseId}`, metrics: { loss: Number(d.loss) }, checkpoint: beat.checkpoint });
      },
      onCheckpoint: async (path, d) => {
        const digest = await putArtifact(deps, step, new Uint8Array(await readFile(path)), 'checkpoint', `${input.phaseId}-step-${String(d.step)}`);
        beat = { phaseId: input.phaseId, checkpoint: digest, step: Number(d.step) };
        ctx.heartbeat(beat);
      },
      onOutputs: async (out) => {
        const bytes = new Uint8Array(await readFile(out.checkpoint!));
        outDigest = await putArtifact(deps, step, bytes, input.last ? 'model' : 'checkpoint', input.last ? `${params.method}-final` : `phase-${input.phaseId}`);
      },
    });
    const m = r.metrics;
    const at = (name: string, value: number | null | undefined, index: number | null = r.phaseIndex) =>
      value === null || value === undefined || !Number.isFinite(value) ? [] : [{ runId: input.runId, stepId: step.id, name, value, index }];
    await deleteMetricsAt(deps.db, step.id, r.phaseIndex);
    await insertMetrics(deps.db, [
      ...at('phase_mean_loss', m.meanLoss),
      ...at('phase_sparsity', m.sparsity),
      ...at('phase_steps', m.steps),
      // A retried phase says where it picked up (only then: an undisturbed run's metrics are unchanged).
      ...(r.resumedFromStep > 0 ? at('phase_resumed_from_step', r.resumedFromStep) : []),
      // Test accuracy after each GaP round, at the index of the phase that ended it (the round is `round_number` there).
      ...(r.endsRound !== undefined ? [...at('round_test_accuracy', m.accuracy), ...at('round_number', r.endsRound)] : []),
    ]);
    if (input.last) {
      await deleteMetricsAt(deps.db, step.id, null);
      await insertMetrics(deps.db, [
        ...at('test_accuracy', m.accuracy, null),
        ...at('test_loss', m.evalLoss, null),
        ...at('test_examples', m.evalCount, null),
        ...at('final_sparsity', m.sparsity, null),
        ...at('budget_epochs', r.budget.sequentialEpochs, null),
        ...at('compute_epochs', r.budget.computeEpochs, null),
      ]);
    }
    reporter.report({ done: r.phaseIndex + 1, total: r.phases, unit: 'phases', message: r.label, metrics: { sparsity: m.sparsity, ...(m.accuracy !== undefined ? { accuracy: m.accuracy } : {}) } }, true);
    return { checkpoint: outDigest };
  } catch (e) {
    rethrowComputeFailure(e, `phase ${input.phaseId}`);
  } finally {
    await reporter.flush();
  }
}
