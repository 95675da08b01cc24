import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageWireLengthMm, bandwidthDensityGbpsPerMm2, bondDensityPerMm2, bondEnergyPjPerBit, designPoint, meanManhattan, meanTierDistance, runIntegration3d, validateI3dParams } from './model';
import { DEFAULT_I3D } from './params';

const P = { ...DEFAULT_I3D };
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('closed forms: mean Manhattan distance 2s/3 (Monte Carlo), mean tier distance, bond density', () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let sum = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) sum += Math.abs(rnd() - rnd()) + Math.abs(rnd() - rnd());
  assert.ok(Math.abs(sum / n - meanManhattan(1)) < 0.005);
  close(meanTierDistance(1), 0);
  close(meanTierDistance(2), 0.5); // two tiers: |Δ| = 1 half the time
  close(meanTierDistance(3), 8 / 9);
  close(bondDensityPerMm2(10), 10_000); // the cited hybrid-bonding anchor: 10 µm ≈ 10,000/mm²
  close(bondDensityPerMm2(50), 400); // and micro-bumps: 50 µm ≈ 400/mm²
});

test('bond energy passes through both cited anchors; footprint wire length scales as 1/√T', () => {
  close(bondEnergyPjPerBit(P, P.microbumpPitchUm), P.microbumpPjPerBit);
  close(bondEnergyPjPerBit(P, P.hybridPitchUm), P.hybridPjPerBit);
  for (const t of [1, 2, 4, 9]) close(averageWireLengthMm(P, t, 'footprint') / averageWireLengthMm(P, 1, 'footprint'), 1 / Math.sqrt(t));
  close(averageWireLengthMm(P, 4, 'rent') / averageWireLengthMm(P, 1, 'rent'), Math.pow(4, -(P.rentExponent - 0.5)));
  close(averageWireLengthMm(P, 1, 'footprint'), (2 / 3) * 20); // 400 mm² → 20 mm side
});

test('monotonicity: finer pitch → more bandwidth density, less energy; more tiers → shorter wires', () => {
  const pitches = [100, 55, 36, 10, 9, 3, 1];
  for (let i = 1; i < pitches.length; i++) {
    assert.ok(bandwidthDensityGbpsPerMm2(P, pitches[i]!) > bandwidthDensityGbpsPerMm2(P, pitches[i - 1]!));
    assert.ok(bondEnergyPjPerBit(P, pitches[i]!) < bondEnergyPjPerBit(P, pitches[i - 1]!));
  }
  for (const model of ['footprint', 'rent'] as const) {
    for (let t = 2; t <= 16; t++) assert.ok(designPoint(P, t, 9, model, true).wireLengthMm < designPoint(P, t - 1, 9, model, true).wireLengthMm);
  }
});

test('the review\'s qualitative claims hold with the default (cited / user-chosen) constants', () => {
  const r = runIntegration3d();
  for (const c of r.checks) assert.ok(c.holds, `${c.id}: ${JSON.stringify(c.values)}`);
  close(r.metrics.wire_length_ratio_3d_2d!, 0.5); // 4 tiers
  close(r.twoD.memoryBandwidthGBs, 1024); // 4 × 1024 pins × 2 Gb/s
  // With one tier and no stacked memory the "3D" design is the 2D one.
  const flat = runIntegration3d({ params: { tiers: 1 } });
  assert.equal(flat.checks.find((c) => c.id === 'shorter-wires')!.holds, false);
});

test('parameter overrides are validated by name', () => {
  assert.deepEqual(validateI3dParams({ tiers: 2 }), []);
  assert.match(validateI3dParams({ tiers: 0 })[0]!, /^tiers: 0 is outside/);
  assert.match(validateI3dParams({ tiers: 2.5 })[0]!, /^tiers: must be an integer/);
  assert.match(validateI3dParams({ bondPitchUm: Number.NaN })[0]!, /^bondPitchUm: must be a finite number/);
  assert.match(validateI3dParams({ nope: 1 })[0]!, /^nope: unknown parameter/);
  assert.throws(() => runIntegration3d({ params: { pinGbps: -1 } }), /pinGbps/);
});
