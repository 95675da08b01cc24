/** distill (CSD and its arms) through the real stack: photos-skimage tiles → train → Y-PSNR → sr-gaps summary. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { loadBuiltinDataset, type ObjectStore } from '@reprolab/activities';
import { decodeSrCropImage, parseSrCrops } from '@reprolab/activities/sr-crops';
import { countParams, cropSquare, edsrPaper, psnr, srConvLayers } from '@reprolab/methods/sr/index';
import { connect, finalMetrics, srRecipe, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
let store: ObjectStore;
before(async () => {
  ({ api, store } = await connect());
  await startWorker();
});

const recipe = (params: Record<string, unknown> = {}) =>
  srRecipe('csd-ci', {
    params,
    targets: [
      { claim: 'csd-beats-baseline-student', metric: 'summary.csd_minus_baseline_psnr' },
      { claim: 'csd-edsrplus-w0.25-csd-x4-set5-psnr', metric: 'summary.psnr_csd_mean' },
    ],
  });

test(`[SR/${testDb()}] CSD, its baseline and J-T1 arms train on real photo tiles; PSNR, parameter counts and paired gaps are recorded`, async () => {
  const launched = await api.runs.launch({ recipe: recipe() });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 240_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const arch = { kind: 'edsr' as const, nResblocks: 2, nFeats: 16, resScale: 1, scale: 4 as const };
  for (const method of ['csd', 'student-alone', 'split-no-contrastive']) {
    for (const seed of [1, 2]) {
      const id = `sr-${method}-${seed}`;
      assert.ok(Number.isFinite(m[`${id}.psnr_y`]) && m[`${id}.psnr_y`]! > 0, `${id} psnr ${m[`${id}.psnr_y`]}`);
      assert.ok(m[`${id}.ssim_y`]! > -1 && m[`${id}.ssim_y`]! <= 1);
      assert.ok(m[`${id}.bicubic_psnr_y`]! > 20, `${id} bicubic ${m[`${id}.bicubic_psnr_y`]}`);
      assert.equal(m[`${id}.params_student`], countParams(srConvLayers(arch, 0.25)));
      assert.equal(m[`${id}.params_teacher`], countParams(srConvLayers(arch, 1)));
      assert.equal(m[`${id}.train_steps`], 6);
      assert.equal(m[`${id}.eval_images`], 4);
      assert.equal(m[`${id}.teacher_psnr_y`] !== undefined, method !== 'student-alone', `${id}: a teacher is evaluated where one is trained`);
    }
  }
  // The bicubic baseline does not depend on the method or seed.
  assert.equal(m['sr-csd-1.bicubic_psnr_y'], m['sr-student-alone-2.bicubic_psnr_y']);
  const gap = [1, 2].map((s) => m[`sr-csd-${s}.psnr_y`]! - m[`sr-student-alone-${s}.psnr_y`]!);
  assert.ok(Math.abs(m['summary.csd_minus_baseline_psnr_mean']! - (gap[0]! + gap[1]!) / 2) < 1e-9);
  for (const stem of ['csd_minus_baseline_psnr', 'csd_minus_split_psnr', 'student_minus_teacher_psnr']) {
    assert.equal(m[`summary.${stem}_n`], 2, stem);
    assert.equal(m[`summary.${stem}_paired`], 1, stem);
    assert.ok(m[`summary.${stem}_lower`]! <= m[`summary.${stem}_upper`]!, stem);
  }
  assert.ok(Math.abs(m['summary.psnr_csd_mean']! - (m['sr-csd-1.psnr_y']! + m['sr-csd-2.psnr_y']!) / 2) < 1e-9);
  // The extractor (a stand-in, never called VGG) is recorded in the step's report artifact.
  const kinds = done.artifacts.filter((a) => done.steps.find((s) => s.id === a.stepId)?.stepKey === 'sr-csd-1').map((a) => `${a.kind}:${a.name}`);
  assert.deepEqual(kinds.sort(), ['checkpoint:step-3', 'crops:sr-crops-csd', 'model:edsr-csd-w0.25-x4', 'report:distill-csd']);
  const c = await api.compare.run({ runId: launched.runId });
  const row = c.rows.find((r) => r.claimId === 'csd-beats-baseline-student')!;
  assert.equal(row.hypothesis, 'superiority');
  assert.equal(row.seeds, 2);

  // The crops each step stored: the same regions of the same test tiles in every arm, decodable
  // PNGs whose HR is the real photo tile's pixels, with the Y-PSNR the pixels give.
  const cropsOf = async (stepKey: string) => {
    const stepId = done.steps.find((s) => s.stepKey === stepKey)!.id;
    const art = done.artifacts.find((a) => a.stepId === stepId && a.kind === 'crops')!;
    // 3 crops × up to 4 images of 48×48 RGB are 83 KB raw; PNG + base64 JSON measured 54 KB for csd.
    assert.ok(art.size < 64_000, `${stepKey}: crops artifact ${art.size} bytes`);
    return parseSrCrops(await store.getBytes(art.sha256));
  };
  const photos = await loadBuiltinDataset('photos-skimage');
  const px = 96 * 96 * 3;
  const csd = await cropsOf('sr-csd-1');
  const alone = await cropsOf('sr-student-alone-1');
  assert.deepEqual(
    csd.crops.map((k) => k.tile),
    [0, 1, 2],
    'three of the four evaluated test tiles',
  );
  assert.deepEqual(
    alone.crops.map((k) => [k.tile, k.y, k.x, k.size]),
    csd.crops.map((k) => [k.tile, k.y, k.x, k.size]),
  );
  for (const [crop, other] of csd.crops.map((k, i) => [k, alone.crops[i]!] as const)) {
    assert.deepEqual(
      crop.images.map((i) => i.role),
      ['hr', 'bicubic', 'student', 'teacher'],
    );
    assert.deepEqual(
      other.images.map((i) => i.role),
      ['hr', 'bicubic', 'student'],
    );
    const [hr, ...rest] = crop.images.map((i) => decodeSrCropImage(i.png));
    for (const img of [hr!, ...rest]) assert.deepEqual([img.width, img.height, img.rgb.length], [48, 48, 48 * 48 * 3]);
    assert.deepEqual(hr!.rgb, cropSquare(photos.test.images.subarray(crop.tile * px, (crop.tile + 1) * px), 96, crop.y, crop.x, 48), `tile ${crop.tile}: HR crop is the photo's pixels`);
    assert.ok(crop.y >= 4 && crop.x >= 4 && crop.y + 48 <= 92 && crop.x + 48 <= 92 && crop.y % 4 === 0 && crop.x % 4 === 0, `crop at (${crop.y}, ${crop.x})`);
    crop.images.slice(1).forEach((img, i) => {
      assert.ok(Math.abs(img.psnrY! - psnr({ height: 48, width: 48, data: rest[i]!.rgb }, { height: 48, width: 48, data: hr!.rgb }, 0)) < 1e-9, `${img.role} PSNR`);
    });
    assert.equal(crop.images[1]!.png, other.images[1]!.png, 'bicubic does not depend on the arm');
  }

  // What the run page reads: one seed's crops lined up by arm, and PSNR vs parameters with the paper's points.
  const grid = await api.sr.crops({ runId: launched.runId, seed: 2 });
  assert.equal(grid.seed, 2);
  assert.deepEqual(grid.seeds, [1, 2]);
  assert.deepEqual(
    grid.columns.map((k) => k.key),
    ['bicubic', 'student-alone', 'split-no-contrastive', 'csd', 'teacher', 'hr'],
  );
  assert.equal(grid.rows.length, 3);
  for (const r of grid.rows) for (const k of grid.columns) assert.match(r.cells[k.key]!.src, /^data:image\/png;base64,iVBORw0KGgo/);
  assert.equal(grid.rows[0]!.cells.csd!.step, 'sr-csd-2');
  await assert.rejects(api.sr.crops({ runId: launched.runId, seed: 9 }), (e: unknown) => e instanceof TRPCError && e.code === 'NOT_FOUND');
  const view = (await api.sr.view({ runId: launched.runId }))!;
  assert.equal(view.scale, 'proxy');
  assert.match(view.note!, /not comparable/);
  const point = (arm: string, role: string) => view.measured.find((p) => p.arm === arm && p.role === role);
  assert.deepEqual(
    view.measured.map((p) => `${p.arm}/${p.role}`),
    ['student-alone/student', 'split-no-contrastive/student', 'split-no-contrastive/teacher', 'csd/student', 'csd/teacher'],
  );
  assert.ok(Math.abs(point('csd', 'student')!.mean - m['summary.psnr_csd_mean']!) < 1e-9);
  assert.equal(point('csd', 'teacher')!.params, countParams(srConvLayers(arch, 1)));
  assert.equal(point('student-alone', 'student')!.perSeed.length, 2);
  assert.ok(point('csd', 'student')!.lower! < point('csd', 'student')!.mean);
  assert.equal(view.paper!.label, 'paper (EDSR+, DIV2K→Set5)');
  assert.deepEqual(view.paper!.points.map((p) => p.claimId).sort(), [
    'csd-edsrplus-w0.25-baseline-x4-set5-psnr',
    'csd-edsrplus-w0.25-csd-x4-set5-psnr',
    'csd-edsrplus-w0.25-j-t1-x4-set5-psnr',
    'csd-edsrplus-w1.0-baseline-x4-set5-psnr',
    'csd-edsrplus-w1.0-csd-x4-set5-psnr',
    'csd-edsrplus-w1.0-j-t1-x4-set5-psnr',
  ]);
  const paperCsd = view.paper!.points.find((p) => p.claimId === 'csd-edsrplus-w0.25-csd-x4-set5-psnr')!;
  assert.deepEqual([paperCsd.value, paperCsd.params], [32.34, countParams(srConvLayers(edsrPaper(4), 0.25))]);
});

test(`[SR/${testDb()}] bad distill params are refused at launch, naming the field`, async () => {
  for (const [params, path] of [
    [{ scale: 5 }, 'steps[0].params.scale'],
    [{ width: 1.5 }, 'steps[0].params.width'],
    [{ patch: 30 }, 'steps[0].params.patch'],
  ] as const) {
    try {
      await api.runs.launch({ recipe: recipe(params) });
      assert.fail(`${JSON.stringify(params)} should be refused`);
    } catch (e) {
      assert.ok(e instanceof TRPCError && e.code === 'BAD_REQUEST', String(e));
      assert.ok(e.message.includes(`- ${path}:`), `error should name ${path}:\n${e.message}`);
    }
  }
});
