import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePrunable } from './config';
import { partitionLayers } from './partition';
import { phaseWaves, planComparison, planDense, planGap, planGradualMagnitude, type TrainPhase } from './schedule';
import { tinyConfig } from './testing';

const config = tinyConfig();
const layers = describePrunable(config);

test('the tiny proxy model has five prunable layers in model order', () => {
  assert.deepEqual(layers.map((l) => l.name), ['conv1', 'conv2', 'conv3', 'fc1', 'logits']);
});

test('partitions are contiguous, non-empty and roughly balanced', () => {
  const sizes = [{ name: 'a', size: 10 }, { name: 'b', size: 10 }, { name: 'c', size: 10 }, { name: 'd', size: 10 }];
  assert.deepEqual(partitionLayers(sizes, 2), [['a', 'b'], ['c', 'd']]);
  assert.deepEqual(partitionLayers(sizes, 4), [['a'], ['b'], ['c'], ['d']]);
  const skew = [{ name: 'a', size: 1 }, { name: 'b', size: 1 }, { name: 'c', size: 100 }, { name: 'd', size: 1 }];
  assert.deepEqual(partitionLayers(skew, 2), [['a', 'b'], ['c', 'd']]);
  const g3 = partitionLayers(layers, 3);
  assert.equal(g3.length, 3);
  assert.deepEqual(g3.flat(), layers.map((l) => l.name));
});

test('S-GaP visits the partitions in order, round after round, then fine-tunes', () => {
  const plan = planGap(config, layers, { variant: 'serial', kappa: 3, rounds: 2, epochsPerStep: 2, fineTuneEpochs: 3 });
  const ids = plan.phases.map((p) => p.id);
  assert.deepEqual(ids, ['init', 'r1-g1', 'r1-g2', 'r1-g3', 'r2-g1', 'r2-g2', 'r2-g3', 'finetune']);
  const steps = plan.phases.filter((p): p is TrainPhase => p.kind === 'train' && p.round !== undefined);
  steps.forEach((p, i) => {
    assert.deepEqual(p.grow, plan.groups[i % 3]);
    assert.deepEqual(p.pruneAfter, [plan.groups[i % 3]]);
    assert.deepEqual(p.inputs, [plan.phases[p.index - 1]!.id]);
    assert.equal(p.epochOffset, 2 * i);
  });
  const ft = plan.phases.at(-1) as TrainPhase;
  assert.deepEqual([ft.grow, ft.pruneAfter], [[], []]);
  assert.deepEqual(plan.budget, { sequentialEpochs: 15, computeEpochs: 15 });
  // The model is evaluated where each round ends: after its last step.
  assert.deepEqual(plan.phases.filter((p) => p.kind !== 'init' && p.endsRound !== undefined).map((p) => [p.id, p.kind !== 'init' && p.endsRound]), [['r1-g3', 1], ['r2-g3', 2]]);
  assert.equal(JSON.stringify(JSON.parse(JSON.stringify(plan))), JSON.stringify(plan), 'plan is plain JSON');
});

test('P-GaP runs κ branches per round (branch b grows group b) and merges them', () => {
  const plan = planGap(config, layers, { variant: 'parallel', kappa: 2, rounds: 2, epochsPerStep: 1, fineTuneEpochs: 1 });
  assert.deepEqual(phaseWaves(plan).map((w) => w.map((p) => p.id)), [['init'], ['r1-b1', 'r1-b2'], ['r1-merge'], ['r2-b1', 'r2-b2'], ['r2-merge'], ['finetune']]);
  const merge = plan.phases.find((p) => p.id === 'r1-merge')!;
  assert.deepEqual(merge.inputs, ['r1-b1', 'r1-b2']);
  assert.deepEqual(plan.budget, { sequentialEpochs: 3, computeEpochs: 5 });
  assert.deepEqual(plan.phases.filter((p) => p.kind !== 'init' && p.endsRound !== undefined).map((p) => p.id), ['r1-merge', 'r2-merge']);
});

test('baselines share the GaP budget', () => {
  const plans = planComparison(config, layers, { kappa: 2, rounds: 2, epochsPerStep: 2, fineTuneEpochs: 2 });
  for (const m of ['gap-serial', 'dense', 'gmp', 'static-random'] as const) assert.equal(plans[m].budget.computeEpochs, 10, m);
  const gmp = plans.gmp.phases.map((p) => p.id);
  assert.deepEqual(gmp, ['init', 'dense', 'prune', 'finetune']);
});

test('bad parameters are rejected with an error naming the parameter', () => {
  const gap = { variant: 'serial' as const, kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 0 };
  assert.throws(() => planGap(tinyConfig({ sparsity: 1 }), layers, gap), /sparsity must be in \[0, 1\)/);
  assert.throws(() => planGap(tinyConfig({ sparsity: -0.2 }), layers, gap), /sparsity/);
  assert.throws(() => planGap(config, layers, { ...gap, kappa: 6 }), /kappa \(6\) must not exceed the number of prunable layers \(5\)/);
  assert.throws(() => planGap(config, layers, { ...gap, kappa: 0 }), /kappa/);
  assert.throws(() => planGap(config, layers, { ...gap, epochsPerStep: 0 }), /epochsPerStep \(T\)/);
  assert.throws(() => planGap(config, layers, { ...gap, epochsPerStep: -1 }), /epochsPerStep \(T\)/);
  assert.throws(() => planGap(config, layers, { ...gap, partition: [['conv1', 'conv2'], ['conv3', 'fc1', 'nope']] }), /unknown layer name "nope"/);
  assert.throws(() => planGap(config, layers, { ...gap, partition: [['conv1'], ['conv2']] }), /not in any group/);
  assert.throws(() => describePrunable({ ...config, exclude: ['stem'] }), /exclude: unknown layer name "stem"/);
  assert.throws(() => planDense(config, layers, { epochs: 0 }), /epochs/);
  assert.throws(() => planGradualMagnitude(config, layers, { denseEpochs: 1, pruneEpochs: 1, fineTuneEpochs: 0, pruneEverySteps: 0 }), /pruneEverySteps/);
  assert.throws(() => planGap({ ...config, batchSize: 0 }, layers, gap), /batchSize/);
});
