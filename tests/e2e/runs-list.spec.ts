/**
 * The home page's runs list in Chromium against the real dashboard: filters, sorting and paging are
 * done by the server and held in the URL (reload and back keep them), live updates still arrive
 * under a filter, and runs picked on different pages compare together. The runs are stored
 * straight in the database (no worker), under a name unique to this file.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createRun, saveRecipe, schema, type Db } from '@reprolab/db';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { signIn, spawnDashboard } from '../support/dashboard';
import { adminToken, connect, onCleanup } from '../support/harness';

const TOKEN = `e2elist${process.pid}`;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 1);
let db: Db;
let base = '';
let browser: Browser;
let context: BrowserContext;
let recipeId = 0;
const shots = join(REPO_ROOT, 'test-results');

async function addRun(i: number, status: string): Promise<string> {
  const id = `${String(i).padStart(2, '0')}-${TOKEN}`;
  await createRun(db, { id, recipeId, workflowId: `run-${id}`, seed: i, force: false, scale: 'proxy', tags: i % 2 ? ['odd'] : [] });
  const createdAt = new Date(T0 + i * DAY);
  const ended = ['completed', 'failed'].includes(status);
  await db
    .update(schema.runs)
    .set({ status, createdAt, startedAt: createdAt, finishedAt: ended ? new Date(createdAt.getTime() + 60_000) : null })
    .where(eq(schema.runs.id, id));
  return id;
}

/** The run ids the table shows, top to bottom. */
const shown = (page: Page) => page.locator('table[data-testid="runs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
const param = (page: Page, k: string) => new URL(page.url()).searchParams.get(k);

before(async () => {
  ({ db } = await connect());
  const doc = { name: TOKEN, version: 1, papers: [], steps: [{ id: 'train', kind: 'pretrain', params: { epochs: 1 } }] };
  recipeId = (await saveRecipe(db, { name: TOKEN, contentHash: `sha256:${TOKEN}`, document: doc, source: JSON.stringify(doc) })).id;
  // 25 runs a day apart: every third failed, the rest completed
  for (let i = 0; i < 25; i++) await addRun(i, i % 3 === 0 ? 'failed' : 'completed');
  ({ base } = await spawnDashboard());
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  onCleanup(() => browser.close());
  context = await browser.newContext();
  await signIn(context, base, await adminToken());
  mkdirSync(shots, { recursive: true });
});

test('[RUNSLIST] search, filter, sort and page on the server; the URL holds the state through reload and back', async () => {
  const page = await context.newPage();
  await page.goto(`${base}/?per=25`);
  await page.getByLabel('search runs').fill(TOKEN);
  await page.waitForURL((u) => u.searchParams.get('q') === TOKEN);
  await page.getByTestId('runs-range').filter({ hasText: 'runs 1–25 of 25' }).waitFor();
  // failed only: 9 runs (0, 3, …, 24), newest first
  await page.getByLabel('status', { exact: true }).selectOption('failed');
  await page.getByTestId('runs-range').filter({ hasText: 'of 9 ·' }).waitFor();
  assert.equal(param(page, 'status'), 'failed');
  assert.deepEqual(await shown(page), [24, 21, 18, 15, 12, 9, 6, 3, 0].map((i) => `${String(i).padStart(2, '0')}-${TOKEN}`));
  // sorted by created, oldest first (the second click on the active header flips it)
  await page.locator('button[data-sort="created"]').click();
  await page.waitForURL((u) => u.searchParams.get('dir') === 'asc');
  // Run 00 is also in the old (newest-first) table, as its last row: wait for it to come first.
  await page.waitForFunction((id) => document.querySelector('table[data-testid="runs"] tbody tr')?.getAttribute('data-run') === id, `00-${TOKEN}`);
  assert.equal((await shown(page))[0], `00-${TOKEN}`);
  assert.equal(await page.locator('th[aria-sort="ascending"]').innerText(), 'created ▲');
  // 4 a page (any size the API allows can be put in the URL): three pages, the second holds 12, 15, 18, 21
  await page.goto(`${base}/?q=${TOKEN}&status=failed&dir=asc&per=4`);
  await page.getByTestId('runs-range').filter({ hasText: 'runs 1–4 of 9 · page 1 of 3' }).waitFor();
  await page.getByRole('button', { name: 'next ›' }).click();
  await page.getByTestId('runs-range').filter({ hasText: 'runs 5–8 of 9 · page 2 of 3' }).waitFor();
  assert.deepEqual(await shown(page), [12, 15, 18, 21].map((i) => `${i}-${TOKEN}`));
  assert.equal(param(page, 'page'), '2');
  await page.screenshot({ path: join(shots, 'dashboard-runs-filtered.png'), fullPage: true });
  // reload: the same view from the URL alone
  await page.reload();
  await page.getByTestId('runs-range').filter({ hasText: 'runs 5–8 of 9 · page 2 of 3' }).waitFor();
  assert.equal(await page.getByLabel('search runs').inputValue(), TOKEN);
  assert.equal(await page.getByLabel('status', { exact: true }).inputValue(), 'failed');
  // back: page 1 again
  await page.goBack();
  await page.getByTestId('runs-range').filter({ hasText: 'runs 1–4 of 9 · page 1 of 3' }).waitFor();
  // a bad value in the URL is named, with the filters there to fix it
  await page.goto(`${base}/?q=${TOKEN}&sort=size`);
  await page.getByRole('alert').filter({ hasText: 'sort: one of created, started, ended, status, recipe; got "size"' }).waitFor();
  await page.close();
});

test('[RUNSLIST] live updates reach a filtered page; runs picked on two pages compare together', async () => {
  const page = await context.newPage();
  await page.goto(`${base}/?q=${TOKEN}&status=running&per=4`);
  await page.getByTestId('no-match').waitFor();
  // a run that starts now appears without a reload (the page polls runs.list with its filters)
  const live = await addRun(30, 'running');
  await page.locator(`tr[data-run="${live}"]`).waitFor({ timeout: 15_000 });
  await db.update(schema.runs).set({ status: 'completed', finishedAt: new Date() }).where(eq(schema.runs.id, live));
  await page.getByTestId('no-match').waitFor({ timeout: 15_000 });
  // pick one run on page 1 and one on page 2 of "completed, newest first", then compare them
  await page.getByLabel('status', { exact: true }).selectOption('completed');
  await page.getByTestId('runs-range').filter({ hasText: 'runs 1–4 of 17 · page 1 of 5' }).waitFor();
  const first = (await shown(page))[0]!;
  await page.getByLabel(`pick ${first}`).check();
  await page.getByRole('button', { name: 'next ›' }).click();
  await page.getByTestId('runs-range').filter({ hasText: 'runs 5–8 of 17' }).waitFor();
  const second = (await shown(page))[0]!;
  await page.getByLabel(`pick ${second}`).check();
  await page.getByTestId('compare-picked').filter({ hasText: 'compare 2 selected runs' }).click();
  await page.waitForURL('**/compare?runs=**');
  assert.deepEqual(new URL(page.url()).searchParams.get('runs')!.split(','), [first, second]);
  await page.getByTestId('compare-params').waitFor();
  assert.match(await page.getByTestId('compare-params').innerText(), /seed/);
  await page.close();
});
