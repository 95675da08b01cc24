/**
 * A super-resolution (distill) run's page in Chromium: the same test crops through every arm for a
 * chosen seed, each labelled with its Y-PSNR, and PSNR against parameters beside the paper's points.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { signedInDashboard } from '../support/dashboard';
import { connect, srRecipe, type Api } from '../support/harness';

/** Until every crop image in the grid has loaded and decoded to a non-empty picture. */
const allCropsLoaded = (page: Page): Promise<unknown> =>
  page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="sr-crops"] img')).every((i) => i.complete && i.naturalWidth > 0));

let api: Api;
let base = '';
let context: BrowserContext;
const shots = join(REPO_ROOT, 'test-results');

before(async () => {
  ({ api } = await connect());
  ({ base, context } = await signedInDashboard());
  mkdirSync(shots, { recursive: true });
});

test('[DASHBOARD/SR] a distill run shows the same crops through every arm per seed, and PSNR vs parameters beside the paper', async () => {
  // Tiny budget: 3 arms × 2 seeds of 3 steps, evaluated on 3 test tiles.
  const recipe = srRecipe('e2e-sr', {
    params: { steps: 3, evalLimit: 3 },
    targets: [
      { claim: 'csd-beats-baseline-student', metric: 'summary.csd_minus_baseline_psnr' },
      { claim: 'csd-edsrplus-w0.25-csd-x4-set5-psnr', metric: 'summary.psnr_csd_mean' },
    ],
  });
  const launched = await api.runs.launch({ recipe });
  const page = await context.newPage();
  // Opened while it runs: the crops appear as the steps finish, without a reload.
  await page.goto(`${base}/runs/${launched.runId}`);
  await page.getByTestId('sr-panel').waitFor();
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  const grid = page.getByTestId('sr-crops');
  await grid.locator('img').nth(17).waitFor({ timeout: 30_000 });
  assert.deepEqual(await grid.locator('thead th').allInnerTexts(), ['', 'bicubic', 'baseline student', 'joint, no contrast', 'CSD student', 'teacher (CSD)', 'HR']);
  assert.equal(await grid.locator('tbody tr').count(), 3, 'one row per test crop');
  const loaded = async () =>
    grid.locator('img').evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).complete, (i as HTMLImageElement).naturalWidth, i.closest('td')!.getAttribute('data-col'), i.getAttribute('title')]));
  await allCropsLoaded(page);
  const imgs = await loaded();
  assert.equal(imgs.length, 18);
  for (const [, width] of imgs) assert.equal(width, 48, 'each crop decodes to its 48 pixels');
  // Seed 1 first; every cell comes from that seed's steps.
  assert.deepEqual([...new Set(imgs.filter(([, , col]) => col === 'csd').map(([, , , step]) => step))], ['sr-csd-1']);
  // Every cell but HR is labelled with its Y-PSNR on the crop.
  const labels = await grid.locator('tbody td[data-col] div').allInnerTexts();
  assert.equal(labels.filter((l) => /^\d+(\.\d+)? dB$/.test(l)).length, 15);
  assert.equal(labels.filter((l) => l === 'reference').length, 3);
  await page.getByTestId('sr-seed').selectOption('2');
  await grid.locator('td[data-col="csd"] img[title="sr-csd-2"]').first().waitFor();
  await allCropsLoaded(page);
  assert.deepEqual([...new Set((await loaded()).filter(([, , col]) => col !== 'hr' && col !== 'bicubic').map(([, , , step]) => String(step).replace(/-\d$/, '')))].sort(), ['sr-csd', 'sr-split-no-contrastive', 'sr-student-alone']);
  assert.ok((await loaded()).every(([, , , step]) => String(step).endsWith('-2')));

  // PSNR against parameters: this run's five points (three students, two teachers) and the paper's six, told apart.
  const chart = page.getByTestId('sr-chart');
  const measured = await chart.locator('g[data-kind="measured"]').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-arm')}/${g.getAttribute('data-role')}/${g.getAttribute('data-seeds')}`));
  assert.deepEqual(measured, ['student-alone/student/2', 'split-no-contrastive/student/2', 'split-no-contrastive/teacher/2', 'csd/student/2', 'csd/teacher/2']);
  assert.equal(await chart.locator('g[data-kind="measured"] line').count(), 5, 'each measured point has its 95 % interval over the two seeds');
  const paper = await chart.locator('g[data-kind="paper"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-claim')));
  assert.equal(paper.length, 6);
  assert.ok(paper.includes('csd-edsrplus-w0.25-csd-x4-set5-psnr') && paper.includes('csd-edsrplus-w1.0-baseline-x4-set5-psnr'));
  assert.equal(await chart.locator('g[data-kind="paper"] polygon').count(), 6, 'paper points are drawn with their own marker');
  assert.equal(await chart.locator('g[data-kind="measured"] polygon').count(), 0);
  const figure = page.locator('figure', { has: chart });
  assert.match(await figure.innerText(), /paper \(EDSR\+, DIV2K→Set5\)/);
  assert.match(await page.getByTestId('sr-proxy-note').innerText(), /Not comparable — proxy run/);
  await page.screenshot({ path: join(shots, 'dashboard-sr.png'), fullPage: true });
});
