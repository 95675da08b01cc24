/**
 * A run's page, from a real run: where each step's time went (ready → picked up, queued, retries),
 * lineage (the dataset digest a step consumed, the model another fed it), cache hits with their
 * origin, the environment, and artifacts downloaded through presigned links with the right bytes;
 * then every way a download link is refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { appRouter, createCallerFactory } from '@reprolab/api';
import { ensureStep, insertArtifact, recordStepPickup, schema, type Db } from '@reprolab/db';
import { connect, issueToken, refusal, runCli, startWorker, testDb, trainEvalRecipe, waitForRun, type Api } from '../support/harness';
import type { ApiContext } from '@reprolab/api';

let api: Api;
let ctx: ApiContext;
let db: Db;
type Done = Awaited<ReturnType<typeof waitForRun>>;
let first: Done;

before(async () => {
  ({ api, ctx, db } = await connect());
  await startWorker();
  // A recipe no other test runs (its seed), so nothing is cached: every step is computed.
  const seed = 20_000 + Math.floor(Math.random() * 1e6);
  first = await waitForRun(api, (await api.runs.launch({ recipe: trainEvalRecipe('run-page'), seed })).runId);
  assert.equal(first.run.status, 'completed', first.run.error ?? '');
});

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test(`[RUNPAGE/${testDb()}] each computed step's time splits into time to start (queued inside it) and work, recorded at the source`, async () => {
  for (const s of first.steps) {
    const o = s.overhead;
    const at = (d: Date | string | null) => new Date(d!).getTime();
    assert.equal(s.cacheHit, false);
    assert.ok(s.readyAt && s.scheduledAt && s.pickedUpAt && s.finishedAt, `${s.stepKey}: timeline recorded`);
    // ready (Temporal scheduled beginStep) ≤ began ≤ compute scheduled ≤ picked up ≤ finished.
    assert.ok(at(s.readyAt) <= at(s.startedAt) && at(s.startedAt) <= at(s.scheduledAt) && at(s.scheduledAt) <= at(s.pickedUpAt) && at(s.pickedUpAt) <= at(s.finishedAt), `${s.stepKey}: ${JSON.stringify(s)}`);
    assert.ok(o.queuedMs !== null && o.timeToStartMs !== null && o.wallMs !== null && o.runMs !== null && o.dispatchMs !== null);
    assert.ok(o.queuedMs >= 0 && o.queuedMs <= o.timeToStartMs && o.timeToStartMs <= o.wallMs, `${s.stepKey}: ${JSON.stringify(o)}`);
    // One attempt: the queue wait is the time between being scheduled and picked up (to the ms).
    assert.ok(Math.abs(o.queuedMs - (at(s.pickedUpAt) - at(s.scheduledAt))) <= 1, `${s.stepKey}: queued ${o.queuedMs} vs ${at(s.pickedUpAt) - at(s.scheduledAt)}`);
    assert.equal(o.timeToStartMs + o.runMs, o.wallMs);
    assert.equal(o.retries, 0);
    assert.equal(s.attempts, 1);
    assert.equal(o.workerHost, first.environment!.host, 'the one test worker ran it');
  }
  const t = first.overhead;
  assert.equal(t.computed, 2);
  assert.equal(t.cacheHits, 0);
  assert.equal(t.queuedMs, first.steps.reduce((a, s) => a + s.overhead.queuedMs!, 0));
  assert.ok(t.preparationMs !== null && t.preparationMs >= 0);
});

test(`[RUNPAGE/${testDb()}] lineage names the dataset digest each step consumed and the model pretrain fed evaluate`, async () => {
  const datasets = await api.datasets.list();
  const mnist = datasets.find((d) => d.name === 'mnist-10k');
  assert.ok(mnist, 'the built-in was imported by the run');
  const [pre, ev] = first.lineage;
  assert.equal(pre!.stepKey, 'pretrain');
  assert.deepEqual(pre!.inputs, [{ slot: 'dataset', ref: 'mnist', digest: mnist.sha256, source: { kind: 'dataset', name: 'mnist-10k', format: 'builtin' } }]);
  const model = first.steps[0]!.outputs as { model: string };
  assert.deepEqual(pre!.outputs, [{ name: 'model', digest: model.model }]);
  assert.equal(ev!.stepKey, 'evaluate');
  assert.deepEqual(
    ev!.inputs!.map((i) => [i.slot, i.ref, i.digest, i.source.kind === 'step' ? `${i.source.stepKey}.${i.source.artifact}` : i.source.kind]),
    [
      ['dataset', 'mnist', mnist.sha256, 'dataset'],
      ['model', 'pretrain.model', model.model, 'pretrain.model'],
    ],
  );
  // The same digests the steps recorded as their inputs.
  assert.deepEqual(first.steps[1]!.inputs, { dataset: mnist.sha256, model: model.model });
  // The environment the page shows.
  const env = first.environment!;
  assert.match(env.lockfileHash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(env.seed, first.run.seed);
  assert.ok(env.codeVersion && env.host && env.tensorBackend);
});

test(`[RUNPAGE/${testDb()}] a rerun's cached steps name the run and step they reused, and have no queue time`, async () => {
  const again = await waitForRun(api, (await api.runs.launch({ recipe: trainEvalRecipe('run-page'), seed: first.run.seed })).runId);
  assert.equal(again.run.status, 'completed', again.run.error ?? '');
  assert.deepEqual(again.steps.map((s) => [s.stepKey, s.cacheHit, s.cachedFrom]), [
    ['pretrain', true, { runId: first.run.id, stepKey: 'pretrain' }],
    ['evaluate', true, { runId: first.run.id, stepKey: 'evaluate' }],
  ]);
  assert.deepEqual(again.steps.map((s) => [s.overhead.queuedMs, s.overhead.timeToStartMs]), [[null, null], [null, null]]);
  assert.deepEqual([again.overhead.cacheHits, again.overhead.computed, again.overhead.queuedMs], [2, 0, 0]);
  // Lineage still holds for a cached run: the same inputs, the outputs it reused.
  const edges = (d: Done) => d.lineage.flatMap((l) => l.inputs!.map((i) => [l.stepKey, i.slot, i.digest, i.source.kind === 'step' ? [i.source.runId, i.source.stepKey, i.source.sameRun] : i.source.kind]));
  assert.deepEqual(edges(again), edges(first).map((e) => e.map((x) => (Array.isArray(x) ? [again.run.id, ...x.slice(1)] : x))), "the model comes from this run's own (cached) pretrain");
  // The copy of the first run's model is this run's artifact too: downloadable here.
  const model = again.artifacts.find((a) => a.kind === 'model')!;
  assert.equal(model.stepKey, 'pretrain');
  assert.match((await api.artifacts.url({ runId: again.run.id, sha256: model.sha256 })).url, /^http/);
});

test(`[RUNPAGE/${testDb()}] artifacts and the consumed dataset download through presigned links with the right bytes`, async () => {
  assert.deepEqual(first.artifacts.map((a) => `${a.stepKey}:${a.kind}:${a.name}`), ['pretrain:checkpoint:step-10', 'pretrain:model:tiny-mlp-final']);
  for (const a of first.artifacts) {
    const link = await api.artifacts.url({ runId: first.run.id, sha256: a.sha256, expirySeconds: 60 });
    assert.equal(link.name, a.name);
    const res = await fetch(link.url);
    assert.equal(res.status, 200, link.url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.length, a.size);
    assert.equal(sha(bytes), a.sha256);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="${first.run.id}-${a.name}-${a.sha256.slice(7, 19)}"`));
  }
  const dataset = first.lineage[0]!.inputs![0]!.digest;
  const link = await api.artifacts.url({ runId: first.run.id, sha256: dataset });
  assert.equal(link.kind, 'dataset');
  assert.equal(sha(new Uint8Array(await (await fetch(link.url)).arrayBuffer())), dataset);
  // The link carries the expiry asked for in its signature.
  const short = new URL((await api.artifacts.url({ runId: first.run.id, sha256: first.artifacts[0]!.sha256, expirySeconds: 10 })).url);
  assert.equal(short.searchParams.get('X-Amz-Expires'), '10');
});

test(`[RUNPAGE/${testDb()}] a link is refused for another run's artifact, an unknown or malformed digest, an unknown run, bytes missing from the store, and an API without a store`, async () => {
  const other = await waitForRun(api, (await api.runs.launch({ recipe: trainEvalRecipe('run-page-other', { trainLimit: 320 }), seed: first.run.seed + 1 })).runId);
  assert.equal(other.run.status, 'completed', other.run.error ?? '');
  const theirs = other.artifacts.find((a) => a.kind === 'model')!.sha256;
  let e = await refusal(api.artifacts.url({ runId: first.run.id, sha256: theirs }));
  assert.equal(e.code, 'NOT_FOUND');
  assert.match(e.message, new RegExp(`${theirs} is not an artifact of run ${first.run.id} nor an input its steps consumed; it was stored by run ${other.run.id}`));
  const unknown = `sha256:${'0'.repeat(64)}`;
  e = await refusal(api.artifacts.url({ runId: first.run.id, sha256: unknown }));
  assert.equal(e.code, 'NOT_FOUND');
  assert.match(e.message, /no run stored it/);
  e = await refusal(api.artifacts.url({ runId: first.run.id, sha256: 'sha256:abc' }));
  assert.equal(e.code, 'BAD_REQUEST');
  assert.match(e.message, /sha256 must be a full digest/);
  e = await refusal(api.artifacts.url({ runId: 'no-such-run', sha256: unknown }));
  assert.equal(e.code, 'NOT_FOUND');
  assert.match(e.message, /no run "no-such-run"/);
  // A row whose bytes are not in the bucket (lost, or a store wiped under the database).
  const lost = `sha256:${createHash('sha256').update(`lost ${Date.now()}`).digest('hex')}`;
  await insertArtifact(db, { sha256: lost, size: 4, kind: 'report', name: 'lost', bucket: 'reprolab', key: 'x', runId: first.run.id, stepId: first.steps[0]!.id });
  e = await refusal(api.artifacts.url({ runId: first.run.id, sha256: lost }));
  assert.equal(e.code, 'NOT_FOUND');
  assert.match(e.message, /\(report lost of run .*\) is registered but missing from bucket/);
  await db.delete(schema.artifacts).where(eq(schema.artifacts.sha256, lost));
  const storeless = createCallerFactory(appRouter)({ ...ctx, store: null });
  e = await refusal(storeless.artifacts.url({ runId: first.run.id, sha256: first.artifacts[0]!.sha256 }));
  assert.equal(e.code, 'PRECONDITION_FAILED');
  assert.match(e.message, /no object store configured/);
});

test(`[RUNPAGE/${testDb()}] a viewer token gets the run page and a link; without a token both are refused`, async () => {
  const viewer = (await connect({ token: await issueToken('viewer') })).api;
  assert.equal((await viewer.runs.get({ runId: first.run.id })).lineage.length, 2);
  const link = await viewer.artifacts.url({ runId: first.run.id, sha256: first.artifacts[1]!.sha256 });
  assert.equal(sha(new Uint8Array(await (await fetch(link.url)).arrayBuffer())), first.artifacts[1]!.sha256);
  const anonymous = (await connect({ token: null })).api;
  for (const call of [() => anonymous.runs.get({ runId: first.run.id }), () => anonymous.artifacts.url({ runId: first.run.id, sha256: first.artifacts[1]!.sha256 })]) {
    const e = await refusal(call);
    assert.equal(e.code, 'UNAUTHORIZED');
  }
});

test(`[RUNPAGE/${testDb()}] retried and parallel attempts add up: queue waits summed, retries counted, the earliest times kept`, async () => {
  const runId = first.run.id;
  const step = await ensureStep(db, { runId, stepKey: `overhead-probe-${Date.now()}`, kind: 'pretrain', queue: 'cpu' });
  const t0 = Date.UTC(2026, 0, 1);
  const pickup = (attempt: number, scheduled: number, attemptScheduled: number, picked: number) =>
    recordStepPickup(db, step.id, { scheduledAt: new Date(t0 + scheduled), attemptScheduledAt: new Date(t0 + attemptScheduled), pickedUpAt: new Date(t0 + picked), attempt, host: `h${attempt}` });
  // Two activities of one step at once (P-GaP branches), then a retry of the first after a backoff.
  await Promise.all([pickup(1, 0, 0, 300), pickup(1, 100, 100, 250)]);
  await pickup(2, 0, 5000, 5400);
  const [row] = await db.select().from(schema.steps).where(eq(schema.steps.id, step.id));
  assert.deepEqual(
    [row!.queuedMs, row!.retries, row!.attempts, row!.scheduledAt?.getTime(), row!.pickedUpAt?.getTime(), row!.workerHost, row!.status],
    [300 + 150 + 400, 1, 2, t0, t0 + 250, 'h2', 'running'],
  );
  // A worker clock behind Temporal's counts no negative wait.
  await pickup(3, 0, 9000, 8000);
  assert.equal((await db.select().from(schema.steps).where(eq(schema.steps.id, step.id)))[0]!.queuedMs, 850);
  // A later activity's first attempt (the next GaP phase) leaves the retried one's count visible.
  await pickup(1, 10_000, 10_000, 10_100);
  const [after] = await db.select().from(schema.steps).where(eq(schema.steps.id, step.id));
  assert.deepEqual([after!.attempts, after!.retries], [3, 2]);
  await db.delete(schema.steps).where(eq(schema.steps.id, step.id));
});

test(`[RUNPAGE/${testDb()}] \`reprolab status <run>\` shows each step's time to start, queue wait and retries, the lineage and the environment; --json carries them`, async () => {
  const out = await runCli(['status', first.run.id]);
  assert.equal(out.code, 0, out.out);
  const [pre] = first.steps;
  assert.match(out.out, /to start\s+queued\s+retries\s+worker/);
  assert.match(out.out, new RegExp(`pretrain\\s+pretrain\\s+cpu\\s+completed\\s+1\\s+20/20 steps\\s+\\S+\\s+\\S+\\s+\\S+\\s+0\\s+${first.environment!.host}`));
  assert.match(out.out, /where time went: preparation \S+ · time to start \S+ \(queued \S+\) over 2 computed steps · retries 0 · cache hits 0\/2/);
  assert.match(out.out, new RegExp(`evaluate: dataset ← dataset mnist-10k sha256:[0-9a-f]{12}, model ← pretrain\\.model ${(pre!.outputs as { model: string }).model.slice(0, 19)}`));
  assert.match(out.out, new RegExp(`lockfile ${first.environment!.lockfileHash.slice(0, 19)}`));
  const json = await runCli(['status', first.run.id, '--json']);
  const parsed = JSON.parse(json.out) as Done;
  assert.deepEqual(parsed.steps.map((s) => s.overhead), JSON.parse(JSON.stringify(first.steps.map((s) => s.overhead))));
  assert.deepEqual(parsed.overhead, first.overhead);
});

test(`[RUNPAGE/${testDb()}] \`reprolab download <run> <name | digest prefix>\` writes the artifact's bytes, checked; a name the run lacks is refused, listing what it has`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprolab-download-'));
  const model = first.artifacts.find((a) => a.kind === 'model')!;
  const byName = await runCli(['download', first.run.id, model.name, '--out', join(dir, 'model.bin')]);
  assert.equal(byName.code, 0, byName.out);
  assert.match(byName.out, new RegExp(`model ${model.name} \\(${model.size} bytes, ${model.sha256.slice(0, 19)}, verified\\) → ${join(dir, 'model.bin')}`));
  assert.equal(sha(readFileSync(join(dir, 'model.bin'))), model.sha256);
  // The 12-hex prefix `reprolab status` prints names the consumed dataset too.
  const dataset = first.lineage[0]!.inputs![0]!.digest;
  const byPrefix = await runCli(['download', first.run.id, dataset.slice(0, 19), '--out', join(dir, 'data.bin'), '--json']);
  assert.equal(byPrefix.code, 0, byPrefix.out);
  assert.deepEqual(JSON.parse(byPrefix.out), { runId: first.run.id, sha256: dataset, name: 'mnist-10k', kind: 'dataset', size: readFileSync(join(dir, 'data.bin')).length, path: join(dir, 'data.bin') });
  assert.equal(sha(readFileSync(join(dir, 'data.bin'))), dataset);
  const missing = await runCli(['download', first.run.id, 'no-such-artifact']);
  assert.equal(missing.code, 1);
  assert.match(missing.out, new RegExp(`run ${first.run.id} has no artifact or input "no-such-artifact"; give a name or a digest \\(prefix\\) of:\\n  step-10  sha256:`));
});
