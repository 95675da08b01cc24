/**
 * reprolab across several hosts: three worker hosts (network namespaces, each with its own network
 * stack, joined through a bridge) run `reprolab worker` against one Temporal, one MinIO and one
 * Postgres, which run in a fourth namespace, the server host. Then, one at a time, the faults a lab's cluster sees: a host dies mid-GaP,
 * a host loses its network, Temporal restarts, MinIO restarts, Postgres restarts. Each faulted run
 * must end with exactly the metrics and model bytes of the undisturbed run, with no lost run, no
 * partial artifact and no duplicate row. The test builds the namespaces itself and removes them.
 */
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { schema, type Db } from '@reprolab/db';
import type { ObjectStore } from '@reprolab/activities';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { readState, startStack, stopStack, type ServiceSpec } from '@reprolab/infra/supervisor';
import { eq, sql } from 'drizzle-orm';
import { assertStoreIntact, connect, growPruneStep, sleep, startWorker, waitForRun, type Api, type WorkerProcess } from '../support/harness';
import { createHostNetwork, netnsUnavailable, type HostNetwork } from '../support/netns';
import { testServerSpecs, type TestServerSpecs } from '../support/servers';

const HOSTS = 3;
const CHECKPOINT_EVERY = 8;
const unavailable = netnsUnavailable();
// CI runs as root: there the suite must run, never skip.
const skip = unavailable && process.env.CI !== 'true' ? unavailable : false;

let net: HostNetwork;
let specs: TestServerSpecs;
let dir: string;
let api: Api;
let db: Db;
let store: ObjectStore;
const workers: (WorkerProcess | undefined)[] = [];
const log = (m: string) => console.log(`  [hosts] ${m}`);

const serviceDir = (name: string) => join(dir, `svc-${name}`);
const startService = async (spec: ServiceSpec) => void (await startStack({ stateDir: serviceDir(spec.name), services: [net.inServerHost(spec)], detach: false, log: () => {} }));

/** SIGKILLs a server's whole process group (a crash, not a shutdown), then starts it again on the same port and data. */
async function crashAndRestart(spec: ServiceSpec, downMs: number): Promise<number> {
  const state = await readState(serviceDir(spec.name));
  for (const s of state?.services ?? []) {
    try {
      process.kill(-s.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stopStack(serviceDir(spec.name)); // nothing left to stop: clears the state files
  await sleep(downMs);
  const t0 = Date.now();
  await startService(spec);
  return Date.now() - t0;
}

/** A worker host: `reprolab worker --queues control,cpu` inside namespace `i`, joining the servers by address. */
async function startHost(i: number): Promise<WorkerProcess> {
  const env = specs.env;
  const w = await startWorker({ REPROLAB_SCRATCH_DIR: join(dir, `host${i + 1}-scratch`) }, (fullEnv) =>
    net.spawnIn(
      i,
      process.execPath,
      ['--import', 'tsx', 'apps/cli/src/main.ts', 'worker', '--queues', 'control,cpu', '--temporal', env.TEMPORAL_ADDRESS!, '--database', env.DATABASE_URL!, '--s3', env.S3_ENDPOINT!, '--bucket', env.S3_BUCKET!],
      { cwd: REPO_ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  workers[i] = w;
  return w;
}

/** The host whose worker is running a compute child (the GaP phase) right now. */
function computingHost(): number | undefined {
  for (let i = 0; i < HOSTS; i++) {
    for (const pid of net.pids(i)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('compute/child.ts')) return i;
      } catch {
        // exited meanwhile
      }
    }
  }
  return undefined;
}

/** The GaP run every scenario repeats; `epochs` per grow/prune step and fine-tune (MNIST's 8,000 training digits: 250 steps an epoch). */
const gapRecipe = (trainLimit: number, epochs: number) =>
  stringify({
    name: 'hosts-gap',
    version: 1,
    scale: 'proxy',
    seed: 5,
    datasets: { mnist: { builtin: 'mnist-10k' } },
    steps: [growPruneStep('gap', { method: 'gap-serial', sparsity: 0.8, batchSize: 32, trainLimit, epochsPerStep: epochs, fineTuneEpochs: epochs, evalLimit: 1000, checkpointEvery: CHECKPOINT_EVERY })],
  });
// Sized on a busy machine; the undisturbed run re-sizes it when phases pass too fast to interrupt one.
let recipe = gapRecipe(4000, 1);
/** Seconds a phase should last, so a fault lands mid-phase whatever the machine's speed. */
const PHASE_SECONDS = 8;

type Progress = { done?: number; checkpoint?: string; message?: string } | null;
/** Waits until the GaP step is mid-phase with a checkpoint behind it; returns the progress seen. */
async function midPhase(runId: string): Promise<{ done: number; message: string }> {
  let seen = { done: 0, message: '' };
  await waitForRun(api, runId, {
    timeoutMs: 240_000,
    until: (r) => {
      const s = r.steps[0];
      const p = s?.progress as Progress;
      seen = { done: p?.done ?? 0, message: p?.message ?? '' };
      return s?.status === 'running' && p?.message?.startsWith('phase') === true && Boolean(p.checkpoint) && seen.done >= 2 * CHECKPOINT_EVERY;
    },
  });
  return seen;
}

interface Outcome {
  run: Awaited<ReturnType<Api['runs']['get']>>;
  /** Every (name, index) → value of the run's metrics, retry bookkeeping left out. */
  metrics: Map<string, number>;
}

async function outcome(runId: string): Promise<Outcome> {
  const run = await waitForRun(api, runId, { timeoutMs: 400_000 });
  assert.equal(run.run.status, 'completed', run.run.error ?? '');
  const metrics = new Map<string, number>();
  for (const m of await api.metrics.series({ runId })) {
    if (m.name === 'phase_resumed_from_step') continue;
    const key = `${m.step}.${m.name}@${m.index ?? 'final'}`;
    assert.ok(!metrics.has(key), `metric ${key} stored twice`);
    metrics.set(key, m.value);
  }
  return { run, metrics };
}

/** No metric row is stored twice, anywhere (a reconnecting writer must not duplicate). */
async function assertNoDuplicateRows(): Promise<void> {
  const dup = await db
    .select({ step: schema.metrics.stepId, name: schema.metrics.name, index: schema.metrics.index, n: sql<number>`count(*)::int` })
    .from(schema.metrics)
    .groupBy(schema.metrics.stepId, schema.metrics.name, schema.metrics.index)
    .having(sql`count(*) > 1`);
  assert.deepEqual(dup, [], 'duplicate metric rows');
}

let baseline: Outcome;

function assertSameAsBaseline(o: Outcome, what: string): void {
  assert.deepEqual(Object.fromEntries(o.metrics), Object.fromEntries(baseline.metrics), `${what}: metrics differ from the undisturbed run`);
  assert.deepEqual(o.run.steps[0]!.outputs, baseline.run.steps[0]!.outputs, `${what}: the model's bytes differ from the undisturbed run`);
}

before(async () => {
  if (skip) return;
  if (unavailable) throw new Error(`the several-hosts suite cannot run: ${unavailable}`);
  dir = mkdtempSync(join(tmpdir(), 'reprolab-hosts-'));
  net = createHostNetwork(HOSTS);
  specs = await testServerSpecs(dir, 'postgres', { host: net.server.ip, allowFrom: net.cidr, temporalBind: '0.0.0.0', freePortsOn: '127.0.0.1' });
  for (const s of [specs.temporal, specs.minio, specs.db]) await startService(s);
  Object.assign(process.env, specs.env); // the API and store handles below talk to these servers
  ({ api, db, store } = await connect());
  for (let i = 0; i < HOSTS; i++) await startHost(i);
  log(`3 worker hosts ${net.hosts.map((h) => h.ip).join(', ')} → servers on ${net.server.ip}`);
});

after(async () => {
  if (skip || !net) return;
  for (const w of workers) await w?.kill();
  for (const name of ['temporal', 'minio', 'postgres']) await stopStack(serviceDir(name)).catch(() => {});
  net.destroy();
});

test('[HOSTS] three worker hosts in their own network namespaces reach the servers only by address, and run GaP', { skip }, async () => {
  // A host has its own loopback: the servers are not there, only on the bridge.
  assert.ok(specs.env.TEMPORAL_ADDRESS!.startsWith(`${net.server.ip}:`));
  for (let i = 0; i < HOSTS; i++) assert.ok(workers[i]!.output().includes(`joining temporal ${net.server.ip}:`), workers[i]!.output());
  let launched = await api.runs.launch({ recipe });
  baseline = await outcome(launched.runId);
  // Measured, not guessed: on a quiet machine a 125-step phase takes about a second, too short to
  // catch mid-phase; then train longer (more digits, more epochs) and take that run as the baseline.
  const step = baseline.run.steps[0]!;
  const phases = [...baseline.metrics.keys()].filter((k) => k.startsWith('gap.phase_steps@')).length;
  const phaseSeconds = (new Date(step.finishedAt!).getTime() - new Date(step.startedAt!).getTime()) / 1000 / Math.max(1, phases);
  if (phaseSeconds < PHASE_SECONDS) {
    const steps = Math.ceil((125 * PHASE_SECONDS) / Math.max(phaseSeconds, 0.05));
    const epochs = Math.min(20, Math.ceil(steps / 250));
    log(`a phase took ${phaseSeconds.toFixed(1)} s; sizing up to 8,000 digits × ${epochs} epoch(s) per phase`);
    recipe = gapRecipe(8000, epochs);
    launched = await api.runs.launch({ recipe });
    baseline = await outcome(launched.runId);
  }
  assert.ok((baseline.metrics.get('gap.test_accuracy@final') ?? 0) > 0.5, 'the undisturbed GaP run learned something');
  assert.equal(baseline.run.steps[0]!.attempts, 1);
  await assertNoDuplicateRows();
});

test('[HOSTS] a host killed mid-GaP: another host resumes the phase from its last checkpoint; identical result', { skip }, async () => {
  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 6 });
  const seen = await midPhase(launched.runId);
  const victim = computingHost();
  assert.ok(victim !== undefined, 'a host is running the phase');
  const t0 = Date.now();
  net.killAll(victim); // the machine dies: worker and compute child, no goodbye
  await workers[victim]!.kill();
  const o = await outcome(launched.runId);
  assertSameAsBaseline(o, 'host killed');
  const resumed = (await api.metrics.series({ runId: launched.runId, name: 'phase_resumed_from_step' })).map((m) => m.value);
  assert.equal(resumed.length, 1, 'exactly one phase was retried');
  const redone = seen.done - resumed[0]!;
  // `seen` is the last progress the database had (≤ 1 s old): the redone steps are bounded from below by it.
  assert.ok(resumed[0]! > 0 && resumed[0]! % CHECKPOINT_EVERY === 0, `resumed from step ${resumed[0]}`);
  assert.ok(redone < 2 * CHECKPOINT_EVERY, `redid ≥ ${redone} steps (seen at ${seen.done}, resumed from ${resumed[0]})`);
  log(`host ${victim + 1} killed with the phase at step ≥ ${seen.done} (the last progress seen); another host resumed from checkpoint step ${resumed[0]}; run finished ${((Date.now() - t0) / 1000).toFixed(1)} s after the kill`);
  await startHost(victim); // the host comes back
});

test('[HOSTS] a host cut off from the network until its heartbeats time out: the phase moves to another host; identical result, no duplicate rows after it reconnects', { skip }, async () => {
  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 6 });
  await midPhase(launched.runId);
  const cut = computingHost();
  assert.ok(cut !== undefined, 'a host is running the phase');
  const t0 = Date.now();
  net.linkDown(cut);
  try {
    const o = await outcome(launched.runId);
    assertSameAsBaseline(o, 'host cut off');
    // (steps.attempts is the latest phase's attempt; the retried phase says where it resumed.)
    const resumed = (await api.metrics.series({ runId: launched.runId, name: 'phase_resumed_from_step' })).map((m) => m.value);
    assert.equal(resumed.length, 1, 'the cut-off phase was retried elsewhere, from its checkpoint');
    log(`host ${cut + 1} cut off; another host resumed the phase from checkpoint step ${resumed[0]}; the run finished ${((Date.now() - t0) / 1000).toFixed(1)} s after the cut`);
  } finally {
    net.linkUp(cut);
  }
  // The cut-off host's worker now reaches the servers again with its stale attempt: it must not write.
  await sleep(10_000);
  assertSameAsBaseline(await outcome(launched.runId), 'after the cut-off host reconnected');
  await assertNoDuplicateRows();
  assert.ok(workers[cut]!.proc.exitCode === null, 'the reconnected worker keeps serving');
});

test('[HOSTS] Temporal restarted mid-run: workers and API reconnect, 0 runs lost; identical result', { skip }, async () => {
  const before = (await api.runs.list({ limit: 1 })).total;
  const launched = await api.runs.launch({ recipe, force: true });
  await midPhase(launched.runId);
  await stopStack(serviceDir('temporal')); // a clean restart: the dev server's sqlite keeps every workflow
  await sleep(2_000);
  const t0 = Date.now();
  await startService(specs.temporal);
  log(`Temporal back in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assertSameAsBaseline(await outcome(launched.runId), 'Temporal restarted');
  assert.equal((await api.runs.list({ limit: 1 })).total, before + 1, 'no run lost or duplicated');
  const stuck = await db.select({ id: schema.runs.id }).from(schema.runs).where(sql`${schema.runs.status} not in ('completed', 'failed', 'cancelled')`);
  assert.deepEqual(stuck, [], 'every run ended');
});

test('[HOSTS] MinIO crashed mid-run: uploads retry, the run completes; every stored object hashes to its key', { skip }, async () => {
  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 10 });
  await midPhase(launched.runId);
  const back = await crashAndRestart(specs.minio, 5_000);
  log(`MinIO down 5 s, back in ${(back / 1000).toFixed(1)} s`);
  const o = await outcome(launched.runId);
  assertSameAsBaseline(o, 'MinIO crashed');
  const objects = await assertStoreIntact(store, specs.env.S3_BUCKET!);
  for (const a of o.run.artifacts) assert.ok(await store.exists(a.sha256), `artifact ${a.name} recorded but not stored`);
  log(`${objects} objects verified by sha256`);
});

test('[HOSTS] Postgres crashed mid-run: API and workers reconnect; identical result, no duplicate rows', { skip }, async () => {
  const launched = await api.runs.launch({ recipe, force: true, heartbeatTimeoutSeconds: 10 });
  await midPhase(launched.runId);
  const back = await crashAndRestart(specs.db, 3_000);
  log(`Postgres down 3 s, back (crash recovery) in ${(back / 1000).toFixed(1)} s`);
  const o = await outcome(launched.runId);
  assertSameAsBaseline(o, 'Postgres crashed');
  await assertNoDuplicateRows();
  const steps = await db.select({ id: schema.steps.id }).from(schema.steps).where(eq(schema.steps.runId, launched.runId));
  assert.equal(steps.length, 1, 'one step row, not one per retry');
  for (const w of workers) assert.ok(w && w.proc.exitCode === null, 'every worker survived the outage');
});
