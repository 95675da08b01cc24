/**
 * The `simulate` step's models through the real stack: the TaS2 tight-binding and 3D-integration
 * recipes run on the `sim` queue, record numbers, checks and curves, and their qualitative claims
 * are judged as "holds in the model", never as reproducing a paper number. Bad model parameters are
 * refused at launch, naming the field.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
  await startWorker();
});

const run = async (file: string) => {
  const recipe = await readFile(`${REPO_ROOT}/workflows/recipes/${file}`, 'utf8');
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 900_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  assert.ok(done.steps.every((s) => s.queue === 'sim'));
  const series = await api.metrics.series({ runId: launched.runId });
  return { launched, done, series, m: finalMetrics(series) };
};

test(`[SIM/${testDb()}] 3d-integration: 2D vs 3D numbers, sweeps as series, qualitative claims judged in the model`, async () => {
  const { launched, done, series, m } = await run('3d-integration.yaml');
  assert.ok(Math.abs(m['model.wire_length_ratio_3d_2d']! - 0.5) < 1e-12, '4 tiers: 1/√4');
  assert.ok(m['rent.wire_length_ratio_3d_2d']! < 1 && m['rent.wire_length_ratio_3d_2d']! > 0.5);
  assert.equal(m['model.memory_bandwidth_2d_gbs'], 1024);
  const pitch = series.filter((r) => r.step === 'model' && r.name === 'pitch_sweep_x').sort((a, b) => a.index! - b.index!);
  assert.deepEqual(pitch.map((r) => r.value), [55, 40, 25, 10, 9, 5, 3, 1]);
  assert.ok(done.artifacts.some((a) => a.name === 'simulate-integration3d'));
  const c = await api.compare.run({ runId: launched.runId });
  assert.equal(c.rows.length, 6);
  for (const r of c.rows) {
    assert.match(r.label, /holds in the model \(qualitative claim/, `${r.claimId}: ${r.statement}`);
    assert.match(r.test, /deterministic value \[qualitative-model\]/);
  }
});

test(`[SIM/${testDb()}] tas2-tight-binding: narrow band, AA splitting = 2t⊥, 1T/1H shift, mean-field U; bands and DOS as series`, async () => {
  const { launched, series, m } = await run('tas2-tight-binding.yaml');
  assert.ok(m['tb.narrow_band_width_ev']! > 0 && m['tb.narrow_band_isolation_ev']! > 0, 'isolated narrow band');
  assert.ok(Math.abs(m['tb.aa_splitting_ev']! - 0.1) < 1e-9, 'AA-dimer splitting is 2t⊥ = 0.1 eV');
  assert.ok(Math.abs(m['tb.dos_integral']! - 13) < 1e-3);
  assert.equal(m['tb.mf_converged'], 1);
  const bands = series.filter((r) => r.step === 'tb' && r.name === 'bands_monolayer_y6');
  assert.equal(bands.length, 3 * 24 + 1, 'Γ–M–K–Γ at 24 points a segment');
  const c = await api.compare.run({ runId: launched.runId });
  assert.equal(c.rows.length, 4);
  for (const r of c.rows) assert.match(r.label, /(holds|does not hold) in the model/, `${r.claimId}: ${r.statement}`);
  for (const id of ['tas2-narrow-band-isolated', 'tas2-dimer-bonding-antibonding-gap', 'tas2-hybridisation-band-above-ef']) {
    assert.match(c.rows.find((r) => r.claimId === id)!.label, /^holds in the model/, id);
  }
  // In the papers' standing a model check stands apart from a reproduction, whichever way it went.
  const standing = new Map((await api.claims.standing({})).map((s) => [s.claimId, s.standing]));
  for (const r of c.rows) assert.equal(standing.get(r.claimId), r.verdict === 'reproduced' ? 'holds in a model' : 'fails in a model', r.claimId);
});

test(`[SIM/${testDb()}] simulate refuses bad model parameters at launch, naming the field`, async () => {
  const one = (params: Record<string, unknown>) => stringify({ name: 'sim-bad', version: 1, steps: [{ id: 's', kind: 'simulate', params }] });
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'tight-binding', params: { V: -0.2 } }) }), /steps\[0\]\.params\.params\.V: V \(1T–1H hybridisation, a magnitude\) must not be negative/);
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'tight-binding', params: { kMesh: 0 } }) }), /steps\[0\]\.params\.params\.kMesh/);
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'integration3d', params: { tiers: 0 } }) }), /steps\[0\]\.params\.params\.tiers: tiers must be at least 1/);
  // In range for the recipe schema, out of range for the model's own table (eta ≤ 12 both; electrons > 26 is caught by both).
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'integration3d', params: { rentExponent: 0.95 } }) }), /steps\[0\]\.params\.params\.rentExponent/);
});
