/**
 * `aggregate`: summary statistics over the metrics of the steps a step needs. Reads them from the
 * database (never through workflow payloads) and writes the summary back as metrics and a report.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { deleteStepMetrics, insertMetrics, listSteps, stepMetrics } from '@reprolab/db';
import { AggregateParams, GrowPruneParams } from '@reprolab/recipes';
import { energyRatioBand, V100_STATIC_POWER_RANGE_W, type EnergySplit } from '@reprolab/methods/mpu/index';
import { compareSparseMethods, sparseMetricStem, type RunAccuracy } from '@reprolab/recipes/evidence';
import type { ActivityDeps } from '../deps';
import { loadRunRecipe, stepOf } from '../run';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact } from './context';

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export async function aggregate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params } = await openStep(deps, input, AggregateParams);
  const { run, recipe } = await loadRunRecipe(deps, input.runId);
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
    // The energy ratio over the V100 static power's uncertain range (the comparison judges the
    // whole range, so the verdict cannot rest on the one assumed value).
    const splits = rows.map((r) => ({ mpuEnergyNJ: r.metrics.mpu_energy_nj, gpuEnergyNJ: r.metrics.gpu_energy_nj, gpuStaticNJ: r.metrics.gpu_energy_static_nj, gpuSeconds: r.metrics.gpu_seconds }));
    const band = splits.every((x) => [x.mpuEnergyNJ, x.gpuEnergyNJ, x.gpuStaticNJ, x.gpuSeconds].every((v) => v !== undefined)) ? energyRatioBand(splits as EnergySplit[], V100_STATIC_POWER_RANGE_W) : null;
    const summary = {
      workloads: rows.map((r) => ({ step: r.step, speedup: r.metrics.speedup, energyRatio: r.metrics.energy_ratio, mpuCycles: r.metrics.mpu_cycles, gpuCycles: r.metrics.gpu_cycles })),
      geomeanSpeedup: geomean(speedups),
      geomeanEnergyRatio: geomean(energy),
      energyRatioBand: band && { ...band, v100StaticPowerW: V100_STATIC_POWER_RANGE_W },
    };
    await insertMetrics(deps.db, [
      m('geomean_speedup', summary.geomeanSpeedup),
      m('geomean_energy_ratio', summary.geomeanEnergyRatio),
      m('min_speedup', Math.min(...speedups)),
      m('max_speedup', Math.max(...speedups)),
      m('workloads', rows.length),
      ...(band
        ? [m('geomean_energy_ratio_band_lower', band.lower), m('geomean_energy_ratio_band_upper', band.upper), m('v100_static_power_band_lower_w', V100_STATIC_POWER_RANGE_W.lower), m('v100_static_power_band_upper_w', V100_STATIC_POWER_RANGE_W.upper)]
        : []),
    ]);
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(summary, null, 1)), 'report', 'mpu-summary');
    return { outputs: { report } };
  }
  if (params.fn === 'sparse-gaps') {
    // Each needed growPrune step is one (method, sparsity, distribution, seed) sample.
    const runs: RunAccuracy[] = [];
    for (const i of inputs) {
      const spec = stepOf(recipe, i.step);
      const acc = i.metrics.test_accuracy;
      if (spec.kind !== 'growPrune' || acc === undefined) continue;
      const p = GrowPruneParams.parse(spec.params);
      runs.push({ method: p.method, sparsity: p.method === 'dense' ? 0 : p.sparsity, distribution: p.distribution, seed: p.seed ?? run.seed, accuracy: acc });
    }
    if (!runs.length) throw ApplicationFailure.nonRetryable(`aggregate sparse-gaps: none of ${needs.join(', ')} is a growPrune step with a test_accuracy`, 'InvalidInput');
    // Each gap as mean, 95 % interval, standard error and degrees of freedom: the comparison judges
    // them against the claims the recipe targets (one-sided tests, Holm-corrected across the run).
    const checks = [...new Set(runs.map((r) => r.method).filter((mth) => mth.startsWith('gap-')))].flatMap((gap) =>
      compareSparseMethods(runs, { gap }).filter((c) => gap === 'gap-serial' || c.subject.startsWith(gap)),
    );
    const unique = [...new Map(checks.map((c) => [c.label, c])).values()];
    const rows = unique.flatMap((c) => {
      const base = sparseMetricStem(c);
      const iv = c.interval;
      return [m(`${base}_mean`, iv.mean), m(`${base}_lower`, iv.lower), m(`${base}_upper`, iv.upper), m(`${base}_n`, iv.n), m(`${base}_se`, iv.se), m(`${base}_df`, iv.df), m(`${base}_paired`, iv.paired ? 1 : 0)].filter((r) => Number.isFinite(r.value));
    });
    // Mean accuracy per method / sparsity / distribution, for the record.
    const groups = new Map<string, number[]>();
    for (const r of runs) groups.set(`${r.method}@${r.sparsity}/${r.distribution}`, [...(groups.get(`${r.method}@${r.sparsity}/${r.distribution}`) ?? []), r.accuracy]);
    for (const [k, xs] of groups) rows.push(m(`accuracy_${slug(k)}_mean`, xs.reduce((a, b) => a + b, 0) / xs.length));
    await insertMetrics(deps.db, rows);
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ runs, comparisons: unique.map((c) => ({ ...c, metric: sparseMetricStem(c) })) }, null, 1)), 'report', 'sparse-gaps');
    return { outputs: { report } };
  }
  throw ApplicationFailure.nonRetryable(`unknown aggregate ${String(params.fn)}`, 'InvalidInput');
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
