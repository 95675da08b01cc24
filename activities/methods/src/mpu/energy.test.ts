import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boardPowerEnergyBand, energyRatioAtPower, energyRatioBand, energyRatioSensitivity, powerForEnergyRatio, type EnergySplit } from './energy';

// Two workloads, numbers chosen so the ratios are easy to check by hand.
const rows: EnergySplit[] = [
  { mpuEnergyNJ: 1000, gpuEnergyNJ: 3000, gpuStaticNJ: 1000, gpuSeconds: 10e-9 }, // dynamic 2000 nJ; 10 ns
  { mpuEnergyNJ: 4000, gpuEnergyNJ: 5000, gpuStaticNJ: 2000, gpuSeconds: 20e-9 }, // dynamic 3000 nJ; 20 ns
];

test('energy ratio at a V100 power: bottom-up re-prices the static part, board power is time x power', () => {
  // 50 W over 10 ns = 500 nJ, over 20 ns = 1000 nJ
  const bottomUp = Math.sqrt(((2000 + 500) / 1000) * ((3000 + 1000) / 4000));
  assert.ok(Math.abs(energyRatioAtPower(rows, 'bottom-up-static', 50) - bottomUp) < 1e-12);
  const board = Math.sqrt((500 / 1000) * (1000 / 4000));
  assert.ok(Math.abs(energyRatioAtPower(rows, 'board-power', 50) - board) < 1e-12);
  // the band functions are the same curve at their ends
  assert.deepEqual(energyRatioBand(rows, { lower: 50, upper: 50 }), { lower: energyRatioAtPower(rows, 'bottom-up-static', 50), upper: energyRatioAtPower(rows, 'bottom-up-static', 50) });
  assert.equal(boardPowerEnergyBand(rows, { lower: 50, upper: 300 }).upper, energyRatioAtPower(rows, 'board-power', 300));
});

test('the power that meets a target ratio is found where the curve crosses it, or null outside 0…max', () => {
  for (const model of ['bottom-up-static', 'board-power'] as const) {
    const w = powerForEnergyRatio(rows, model, 1.5, 1000)!;
    assert.ok(w > 0 && w < 1000, `${model}: ${w}`);
    assert.ok(Math.abs(energyRatioAtPower(rows, model, w) - 1.5) < 1e-9);
  }
  // board power is linear: ratio(W) = W x ratio(1 W)
  assert.ok(Math.abs(powerForEnergyRatio(rows, 'board-power', 1.5, 1000)! - 1.5 / energyRatioAtPower(rows, 'board-power', 1)) < 1e-6);
  assert.equal(powerForEnergyRatio(rows, 'board-power', 100, 300), null, 'unreachable within 300 W');
  assert.equal(powerForEnergyRatio(rows, 'bottom-up-static', 0.1, 300), null, 'already above at 0 W');
});

test('sensitivity: both curves over 0…max W, rising, with their source bands and the crossing of the paper value', () => {
  const [bu, bp] = energyRatioSensitivity(rows, { paper: 1.5, staticBandW: { lower: 20, upper: 80 }, boardBandW: { lower: 44, upper: 300 }, maxW: 300, stepW: 50 });
  assert.equal(bu!.model, 'bottom-up-static');
  assert.deepEqual(bu!.points.map(([w]) => w), [0, 50, 100, 150, 200, 250, 300]);
  assert.deepEqual(bp!.points.map(([w]) => w), [50, 100, 150, 200, 250, 300], 'no board power of 0 W');
  for (const c of [bu!, bp!]) for (let i = 1; i < c.points.length; i++) assert.ok(c.points[i]![1] > c.points[i - 1]![1]);
  assert.deepEqual(bp!.band, { lowerW: 44, upperW: 300 });
  assert.deepEqual(bp!.bandRatio, boardPowerEnergyBand(rows, { lower: 44, upper: 300 }));
  assert.ok(bp!.powerForPaperW! > 0);
  assert.equal(energyRatioSensitivity(rows, { paper: null, staticBandW: { lower: 20, upper: 80 }, boardBandW: { lower: 44, upper: 300 } })[0]!.powerForPaperW, null);
  assert.throws(() => energyRatioSensitivity(rows, { paper: 1, staticBandW: { lower: 20, upper: 80 }, boardBandW: { lower: 44, upper: 300 }, stepW: 0 }), /stepW/);
  assert.throws(() => energyRatioAtPower(rows, 'board-power', 0), /positive/);
});
