/**
 * A run's page in Chromium against the real stack: each step's time to start, queue wait and
 * retries as the API recorded them, the environment, the lineage, an artifact downloaded through
 * its presigned link with the right bytes, and a cached rerun naming the run it reused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { browserSuite } from '../support/dashboard';
import { trainEvalRecipe, waitForRun } from '../support/harness';

let suite: Awaited<ReturnType<typeof browserSuite>>;
before(async () => {
  suite = await browserSuite();
});

test('[DASHBOARD] a run page shows where each step’s time went, its lineage and environment, and downloads an artifact with the right bytes', async () => {
  const { api, base, context, shots } = suite;
  const seed = 40_000 + Math.floor(Math.random() * 1e6); // computed, not cached
  const recipe = trainEvalRecipe('e2e-run-page');
  const done = await waitForRun(api, (await api.runs.launch({ recipe, seed })).runId);
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const page = await context.newPage();
  await page.goto(`${base}/runs/${done.run.id}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
  for (const s of done.steps) {
    const row = page.locator(`tr[data-step="${s.stepKey}"]`);
    const cell = async (k: string) => (await row.locator(`td[data-overhead="${k}"]`).innerText()).trim();
    const ms = (v: number) => (v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);
    assert.equal(await cell('to-start'), ms(s.overhead.timeToStartMs!));
    assert.equal(await cell('queued'), ms(s.overhead.queuedMs!));
    assert.equal(await cell('retries'), '0');
  }
  assert.match(await page.getByTestId('overhead-summary').innerText(), /time to start .* \(queued .*\) over 2 computed steps · retries 0 · cache hits 0\/2/);
  const env = page.getByTestId('environment');
  assert.equal(await env.locator('dd[data-env="lockfile hash"]').innerText(), done.environment!.lockfileHash);
  assert.equal(await env.locator('dd[data-env="seed"]').innerText(), String(seed));
  const model = (done.steps[0]!.outputs as { model: string }).model;
  const fed = page.locator('tr[data-lineage="evaluate.model"]');
  assert.match(await fed.innerText(), new RegExp(`model \\(pretrain\\.model\\)\\s+pretrain\\.model\\s+${model.slice(0, 19)}`));
  assert.match(await page.locator('tr[data-lineage="pretrain.dataset"]').innerText(), /dataset mnist-10k/);
  // The model's Download button: the API signs a link, the browser fetches it from the store.
  const row = page.locator('tr[data-artifact="tiny-mlp-final"]');
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'download tiny-mlp-final' }).click()]);
  assert.equal(download.suggestedFilename(), `${done.run.id}-tiny-mlp-final-${model.slice(7, 19)}`);
  const bytes = await readFile((await download.path())!);
  assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, model);
  await page.screenshot({ path: join(shots, 'dashboard-run-page.png'), fullPage: true });

  // The same recipe and seed again: both steps cached, each naming the run it reused.
  const again = await waitForRun(api, (await api.runs.launch({ recipe, seed })).runId);
  await page.goto(`${base}/runs/${again.run.id}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
  assert.match(await page.locator('tr[data-step="pretrain"]').innerText(), new RegExp(`cached\\s+reused from ${done.run.id} · pretrain`));
  assert.match(await page.getByTestId('overhead-summary').innerText(), /over 0 computed steps · retries 0 · cache hits 2\/2/);
  await page.locator('tr[data-step="pretrain"]').getByRole('link', { name: done.run.id }).click();
  await page.waitForURL(`**/runs/${done.run.id}`);
});
