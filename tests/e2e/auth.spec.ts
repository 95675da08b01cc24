/**
 * The dashboard's access control over real HTTP: tokens on /api/trpc, sign-in and sign-out, the
 * Host (DNS rebinding) and Origin (CSRF) checks, and the refusal to start off loopback without auth.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { SESSION_COOKIE } from '@reprolab/api/exposure';
import { spawnDashboard, signIn, type Dashboard } from '../support/dashboard';
import { adminToken, issueToken, onCleanup } from '../support/harness';

let dash: Dashboard;
let admin = '';
before(async () => {
  admin = await adminToken();
  dash = await spawnDashboard();
});

/** A raw HTTP request (fetch would not let a test forge Host). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; port?: number } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: opts.port ?? dash.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const own = () => `127.0.0.1:${dash.port}`;
const json = { 'content-type': 'application/json' };

test('[AUTH-HTTP] /api/trpc without a token is 401 and says how to get one; a viewer token launching is 403', async () => {
  const none = await raw('/api/trpc/runs.list', { headers: { host: own() } });
  assert.equal(none.status, 401);
  assert.match(none.body, /reprolab token create --role/);
  const viewer = await issueToken('viewer');
  const read = await raw('/api/trpc/claims.list?input=%7B%7D', { headers: { host: own(), authorization: `Bearer ${viewer}` } });
  assert.equal(read.status, 200);
  const launch = await raw('/api/trpc/runs.launch', { method: 'POST', headers: { host: own(), authorization: `Bearer ${viewer}`, ...json }, body: JSON.stringify({ file: 'smoke.yaml' }) });
  assert.equal(launch.status, 403);
  assert.match(launch.body, /needs the operator role/);
  const page = await raw('/', { headers: { host: own() } });
  assert.equal(page.status, 307);
  assert.match(String(page.headers.location), /\/login$/);
});

test('[AUTH-HTTP] a Host header that is not loopback is refused (DNS rebinding)', async () => {
  for (const host of [`rebind.attacker.test:${dash.port}`, 'localhost:1']) {
    const r = await raw('/api/trpc/claims.list?input=%7B%7D', { headers: { host, authorization: `Bearer ${admin}` } });
    assert.equal(r.status, 403, host);
    assert.match(r.body, /not allowed \(DNS rebinding protection\)/);
  }
  assert.equal((await raw('/login', { headers: { host: `localhost:${dash.port}` } })).status, 200);
});

test('[AUTH-HTTP] a cross-origin POST with the session cookie is refused (CSRF); the same-origin one passes', async () => {
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(admin)}`;
  const cancel = (headers: Record<string, string>) => raw('/api/trpc/runs.cancel', { method: 'POST', headers: { host: own(), cookie, ...json, ...headers }, body: JSON.stringify({ runId: 'no-such-run' }) });
  const evil = await cancel({ origin: 'http://evil.example' });
  assert.equal(evil.status, 403);
  assert.match(evil.body, /cross-origin request from http:\/\/evil\.example refused/);
  const bare = await cancel({});
  assert.equal(bare.status, 403);
  assert.match(bare.body, /CSRF/);
  const same = await cancel({ origin: `http://${own()}` });
  assert.equal(same.status, 404, same.body); // through the guard and the auth check: the run does not exist
});

test('[AUTH-HTTP] sign in at /login (a bad token is refused), pages work, sign out ends the session', async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  onCleanup(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${dash.base}/login`);
  await page.getByLabel('API token').fill('rl_wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await signIn(context, dash.base, await issueToken('viewer', 'e2e viewer'));
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
  await page.goto(dash.base);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login');
  await page.goto(dash.base);
  await page.waitForURL('**/login');
});

test('[AUTH-HTTP] off loopback the dashboard refuses to start without REPROLAB_ALLOWED_HOSTS, and then serves only those hosts', async () => {
  const refused = await spawnDashboard({ host: '0.0.0.0', ready: false, env: { REPROLAB_ALLOWED_HOSTS: '' } });
  assert.equal(await refused.exited, 1, refused.output());
  assert.match(refused.output(), /refusing to serve the dashboard on 0\.0\.0\.0.*without REPROLAB_ALLOWED_HOSTS/);
  const shared = await spawnDashboard({ host: '0.0.0.0', env: { REPROLAB_ALLOWED_HOSTS: 'reprolab.test' } });
  assert.equal((await raw('/login', { port: shared.port, headers: { host: `reprolab.test:${shared.port}` } })).status, 200);
  assert.equal((await raw('/login', { port: shared.port, headers: { host: `127.0.0.1:${shared.port}` } })).status, 403);
});
