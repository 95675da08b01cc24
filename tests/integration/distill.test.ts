/** distill (CSD and its arms) through the real stack: photos-skimage tiles → train → Y-PSNR → sr-gaps summary. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { TRPCError } from '@trpc/server';
import { countParams, srConvLayers } from '@reprolab/methods/sr/index';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
  await startWorker();
});

// csd-proxy.yaml at a CI size: a 2-block, 16-feature teacher at ×4, 6 steps, 4 test tiles, 2 seeds.
const protocol = { model: { kind: 'edsr', blocks: 2, feats: 16 }, width: 0.25, scale: 4, patch: 8, batchSize: 6, negatives: 4, steps: 6, learningRate: 0.0005, checkpointEvery: 3, evalLimit: 4 };
const recipe = (params: Record<string, unknown> = {}) =>
  stringify({
    name: 'csd-ci',
    version: 1,
    datasets: { photos: { builtin: 'photos-skimage' } },
    steps: [
      { id: 'sr', kind: 'distill', inputs: { dataset: 'photos' }, params: { ...protocol, ...params }, matrix: { method: ['csd', 'student-alone', 'split-no-contrastive'], seed: [1, 2] } },
      { id: 'summary', kind: 'aggregate', needs: ['sr'], params: { fn: 'sr-gaps' } },
    ],
    targets: [{ claim: 'csd-beats-baseline-student', metric: 'summary.csd_minus_baseline_psnr' }],
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
  assert.deepEqual(kinds.sort(), ['checkpoint:step-3', 'model:edsr-csd-w0.25-x4', 'report:distill-csd']);
  const c = await api.compare.run({ runId: launched.runId });
  const row = c.rows.find((r) => r.claimId === 'csd-beats-baseline-student')!;
  assert.equal(row.hypothesis, 'superiority');
  assert.equal(row.seeds, 2);
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
