import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainCheckpoint } from '../train/checkpoint';
import { buildModelFromSpec, describePrunable } from './config';
import { batchNormFollowers, mergeBranches } from './merge';
import type { PrunableLayer } from './prunable';

const arr = (name: string, v: number) => ({ name, shape: [2], values: Float32Array.from([v, v]) });
const layer = (name: string): PrunableLayer => ({ name, weightName: `${name}/kernel`, variableName: `${name}/kernel`, shape: [2], size: 2 });

/** Branch b's arrays all hold the value b + 1, so a copy and a mean are told apart. */
function branch(b: number): TrainCheckpoint {
  const v = b + 1;
  return { position: { step: 0, epoch: 0, batchInEpoch: 0 }, weights: [arr('a_conv/kernel', v), arr('a_bn/gamma', v), arr('a_bn/moving_mean', v), arr('b_conv/kernel', v), arr('b_bn/gamma', v), arr('other/bias', v)], optimizer: [], meta: {} };
}

test('P-GaP merge: each BN layer comes with its convolution\'s partition; unowned arrays are averaged', () => {
  const layers = [layer('a_conv'), layer('b_conv')];
  const followers = new Map([['a_bn', 'a_conv'], ['b_bn', 'b_conv']]);
  const merged = mergeBranches([branch(0), branch(1)], [['a_conv'], ['b_conv']], layers, [], undefined, followers);
  const value = (name: string) => merged.weights.find((w) => w.name === name)!.values[0];
  assert.equal(value('a_conv/kernel'), 1);
  assert.equal(value('a_bn/gamma'), 1, 'branch 0 trained a_conv dense: its BN comes from branch 0');
  assert.equal(value('a_bn/moving_mean'), 1, 'running statistics too');
  assert.equal(value('b_bn/gamma'), 2);
  assert.equal(value('other/bias'), 1.5, 'arrays of no partition are the mean');
  // Without the followers map the old behaviour (mean) is what one gets: the map is what matters.
  const naive = mergeBranches([branch(0), branch(1)], [['a_conv'], ['b_conv']], layers, [], undefined);
  assert.equal(naive.weights.find((w) => w.name === 'a_bn/gamma')!.values[0], 1.5);
});

test('batchNormFollowers pairs every ResNet BN with the convolution it normalises', () => {
  const spec = { kind: 'resnet-cifar' as const, depth: 20, width: 4, inputShape: [8, 8, 1] as [number, number, number], classes: 3 };
  const layers = describePrunable({ model: spec, seed: 1 });
  const model = buildModelFromSpec(spec, 1);
  try {
    const f = batchNormFollowers(model, layers);
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
    assert.equal(f.size, bns.length, 'every BN follows a conv');
    for (const [bn, conv] of f) assert.equal(bn.replace(/_bn$/, ''), conv.replace(/_conv$/, ''), `${bn} ← ${conv}`);
  } finally {
    model.dispose();
  }
});
