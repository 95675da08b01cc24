/**
 * `simulateMpu`: one workload on the MPU and V100 models, in a compute child process (the
 * simulator is CPU-bound). Heartbeats carry simulated cycles; the full result is stored as a JSON
 * report artifact and its headline numbers as metrics. Deterministic, so a retry simply reruns.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { deleteStepMetrics, insertMetrics, type StepRow } from '@reprolab/db';
import type { ParameterSweepResult, WorkloadResult } from '@reprolab/methods/mpu/index';
import { SimulateMpuParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { ActivityDeps } from '../deps';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, rethrowComputeFailure, putArtifact, type StepReporter } from './context';

export async function simulateMpu(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, ctx, reporter } = await openStep(deps, input, SimulateMpuParams);
  await deleteStepMetrics(deps.db, step.id);
  let cycles = 0;
  try {
    let points = 0;
    const out = await runComputeJob<WorkloadResult | { sweep: ParameterSweepResult }>({
      job: 'simulate-mpu',
      args: { params },
      files: {},
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat({ simCycles: cycles }),
      onProgress: (d) => {
        if (d.simCycles !== undefined) cycles = Number(d.simCycles);
        if (d.sweepPointsDone !== undefined) points = Number(d.sweepPointsDone);
        reporter.report(
          params.sweep
            ? { done: points, total: params.sweep.values.length, unit: `${params.sweep.parameter} values`, message: `${params.workload}: ${cycles} simulated cycles` }
            : { done: cycles, total: 0, unit: 'simulated cycles', message: params.workload },
        );
      },
    });
    if ('sweep' in out) return await recordSweep(deps, input.runId, step, out.sweep, reporter);
    const r = out;
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(r, null, 1)), 'report', `mpu-${params.workload}`);
    const m = (name: string, value: number) => ({ runId: input.runId, stepId: step.id, name, value, index: null });
    const rows = [
      m('speedup', r.speedup),
      m('energy_ratio', r.energyRatio),
      m('mpu_cycles', r.mpu.cycles),
      m('gpu_cycles', r.v100.cycles),
      m('mpu_seconds', r.mpu.timeS),
      m('gpu_seconds', r.v100.timeS),
      m('mpu_warp_instructions', r.mpu.warpInstructions),
      m('gpu_warp_instructions', r.v100.warpInstructions),
      m('mpu_energy_nj', r.mpu.totalEnergyNJ),
      m('gpu_energy_nj', r.v100.totalEnergyNJ),
      m('functional_ok', r.functional.ok ? 1 : 0),
      m('problem_size', r.size),
      // Energy by component (DRAM activate/precharge/read/write/refresh, bus, network, ALU, SRAM, static).
      ...Object.entries(r.mpu.energyNJ).map(([k, v]) => m(`mpu_energy_${snake(k)}_nj`, v)),
      ...Object.entries(r.v100.energyNJ).map(([k, v]) => m(`gpu_energy_${snake(k)}_nj`, v)),
    ];
    await insertMetrics(deps.db, rows);
    if (!r.functional.ok) throw ApplicationFailure.nonRetryable(`${params.workload}: simulated output differs from the reference (max relative error ${r.functional.maxRelError})`, 'FunctionalMismatch');
    reporter.report({ done: r.mpu.cycles, total: r.mpu.cycles, unit: 'simulated cycles', message: `${params.workload}: ${r.speedup.toFixed(2)}× speedup`, metrics: { speedup: r.speedup, energyRatio: r.energyRatio } }, true);
    await reporter.flush();
    return { outputs: { report } };
  } catch (e) {
    rethrowComputeFailure(e, 'simulation');
  } finally {
    await reporter.flush(); // no progress write may land after the step has ended
  }
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A sweep's points as indexed series (`sweep_speedup`[i], … in the order of the recipe's values;
 * `sweep_value`[i] where the values are numbers) plus the whole result as a report artifact.
 */
async function recordSweep(deps: ActivityDeps, runId: string, step: StepRow, sweep: ParameterSweepResult, reporter: StepReporter): Promise<StepResult> {
  const bad = sweep.points.find((p) => !p.functionalOk);
  const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(sweep, null, 1)), 'report', `mpu-sweep-${sweep.workload}`);
  const rows = sweep.points.flatMap((p, i) => {
    const m = (name: string, value: number) => ({ runId, stepId: step.id, name, value, index: i });
    return [
      m('sweep_speedup', p.speedup),
      m('sweep_energy_ratio', p.energyRatio),
      m('sweep_mpu_cycles', p.mpuCycles),
      m('sweep_gpu_cycles', p.gpuCycles),
      m('sweep_row_hit_rate', p.rowHitRate),
      ...(typeof p.value === 'number' ? [m('sweep_value', p.value)] : []),
    ];
  });
  await insertMetrics(deps.db, rows);
  if (bad) throw ApplicationFailure.nonRetryable(`${sweep.workload} with ${sweep.parameter} = ${JSON.stringify(bad.value)}: simulated output differs from the reference`, 'FunctionalMismatch');
  reporter.report({ done: sweep.points.length, total: sweep.points.length, unit: `${sweep.parameter} values`, message: `${sweep.workload}: speedup ${sweep.points.map((p) => p.speedup.toFixed(2)).join(' / ')}` }, true);
  await reporter.flush();
  return { outputs: { report } };
}
