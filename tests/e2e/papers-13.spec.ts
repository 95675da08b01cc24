/**
 * The run pages of the two issue-13 reproductions in Chromium: a one-class novelty run charts AUROC
 * per class and arm with Deep SVDD's published value marked (another paper's number), and a
 * dehazing run shows each arm's hazy | dehazed | clear strip of the same test tile.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { stringify } from 'yaml';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { signedInDashboard } from '../support/dashboard';
import { connect, type Api } from '../support/harness';

let api: Api;
let base = '';
let context: BrowserContext;
const shots = join(REPO_ROOT, 'test-results');

before(async () => {
  ({ api } = await connect());
  ({ base, context } = await signedInDashboard());
  mkdirSync(shots, { recursive: true });
});

test('[DASHBOARD/NOVELTY] a one-class run charts AUROC per class and arm, with the baseline\'s published value marked as another paper\'s', async () => {
  const protocol = { epochs: 1, pretrainEpochs: 1, batchSize: 64, trainLimit: 128, testLimit: 500 };
  const recipe = stringify({
    name: 'e2e-novelty',
    version: 1,
    papers: ['2106.09958', 'pmlr-v80-ruff18a'],
    scale: 'proxy',
    datasets: { mnist: { builtin: 'mnist-10k' } },
    steps: [
      { id: 'de', kind: 'novelty', inputs: { dataset: 'mnist' }, params: { method: 'decoder-encoder', ...protocol }, matrix: { normalClass: [0, 1], seed: [1] } },
      { id: 'svdd', kind: 'novelty', inputs: { dataset: 'mnist' }, params: { method: 'deep-svdd', ...protocol }, matrix: { normalClass: [0, 1], seed: [1] } },
      { id: 'summary', kind: 'aggregate', needs: ['de', 'svdd'], params: { fn: 'novelty-auroc' } },
    ],
    targets: [{ claim: 'dsvdd-mnist-class1-auroc', metric: 'summary.auroc_mnist_deep_svdd_class1' }],
  });
  const launched = await api.runs.launch({ recipe });
  const page = await context.newPage();
  await page.goto(`${base}/runs/${launched.runId}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  const chart = page.getByTestId('novelty-chart');
  await chart.waitFor();
  assert.equal(await chart.getAttribute('data-dataset'), 'mnist');
  const bars = await chart.locator('g[data-class] g[data-arm] rect').evaluateAll((rs) => rs.map((r) => `${r.closest('g[data-class]')!.getAttribute('data-class')}/${r.closest('g[data-arm]')!.getAttribute('data-arm')}=${r.getAttribute('data-value')}`));
  assert.equal(bars.length, 4, bars.join(', '));
  const comparison = await api.compare.run({ runId: launched.runId });
  const svdd1 = comparison.metrics.find((m) => m.name === 'auroc_mnist_deep_svdd_class1')!.value;
  assert.ok(bars.includes(`1/deep_svdd=${svdd1}`), `the bar is the summary's number: ${bars.join(', ')}`);
  // Deep SVDD's published 99.7 for digit 1, on its own bar only.
  const marks = await chart.locator('path[data-published]').evaluateAll((ps) => ps.map((p) => `${p.closest('g[data-class]')!.getAttribute('data-class')}/${p.closest('g[data-arm]')!.getAttribute('data-arm')}=${p.getAttribute('data-published')}`));
  assert.deepEqual(marks, ['1/deep_svdd=99.7']);
  assert.match(await page.locator('figure', { has: chart }).innerText(), /another paper's number/);
  await page.screenshot({ path: join(shots, 'dashboard-novelty.png'), fullPage: true });
});

test('[DASHBOARD/DEHAZE] a dehazing run shows each arm\'s hazy | dehazed | clear strip of the same test tile', async () => {
  const recipe = stringify({
    name: 'e2e-dehaze',
    version: 1,
    papers: ['2104.09367'],
    scale: 'proxy',
    datasets: { photos: { builtin: 'photos-skimage' } },
    steps: [{ id: 'dz', kind: 'dehaze', queue: 'cpu', inputs: { dataset: 'photos' }, params: { model: { ngf: 4 }, extractor: 'random-conv-features', patch: 16, batchSize: 2, steps: 2, evalLimit: 1, trainLimit: 4 }, matrix: { beta: [0.1, 0], seed: [1] } }],
  });
  const launched = await api.runs.launch({ recipe });
  const page = await context.newPage();
  await page.goto(`${base}/runs/${launched.runId}`);
  await page.getByTestId('dehaze-panel').waitFor();
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 300_000 });
  const panel = page.getByTestId('dehaze-panel');
  await panel.locator('figure img').nth(1).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="dehaze-panel"] img')).every((i) => i.complete && i.naturalWidth > 0));
  const imgs = await panel.locator('figure').evaluateAll((fs) => fs.map((f) => [f.getAttribute('data-arm'), (f.querySelector('img') as HTMLImageElement).naturalWidth, (f.querySelector('img') as HTMLImageElement).naturalHeight]));
  assert.deepEqual(imgs.map((i) => i[0]).sort(), ['with-cr', 'without-cr']);
  for (const [, w, h] of imgs) assert.deepEqual([w, h], [288, 96], 'three 96×96 panels');
  const captions = await panel.locator('figcaption').allInnerTexts();
  assert.ok(captions.some((c) => /with CR \(β 0\.1\)/.test(c)) && captions.some((c) => /without CR \(L1 only\)/.test(c)), captions.join(' | '));
  for (const c of captions) assert.match(c, /hazy input \(\d+(\.\d+)? dB\), dehazed \(test mean \d+(\.\d+)? dB\), clear/);
  await page.screenshot({ path: join(shots, 'dashboard-dehaze.png'), fullPage: true });
});
