/**
 * `npm test`: every suite against real servers, ending with one `N passed, N failed` line.
 *   unit         node --test over the *.test.ts files beside the code
 *   integration  tests/integration against Temporal + MinIO + PGlite, then again with a Postgres server
 *   e2e          tests/e2e in Chromium against the dashboard
 *   hosts        tests/hosts: three worker hosts in network namespaces against one Temporal, MinIO and
 *                Postgres, and the faults (host killed, host cut off, each server restarted); needs root
 *   static       eslint (import directions), tsc, and the Kubernetes manifests (kustomize + kubeconform, tests/support/k8s.ts)
 * Options: --only static|unit|integration|e2e|hosts, --db pglite|postgres, --file <substring> (all repeatable),
 * or the TEST_ONLY / TEST_DB / TEST_FILES environment variables.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { checkManifests } from './support/k8s';
import { startTestServers, type DbTarget } from './support/servers';

const { values } = parseArgs({ options: { only: { type: 'string', multiple: true }, db: { type: 'string', multiple: true }, file: { type: 'string', multiple: true } } });
// --file <substring> (repeatable): run only the test files whose path contains it.
const fileFilter = values.file ?? process.env.TEST_FILES?.split(',');
const pick = (files: string[]) => (fileFilter ? files.filter((f) => fileFilter.some((s) => f.includes(s))) : files);
const only = new Set(values.only ?? process.env.TEST_ONLY?.split(',') ?? ['static', 'unit', 'integration', 'e2e', 'hosts']);
const targets = (values.db ?? process.env.TEST_DB?.split(',') ?? ['pglite', 'postgres']) as DbTarget[];

interface Tally {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}
const tallies: Tally[] = [];

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'tests') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(REPO_ROOT, p));
  }
  return out.sort();
}

/** Runs node's test runner over `files`; resolves with the pass/fail counts it reported. */
function nodeTest(suite: string, files: string[], env: Record<string, string>, timeoutMs: number): Promise<Tally> {
  const t0 = Date.now();
  console.log(`\n━━ ${suite}: ${files.length} file(s)`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${timeoutMs}`, '--test-reporter=spec', ...files], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('exit', (code) => {
      const count = (k: string) => Number(new RegExp(`ℹ ${k} (\\d+)`).exec(tail)?.[1] ?? 0);
      let failed = count('fail') + count('cancelled');
      if (code !== 0 && failed === 0) failed = 1; // the runner itself failed
      resolve({ suite, passed: count('pass'), failed, skipped: count('skipped') + count('todo'), seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** Lint (import directions included) and the type check, each counted as one test; then each Kubernetes manifest check. */
async function staticChecks(): Promise<Tally> {
  const t0 = Date.now();
  console.log('\n━━ static: eslint + tsc + Kubernetes manifests');
  const run = (cmd: string, args: string[]) =>
    new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', cmd), ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
      child.on('exit', (code) => {
        console.log(`${code === 0 ? '✔' : '✖'} ${cmd.split('/')[0]} ${args.join(' ')}`);
        resolve(code === 0);
      });
    });
  const results = [await run('eslint/bin/eslint.js', ['.']), await run('typescript/bin/tsc', ['-p', 'tsconfig.json'])];
  const k8s = Date.now();
  for (const check of await checkManifests((line) => console.log(line))) results.push(check.ok);
  console.log(`  (Kubernetes manifests: ${((Date.now() - k8s) / 1000).toFixed(1)} s)`);
  return { suite: 'static', passed: results.filter(Boolean).length, failed: results.filter((r) => !r).length, skipped: 0, seconds: (Date.now() - t0) / 1000 };
}

async function main(): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'reprolab-test-'));
  chmodSync(scratch, 0o755); // the Postgres server runs as the postgres user and must reach its data dir
  try {
    if (only.has('static')) tallies.push(await staticChecks());
    if (only.has('unit')) tallies.push(await nodeTest('unit', pick(findTests(REPO_ROOT)), {}, 300_000));
    if (only.has('integration') || only.has('e2e') || only.has('hosts')) {
      // One workflow bundle for every worker the tests start (bundling takes seconds each time).
      const bundle = await bundleWorkflowCode({ workflowsPath: join(REPO_ROOT, 'workflows', 'src', 'index.ts'), logger: quietLogger });
      const bundlePath = join(scratch, 'workflow-bundle.js');
      writeFileSync(bundlePath, bundle.code);
      const integrationFiles = readdirSync(join(REPO_ROOT, 'tests', 'integration')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `tests/integration/${f}`);
      const chosen = pick(integrationFiles);
      for (const target of targets) {
        if (!only.has('integration')) break;
        console.log(`\n━━ starting Temporal, MinIO and ${target} for the integration suite`);
        const servers = await startTestServers(mkdtempSync(join(scratch, `${target}-`)), target);
        try {
          tallies.push(await nodeTest(`integration (${target})`, chosen, { ...servers.env, REPROLAB_WORKFLOW_BUNDLE: bundlePath }, 600_000));
        } finally {
          await servers.stop();
        }
      }
      if (only.has('hosts')) {
        // The suite starts its own servers, on the bridge its namespaces reach them through.
        const hostFiles = pick(readdirSync(join(REPO_ROOT, 'tests', 'hosts')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `tests/hosts/${f}`));
        if (hostFiles.length) tallies.push(await nodeTest('hosts (3 namespaces)', hostFiles, { REPROLAB_WORKFLOW_BUNDLE: bundlePath }, 900_000));
      }
      if (only.has('e2e')) {
        const servers = await startTestServers(mkdtempSync(join(scratch, 'e2e-')), 'pglite');
        try {
          const e2eFiles = pick(readdirSync(join(REPO_ROOT, 'tests', 'e2e')).filter((f) => f.endsWith('.spec.ts')).sort().map((f) => `tests/e2e/${f}`));
          tallies.push(await nodeTest('e2e (chromium)', e2eFiles, { ...servers.env, REPROLAB_WORKFLOW_BUNDLE: bundlePath }, 600_000));
        } finally {
          await servers.stop();
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log('\n━━ summary');
  for (const t of tallies) console.log(`  ${t.suite.padEnd(24)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped  (${t.seconds.toFixed(0)} s)`);
  const sum = (k: 'passed' | 'failed' | 'skipped') => tallies.reduce((n, t) => n + t[k], 0);
  console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  return sum('failed') === 0 && tallies.length > 0 ? 0 : 1;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
