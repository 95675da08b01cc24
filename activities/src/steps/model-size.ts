/**
 * `modelSize`: parameters and multiply-accumulates of a super-resolution network at each
 * channel-splitting width, counted from its layer list (activities/methods/src/sr/arch.ts). Pure
 * arithmetic on the paper's own configuration, so the comparison can give exact verdicts on any
 * machine. Metrics per width w (0.25 → w0_25): params_m_<w> (millions), macs_g_<w> (billions, for
 * one outputSize image), compression_<w> (teacher ÷ student parameters).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { deleteStepMetrics, insertMetrics } from '@reprolab/db';
import { carnPaper, edsrBaseline, edsrPaper, rcanPaper, srComplexity, type SrArch, type SrScale } from '@reprolab/methods/sr/index';
import { ModelSizeParams } from '@reprolab/recipes';
import type { ActivityDeps } from '../deps';
import type { ComputeStepInput, StepResult } from '../types';
import { openStep, putArtifact } from './context';

const ARCHS: Record<ModelSizeParams['model'], (scale: SrScale) => SrArch> = {
  'edsr-paper': edsrPaper,
  'edsr-baseline': edsrBaseline,
  'rcan-paper': rcanPaper,
  'carn-paper': carnPaper,
};

/** 0.25 → "w0_25", 1 → "w1": a metric-name-safe width. */
export const widthKey = (w: number) => `w${String(w).replace('.', '_')}`;

export async function modelSize(deps: ActivityDeps, input: ComputeStepInput): Promise<StepResult> {
  const { step, params, reporter } = await openStep(deps, input, ModelSizeParams);
  await deleteStepMetrics(deps.db, step.id);
  const arch = ARCHS[params.model](params.scale);
  const [h, w] = [params.outputSize[0] / params.scale, params.outputSize[1] / params.scale];
  const count = (width: number) => {
    try {
      return srComplexity(arch, width, h, w);
    } catch (e) {
      // e.g. a width so small a layer keeps no channels: bad input, never worth a retry
      throw ApplicationFailure.nonRetryable(`modelSize ${params.model} at width ${width}: ${(e as Error).message}`, 'InvalidInput');
    }
  };
  const teacher = count(1);
  const widths = [...new Set([1, ...params.widths])];
  const rows = widths.map((width) => {
    const c = count(width);
    return { width, params: c.params, macs: c.macs, compression: teacher.params / c.params };
  });
  const m = (name: string, value: number) => ({ runId: input.runId, stepId: step.id, name, value, index: null });
  await insertMetrics(deps.db, rows.flatMap((r) => [m(`params_m_${widthKey(r.width)}`, r.params / 1e6), m(`macs_g_${widthKey(r.width)}`, r.macs / 1e9), m(`compression_${widthKey(r.width)}`, r.compression)]));
  const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ model: params.model, arch, scale: params.scale, inputSize: [h, w], widths: rows }, null, 1)), 'report', `model-size-${params.model}-x${params.scale}`);
  reporter.report({ done: 1, total: 1, unit: 'count', message: rows.map((r) => `${r.width}: ${(r.params / 1e6).toFixed(2)} M`).join(', ') }, true);
  await reporter.flush();
  return { outputs: { report } };
}
