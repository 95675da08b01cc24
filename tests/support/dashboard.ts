/** The real dashboard (`next start`, built once) for the browser tests, and signing in to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ensureDashboardBuilt } from '@reprolab/infra/dashboard-build';
import { findFreePort } from '@reprolab/infra/ports';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { mkdirSync } from 'node:fs';
import { adminToken, connect, onCleanup, sleep, startWorker, type Api } from './harness';

export interface Dashboard {
  proc: ChildProcess;
  port: number;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Spawns `next start apps/dashboard -p <free port> -H <host>`; `ready` waits until it answers. */
export async function spawnDashboard(opts: { host?: string; env?: Record<string, string>; ready?: boolean } = {}): Promise<Dashboard> {
  await ensureDashboardBuilt((l) => console.log(l));
  const port = await findFreePort();
  const host = opts.host ?? '127.0.0.1';
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/next/dist/bin/next'), 'start', 'apps/dashboard', '-p', String(port), '-H', host], {
    cwd: REPO_ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  onCleanup(() => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const base = `http://127.0.0.1:${port}`;
  if (opts.ready !== false) {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(base, { redirect: 'manual' })).status < 500) break;
      } catch {
        // not listening yet
      }
      if (i > 300 || proc.exitCode !== null) throw new Error(`dashboard did not start:\n${out}`);
      await sleep(100);
    }
  }
  return { proc, port, base, output: () => out, exited };
}

/** Signs `context` in through the /login form, as a user pasting their token does. */
export async function signIn(context: BrowserContext, base: string, token: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForURL('**/login');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  await page.close();
}

/**
 * The browser tests' setup: the real dashboard and a worker against the test servers, and Debian's
 * Chromium with one context signed in through /login as an admin.
 */
export async function signedInDashboard(): Promise<{ base: string; context: BrowserContext }> {
  const { base } = await spawnDashboard();
  await startWorker();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  onCleanup(() => browser.close());
  const context = await browser.newContext();
  await signIn(context, base, await adminToken());
  return { base, context };
}

/**
 * A browser spec's usual start: an admin API caller, the signed-in dashboard with a worker, and
 * the folder screenshots go to (test-results/, created).
 */
export async function browserSuite(): Promise<{ api: Api; base: string; context: BrowserContext; shots: string }> {
  const { api } = await connect();
  const { base, context } = await signedInDashboard();
  const shots = join(REPO_ROOT, 'test-results');
  mkdirSync(shots, { recursive: true });
  return { api, base, context, shots };
}
