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
import { openStep, putArtifact, type StepReporter } from './context';
import type { StepRow } from '@reprolab/db';

const ARCHS: Record<Exclude<ModelSizeParams['model'], 'aecr-net'>, (scale: SrScale) => SrArch> = {
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
  if (params.model === 'aecr-net') return aecrSize(deps, input, step, reporter);
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

/**
 * AECR-Net's parameters under each reading of its released code (activities/methods/src/dehaze/README.md):
 * `params_m_w1` is the network the released code builds (one FA block applied 6 times, one DCN
 * applied twice); `params_m_unshared_fa` gives every FA application its own weights,
 * `params_m_unshared_all` also the DCNs; `params_m_plain_conv_dcn` swaps DCNv2 for a plain conv.
 */
async function aecrSize(deps: ActivityDeps, input: ComputeStepInput, step: StepRow, reporter: StepReporter): Promise<StepResult> {
  const { AECR_RELEASED, aecrParameterCount } = await import('@reprolab/methods/dehaze/aecr');
  const readings = {
    w1: AECR_RELEASED,
    unshared_fa: { ...AECR_RELEASED, sharedFaBlock: false },
    unshared_all: { ...AECR_RELEASED, sharedFaBlock: false, sharedDcn: false },
    plain_conv_dcn: { ...AECR_RELEASED, dcn: 'plain-conv-standin' as const },
  };
  const counts = Object.fromEntries(Object.entries(readings).map(([k, c]) => [k, aecrParameterCount(c)]));
  await insertMetrics(deps.db, Object.entries(counts).map(([k, c]) => ({ runId: input.runId, stepId: step.id, name: `params_m_${k}`, value: c.total / 1e6, index: null })));
  const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ model: 'aecr-net', readings, counts }, null, 1)), 'report', 'model-size-aecr-net');
  reporter.report({ done: 1, total: 1, unit: 'count', message: `released code: ${(counts.w1!.total / 1e6).toFixed(3)} M` }, true);
  await reporter.flush();
  return { outputs: { report } };
}
