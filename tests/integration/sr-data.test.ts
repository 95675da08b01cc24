/**
 * Whole-image SR data through the real stack: a tiny sr-benchmark folder (real PNGs written here)
 * imported with the CLI into MinIO + the database, then a run that trains a tiny distill model on
 * photos-skimage and evaluates it on the imported sets with the ×8 self-ensemble.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { TRPCError } from '@trpc/server';
import { encodePngRgb } from '@reprolab/activities/png';
import { findDatasetByName, listDatasets } from '@reprolab/db';
import { countParams, decodeSrManifest, srConvLayers } from '@reprolab/methods/sr/index';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api, runCli, writeTree } from '../support/harness';
import type { Db } from '@reprolab/db';
import type { ObjectStore } from '@reprolab/activities';

const cli = runCli;

/** A smooth photo-like test pattern (SR on noise says nothing), h×w RGB. */
const photo = (h: number, w: number, seed: number) =>
  encodePngRgb({ width: w, height: h, rgb: Uint8Array.from({ length: h * w * 3 }, (_, i) => {
    const x = Math.floor(i / 3) % w;
    const y = Math.floor(i / 3 / w);
    return Math.round(128 + 100 * Math.sin((x + seed) / 5) * Math.cos((y + 2 * (i % 3)) / 7));
  }) });

const folder = (files: Record<string, Uint8Array>) => writeTree(files, 'benchmark');

let api: Api;
let db: Db;
let store: ObjectStore;
before(async () => {
  ({ api, db, store } = await connect());
  await startWorker();
});

test(`[SR-DATA/${testDb()}] sr-benchmark imports through the CLI; a refused import stores nothing; an SR model is evaluated on the imported sets with the ×8 self-ensemble`, async () => {
  const bad = folder({ 'Set5/baby.png': photo(40, 44, 1), 'Set5/bird.png': photo(40, 44, 2).subarray(0, 50) });
  const before = await listDatasets(db);
  const refused = await cli(['data', 'import', '--format', 'sr-benchmark', bad, '--scale', '4', '--name', 'sr-bench-ci']);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.out, new RegExp(`${bad}/Set5/bird\\.png: not a readable PNG`));
  assert.deepEqual(await listDatasets(db), before, 'a refused import stores nothing');

  const dir = folder({
    'Set5/baby.png': photo(40, 44, 1),
    'Set5/bird.png': photo(38, 36, 2), // modcropped to 36×36
    'Set14/HR/zebra.png': photo(32, 48, 3),
    'Set14/LR_bicubic/X4/zebrax4.png': photo(8, 12, 4),
  });
  const imported = await cli(['data', 'import', '--format', 'sr-benchmark', dir, '--scale', '4', '--name', 'sr-bench-ci']);
  assert.equal(imported.code, 0, imported.out);
  assert.match(imported.out, /imported sr-bench-ci: 0 train \+ 3 test images at ×4/);
  const row = await findDatasetByName(db, 'sr-bench-ci');
  assert.equal(row?.format, 'sr-benchmark');
  const m = decodeSrManifest(await store.getBytes(row!.sha256));
  assert.deepEqual(m.sets.map((s) => [s.name, s.images.map((i) => `${i.name} ${i.hr.width}×${i.hr.height} ${i.lrSource}`)]), [['Set14', ['zebra 48×32 shipped']], ['Set5', ['baby 44×40 bicubic', 'bird 36×36 bicubic']]]);
  assert.match((await cli(['data', 'list'])).out, /sr-bench-ci\s+sha256:\S+\s+sr-benchmark\s+0\s+3\s+whole images\s+0/);

  const model = { kind: 'edsr', blocks: 1, feats: 8, resScale: 1 };
  const recipe = (evalParams: Record<string, unknown>, data = 'sr-bench-ci') => stringify({
    name: 'sr-eval-ci',
    version: 1,
    datasets: { photos: { builtin: 'photos-skimage' }, bench: { imported: data } },
    steps: [
      { id: 'sr', kind: 'distill', inputs: { dataset: 'photos' }, params: { method: 'csd', model, width: 0.5, scale: 4, patch: 6, batchSize: 4, negatives: 2, steps: 2, checkpointEvery: 2, evalLimit: 2 } },
      { id: 'eval', kind: 'evaluate', inputs: { dataset: 'bench', model: 'sr.model' }, params: { model, width: 0.5, ...evalParams } },
    ],
  });
  const run = await api.runs.launch({ recipe: recipe({ selfEnsemble: true }) });
  const done = await waitForRun(api, run.runId, { timeoutMs: 240_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const metrics = finalMetrics(await api.metrics.series({ runId: run.runId }));
  for (const set of ['set5', 'set14']) {
    assert.ok(Number.isFinite(metrics[`eval.${set}_psnr_y`]) && metrics[`eval.${set}_psnr_y`]! > 0, `${set}: ${metrics[`eval.${set}_psnr_y`]}`);
    assert.ok(metrics[`eval.${set}_ssim_y`]! <= 1);
    assert.ok(metrics[`eval.${set}_seconds_per_image`]! > 0);
  }
  assert.deepEqual([metrics['eval.set5_images'], metrics['eval.set14_images'], metrics['eval.self_ensemble']], [2, 1, 1]);
  const arch = { kind: 'edsr' as const, nResblocks: 1, nFeats: 8, resScale: 1, scale: 4 as const };
  assert.equal(metrics['eval.params'], countParams(srConvLayers(arch, 0.5)));

  // The wrong architecture is refused naming the mismatch; a dataset never imported is refused at launch.
  const wrong = await api.runs.launch({ recipe: recipe({ model: { ...model, feats: 16 } }) });
  const failed = await waitForRun(api, wrong.runId, { timeoutMs: 240_000 });
  assert.equal(failed.run.status, 'failed');
  assert.match(`${failed.run.error} ${JSON.stringify(failed.steps.map((s) => s.error))}`, /the model artifact is EDSR 1 blocks × 8 feats .* but the step expects EDSR 1 blocks × 16 feats/);
  await assert.rejects(api.runs.launch({ recipe: recipe({}, 'div2k-never-imported') }), (e: unknown) => e instanceof TRPCError && /dataset "bench": nothing imported under the name "div2k-never-imported"\. Import the data first with `reprolab data import --format <mnist-idx\|cifar10-binary\|div2k\|sr-benchmark\|reside-its\|reside-sots\|dense-haze\|nh-haze>/.test(e.message));
});
