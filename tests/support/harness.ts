/** Helpers for integration tests: the servers come from tests/run.ts through the environment. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { TRPCError } from '@trpc/server';
import { stringify } from 'yaml';
import { appRouter, createApiContext, createCallerFactory, type ApiContext } from '@reprolab/api';
import { ObjectStore } from '@reprolab/activities';
import { createDb, createToken, prepareDatabase, schema, type Db, type Role } from '@reprolab/db';
import { and, eq, max as sqlMax } from 'drizzle-orm';
import { REPO_ROOT } from '@reprolab/infra/stack';

// Cleanups run once, after every test of the file (registered at import, on the root test).
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});
export const onCleanup = (c: () => Promise<void> | void) => cleanups.push(c);

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests through \`npm test\` (tests/run.ts starts the servers)`);
  return v;
}

export const testDb = () => process.env.REPROLAB_TEST_DB ?? 'unknown';

const makeCaller = createCallerFactory(appRouter);
export type Api = ReturnType<typeof makeCaller>;

/**
 * A real API token with `role`, made by the function behind `reprolab token create` (straight on the
 * test database, as `reprolab up` makes the first admin token). The tests authenticate with it like
 * a user: there is no switch that turns the checks off.
 */
export async function issueToken(role: Role, name = `test ${role}`): Promise<string> {
  const h = createDb(requireEnv('DATABASE_URL'), { maxConnections: 1 });
  try {
    await prepareDatabase(h.db);
    return (await createToken(h.db, { role, name })).token;
  } finally {
    await h.close();
  }
}

let admin: Promise<string> | undefined;
/**
 * The file's admin token, also put in REPROLAB_TOKEN so the CLIs and dashboards the tests spawn
 * find it the way a user's shell would.
 */
export function adminToken(): Promise<string> {
  admin ??= issueToken('admin', 'test harness').then((t) => (process.env.REPROLAB_TOKEN = t));
  return admin;
}

/** An API caller (as an admin, or with `token`) plus direct db/store handles; closed after the test file. */
export async function connect(opts: { token?: string | null } = {}): Promise<{ api: Api; ctx: ApiContext; db: Db; store: ObjectStore }> {
  const token = opts.token !== undefined ? opts.token : await adminToken();
  const storeConfig = { endpoint: requireEnv('S3_ENDPOINT'), accessKey: requireEnv('S3_ACCESS_KEY'), secretKey: requireEnv('S3_SECRET_KEY'), bucket: requireEnv('S3_BUCKET') };
  const ctx = await createApiContext({ databaseUrl: requireEnv('DATABASE_URL'), temporalAddress: requireEnv('TEMPORAL_ADDRESS'), token, objectStore: storeConfig });
  await prepareDatabase(ctx.db);
  const store = new ObjectStore(storeConfig);
  onCleanup(() => ctx.close());
  return { api: makeCaller(ctx), ctx, db: ctx.db, store };
}

/** The TRPCError a call fails with (fails the test when the call succeeds). */
export async function refusal(call: Promise<unknown> | (() => Promise<unknown>)): Promise<TRPCError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (e) {
    assert.ok(e instanceof TRPCError, String(e));
    return e;
  }
  assert.fail('the call was allowed');
}

export function dbOnly(): Db {
  const h = createDb(requireEnv('DATABASE_URL'));
  onCleanup(() => h.close());
  return h.db;
}

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** How a worker is started: by default `node apps/worker/src/main.ts` here; a test may start `reprolab worker` elsewhere. */
export type WorkerLauncher = (env: NodeJS.ProcessEnv) => ChildProcess;

/** Starts a real worker process (apps/worker) and waits until it polls. */
export async function startWorker(env: Record<string, string> = {}, launch?: WorkerLauncher): Promise<WorkerProcess> {
  const fullEnv = { ...process.env, ...env };
  const proc =
    launch?.(fullEnv) ??
    spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: REPO_ROOT,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: kill() takes the compute children too
    });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker not ready after 90 s:\n${out}`)), 90_000);
    const check = () => {
      if (out.includes('worker ready')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`worker exited (${code}) before ready:\n${out}`));
    });
  });
  const w: WorkerProcess = {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      killGroup(proc, 'SIGKILL');
    },
    async kill() {
      killGroup(proc, 'SIGKILL');
      await exited;
    },
  };
  onCleanup(() => w.stop());
  return w;
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    // already gone
  }
}

/** The tensor backend a started worker reported (e.g. "tensorflow [native-cpu] …" or "cpu [js] …"). */
export function workerBackend(w: WorkerProcess): string {
  return /backend (.+?) · temporal/.exec(w.output())?.[1] ?? 'unknown';
}

export interface InterruptibleTraining {
  params: Record<string, unknown>;
  steps: number;
  checkpointEvery: number;
  stepsPerSecond: number;
}

/**
 * pretrain params for a step that trains for about `seconds` on this worker, with a checkpoint
 * every ~2.5 s, so a test can interrupt it mid-way on any backend (native TensorFlow trains this
 * model ~100× faster than pure JS). Measured, not guessed: a short probe run's loss points are
 * flushed at each checkpoint, and their timestamps give the step rate.
 */
export async function interruptibleTraining(api: Api, db: Db, w: WorkerProcess, seconds = 25): Promise<InterruptibleTraining> {
  const native = /\[(native-cpu|gpu)\]/.test(workerBackend(w));
  const batchSize = native ? 64 : 16;
  const trainLimit = native ? 8000 : 640;
  const probe = await api.runs.launch({ recipe: trainEvalRecipe('calibrate', { model: 'small-cnn', batchSize, trainLimit, epochs: 1, checkpointEvery: 5 }), force: true });
  await waitForRun(api, probe.runId);
  const rows = await db
    .select({ index: sqlMax(schema.metrics.index), at: schema.metrics.recordedAt })
    .from(schema.metrics)
    .where(and(eq(schema.metrics.runId, probe.runId), eq(schema.metrics.name, 'train_loss')))
    .groupBy(schema.metrics.recordedAt)
    .orderBy(schema.metrics.recordedAt);
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const stepsPerSecond = (Number(last.index) - Number(first.index)) / Math.max(0.001, (last.at.getTime() - first.at.getTime()) / 1000);
  const perEpoch = Math.ceil(trainLimit / batchSize);
  const epochs = Math.max(1, Math.ceil((stepsPerSecond * seconds) / perEpoch));
  const checkpointEvery = Math.max(5, Math.round(stepsPerSecond * 2.5));
  return { params: { model: 'small-cnn', batchSize, trainLimit, epochs, checkpointEvery, learningRate: 0.05 }, steps: epochs * perEpoch, checkpointEvery, stepsPerSecond };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many recipe versions and runs are stored: a refused launch or schedule must change neither. */
export async function storedCounts(api: Api): Promise<{ recipes: number; runs: number }> {
  const [recipes, runs] = await Promise.all([api.recipes.list(), api.runs.list({ limit: 1 })]);
  return { recipes: recipes.stored.length, runs: runs.total };
}

/** Polls until the run reaches a terminal status (or `until` holds), failing after `timeoutMs`. */
export async function waitForRun(api: Api, runId: string, opts: { timeoutMs?: number; until?: (r: Awaited<ReturnType<Api['runs']['get']>>) => boolean } = {}) {
  const end = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    const r = await api.runs.get({ runId });
    const ended = ['completed', 'failed', 'cancelled'].includes(r.run.status);
    if (opts.until ? opts.until(r) : ended) return r;
    // Waiting for something mid-run that can no longer happen: say so now, not at the timeout.
    if (ended) throw new Error(`run ${runId} ended ${r.run.status} before the awaited condition${r.run.error ? ` (${r.run.error})` : ''}: ${JSON.stringify(r.steps.map((s) => [s.stepKey, s.status, s.progress, s.error]))}`);
    if (Date.now() > end) throw new Error(`run ${runId} still ${r.run.status} after ${opts.timeoutMs ?? 180_000} ms: ${JSON.stringify(r.steps.map((s) => [s.stepKey, s.status, s.progress, s.error]))}`);
    await sleep(250);
  }
}

/** The given MPU workloads (default: at 1/64 of their default sizes), fanned out, then their geomeans (plus any extra steps). */
export function mpuMiniRecipe(
  name: string,
  workloads: string[],
  opts: { scale: 'proxy' | 'full'; fidelity?: string; targets: Record<string, unknown>[]; extraSteps?: Record<string, unknown>[]; sizeScale?: number },
): string {
  return stringify({
    name,
    version: 1,
    scale: opts.scale,
    ...(opts.fidelity ? { fidelity: opts.fidelity } : {}),
    steps: [
      ...workloads.map((w) => ({ id: w.toLowerCase(), kind: 'simulateMpu', params: { workload: w, sizeScale: opts.sizeScale ?? 1 / 64 } })),
      { id: 'summary', kind: 'aggregate', needs: workloads.map((w) => w.toLowerCase()), params: { fn: 'mpu-geomean' } },
      ...(opts.extraSteps ?? []),
    ],
    targets: opts.targets,
  });
}

/** A small growPrune step (proxy CNN, κ = 2, one round) on the built-in MNIST subset; `params` override. */
export function growPruneStep(id: string, params: Record<string, unknown>): Record<string, unknown> {
  const base = { model: { kind: 'proxy-cnn' }, kappa: 2, rounds: 1, epochsPerStep: 1, fineTuneEpochs: 1, batchSize: 64, trainLimit: 512, evalLimit: 400, checkpointEvery: 4 };
  return { id, kind: 'growPrune', inputs: { dataset: 'mnist' }, params: { ...base, ...params } };
}

/** A pretrain → evaluate recipe on the built-in MNIST subset, small enough for tests. */
export function trainEvalRecipe(name: string, pretrain: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return stringify({
    name,
    version: 1,
    scale: 'proxy',
    seed: 3,
    datasets: { mnist: { builtin: 'mnist-10k' } },
    steps: [
      { id: 'pretrain', kind: 'pretrain', inputs: { dataset: 'mnist' }, params: { model: 'tiny-mlp', epochs: 1, batchSize: 32, learningRate: 0.1, checkpointEvery: 10, trainLimit: 640, ...pretrain } },
      { id: 'evaluate', kind: 'evaluate', inputs: { dataset: 'mnist', model: 'pretrain.model' }, params: { split: 'test', limit: 500 } },
    ],
    ...extra,
  });
}

export function finalMetrics(rows: { step: string | null; name: string; index: number | null; value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of rows) if (m.index === null) out[`${m.step}.${m.name}`] = m.value;
  return out;
}

/**
 * csd-proxy.yaml at a CI size: a 2-block, 16-feature EDSR teacher at ×4 with its 0.25 student on
 * photos-skimage, CSD, the student alone and J-T1 per seed, then the sr-gaps summary; `params`
 * override the distill params (steps, evalLimit, …).
 */
export function srRecipe(name: string, opts: { params?: Record<string, unknown>; seeds?: number[]; targets?: Record<string, unknown>[] } = {}): string {
  const protocol = { model: { kind: 'edsr', blocks: 2, feats: 16 }, width: 0.25, scale: 4, patch: 8, batchSize: 6, negatives: 4, steps: 6, learningRate: 0.0005, checkpointEvery: 3, evalLimit: 4 };
  return stringify({
    name,
    version: 1,
    datasets: { photos: { builtin: 'photos-skimage' } },
    steps: [
      { id: 'sr', kind: 'distill', inputs: { dataset: 'photos' }, params: { ...protocol, ...opts.params }, matrix: { method: ['csd', 'student-alone', 'split-no-contrastive'], seed: opts.seeds ?? [1, 2] } },
      { id: 'summary', kind: 'aggregate', needs: ['sr'], params: { fn: 'sr-gaps' } },
    ],
    targets: opts.targets ?? [],
  });
}

/** Runs the `reprolab` CLI as a user does (against the test servers in the env), with stdout and stderr together. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

/**
 * Every object in `bucket` holds the bytes its content address names and no temporary upload is
 * left behind (after a store outage: nothing partial is visible). Returns how many objects it read.
 */
export async function assertStoreIntact(store: ObjectStore, bucket: string): Promise<number> {
  let objects = 0;
  for await (const o of store.client.listObjectsV2(bucket, '', true)) {
    const name = (o as { name: string }).name;
    assert.ok(!name.startsWith('incoming/'), `temporary upload ${name} left behind`);
    const hex = name.split('/').pop()!;
    const bytes = await store.getExternal(bucket, name);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), hex, `${name} does not hold the bytes its key names`);
    objects++;
  }
  return objects;
}

/** Writes `files` (relative path → bytes) under a fresh temporary folder named `name`; returns that folder. */
export function writeTree(files: Record<string, Uint8Array>, name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'reprolab-tree-')), name);
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  return dir;
}
