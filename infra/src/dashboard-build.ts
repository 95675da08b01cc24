/** Builds the Next.js dashboard when needed (used by `reprolab up` and the browser tests). */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './stack';

const DASHBOARD_DIR = join(REPO_ROOT, 'apps', 'dashboard');
const BUNDLED_PACKAGES = ['apps/api/src', 'db/src', 'workflows/src', 'workflows/recipes/src', 'activities/src', 'activities/methods/src'];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when there is no production build or its sources changed since. */
export async function ensureDashboardBuilt(log: (s: string) => void): Promise<void> {
  const buildId = join(DASHBOARD_DIR, '.next', 'BUILD_ID');
  // Everything the dashboard bundles: its own pages, the API router and the packages it imports.
  const dirs = [join(DASHBOARD_DIR, 'src'), ...BUNDLED_PACKAGES.map((p) => join(REPO_ROOT, p))];
  const sources = Math.max(...(await Promise.all(dirs.filter((d) => existsSync(d)).map(newestMtime))));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  log('building the dashboard (next build; first time only, ~1-2 min)…');
  const t0 = Date.now();
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build', DASHBOARD_DIR], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`next build failed (exit ${code}):\n${out.slice(-4000)}`))));
  });
  log(`dashboard built in ${Math.round((Date.now() - t0) / 1000)} s`);
}

