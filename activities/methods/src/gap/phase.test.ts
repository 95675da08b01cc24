import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { decodeCheckpoint, encodeCheckpoint, type TrainCheckpoint } from '../train/checkpoint';
import { describePrunable, learningRateAtEpoch, resolveExclude, type SparseRunConfig } from './config';
import { keptCount, sparsityReport, type MaskSet } from './masks';
import { executePhase, gradualSparsityAt, type PhaseResult } from './phase';
import { layerSizes, optimizerSlotCount, slotIndices } from './prunable';
import { planComparison, planDense, planGap, planGradualMagnitude, type Phase, type SparsePlan } from './schedule';
import { checkpointMasks, readGapState } from './state';
import { tinyConfig, tinyDataset } from './testing';

const data = tinyDataset();
const layers = describePrunable(tinyConfig());
const TRAINABLE = ['conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias', 'fc1/kernel', 'fc1/bias', 'logits/kernel', 'logits/bias'];

/** Runs every phase of a plan in order, keeping outputs by phase id. */
async function runPlan(plan: SparsePlan, evaluate = false): Promise<Map<string, PhaseResult>> {
  const out = new Map<string, PhaseResult>();
  for (const phase of plan.phases) {
    const inputs = phase.inputs.map((id) => out.get(id)!.checkpoint);
    out.set(phase.id, await executePhase({ config: plan.config, phase, inputs, data, evaluate: evaluate ? { limit: 24 } : undefined }));
  }
  return out;
}

/** Every pruned kernel entry, and its optimizer slots, is exactly 0. */
function assertMasked(ck: TrainCheckpoint, config: SparseRunConfig, masks: MaskSet = checkpointMasks(ck)): void {
  const slots = slotIndices(TRAINABLE, config.optimizer, optimizerSlotCount(ck.optimizer));
  for (const l of layers) {
    const m = masks[l.name];
    if (!m) continue;
    const arrays = [ck.weights.find((w) => w.name === l.weightName)!, ...(slots.get(l.weightName) ?? []).map((i) => ck.optimizer[i]!)];
    for (const a of arrays) for (let i = 0; i < m.length; i++) if (!m[i]) assert.ok(Object.is(a.values[i], 0), `${a.name}[${i}] = ${a.values[i]} under a 0 mask`);
  }
}

/** Exact per pruning unit: each layer (uniform) or each unit of `units` (global). */
function assertSparsity(ck: TrainCheckpoint, sparsity: number, perLayer: boolean, units: string[][] = [layers.map((l) => l.name)]): void {
  const masks = checkpointMasks(ck);
  let kept = 0;
  let total = 0;
  for (const l of layers) {
    const w = ck.weights.find((a) => a.name === l.weightName)!;
    const nz = w.values.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
    const k = masks[l.name]!.reduce((n, v) => n + v, 0);
    assert.ok(nz <= k);
    if (perLayer) assert.equal(k, keptCount(l.size, sparsity), l.name);
    kept += k;
    total += l.size;
  }
  const unitSize = (u: string[]) => layers.filter((l) => u.includes(l.name)).reduce((n, l) => n + l.size, 0);
  if (!perLayer) assert.equal(kept, units.reduce((n, u) => n + keptCount(unitSize(u), sparsity), 0));
  assert.equal(total, layers.reduce((n, l) => n + l.size, 0));
}

for (const optimizer of [{ kind: 'momentum' as const }, { kind: 'adam' as const }]) {
  test(`pruned weights and their ${optimizer.kind} state stay exactly 0 through optimizer steps`, async () => {
    const config = tinyConfig({ optimizer, learningRate: optimizer.kind === 'adam' ? 0.01 : 0.05 });
    const plan = planGap(config, layers, { variant: 'serial', kappa: 2, rounds: 1, epochsPerStep: 2, fineTuneEpochs: 1 });
    const init = await executePhase({ config, phase: plan.phases[0]!, inputs: [], data });
    assertSparsity(init.checkpoint, 0.8, true);
    const step = plan.phases[1]!;
    const seen: TrainCheckpoint[] = [];
    const r = await executePhase({ config, phase: step, inputs: [init.checkpoint], data, checkpointEvery: 1, onCheckpoint: async (ck) => void seen.push(ck) });
    assert.equal(seen.length, 5); // 6 steps, resume points after steps 1..5
    for (const ck of seen) {
      const masks = checkpointMasks(ck);
      for (const g of plan.groups[0]!) assert.equal(masks[g], undefined, `${g} is grown (dense) during the step`);
      assertMasked(ck, config);
    }
    // The grown group actually regrew some weights before being pruned back.
    const mid = seen.at(-1)!.weights.find((w) => w.name === 'conv1/kernel')!;
    assert.ok(mid.values.filter((v) => v !== 0).length > keptCount(mid.values.length, 0.8));
    assertMasked(r.checkpoint, config);
    assertSparsity(r.checkpoint, 0.8, true);
    const ft = await executePhase({ config, phase: plan.phases.at(-2)!, inputs: [r.checkpoint], data });
    const fine = await executePhase({ config, phase: plan.phases.at(-1)!, inputs: [ft.checkpoint], data });
    assertMasked(fine.checkpoint, config);
    assert.deepEqual(checkpointMasks(fine.checkpoint), checkpointMasks(ft.checkpoint), 'fine-tuning keeps the masks fixed');
  });
}

test('S-GaP with global (non-uniform) sparsity ends exactly at the target', async () => {
  const config = tinyConfig({ distribution: 'global', sparsity: 0.9 });
  const plan = planGap(config, layers, { variant: 'serial', kappa: 3, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1 });
  const out = await runPlan(plan, true);
  const last = out.get('finetune')!;
  assertSparsity(last.checkpoint, 0.9, false, plan.groups);
  assert.ok(Math.abs(last.metrics.sparsity - 0.9) < 1e-3);
  const perLayer = Object.values(last.metrics.layerSparsity);
  assert.ok(Math.max(...perLayer) - Math.min(...perLayer) > 0.01, 'global threshold gives non-uniform layers');
  assert.ok(last.metrics.accuracy! >= 0 && last.metrics.evalCount === 24);
});

test('P-GaP: branches train their own dense group; merge re-prunes to the target', async () => {
  const config = tinyConfig();
  const plan = planGap(config, layers, { variant: 'parallel', kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1 });
  const out = await runPlan(plan);
  const b1 = out.get('r1-b1')!.checkpoint;
  const merged = out.get('r1-merge')!.checkpoint;
  assert.equal(checkpointMasks(b1)[plan.groups[0]![0]!], undefined, 'branch 1 leaves its group dense');
  const w = (ck: TrainCheckpoint, n: string) => ck.weights.find((a) => a.name === n)!.values;
  // A kept weight of group 1 in the merged model comes from branch 1.
  const name = `${plan.groups[0]![0]!}/kernel`;
  const i = w(merged, name).findIndex((v) => v !== 0);
  assert.equal(w(merged, name)[i], w(b1, name)[i]);
  assertSparsity(merged, 0.8, true);
  assertMasked(merged, config);
  assertSparsity(out.get('finetune')!.checkpoint, 0.8, true);
});

test('gradual magnitude pruning follows the cubic ramp and ends exact', async () => {
  const g = { initialSparsity: 0, finalSparsity: 0.8, startEpoch: 0, endEpoch: 2, everySteps: 2 };
  assert.equal(gradualSparsityAt(g, 0, 3), 0);
  assert.equal(gradualSparsityAt(g, 1, 3), undefined);
  assert.ok(Math.abs(gradualSparsityAt(g, 2, 3)! - (0.8 - 0.8 * (1 - 2 / 6) ** 3)) < 1e-12);
  assert.equal(gradualSparsityAt(g, 6, 3), 0.8);
  const config = tinyConfig();
  const plan = planGradualMagnitude(config, layers, { denseEpochs: 1, pruneEpochs: 2, fineTuneEpochs: 1, pruneEverySteps: 2 });
  const out = await runPlan(plan);
  assert.equal(out.get('dense')!.metrics.sparsity, 0);
  const seen: TrainCheckpoint[] = [];
  await executePhase({ config, phase: plan.phases[2]!, inputs: [out.get('dense')!.checkpoint], data, checkpointEvery: 1, onCheckpoint: async (ck) => void seen.push(ck) });
  const ramp = seen.map((ck) => sparsityReport(checkpointMasks(ck), layerSizes(layers)).overall);
  assert.ok(ramp.every((s, i) => i === 0 || s >= ramp[i - 1]!) && ramp.at(-1)! > 0.5, `sparsity rises along the ramp: ${ramp}`);
  for (const ck of seen) assertMasked(ck, config);
  assertSparsity(out.get('prune')!.checkpoint, 0.8, true);
  assertMasked(out.get('finetune')!.checkpoint, config);
});

/** Runs `phase` once straight through and once stopped after `stopAt` steps and resumed from storage. */
async function resumeMatches(config: SparseRunConfig, phase: Phase, input: TrainCheckpoint, stopAt: number): Promise<void> {
  const straight = await executePhase({ config, phase, inputs: [input], data, evaluate: { limit: 24 } });
  let stored: Uint8Array | undefined;
  let steps = 0;
  await assert.rejects(
    executePhase({ config, phase, inputs: [input], data, checkpointEvery: stopAt, onCheckpoint: async (ck) => void (stored ??= encodeCheckpoint(ck)), onStep: () => void steps++, shouldStop: () => steps >= stopAt + 1 }),
    /training stopped/,
  );
  const resumeFrom = decodeCheckpoint(stored!);
  assert.equal(readGapState(resumeFrom)!.completed, false);
  const resumed = await executePhase({ config, phase, inputs: [input], data, resumeFrom, evaluate: { limit: 24 } });
  assert.equal(resumed.resumedFromStep, stopAt);
  assert.deepEqual(resumed.metrics, straight.metrics);
  assert.deepEqual(resumed.checkpoint, straight.checkpoint);
}

test('resuming in the middle of a GaP step reproduces the uninterrupted run exactly', async () => {
  const config = tinyConfig({ lrSchedule: { kind: 'cosine' } });
  const plan = planGap(config, layers, { variant: 'serial', kappa: 2, rounds: 1, epochsPerStep: 2, fineTuneEpochs: 0 });
  const init = await executePhase({ config, phase: plan.phases[0]!, inputs: [], data });
  await resumeMatches(config, plan.phases[1]!, init.checkpoint, 4);
});

test('resuming in the middle of a gradual-pruning phase reproduces it exactly', async () => {
  const config = tinyConfig({ optimizer: { kind: 'adam' }, learningRate: 0.01 });
  const plan = planGradualMagnitude(config, layers, { denseEpochs: 1, pruneEpochs: 2, fineTuneEpochs: 0, pruneEverySteps: 2 });
  const init = await executePhase({ config, phase: plan.phases[0]!, inputs: [], data });
  await resumeMatches(config, plan.phases[2]!, init.checkpoint, 3);
});

test('two runs with one seed agree; another seed differs', async () => {
  const plan = (seed: number) => planGap(tinyConfig({ seed }), layers, { variant: 'serial', kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1 });
  const a = await runPlan(plan(5));
  const b = await runPlan(plan(5));
  const c = await runPlan(plan(6));
  assert.deepEqual(a.get('finetune')!.checkpoint, b.get('finetune')!.checkpoint);
  assert.deepEqual(a.get('finetune')!.metrics, b.get('finetune')!.metrics);
  assert.notDeepEqual(a.get('finetune')!.checkpoint.weights, c.get('finetune')!.checkpoint.weights);
});

test('executePhase rejects wrong inputs and foreign resume checkpoints', async () => {
  const config = tinyConfig();
  const plan = planGap(config, layers, { variant: 'serial', kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 0 });
  await assert.rejects(executePhase({ config, phase: plan.phases[1]!, inputs: [], data }), /needs 1 input/);
  const init = await executePhase({ config, phase: plan.phases[0]!, inputs: [], data });
  await assert.rejects(executePhase({ config, phase: plan.phases[1]!, inputs: [init.checkpoint], data, resumeFrom: init.checkpoint }), /not an in-progress checkpoint/);
  const bad = { ...plan.phases[1]!, grow: ['nope'] } as Phase;
  await assert.rejects(executePhase({ config, phase: bad, inputs: [init.checkpoint], data }), /grow: unknown layer name "nope"/);
});

test('executing phases leaks no tensors', async () => {
  const config = tinyConfig();
  const plan = planGap(config, layers, { variant: 'parallel', kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1 });
  await runPlan(plan); // warm up kernels / lazily created globals
  const before = tf.memory().numTensors;
  await runPlan(plan, true);
  const gmp = planGradualMagnitude(tinyConfig({ optimizer: { kind: 'adam' }, learningRate: 0.01 }), layers, { denseEpochs: 1, pruneEpochs: 1, fineTuneEpochs: 1, pruneEverySteps: 1 });
  await runPlan(gmp);
  const afterFirst = tf.memory().numTensors;
  await runPlan(gmp);
  assert.equal(afterFirst, before, 'P-GaP + evaluation + GMP with Adam');
  assert.equal(tf.memory().numTensors, before);
});

test('one-shot prune-from-dense: dense training, one prune to the exact target, a masked fine-tune; same budget as S-GaP', async () => {
  const config = tinyConfig({ sparsity: 0.75 });
  const plans = planComparison(config, layers, { kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1 });
  const plan = plans.oneshot;
  assert.deepEqual(plan.phases.map((p) => p.id), ['init', 'dense', 'finetune']);
  assert.equal(plan.budget.sequentialEpochs, plans['gap-serial'].budget.sequentialEpochs);
  const out = await runPlan(plan);
  assertSparsity(out.get('dense')!.checkpoint, 0.75, true);
  const last = out.get('finetune')!.checkpoint;
  assertSparsity(last, 0.75, true);
  assertMasked(last, config);
});

test('weight decay shrinks kernels; bad decay and restart values are named; restart: phase restarts the schedule', async () => {
  const norms = async (weightDecay: number) => {
    const plan = planDense(tinyConfig({ weightDecay }), layers, { epochs: 1 });
    const ck = (await runPlan(plan)).get('train1')!.checkpoint;
    const sq = (re: RegExp) => ck.weights.filter((w) => re.test(w.name)).reduce((s, w) => s + w.values.reduce((a, v) => a + v * v, 0), 0);
    return { kernels: sq(/kernel$/), biases: sq(/bias$/) };
  };
  const plain = await norms(0);
  const decayed = await norms(0.2);
  assert.ok(decayed.kernels < plain.kernels, `kernels ${decayed.kernels} < ${plain.kernels}`);
  assert.throws(() => planDense(tinyConfig({ weightDecay: 1.5 }), layers, { epochs: 1 }), /weightDecay must be in \[0, 1\)/);
  const cfg = tinyConfig({ lrSchedule: { kind: 'cosine', restart: 'phase' } });
  assert.equal(learningRateAtEpoch(cfg, 0, 2), cfg.learningRate, 'each phase starts at the base rate');
  assert.throws(() => planDense(tinyConfig({ lrSchedule: { kind: 'constant', restart: 'always' as 'run' } }), layers, { epochs: 1 }), /restart must be 'run' or 'phase'/);
});

test('exclude: stem-and-classifier leaves the first and last prunable layers dense', () => {
  assert.deepEqual(resolveExclude(tinyConfig(), 'stem-and-classifier'), ['conv1', 'logits']);
  assert.deepEqual(resolveExclude(tinyConfig(), 'none'), []);
  assert.deepEqual(describePrunable({ ...tinyConfig(), exclude: resolveExclude(tinyConfig(), 'stem-and-classifier') }).map((l) => l.name), ['conv2', 'conv3', 'fc1']);
});
