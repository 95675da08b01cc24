/**
 * `npm run bench:api [-- --json] [--runs N] [--db pglite|postgres] [--workers N]`
 *
 * Load: N small runs (default 200) launched at once through the API against a real Temporal,
 * MinIO and metadata database, executed by real worker processes. Each run is one MPU simulation
 * step (AXPY at 1/256 of its default size, its own seed, so no run is answered from the step
 * cache). While they run, readers poll the API as dashboards would (runs list, one run's page,
 * claims standing). Reports the launch and read latencies (p50/p95/max), how long the last run
 * took to finish, and whether anything was lost: every run must end `completed` with its step and
 * its metrics stored exactly once. Exits non-zero when a run is lost or fails.
 *
 * The API is called in-process through a tRPC caller as an operator (the dashboard's server side
 * calls it the same way; no HTTP), so the token check is part of every sample.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { stringify } from 'yaml';
import { sql } from 'drizzle-orm';
import { appRouter, createApiContext, createCallerFactory } from '@reprolab/api';
import { createToken, prepareDatabase } from '@reprolab/db';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { startTestServers, type DbTarget } from '../support/servers';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '200' },
    db: { type: 'string', default: 'pglite' },
    workers: { type: 'string', default: '1' },
    readers: { type: 'string', default: '4' },
    'timeout-minutes': { type: 'string', default: '30' },
  },
});
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);
const READERS = Number(values.readers);
const target = values.db as DbTarget;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error(`--workers must be a positive integer, got ${values.workers}`);
if (!['pglite', 'postgres'].includes(target)) throw new Error(`--db must be pglite or postgres, got ${values.db}`);
const log = (s: string) => {
  if (!values.json) process.stderr.write(s + '\n');
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
  return { samples: s.length, p50: pct(50), p95: pct(95), max: s[s.length - 1] ?? NaN };
}

async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    into.push(performance.now() - t0);
  }
}

const recipe = (seed: number) =>
  stringify({
    name: 'bench-api-load',
    version: 1,
    scale: 'proxy',
    seed,
    steps: [{ id: 'axpy', kind: 'simulateMpu', params: { workload: 'AXPY', sizeScale: 1 / 256 } }],
  });

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker not ready after 120 s:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) {
        clearTimeout(t);
        resolve(proc);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out}`)));
  });
}

function killGroup(w: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-w.pid!, signal);
  } catch {
    // gone
  }
}

async function main(): Promise<number> {
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', loadBefore: load(), loadAfter: '' };
  log(`machine: ${machine.cpus} × ${machine.cpu}; load average ${machine.loadBefore}`);
  const scratch = mkdtempSync(join(tmpdir(), 'reprolab-bench-api-'));
  chmodSync(scratch, 0o755);
  const servers = await startTestServers(join(scratch, 'servers'), target);
  const workers: ChildProcess[] = [];
  // Ctrl-C leaves no server or worker behind.
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      for (const w of workers) killGroup(w, 'SIGKILL');
      void servers.stop().finally(() => process.exit(130));
    });
  try {
    const bundle = await bundleWorkflowCode({ workflowsPath: join(REPO_ROOT, 'workflows', 'src', 'index.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => log(m) } });
    const bundlePath = join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker({ ...servers.env, REPROLAB_WORKFLOW_BUNDLE: bundlePath }));
    const env = servers.env;
    const boot = await createApiContext({ databaseUrl: env.DATABASE_URL!, temporalAddress: env.TEMPORAL_ADDRESS!, token: null, objectStore: { endpoint: env.S3_ENDPOINT!, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, bucket: env.S3_BUCKET! } });
    await prepareDatabase(boot.db);
    const { token } = await createToken(boot.db, { role: 'operator', name: 'bench:api' });
    await boot.close();
    const ctx = await createApiContext({ databaseUrl: env.DATABASE_URL!, temporalAddress: env.TEMPORAL_ADDRESS!, token, objectStore: { endpoint: env.S3_ENDPOINT!, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, bucket: env.S3_BUCKET! } });
    const api = createCallerFactory(appRouter)(ctx);

    const lat = { launch: [] as number[], list: [] as number[], get: [] as number[], standing: [] as number[] };
    log(`launching ${RUNS} runs at once (${WORKERS} worker process${WORKERS > 1 ? 'es' : ''}, ${target})…`);
    const t0 = performance.now();
    const launches = await Promise.allSettled(Array.from({ length: RUNS }, (_, i) => timed(lat.launch, () => api.runs.launch({ recipe: recipe(i + 1), tags: ['bench-api'] }))));
    const launched = launches.flatMap((l) => (l.status === 'fulfilled' ? [l.value.runId] : []));
    const refused = launches.flatMap((l) => (l.status === 'rejected' ? [String((l.reason as Error).message)] : []));
    log(`  ${launched.length} launched in ${((performance.now() - t0) / 1000).toFixed(1)} s${refused.length ? `, ${refused.length} refused: ${refused[0]}` : ''}`);

    // Readers poll like open dashboards until every run has ended (or the timeout).
    const deadline = Date.now() + Number(values['timeout-minutes']) * 60_000;
    let ended = 0;
    let lastProgress = '';
    const finished = async () => {
      const byStatus = await api.runs.list({ tag: 'bench-api', limit: 1, status: ['completed', 'failed', 'cancelled'] });
      ended = byStatus.total;
      return ended >= launched.length;
    };
    let done = false;
    const readers = Array.from({ length: READERS }, async (_, r) => {
      let k = r;
      while (!done && Date.now() < deadline) {
        await timed(lat.list, () => api.runs.list({ limit: 50 }));
        await timed(lat.get, () => api.runs.get({ runId: launched[k++ % launched.length]! }));
        if (r === 0) await timed(lat.standing, () => api.claims.standing({}));
        await sleep(200);
      }
    });
    while (!(await finished()) && Date.now() < deadline) {
      const p = `${ended}/${launched.length} ended`;
      if (p !== lastProgress) log(`  ${p} after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      lastProgress = p;
      await sleep(2000);
    }
    const allEndedSeconds = (performance.now() - t0) / 1000;
    done = true;
    await Promise.all(readers);

    // Nothing lost: every launched run completed, with its one step and its metrics stored once.
    const rows = await ctx.db.execute(sql`
      select r.status, count(*)::int as n,
             sum((select count(*) from steps s where s.run_id = r.id))::int as steps,
             sum((select count(*) from steps s where s.run_id = r.id and s.status = 'completed'))::int as completed_steps
      from runs r where 'bench-api' = any(r.tags) group by r.status`);
    const byStatus = Object.fromEntries((rows.rows as { status: string; n: number; steps: number; completed_steps: number }[]).map((x) => [x.status, x]));
    const dup = await ctx.db.execute(sql`select count(*)::int as n from (select step_id, name, index from metrics m join runs r on r.id = m.run_id where 'bench-api' = any(r.tags) group by step_id, name, index having count(*) > 1) d`);
    const duplicateMetricKeys = (dup.rows[0] as { n: number }).n;
    const completed = byStatus.completed?.n ?? 0;
    const lost = RUNS - completed;
    await ctx.close();
    machine.loadAfter = load();
    const result = {
      runs: RUNS,
      db: target,
      workers: WORKERS,
      readers: READERS,
      launched: launched.length,
      refused: refused.length,
      completed,
      notCompleted: lost,
      statuses: Object.fromEntries(Object.entries(byStatus).map(([k, v]) => [k, v.n])),
      steps: Object.values(byStatus).reduce((n, v) => n + v.steps, 0),
      duplicateMetricKeys,
      allEndedSeconds,
      latencyMs: { launch: stats(lat.launch), 'runs.list': stats(lat.list), 'runs.get': stats(lat.get), 'claims.standing': stats(lat.standing) },
      timedIn: 'in-process tRPC caller as an operator (createCallerFactory(appRouter)), no HTTP',
      machine,
    };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`\n${RUNS} runs launched at once on ${target}, ${WORKERS} worker process(es): ${completed} completed, ${lost} not completed ${JSON.stringify(result.statuses)}, ${result.steps} step rows, ${duplicateMetricKeys} duplicated metric keys; all ended after ${allEndedSeconds.toFixed(1)} s`);
      console.log(`${'API call under that load'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  ${'n'.padStart(5)}`);
      for (const [k, v] of Object.entries(result.latencyMs)) console.log(`${k.padEnd(28)} ${v.p50.toFixed(1).padStart(8)} ${v.p95.toFixed(1).padStart(8)} ${v.max.toFixed(1).padStart(8)}  ${String(v.samples).padStart(5)}`);
      console.log(`machine: ${machine.cpus} × ${machine.cpu}; load average before ${machine.loadBefore}, after ${machine.loadAfter}; ${result.timedIn}`);
    }
    return lost === 0 && refused.length === 0 && duplicateMetricKeys === 0 && result.steps === RUNS ? 0 : 1;
  } finally {
    for (const w of workers) killGroup(w, 'SIGTERM');
    await sleep(1000);
    for (const w of workers) killGroup(w, 'SIGKILL');
    await servers.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exit(await main());
