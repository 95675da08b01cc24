/**
 * `aggregate`: summary statistics over the metrics of the steps a step needs. Reads them from the
 * database (never through workflow payloads) and writes the summary back as metrics and a report.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { deleteStepMetrics, insertMetrics, listSteps, stepMetrics } from '@reprolab/db';
import { AggregateParams } from '@reprolab/recipes';
import type { ActivityDeps } from '../deps';
import { loadRunRecipe, stepOf } from '../run';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact } from './context';

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export async function aggregate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params } = await openStep(deps, input, AggregateParams);
  const { recipe } = await loadRunRecipe(deps, input.runId);
  const needs = stepOf(recipe, input.stepKey).needs;
  const steps = (await listSteps(deps.db, input.runId)).filter((s) => needs.includes(s.stepKey));
  const inputs = await Promise.all(steps.map(async (s) => ({ step: s.stepKey, metrics: Object.fromEntries((await stepMetrics(deps.db, s.id)).filter((m) => m.index === null).map((m) => [m.name, m.value])) })));
  await deleteStepMetrics(deps.db, step.id);
  const m = (name: string, value: number) => ({ runId: input.runId, stepId: step.id, name, value, index: null });
  if (params.fn === 'mpu-geomean') {
    const rows = inputs.filter((i) => i.metrics.speedup !== undefined && i.metrics.energy_ratio !== undefined);
    if (!rows.length) throw ApplicationFailure.nonRetryable(`aggregate mpu-geomean: none of ${needs.join(', ')} recorded speedup and energy_ratio`, 'InvalidInput');
    const speedups = rows.map((r) => r.metrics.speedup!);
    const energy = rows.map((r) => r.metrics.energy_ratio!);
    const summary = {
      workloads: rows.map((r) => ({ step: r.step, speedup: r.metrics.speedup, energyRatio: r.metrics.energy_ratio, mpuCycles: r.metrics.mpu_cycles, gpuCycles: r.metrics.gpu_cycles })),
      geomeanSpeedup: geomean(speedups),
      geomeanEnergyRatio: geomean(energy),
    };
    await insertMetrics(deps.db, [
      m('geomean_speedup', summary.geomeanSpeedup),
      m('geomean_energy_ratio', summary.geomeanEnergyRatio),
      m('min_speedup', Math.min(...speedups)),
      m('max_speedup', Math.max(...speedups)),
      m('workloads', rows.length),
    ]);
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(summary, null, 1)), 'report', 'mpu-summary');
    return { outputs: { report } };
  }
  throw ApplicationFailure.nonRetryable(`unknown aggregate ${String(params.fn)}`, 'InvalidInput');
}
