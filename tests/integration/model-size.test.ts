/** CSD's model-size claims, counted from the paper's own architectures: exact verdicts on any machine. */
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

test(`[SR/${testDb()}] csd-architecture: EDSR+/RCAN+/CARN+ sizes are counted and judged as exact evidence`, async () => {
  const recipe = await readFile(`${REPO_ROOT}/workflows/recipes/csd-architecture.yaml`, 'utf8');
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  // EDSR+ ×4: 43,089,923 parameters; the 0.25 student 2,699,267 (the authors' int() truncation).
  assert.equal(Math.round(m['edsr.params_m_w1']! * 1e6), 43_089_923);
  assert.equal(Math.round(m['edsr.params_m_w0_25']! * 1e6), 2_699_267);
  assert.ok(Math.abs(m['edsr.compression_w0_25']! - 43_089_923 / 2_699_267) < 1e-9);
  assert.ok(m['edsr.macs_g_w1']! > m['edsr.macs_g_w0_5']! && m['edsr.macs_g_w0_5']! > m['edsr.macs_g_w0_25']!);
  const c = await api.compare.run({ runId: launched.runId });
  assert.equal(c.fidelity, 'exact');
  assert.equal(c.rows.length, 10);
  for (const r of c.rows) {
    assert.equal(r.verdict, 'reproduced', `${r.claimId}: ${r.statement}`);
    assert.match(r.test, /a single deterministic value \[exact\]/);
  }
  // The paper's standing now shows these claims decided by this kind of run; a PSNR claim that
  // needs Urban100 has no run and says why.
  const standing = await api.claims.standing({ paper: '2105.11683' });
  const size = standing.find((s) => s.claimId === 'csd-edsrplus-w0.25-params')!;
  assert.deepEqual([size.standing, size.fidelity, size.recipe], ['reproduced', 'exact', 'csd-architecture@v1']);
  assert.ok(size.runsJudged >= 1);
  const psnr = standing.find((s) => s.dataset?.includes('Urban100') && s.metric === 'psnr' && s.standing === 'no recipe')!;
  assert.match(psnr.outOfReach ?? '', /SR benchmarks/);
});

test(`[SR/${testDb()}] aecr-architecture: AECR-Net's released code counts 2.61 M (exact), each other reading recorded`, async () => {
  const recipe = await readFile(`${REPO_ROOT}/workflows/recipes/aecr-architecture.yaml`, 'utf8');
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  // One FA block applied 6 times and one DCN applied twice, as models/AECRNet.py builds it.
  assert.equal(Math.round(m['size.params_m_w1']! * 1e6), 2_614_229);
  assert.ok(m['size.params_m_unshared_fa']! > 8 && m['size.params_m_unshared_all']! > m['size.params_m_unshared_fa']!);
  assert.ok(m['size.params_m_plain_conv_dcn']! < m['size.params_m_w1']!);
  const c = await api.compare.run({ runId: launched.runId });
  assert.deepEqual(c.rows.map((r) => [r.claimId, r.verdict]), [['aecr-aecr-net-params', 'reproduced']]);
  assert.match(c.rows[0]!.test, /\[exact\]/);
  await assert.rejects(api.runs.launch({ recipe: stringify({ name: 'size-bad', version: 1, steps: [{ id: 's', kind: 'modelSize', params: { model: 'aecr-net', widths: [0.5] } }] }) }), /steps\[0\]\.params\.widths: aecr-net is counted at its own width only/);
});

test(`[SR/${testDb()}] modelSize refuses impossible sizes at launch, and a width that keeps no channels fails once, named`, async () => {
  const one = (params: Record<string, unknown>) => stringify({ name: 'size-bad', version: 1, steps: [{ id: 's', kind: 'modelSize', params }] });
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'edsr-paper', widths: [0] }) }), /steps\[0\]\.params\.widths\[0\]: a width is a fraction/);
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'edsr-paper', scale: 3, outputSize: [720, 1280] }) }), /outputSize 720×1280 is not divisible by scale 3/);
  await assert.rejects(api.runs.launch({ recipe: one({ model: 'vgg' }) }), /steps\[0\]\.params\.model/);
  const launched = await api.runs.launch({ recipe: one({ model: 'carn-paper', widths: [0.001] }) });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'failed');
  assert.match(done.run.error ?? '', /width 0\.001/);
  assert.equal(done.steps[0]!.attempts, 1, 'bad input is not retried');
});
