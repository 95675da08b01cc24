import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dehazeGaps, type DehazeRun } from './aggregate';

const r = (arm: 'with-cr' | 'without-cr', beta: number, seed: number, psnr: number, ssim?: number): DehazeRun => ({ step: `${arm}-${beta}-${seed}`, arm, beta, seed, psnr, ...(ssim === undefined ? {} : { ssim }) });

test('dehaze-gaps: with CR − without CR paired by seed, in PSNR and SSIM; one gap per beta when several', () => {
  const runs = [r('with-cr', 0.1, 1, 20.5, 0.8), r('with-cr', 0.1, 2, 20.9, 0.82), r('without-cr', 0, 1, 20.0, 0.79), r('without-cr', 0, 2, 20.6, 0.8)];
  const g = dehazeGaps(runs);
  assert.ok(g.cr_minus_l1_psnr!.paired);
  assert.ok(Math.abs(g.cr_minus_l1_psnr!.mean - 0.4) < 1e-12);
  assert.ok(Math.abs(g.cr_minus_l1_ssim!.mean - 0.015) < 1e-12);
  const more = dehazeGaps([...runs, r('with-cr', 1, 1, 19.0), r('with-cr', 1, 2, 19.4)]);
  assert.deepEqual(Object.keys(more).sort(), ['cr_minus_l1_psnr_beta_0_1', 'cr_minus_l1_psnr_beta_1', 'cr_minus_l1_ssim_beta_0_1']);
  assert.ok(Math.abs(more.cr_minus_l1_psnr_beta_1!.mean - -1.1) < 1e-12);
  // one arm only: nothing to compare
  assert.deepEqual(dehazeGaps(runs.filter((x) => x.arm === 'with-cr')), {});
});
