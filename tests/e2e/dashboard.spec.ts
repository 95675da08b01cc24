/**
 * The real dashboard in Chromium, signed in through /login with an admin token: the runs page lists runs and updates live while one executes;
 * a run page charts its results against the paper;
 * the tRPC endpoint at /api/trpc answers.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { stringify } from 'yaml';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { signedInDashboard } from '../support/dashboard';
import { connect, growPruneStep, mpuMiniRecipe, sleep, trainEvalRecipe, type Api } from '../support/harness';

let api: Api;
let base = '';
let context: BrowserContext;
const shots = join(REPO_ROOT, 'test-results');

before(async () => {
  ({ api } = await connect());
  // One signed-in browser context for every page (the session cookie the /login form sets).
  ({ base, context } = await signedInDashboard());
  mkdirSync(shots, { recursive: true });
});

test('[DASHBOARD] a launched run appears and reaches completed without reloading the page', async () => {
  const page = await context.newPage();
  await page.goto(base);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  const launched = await api.runs.launch({ recipe: trainEvalRecipe('e2e-live', { trainLimit: 640 }) });
  const row = page.locator(`tr[data-run="${launched.runId}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.getByTestId('status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
  assert.match(await row.innerText(), /e2e-live@v1/);
  await page.screenshot({ path: join(shots, 'dashboard-runs.png'), fullPage: true });
  // The run's own page: steps with their progress, the loss curve as a chart, the comparison.
  await row.getByRole('link').click();
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
  assert.equal(await page.locator('tr[data-step]').count(), 2);
  assert.match(await page.locator('tr[data-step="pretrain"]').innerText(), /completed\s+20\/20 steps/);
  // visx draws a curve as one <path>: a moveto and a lineto per point after the first.
  const d = await page.getByTestId('loss-chart').locator('path[data-curve="pretrain"]').getAttribute('d');
  assert.equal(d?.match(/[ML]/g)?.length, 20, 'one chart point per training step');
  await page.screenshot({ path: join(shots, 'dashboard-run.png'), fullPage: true });
});

test('[DASHBOARD] the tRPC API is served at /api/trpc', async () => {
  const page = await context.newPage();
  const res = await page.request.get(`${base}/api/trpc/claims.list?input=${encodeURIComponent(JSON.stringify({ paper: '2103.06653' }))}`);
  assert.equal(res.status(), 200);
  const body = (await res.json()) as { result: { data: { id: string; value: number }[] } };
  assert.deepEqual(body.result.data.map((c) => [c.id, c.value]).sort(), [['mpu-energy-reduction-vs-v100', 2.57], ['mpu-speedup-vs-v100', 3.46]]);
  const bad = await page.request.get(`${base}/api/trpc/runs.get?input=${encodeURIComponent(JSON.stringify({ runId: 'missing' }))}`);
  assert.equal(bad.status(), 404);
});

test('[DASHBOARD] a simulation run charts MPU over V100 per workload, a parameter sweep, and each claim against the paper', async () => {
  const workloads = ['AXPY', 'GEMV'];
  // Labelled full scale with a modelled baseline so its geomeans are judged against the paper (the
  // chart draws only comparable rows); the sizes are cut 64× so the run takes seconds.
  const recipe = mpuMiniRecipe('e2e-mpu', workloads, {
    scale: 'full',
    fidelity: 'modelled-baseline',
    targets: [
      { claim: 'mpu-speedup-vs-v100', metric: 'summary.geomean_speedup', tolerance: 0.35 },
      { claim: 'mpu-energy-reduction-vs-v100', metric: 'summary.geomean_energy_ratio', tolerance: 0.26 },
    ],
    extraSteps: [{ id: 'knn-policy', kind: 'simulateMpu', params: { workload: 'KNN', size: 1024, sweep: { parameter: 'offloadPolicy', values: ['compiler', 'far-only', 'near-all'] } } }],
  });
  const launched = await api.runs.launch({ recipe });
  const page = await context.newPage();
  await page.goto(`${base}/runs/${launched.runId}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
  const chart = page.getByTestId('simulation-chart');
  await chart.waitFor();
  // one bar per workload in each panel (speedup, energy)
  for (const panel of ['speedup', 'energy']) {
    assert.deepEqual(await chart.locator(`g[data-panel="${panel}"] rect[data-workload]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-workload'))), ['axpy', 'gemv']);
  }
  const caption = await page.locator('figure', { has: chart }).locator('figcaption').innerText();
  assert.match(caption, /the paper's claim \(3\.46× \/ 2\.57×\)/);
  // the "what if" sweep: one point per offload policy, labelled with the policy names
  const sweep = page.locator('[data-testid="sweep-chart"][data-step="knn-policy"]');
  assert.equal(await sweep.getAttribute('data-points'), '3');
  for (const policy of ['compiler', 'far-only', 'near-all']) await sweep.locator('text', { hasText: policy }).waitFor();
  const comparison = await api.compare.run({ runId: launched.runId });
  const claims = page.getByTestId('comparison-chart').locator('g[data-claim]');
  assert.deepEqual(
    await claims.evaluateAll((els) => els.map((e) => [e.getAttribute('data-claim'), e.getAttribute('data-verdict')])),
    comparison.rows.map((r) => [r.claimId, r.verdict]),
  );
  // The energy verdict's least certain parameter, charted: a line per V100 pricing over the two
  // workloads the geomean averaged (not the sweep), and a mark where each meets the paper's value.
  const sens = page.getByTestId('energy-sensitivity-chart');
  assert.equal(comparison.energySensitivity?.workloads, 2);
  assert.deepEqual(await sens.locator('g[data-pricing]').evaluateAll((els) => els.map((e) => e.getAttribute('data-pricing'))), ['bottom-up-static', 'board-power']);
  assert.deepEqual(
    await sens.locator('circle[data-meets-paper-w]').evaluateAll((els) => els.map((e) => e.getAttribute('data-meets-paper-w'))),
    comparison.energySensitivity!.curves.flatMap((c) => (c.powerForPaperW === null ? [] : [c.powerForPaperW.toFixed(0)])),
  );
  assert.match(await page.locator('figure', { has: sens }).locator('figcaption').innerText(), /44–300 W its sources allow/);
  // The evidence is named on the page, and an overshoot is never "better than the paper".
  const table = page.getByTestId('comparison');
  assert.match(await table.innerText(), /modelled-baseline/);
  assert.doesNotMatch(await page.locator('body').innerText(), /better than (the )?paper/i);
  await page.screenshot({ path: join(shots, 'dashboard-simulation.png'), fullPage: true });
});

test('[DASHBOARD] the home page lists scheduled reproductions with a link to their latest run', async () => {
  const id = `e2e-${process.pid}`;
  await api.schedules.create({ recipe: mpuMiniRecipe('e2e-sched', ['AXPY'], { scale: 'proxy', targets: [] }), id, every: '12h' });
  try {
    const t = await api.schedules.trigger({ id });
    assert.equal(t.started, true);
    const page = await context.newPage();
    // Temporal's schedule list is eventually consistent: reload until it shows.
    const row = page.locator(`tr[data-schedule="${id}"]`);
    for (let i = 0; i < 20 && !(await row.count()); i++) {
      await page.goto(base);
      if (!(await row.count())) await sleep(250);
    }
    assert.match(await row.innerText(), /e2e-sched@v\d+\s+every 12h\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await row.getByRole('link').first().click();
    await page.waitForURL(`**/runs/${t.runId}`);
    await page.getByTestId('run-status').waitFor();
  } finally {
    await api.schedules.delete({ id });
  }
});

test('[DASHBOARD] the launch form starts a shipped recipe and opens its page; bad input is named, nothing starts', async () => {
  const page = await context.newPage();
  await page.goto(base);
  const form = page.getByTestId('launch-form');
  await form.locator('select[name="recipe"]').selectOption('smoke.yaml');
  await form.locator('input[name="seed"]').fill('abc');
  await form.getByRole('button', { name: 'Launch' }).click();
  await form.getByRole('alert').filter({ hasText: 'seed: a whole number ≥ 0' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await form.locator('input[name="seed"]').fill('5');
  await form.getByRole('button', { name: 'Launch' }).click();
  await page.waitForURL(/\/runs\/[0-9a-f]{8}-smoke$/);
  const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
  assert.equal((await api.runs.get({ runId })).run.seed, 5);
});

test('[DASHBOARD] parameters are edited in a form built from the schema: issues beside their field as you type, the edited recipe runs', async () => {
  const page = await context.newPage();
  await page.goto(base);
  const form = page.getByTestId('launch-form');
  await form.locator('select[name="recipe"]').selectOption('smoke.yaml');
  await form.getByTestId('edit-params').click();
  const pretrain = form.locator('fieldset[data-step="pretrain"]');
  const epochs = pretrain.locator('[data-field="epochs"]');
  assert.equal(await epochs.inputValue(), '1', 'the recipe value is filled in');
  // A field the recipe leaves to its default is offered too, with the default.
  assert.equal(await pretrain.locator('[data-field="momentum"]').inputValue(), '0.9');
  await pretrain.locator('[data-field="model"]').locator('option').filter({ hasText: 'tiny-mlp' }).waitFor({ state: 'attached' });
  // Typed text that is not a number is named at once, without the server.
  await epochs.fill('two');
  await pretrain.locator('[data-error-for="pretrain.epochs"]').filter({ hasText: 'a whole number' }).waitFor();
  // A number the schema refuses is named by the server's validation, beside the field.
  await pretrain.locator('[data-field="trainLimit"]').fill('0');
  await epochs.fill('1');
  await pretrain.locator('[data-error-for="pretrain.trainLimit"]').waitFor();
  await form.getByRole('button', { name: 'Launch' }).click();
  await form.getByRole('alert').filter({ hasText: 'the parameters do not validate yet' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/', 'nothing launched');
  // A valid edit: the preview shows the recipe that will run, and that is what runs.
  await pretrain.locator('[data-field="trainLimit"]').fill('1600');
  await form.locator('fieldset[data-step="evaluate"] [data-field="limit"]').fill('500');
  const preview = form.getByTestId('recipe-preview');
  await preview.waitFor();
  await preview.locator('summary').click();
  await preview.locator('pre').filter({ hasText: 'trainLimit: 1600' }).waitFor();
  assert.equal(await pretrain.locator('[role="alert"]').count(), 0);
  await form.getByRole('button', { name: 'Launch' }).click();
  await page.waitForURL(/\/runs\/[0-9a-f]{8}-smoke$/);
  const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  const got = await api.runs.get({ runId });
  const steps = (await api.recipes.get({ id: got.recipe!.id })).recipe.steps as { id: string; params: Record<string, unknown> }[];
  assert.equal(steps.find((x) => x.id === 'pretrain')!.params.trainLimit, 1600);
  assert.equal(steps.find((x) => x.id === 'evaluate')!.params.limit, 500);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
  const m = await api.metrics.series({ runId, name: 'test_examples' });
  assert.deepEqual(m.map((x) => x.value), [500], 'the evaluation ran on the edited limit');
});

test('[DASHBOARD] the launch form schedules a recipe; an impossible interval is refused with the reason', async () => {
  const page = await context.newPage();
  await page.goto(base);
  const form = page.getByTestId('launch-form');
  await form.locator('select[name="recipe"]').selectOption('smoke.yaml');
  await form.locator('input[name="every"]').fill('5s');
  await form.getByRole('button', { name: 'Schedule' }).click();
  await form.getByRole('alert').filter({ hasText: 'every: "5s" is not an interval' }).waitFor();
  await form.locator('input[name="every"]').fill('2h');
  await form.getByRole('button', { name: 'Schedule' }).click();
  try {
    await form.getByRole('status').filter({ hasText: /schedule smoke created; next run \d{4}-\d\d-\d\d \d\d:\d\d UTC/ }).waitFor();
    assert.equal((await api.schedules.get({ id: 'smoke' })).timetable, 'every 2h');
  } finally {
    await api.schedules.delete({ id: 'smoke' }).catch(() => {});
  }
});

test('[DASHBOARD] a running run can be cancelled from its page, after a second click', async () => {
  const launched = await api.runs.launch({ recipe: trainEvalRecipe('e2e-cancel', { model: 'small-cnn', epochs: 20, trainLimit: 8000 }) });
  const page = await context.newPage();
  await page.goto(`${base}/runs/${launched.runId}`);
  const controls = page.getByTestId('run-controls');
  await controls.getByRole('button', { name: 'Cancel…' }).click();
  await controls.getByRole('button', { name: 'Keep running' }).click();
  await controls.getByRole('button', { name: 'Cancel…' }).click();
  await controls.getByRole('button', { name: 'Stop the run and its compute' }).click();
  await page.getByTestId('run-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('run-controls').count(), 0, 'no controls on an ended run');
});

test('[DASHBOARD] a sparse-training run charts final accuracy per method and sparsity against dense', async () => {
  const step = (id: string, p: Record<string, unknown>) => growPruneStep(id, { trainLimit: 256, evalLimit: 200, ...p });
  const recipe = stringify({
    name: 'e2e-gap',
    version: 1,
    datasets: { mnist: { builtin: 'mnist-10k' } },
    steps: [step('dense-1', { method: 'dense', sparsity: 0, seed: 1 }), step('gap-1', { method: 'gap-serial', sparsity: 0.9, seed: 1 }), step('gmp-1', { method: 'gmp', sparsity: 0.9, seed: 1 })],
  });
  const launched = await api.runs.launch({ recipe });
  const page = await context.newPage();
  await page.goto(`${base}/runs/${launched.runId}`);
  await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 180_000 });
  const chart = page.getByTestId('sparsity-chart');
  const panel = chart.locator('g[data-sparsity="0.9"]');
  assert.deepEqual(
    await panel.locator('g[data-row]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-row'), e.getAttribute('data-points')])),
    [['gap-serial/uniform', '1'], ['gmp/uniform', '1']],
  );
  assert.match(await page.locator('figure', { has: chart }).locator('figcaption').innerText(), /dense models' mean \(\d+(\.\d+)?%\)/);
  await page.screenshot({ path: join(shots, 'dashboard-sparsity.png'), fullPage: true });
});

test('[DASHBOARD] the papers page shows every claim\'s standing, links the deciding run, and filters', async () => {
  const recipe = await readFile(join(REPO_ROOT, 'workflows/recipes/csd-architecture.yaml'), 'utf8');
  const launched = await api.runs.launch({ recipe });
  for (let i = 0; i < 240 && (await api.runs.get({ runId: launched.runId })).run.status !== 'completed'; i++) await sleep(250);
  const standing = await api.claims.standing({});
  const page = await context.newPage();
  await page.goto(`${base}/papers`);
  const row = page.locator('tr[data-claim="csd-edsrplus-w0.25-params"]');
  assert.equal(await row.getAttribute('data-standing'), 'reproduced');
  assert.match(await row.innerText(), /exact · full scale/);
  // The deciding run is the newest of equal rank: any run of this recipe, linked by id.
  const href = await row.getByRole('link').getAttribute('href');
  assert.match(href ?? '', /^\/runs\/.+csd-architecture$/);
  // Every claim of the registry is listed; the CSD bar counts what the API says.
  assert.equal(await page.locator('table[data-testid="claims"] tbody tr').count(), standing.length);
  const csdReproduced = standing.filter((s) => s.paper === '2105.11683' && s.standing === 'reproduced').length;
  assert.ok(csdReproduced >= 10);
  assert.equal(await page.locator('tr[data-paper="2105.11683"] rect[data-standing="reproduced"]').getAttribute('data-count'), String(csdReproduced));
  await page.getByLabel('standing', { exact: true }).selectOption('reproduced');
  await page.getByLabel('paper', { exact: true }).selectOption('2105.11683');
  assert.equal(await page.getByTestId('claims-shown').innerText(), `${csdReproduced} claims`);
  await page.screenshot({ path: join(shots, 'dashboard-papers.png'), fullPage: true });
});

test('[DASHBOARD] runs picked on the home page compare side by side; differences only by default', async () => {
  const ids: string[] = [];
  for (const trainLimit of [320, 384]) ids.push((await api.runs.launch({ recipe: trainEvalRecipe('e2e-compare', { trainLimit }) })).runId);
  for (const id of ids) for (let i = 0; i < 480 && (await api.runs.get({ runId: id })).run.status !== 'completed'; i++) await sleep(250);
  const page = await context.newPage();
  await page.goto(base);
  for (const id of ids) await page.getByLabel(`pick ${id}`).check();
  await page.getByTestId('compare-picked').click();
  await page.waitForURL('**/compare?runs=**');
  const params = page.getByTestId('compare-params');
  assert.equal(await params.locator('tr[data-key="pretrain.pretrain.trainLimit"]').innerText(), 'pretrain.pretrain.trainLimit\t320\t384');
  assert.equal(await params.locator('tr[data-differs="false"]').count(), 0, 'identical parameters are hidden by default');
  await page.getByLabel('differences only').uncheck();
  assert.ok((await params.locator('tr[data-differs="false"]').count()) > 0);
  assert.equal(await page.getByTestId('compare-metrics').locator('tr[data-key="evaluate.test_accuracy"] svg rect').count(), 2);
  await page.screenshot({ path: join(shots, 'dashboard-compare.png'), fullPage: true });
});
