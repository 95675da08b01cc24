import assert from 'node:assert/strict';
import { test } from 'node:test';
import { srGaps, type SrRun } from './aggregate';

test('sr-gaps: csd − baseline and csd − split are paired by seed; student − teacher within csd runs', () => {
  const runs: SrRun[] = [
    { step: 'a1', method: 'csd', seed: 1, psnr: 30.2, teacherPsnr: 30.5 },
    { step: 'a2', method: 'csd', seed: 2, psnr: 30.4, teacherPsnr: 30.9 },
    { step: 'b1', method: 'student-alone', seed: 1, psnr: 30.0 },
    { step: 'b2', method: 'student-alone', seed: 2, psnr: 30.1 },
    { step: 'c1', method: 'split-no-contrastive', seed: 1, psnr: 30.1 },
  ];
  const g = srGaps(runs);
  assert.ok(g.csd_minus_baseline_psnr!.paired);
  assert.ok(Math.abs(g.csd_minus_baseline_psnr!.mean - 0.25) < 1e-9);
  assert.equal(g.csd_minus_baseline_psnr!.n, 2);
  // different seeds on each side: Welch, not paired
  assert.equal(g.csd_minus_split_psnr!.paired, false);
  assert.ok(Math.abs(g.student_minus_teacher_psnr!.mean - -0.4) < 1e-9);
  assert.deepEqual(Object.keys(srGaps(runs.filter((r) => r.method !== 'csd'))), []);
});

test('sr-gaps: SSIM gaps alongside PSNR when every sample has an SSIM, none when some lack one', () => {
  const runs: SrRun[] = [
    { step: 'a1', method: 'csd', seed: 1, psnr: 30.2, ssim: 0.81 },
    { step: 'a2', method: 'csd', seed: 2, psnr: 30.4, ssim: 0.83 },
    { step: 'b1', method: 'student-alone', seed: 1, psnr: 30.0, ssim: 0.8 },
    { step: 'b2', method: 'student-alone', seed: 2, psnr: 30.1, ssim: 0.8 },
    { step: 'c1', method: 'split-no-contrastive', seed: 1, psnr: 30.1 },
  ];
  const g = srGaps(runs);
  assert.ok(Math.abs(g.csd_minus_baseline_ssim!.mean - 0.02) < 1e-12);
  assert.ok(g.csd_minus_baseline_ssim!.paired);
  assert.equal(g.csd_minus_split_ssim, undefined);
});

test('sr-gaps: students distilled from a stored teacher form their own arms, never pooled with joint CSD', () => {
  const run = (method: string, seed: number, psnr: number): SrRun => ({ step: `${method}-${seed}`, method, seed, psnr });
  const runs = [1, 2, 3].flatMap((s) => [run('student-alone', s, 30 + s / 10), run('csd-from-stored-teacher', s, 30.5 + s / 10), run('split-no-contrastive-from-stored-teacher', s, 30.2 + s / 10)]);
  const g = srGaps(runs);
  assert.deepEqual(Object.keys(g).sort(), ['stored_csd_minus_baseline_psnr', 'stored_csd_minus_split_psnr']);
  assert.ok(Math.abs(g.stored_csd_minus_split_psnr!.mean - 0.3) < 1e-9 && g.stored_csd_minus_split_psnr!.paired);
  assert.ok(Math.abs(g.stored_csd_minus_baseline_psnr!.mean - 0.5) < 1e-9);
});
