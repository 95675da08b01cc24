/**
 * `aggregate`: summary statistics over the metrics of the steps a step needs. Reads them from the
 * database (never through workflow payloads) and writes the summary back as metrics and a report.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { deleteStepMetrics, insertMetrics, listSteps, stepMetrics } from '@reprolab/db';
import { AggregateParams, DehazeParams, dehazeArm, DistillParams, distillArm, GrowPruneParams, NoveltyParams, noveltyArm } from '@reprolab/recipes';
import { boardPowerEnergyBand, energyRatioBand, V100_BOARD_POWER_W, V100_STATIC_POWER_RANGE_W, type EnergySplit } from '@reprolab/methods/mpu/index';
import { compareSparseMethods, gapInterval, meanInterval, sparseMetricStem, type Interval, type RunAccuracy } from '@reprolab/recipes/evidence';
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
    // The paper's method: V100 energy = run time x board power (MPU-Sim benchmark/README.md), the
    // power between the measured idle draw and the 300 W TDP (V100_BOARD_POWER_W names the sources).
    const boardW = { lower: V100_BOARD_POWER_W.idle, upper: V100_BOARD_POWER_W.tdp };
    const board = splits.every((x) => x.mpuEnergyNJ !== undefined && x.gpuSeconds !== undefined) ? boardPowerEnergyBand(splits as EnergySplit[], boardW) : null;
    const summary = {
      workloads: rows.map((r) => ({ step: r.step, speedup: r.metrics.speedup, energyRatio: r.metrics.energy_ratio, mpuCycles: r.metrics.mpu_cycles, gpuCycles: r.metrics.gpu_cycles })),
      geomeanSpeedup: geomean(speedups),
      geomeanEnergyRatio: geomean(energy),
      energyRatioBand: band && { ...band, v100StaticPowerW: V100_STATIC_POWER_RANGE_W },
      energyRatioBoardPower: board && { ...board, v100BoardPowerW: V100_BOARD_POWER_W },
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
      ...(board
        ? [m('geomean_energy_ratio_board_power_lower', board.lower), m('geomean_energy_ratio_board_power_upper', board.upper), m('v100_board_power_lower_w', boardW.lower), m('v100_board_power_upper_w', boardW.upper)]
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
    const rows = unique.flatMap((c) => intervalRows(sparseMetricStem(c), c.interval, m));
    // Mean accuracy per method / sparsity / distribution, for the record.
    const groups = new Map<string, number[]>();
    for (const r of runs) groups.set(`${r.method}@${r.sparsity}/${r.distribution}`, [...(groups.get(`${r.method}@${r.sparsity}/${r.distribution}`) ?? []), r.accuracy]);
    for (const [k, xs] of groups) rows.push(m(`accuracy_${slug(k)}_mean`, xs.reduce((a, b) => a + b, 0) / xs.length));
    await insertMetrics(deps.db, rows);
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ runs, comparisons: unique.map((c) => ({ ...c, metric: sparseMetricStem(c) })) }, null, 1)), 'report', 'sparse-gaps');
    return { outputs: { report } };
  }
  if (params.fn === 'sr-gaps') {
    // Each needed distill step is one (method, seed) sample of a CSD comparison arm.
    const runs: SrRun[] = [];
    for (const i of inputs) {
      const spec = stepOf(recipe, i.step);
      if (spec.kind !== 'distill' || i.metrics.psnr_y === undefined) continue;
      const p = DistillParams.parse(spec.params);
      runs.push({ step: i.step, method: distillArm(p.method, spec.inputs), seed: p.seed ?? run.seed, psnr: i.metrics.psnr_y, ssim: i.metrics.ssim_y, teacherPsnr: i.metrics.teacher_psnr_y, bicubicPsnr: i.metrics.bicubic_psnr_y });
    }
    if (!runs.length) throw ApplicationFailure.nonRetryable(`aggregate sr-gaps: none of ${needs.join(', ')} is a distill step with a psnr_y`, 'InvalidInput');
    const gaps = srGaps(runs);
    const rows = Object.entries(gaps).flatMap(([stem, iv]) => intervalRows(stem, iv, m));
    const byMethod = new Map<string, number[]>();
    for (const r of runs) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r.psnr]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const [method, xs] of byMethod) rows.push(m(`psnr_${slug(method)}_mean`, mean(xs)), m(`psnr_${slug(method)}_n`, xs.length));
    for (const method of byMethod.keys()) {
      const ss = runs.filter((r) => r.method === method && r.ssim !== undefined).map((r) => r.ssim!);
      if (ss.length) rows.push(m(`ssim_${slug(method)}_mean`, mean(ss)));
    }
    const bicubic = runs.map((r) => r.bicubicPsnr).filter((v): v is number => v !== undefined);
    if (bicubic.length) rows.push(m('bicubic_psnr_mean', mean(bicubic)));
    const teachers = runs.filter((r) => r.method === 'csd' && r.teacherPsnr !== undefined).map((r) => r.teacherPsnr!);
    if (teachers.length) rows.push(m('teacher_psnr_csd_mean', mean(teachers)));
    await insertMetrics(deps.db, rows.filter((r) => Number.isFinite(r.value)));
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ runs, gaps }, null, 1)), 'report', 'sr-gaps');
    return { outputs: { report } };
  }
  if (params.fn === 'novelty-auroc') {
    // Each needed novelty step is one (dataset, arm, normal class, seed) sample.
    const runs: NoveltyRun[] = [];
    for (const i of inputs) {
      const spec = stepOf(recipe, i.step);
      if (spec.kind !== 'novelty' || i.metrics.auroc === undefined) continue;
      const p = NoveltyParams.parse(spec.params);
      runs.push({ step: i.step, dataset: String(spec.inputs.dataset ?? 'dataset'), arm: noveltyArm(p), normalClass: p.normalClass, seed: p.seed ?? run.seed, auroc: i.metrics.auroc });
    }
    if (!runs.length) throw ApplicationFailure.nonRetryable(`aggregate novelty-auroc: none of ${needs.join(', ')} is a novelty step with an auroc`, 'InvalidInput');
    const summary = noveltySummary(runs);
    const rows = [
      ...summary.arms.flatMap((a) => [...intervalRows(`auroc_${slug(a.dataset)}_${slug(a.arm)}`, a.mean, m), ...a.perClass.map((c) => m(`auroc_${slug(a.dataset)}_${slug(a.arm)}_class${c.normalClass}`, c.mean))]),
      ...Object.entries(summary.gaps).flatMap(([stem, iv]) => intervalRows(stem, iv, m)),
    ];
    await insertMetrics(deps.db, rows.filter((r) => Number.isFinite(r.value)));
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ runs, ...summary }, null, 1)), 'report', 'novelty-auroc');
    return { outputs: { report } };
  }
  if (params.fn === 'dehaze-gaps') {
    // Each needed dehaze step is one (arm, seed) sample: with or without the contrastive regulariser.
    const runs: DehazeRun[] = [];
    for (const i of inputs) {
      const spec = stepOf(recipe, i.step);
      if (spec.kind !== 'dehaze' || i.metrics.psnr === undefined) continue;
      const p = DehazeParams.parse(spec.params);
      runs.push({ step: i.step, arm: dehazeArm(p), beta: p.beta, seed: p.seed ?? run.seed, psnr: i.metrics.psnr, ssim: i.metrics.ssim, hazyPsnr: i.metrics.hazy_psnr });
    }
    if (!runs.length) throw ApplicationFailure.nonRetryable(`aggregate dehaze-gaps: none of ${needs.join(', ')} is a dehaze step with a psnr`, 'InvalidInput');
    const gaps = dehazeGaps(runs);
    const rows = Object.entries(gaps).flatMap(([stem, iv]) => intervalRows(stem, iv, m));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const arm of new Set(runs.map((r) => r.arm))) {
      const rs = runs.filter((r) => r.arm === arm);
      rows.push(m(`psnr_${slug(arm)}_mean`, mean(rs.map((r) => r.psnr))), m(`psnr_${slug(arm)}_n`, rs.length));
      const ss = rs.filter((r) => r.ssim !== undefined).map((r) => r.ssim!);
      if (ss.length) rows.push(m(`ssim_${slug(arm)}_mean`, mean(ss)));
    }
    const hazy = runs.map((r) => r.hazyPsnr).filter((v): v is number => v !== undefined);
    if (hazy.length) rows.push(m('hazy_psnr_mean', mean(hazy)));
    await insertMetrics(deps.db, rows.filter((r) => Number.isFinite(r.value)));
    const report = await putArtifact(deps, step, new TextEncoder().encode(JSON.stringify({ runs, gaps }, null, 1)), 'report', 'dehaze-gaps');
    return { outputs: { report } };
  }
  throw ApplicationFailure.nonRetryable(`unknown aggregate ${String(params.fn)}`, 'InvalidInput');
}

/** A stem's interval as the metrics the comparison reads: <stem>_mean/_lower/_upper/_n/_se/_df/_paired. */
function intervalRows<R extends { value: number }>(base: string, iv: Interval, m: (name: string, value: number) => R): R[] {
  return [m(`${base}_mean`, iv.mean), m(`${base}_lower`, iv.lower), m(`${base}_upper`, iv.upper), m(`${base}_n`, iv.n), m(`${base}_se`, iv.se), m(`${base}_df`, iv.df), m(`${base}_paired`, iv.paired ? 1 : 0)].filter((r) => Number.isFinite(r.value));
}

export interface SrRun {
  step: string;
  method: string;
  seed: number;
  psnr: number;
  ssim?: number;
  teacherPsnr?: number;
  bicubicPsnr?: number;
}

/**
 * The CSD comparisons (PSNR in dB), paired by seed where both arms have the same seeds:
 * csd − student-alone (the paper's Baseline), csd − split-no-contrastive (J-T1), and the csd
 * student − its own jointly trained teacher; for students distilled from a stored teacher, csd −
 * split-no-contrastive and csd − student-alone. A gap whose arms are missing is left out.
 */
export function srGaps(runs: readonly SrRun[]): Record<string, Interval> {
  const arm = (method: string) => runs.filter((r) => r.method === method).map((r) => ({ seed: r.seed, value: r.psnr }));
  const csd = arm('csd');
  const out: Record<string, Interval> = {};
  const baseline = arm('student-alone');
  // Offline distillation from a stored, frozen teacher: the contrastive term's effect from the same
  // (split) start, and against the student trained alone.
  const storedCsd = arm('csd-from-stored-teacher');
  const storedSplit = arm('split-no-contrastive-from-stored-teacher');
  if (storedCsd.length && storedSplit.length) out.stored_csd_minus_split_psnr = gapInterval(storedCsd, storedSplit);
  if (storedCsd.length && baseline.length) out.stored_csd_minus_baseline_psnr = gapInterval(storedCsd, baseline);
  if (!csd.length) return out;
  const split = arm('split-no-contrastive');
  if (baseline.length) out.csd_minus_baseline_psnr = gapInterval(csd, baseline);
  if (split.length) out.csd_minus_split_psnr = gapInterval(csd, split);
  const withTeacher = runs.filter((r) => r.method === 'csd' && r.teacherPsnr !== undefined);
  // The same orderings in SSIM (Table 1 prints both), where every sample has one.
  const ssimArm = (method: string) => runs.filter((r) => r.method === method && r.ssim !== undefined).map((r) => ({ seed: r.seed, value: r.ssim! }));
  const [csdSsim, baseSsim, splitSsim] = [ssimArm('csd'), ssimArm('student-alone'), ssimArm('split-no-contrastive')];
  if (csdSsim.length === csd.length && baseSsim.length && baseSsim.length === baseline.length) out.csd_minus_baseline_ssim = gapInterval(csdSsim, baseSsim);
  if (csdSsim.length === csd.length && splitSsim.length && splitSsim.length === split.length) out.csd_minus_split_ssim = gapInterval(csdSsim, splitSsim);
  if (withTeacher.length) out.student_minus_teacher_psnr = gapInterval(withTeacher.map((r) => ({ seed: r.seed, value: r.psnr })), withTeacher.map((r) => ({ seed: r.seed, value: r.teacherPsnr! })));
  return out;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

export interface NoveltyRun {
  step: string;
  /** The recipe's name for the dataset (e.g. mnist, fashion). */
  dataset: string;
  arm: string;
  normalClass: number;
  seed: number;
  /** AUROC in percent. */
  auroc: number;
}

/** The orderings a novelty recipe checks, per dataset: [metric stem, subject arm, baseline arm]. */
export const NOVELTY_GAPS = [
  ['nda_gain', 'decoder-encoder', 'decoder-encoder-no-nda'],
  ['de_minus_ae', 'decoder-encoder', 'autoencoder'],
  ['de_minus_svdd', 'decoder-encoder', 'deep-svdd'],
] as const;

/**
 * Per dataset and arm: the mean AUROC over classes with a 95 % interval over seeds (each seed's
 * mean over the classes it ran), and each class's mean over seeds. Per dataset and ordering: the
 * AUROC gap in percentage points, paired by (class, seed), so n = classes × seeds and the interval
 * reads "on a one-class task drawn from these classes"; a gap whose arms ran different cells is
 * left out rather than pooled unpaired.
 */
export function noveltySummary(runs: readonly NoveltyRun[]): { arms: { dataset: string; arm: string; mean: Interval; perClass: { normalClass: number; mean: number; n: number }[] }[]; gaps: Record<string, Interval> } {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const keys = [...new Set(runs.map((r) => `${r.dataset}\u0000${r.arm}`))];
  const arms = keys.map((k) => {
    const [dataset, arm] = k.split('\u0000') as [string, string];
    const rs = runs.filter((r) => r.dataset === dataset && r.arm === arm);
    const seeds = [...new Set(rs.map((r) => r.seed))];
    const classes = [...new Set(rs.map((r) => r.normalClass))].sort((a, b) => a - b);
    const perSeed = seeds.map((sd) => mean(rs.filter((r) => r.seed === sd).map((r) => r.auroc)));
    return {
      dataset,
      arm,
      mean: meanInterval(perSeed),
      perClass: classes.map((c) => {
        const xs = rs.filter((r) => r.normalClass === c).map((r) => r.auroc);
        return { normalClass: c, mean: mean(xs), n: xs.length };
      }),
    };
  });
  const gaps: Record<string, Interval> = {};
  for (const dataset of new Set(runs.map((r) => r.dataset))) {
    for (const [stem, subject, baseline] of NOVELTY_GAPS) {
      // One sample per (class, seed) cell; the cell number pairs the two arms.
      const cells = (arm: string) => runs.filter((r) => r.dataset === dataset && r.arm === arm).map((r) => ({ seed: r.normalClass * 1_000_003 + r.seed, value: r.auroc }));
      const [a, b] = [cells(subject), cells(baseline)];
      const same = a.length > 1 && a.length === b.length && a.every((x) => b.some((y) => y.seed === x.seed));
      if (same) gaps[`${stem}_${slug(dataset)}_auroc`] = gapInterval(a, b);
    }
  }
  return { arms, gaps };
}

export interface DehazeRun {
  step: string;
  arm: string;
  beta: number;
  seed: number;
  psnr: number;
  ssim?: number;
  hazyPsnr?: number;
}

/**
 * AECR-Net's ablation: with CR − without CR in PSNR (dB) and SSIM, paired by seed where both arms
 * ran the same seeds (Welch otherwise); with several beta values among the with-CR steps, one gap
 * per beta (cr_minus_l1_psnr_beta_<b>) besides the pooled one.
 */
export function dehazeGaps(runs: readonly DehazeRun[]): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  const without = runs.filter((r) => r.arm === 'without-cr');
  const withCr = runs.filter((r) => r.arm === 'with-cr');
  if (!without.length || !withCr.length) return out;
  const pts = (rs: readonly DehazeRun[], f: (r: DehazeRun) => number | undefined) => rs.filter((r) => f(r) !== undefined).map((r) => ({ seed: r.seed, value: f(r)! }));
  const betas = [...new Set(withCr.map((r) => r.beta))];
  const gap = (rs: readonly DehazeRun[], suffix: string) => {
    out[`cr_minus_l1_psnr${suffix}`] = gapInterval(pts(rs, (r) => r.psnr), pts(without, (r) => r.psnr));
    const [a, b] = [pts(rs, (r) => r.ssim), pts(without, (r) => r.ssim)];
    if (a.length === rs.length && b.length === without.length) out[`cr_minus_l1_ssim${suffix}`] = gapInterval(a, b);
  };
  if (betas.length === 1) gap(withCr, '');
  else for (const b of betas) gap(withCr.filter((r) => r.beta === b), `_beta_${slug(String(b))}`);
  return out;
}
