/**
 * Distilling a student from a stored teacher through the real stack: a teacher trained by one step
 * (or one run) is frozen and a separate width-w student trains against it; a teacher of another
 * architecture, a lone student or a non-model digest is refused before anything trains.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { stringify } from 'yaml';
import { decodeCheckpoint } from '@reprolab/methods';
import type { ObjectStore } from '@reprolab/activities';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
let store: ObjectStore;
before(async () => {
  ({ api, store } = await connect());
  await startWorker();
});

const protocol = { model: { kind: 'edsr', blocks: 2, feats: 16 }, width: 0.25, scale: 4, patch: 8, batchSize: 6, negatives: 4, steps: 4, learningRate: 0.0005, checkpointEvery: 2, evalLimit: 4 };

const recipe = (name: string, steps: Record<string, unknown>[]) =>
  stringify({ name, version: 1, datasets: { photos: { builtin: 'photos-skimage' } }, steps });

test(`[SR/${testDb()}] students distil from a stored teacher: it stays frozen, its arms are their own, and a later run reuses it by digest`, async () => {
  const launched = await api.runs.launch({
    recipe: recipe('csd-stored-ci', [
      { id: 'teacher', kind: 'distill', inputs: { dataset: 'photos' }, params: { ...protocol, method: 'teacher-alone' } },
      { id: 'kd-csd', kind: 'distill', inputs: { dataset: 'photos', teacher: 'teacher.model' }, params: { ...protocol, method: 'csd' } },
      { id: 'kd-split', kind: 'distill', inputs: { dataset: 'photos', teacher: 'teacher.model' }, params: { ...protocol, method: 'split-no-contrastive' } },
      { id: 'summary', kind: 'aggregate', needs: ['kd-csd', 'kd-split'], params: { fn: 'sr-gaps' } },
    ]),
  });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 240_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  // The frozen teacher evaluates exactly as the step that trained it did.
  for (const s of ['kd-csd', 'kd-split']) {
    assert.equal(m[`${s}.teacher_psnr_y`], m['teacher.psnr_y'], `${s}: its teacher is the stored one, unchanged`);
    assert.ok(Number.isFinite(m[`${s}.psnr_y`]) && m[`${s}.psnr_y`]! > 0, `${s} psnr`);
    assert.equal(m[`${s}.train_steps`], 4);
  }
  assert.equal(m['summary.stored_csd_minus_split_psnr_n'], 1);
  assert.ok(Math.abs(m['summary.stored_csd_minus_split_psnr_mean']! - (m['kd-csd.psnr_y']! - m['kd-split.psnr_y']!)) < 1e-9);
  assert.equal(m['summary.psnr_csd_mean'], undefined, 'a stored-teacher student is never pooled with joint CSD');

  // The student's artifact holds the width-0.25 student alone and names its teacher.
  const art = (step: string, kind: string) => done.artifacts.find((a) => a.kind === kind && a.stepId === done.steps.find((s) => s.stepKey === step)!.id)!;
  const teacherDigest = art('teacher', 'model').sha256;
  const student = decodeCheckpoint(await store.getBytes(art('kd-csd', 'model').sha256));
  assert.equal(student.meta.layout, 'student');
  assert.equal(student.meta.teacher, teacherDigest);
  assert.equal(art('kd-csd', 'model').name, 'edsr-csd-w0.25-x4-from-stored-teacher');
  const report = JSON.parse(new TextDecoder().decode(await store.getBytes(art('kd-csd', 'report').sha256)));
  assert.deepEqual(report.teacher, { stored: teacherDigest, frozen: true, studentInit: 'teacher-split' });

  // A later run names the teacher by digest; evaluating its student's teacher is refused with the reason.
  const again = await api.runs.launch({
    recipe: recipe('csd-stored-digest-ci', [
      { id: 'kd', kind: 'distill', inputs: { dataset: 'photos', teacher: teacherDigest }, params: { ...protocol, method: 'csd', studentInit: 'scratch', steps: 2 } },
      { id: 'eval-teacher', kind: 'evaluate', inputs: { dataset: 'photos', model: 'kd.model' }, params: { network: 'teacher', limit: 2 } },
    ]),
  });
  const second = await waitForRun(api, again.runId, { timeoutMs: 240_000 });
  assert.equal(second.steps.find((s) => s.stepKey === 'kd')!.status, 'completed');
  const m2 = finalMetrics(await api.metrics.series({ runId: again.runId }));
  assert.equal(m2['kd.teacher_psnr_y'], m['teacher.psnr_y']);
  assert.equal(second.run.status, 'failed');
  assert.match(second.run.error ?? '', /network teacher: this csd model holds the width-w student only \(its teacher is the stored model sha256:[0-9a-f]{64}: evaluate that one\)/);
});

test(`[SR/${testDb()}] a stored teacher of another architecture, or a lone student, is refused before training, naming what differs`, async () => {
  const first = await api.runs.launch({
    recipe: recipe('csd-stored-bad-ci', [
      { id: 'alone', kind: 'distill', inputs: { dataset: 'photos' }, params: { ...protocol, method: 'student-alone', steps: 2 } },
      { id: 'from-student', kind: 'distill', inputs: { dataset: 'photos', teacher: 'alone.model' }, params: { ...protocol, method: 'csd' } },
    ]),
  });
  const a = await waitForRun(api, first.runId, { timeoutMs: 240_000 });
  assert.equal(a.run.status, 'failed');
  assert.match(a.run.error ?? '', /inputs\.teacher \(sha256:[0-9a-f]{64}\) is a student-alone model: it holds a width-0\.25 student only, no teacher/);
  const failed = a.steps.find((s) => s.stepKey === 'from-student')!;
  assert.ok(!a.artifacts.some((x) => x.stepId === failed.id), 'nothing stored for the refused step');
  // A stored artifact that is not a model (the student's report) is refused at launch.
  const report = a.artifacts.find((x) => x.kind === 'report')!;
  await assert.rejects(
    api.runs.launch({ recipe: recipe('csd-stored-report-ci', [{ id: 'kd', kind: 'distill', inputs: { dataset: 'photos', teacher: report.sha256 }, params: { ...protocol, method: 'csd' } }]) }),
    (e: unknown) => e instanceof TRPCError && e.code === 'NOT_FOUND' && e.message.includes(`step kd: inputs.teacher ${report.sha256} is a report artifact (distill-student-alone), not a model`),
  );
  const second = await api.runs.launch({
    recipe: recipe('csd-stored-arch-ci', [
      { id: 'teacher', kind: 'distill', inputs: { dataset: 'photos' }, params: { ...protocol, method: 'teacher-alone', steps: 2 } },
      { id: 'wrong', kind: 'distill', inputs: { dataset: 'photos', teacher: 'teacher.model' }, params: { ...protocol, model: { kind: 'edsr', blocks: 3, feats: 16 }, method: 'csd' } },
    ]),
  });
  const b = await waitForRun(api, second.runId, { timeoutMs: 240_000 });
  assert.equal(b.run.status, 'failed');
  assert.match(b.run.error ?? '', /inputs\.teacher \(sha256:[0-9a-f]{64}\) is the teacher of a teacher-alone step, EDSR 2 blocks × 16 feats \(res scale 1\), ×4, but this step trains EDSR 3 blocks × 16 feats \(res scale 1\), ×4 \(nResblocks differ\); set params\.model and params\.scale to the teacher's/);
});

test(`[SR/${testDb()}] a teacher named by an unknown digest, a non-model digest, or on the wrong arm is refused at launch`, async () => {
  const launch = (inputs: Record<string, string>, params: Record<string, unknown> = {}) =>
    api.runs.launch({ recipe: recipe('csd-stored-launch-ci', [{ id: 'kd', kind: 'distill', inputs: { dataset: 'photos', ...inputs }, params: { ...protocol, method: 'csd', ...params } }]) });
  const refused = async (p: Promise<unknown>, code: string, pattern: RegExp) => {
    await assert.rejects(p, (e: unknown) => e instanceof TRPCError && e.code === code && pattern.test(e.message));
  };
  await refused(launch({ teacher: `sha256:${'0'.repeat(64)}` }), 'NOT_FOUND', /step kd: inputs\.teacher sha256:0{64} is not an artifact of any run/);
  await refused(launch({ teacher: 'sha256:abc' }), 'BAD_REQUEST', /steps\[0\]\.inputs\.teacher: "sha256:abc" is not a model digest/);
  await refused(launch({ teacher: 'photos' }), 'BAD_REQUEST', /"photos" must name <step id>\.<output> of an earlier step/);
  await refused(launch({ teacher: `sha256:${'0'.repeat(64)}` }, { method: 'student-alone' }), 'BAD_REQUEST', /method student-alone trains without a teacher, so a stored teacher would go unused/);
  await refused(launch({}, { studentInit: 'scratch' }), 'BAD_REQUEST', /studentInit applies to a student distilled from a stored teacher/);
});
