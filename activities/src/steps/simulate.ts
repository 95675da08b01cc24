/**
 * `simulate`: a physics/hardware model chosen by `model` (tight-binding: 1T-TaS2 Star-of-David;
 * integration3d: 2D vs 3D accelerator), run in a compute child on the `sim` queue. Its headline
 * numbers and the outcome of each check (`check_<id>`: 1 holds, 0 not) become metrics; its curves
 * (bands, DOS, sweeps) indexed series `<series>_x`[i] and `<series>_y<c>`[i]; the whole result,
 * with every parameter's value and source, a JSON report artifact. Deterministic: a retry reruns.
 */
import { deleteStepMetrics, insertMetrics } from '@reprolab/db';
import { SimulateParams } from '@reprolab/recipes';
import { runComputeJob } from '../compute/client';
import type { ActivityDeps } from '../deps';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact, rethrowComputeFailure } from './context';

interface ModelOutput {
  metrics: Record<string, number>;
  checks: { id: string; statement: string; holds: boolean }[];
  series: { name: string; x: number[]; y: number[][] }[];
}

export async function simulate(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, ctx, reporter } = await openStep(deps, input, SimulateParams);
  await deleteStepMetrics(deps.db, step.id);
  try {
    const started = Date.now();
    reporter.report({ done: 0, total: 1, unit: 'model runs', message: params.model });
    const out = await runComputeJob<ModelOutput>({
      job: 'simulate',
      args: { params },
      files: {},
      signal: ctx.cancellationSignal,
      keepAlive: () => ctx.heartbeat({ model: params.model, seconds: Math.round((Date.now() - started) / 1000) }),
    });
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify(out, null, 1)), 'report', `simulate-${params.model}`);
    const row = (name: string, value: number, index: number | null) => ({ runId: input.runId, stepId: step.id, name, value, index });
    const rows = [
      ...Object.entries(out.metrics).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => row(k, v, null)),
      ...out.series.flatMap((s) => [
        ...s.x.map((x, i) => row(`${s.name}_x`, x, i)),
        ...s.y.flatMap((ys, c) => ys.map((y, i) => row(`${s.name}_y${c}`, y, i))),
      ]),
    ].filter((r) => Number.isFinite(r.value));
    await insertMetrics(deps.db, rows);
    const held = out.checks.filter((c) => c.holds).length;
    reporter.report({ done: 1, total: 1, unit: 'model runs', message: `${params.model}: ${held}/${out.checks.length} checks hold` }, true);
    await reporter.flush();
    return { outputs: { report } };
  } catch (e) {
    rethrowComputeFailure(e, 'simulation');
  } finally {
    await reporter.flush();
  }
}
