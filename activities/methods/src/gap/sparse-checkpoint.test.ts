import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint';
import { describePrunable } from './config';
import { executePhase } from './phase';
import { planGap } from './schedule';
import { checkpointSizeRatio, decodeAnyCheckpoint, decodeSparseCheckpoint, encodeSparseCheckpoint } from './sparse-checkpoint';
import { checkpointMasks } from './state';
import { tinyConfig, tinyDataset } from './testing';

test('sparse encoding round-trips bit-exactly (masks and optimizer state included) and is smaller', async () => {
  const data = tinyDataset();
  const config = tinyConfig({ sparsity: 0.9 });
  const plan = planGap(config, describePrunable(config), { variant: 'serial', kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 0 });
  const init = await executePhase({ config, phase: plan.phases[0]!, inputs: [], data });
  const step = await executePhase({ config, phase: plan.phases[1]!, inputs: [init.checkpoint], data });
  const ck = step.checkpoint;
  const bytes = encodeSparseCheckpoint(ck);
  const back = decodeSparseCheckpoint(bytes);
  assert.deepEqual(back, decodeCheckpoint(encodeCheckpoint(ck)));
  assert.deepEqual(checkpointMasks(back), checkpointMasks(ck));
  assert.deepEqual(decodeAnyCheckpoint(bytes), back);
  assert.deepEqual(decodeAnyCheckpoint(encodeCheckpoint(ck)).weights, ck.weights);
  const { ratio } = checkpointSizeRatio(ck);
  // The tiny model's biases are dense, so the ratio is above the ~0.12 of a large model.
  assert.ok(ratio < 0.3, `ratio ${ratio}`);
  // A dense checkpoint (no masks) still round-trips.
  assert.deepEqual(decodeSparseCheckpoint(encodeSparseCheckpoint(init.checkpoint)).weights, init.checkpoint.weights);
});

test('a -0 under a mask is kept bit-exact', () => {
  const ck = { position: { step: 0, epoch: 0, batchInEpoch: 0 }, weights: [{ name: 'a/kernel', shape: [4], values: Float32Array.from([1, -0, 0, 2]) }], optimizer: [], meta: { gap: { version: 1, phaseId: 'x', completed: true, masks: { a: { n: 4, bits: Buffer.from([0b1001]).toString('base64') } }, lossSum: 0, lossSteps: 0 } } };
  const back = decodeSparseCheckpoint(encodeSparseCheckpoint(ck));
  assert.ok(Object.is(back.weights[0]!.values[1], -0));
  assert.throws(() => decodeSparseCheckpoint(new Uint8Array([1, 2, 3])), /RLSP1/);
});
