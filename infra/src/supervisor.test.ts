import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFreePort, PortInUseError } from './ports';
import {
  groupPids,
  ServiceStartError,
  StackAlreadyRunningError,
  stackStatus,
  startStack,
  stateFile,
  stopStack,
  runStackForeground,
  type ServiceSpec,
} from './supervisor';
import { httpServerSrc, NODE, nothingListens, tcpServerSrc, tmpDir, waitDead } from './testing';

const quiet = () => {};

async function allPids(stateDir: string): Promise<number[]> {
  const st = await stackStatus(stateDir);
  return st.services.flatMap((s) => s.pids);
}

test('a taken port refuses the start, names the port, and starts nothing', async () => {
  const dir = tmpDir();
  const [p1, p2] = [await findFreePort(), await findFreePort()];
  const blocker = net.createServer().listen(p2, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  try {
    await assert.rejects(
      startStack({
        stateDir: dir,
        detach: true,
        log: quiet,
        services: [
          { name: 'first', command: NODE, args: ['-e', tcpServerSrc(p1)], port: p1, health: { kind: 'tcp' } },
          { name: 'second', command: NODE, args: ['-e', tcpServerSrc(p2)], port: p2, health: { kind: 'tcp' } },
        ],
      }),
      (e: unknown) => e instanceof PortInUseError && e.message.includes(`:${p2} (needed by second)`) && !e.message.includes(`:${p1}`),
    );
    assert.equal(fs.existsSync(stateFile(dir)), false);
    assert.equal(fs.existsSync(path.join(dir, 'logs', 'first.log')), false, 'first service must not have been started');
    assert.equal(await nothingListens(p1), true);
  } finally {
    blocker.close();
  }
});

test('start (tcp, http, log health) then stop leaves no process alive, grandchildren included', async () => {
  const dir = tmpDir();
  const [pt, ph] = [await findFreePort(), await findFreePort()];
  const lines: string[] = [];
  const services: ServiceSpec[] = [
    // sh + a background grandchild: the whole process group must go.
    {
      name: 'tcp',
      command: '/bin/sh',
      args: ['-c', `"${NODE}" -e "setInterval(()=>{},1e3)" & "${NODE}" -e "${tcpServerSrc(pt, 300)}"; wait`],
      port: pt,
      health: { kind: 'tcp' },
    },
    { name: 'http', command: NODE, args: ['-e', httpServerSrc(ph, 204)], port: ph, health: { kind: 'http', path: '/health', expectStatus: 204 } },
    { name: 'logger', command: NODE, args: ['-e', `setTimeout(()=>console.log('worker ready'),200);setInterval(()=>{},1e3)`], health: { kind: 'log', pattern: /worker ready/ } },
  ];
  const stack = await startStack({ stateDir: dir, detach: true, services, log: (l) => lines.push(l), stackEnv: { FOO: 'bar' } });
  assert.deepEqual(stack.state.services.map((s) => s.name), ['tcp', 'http', 'logger']);
  assert.ok(lines.some((l) => l.includes(`127.0.0.1:${pt}`)), lines.join('\n'));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8')), { FOO: 'bar' });
  const st = await stackStatus(dir);
  assert.equal(st.running, true);
  const pids = await allPids(dir);
  assert.ok(pids.length >= 4, `expected sh + 2 node in the first group, got ${pids}`);
  assert.ok(fs.readFileSync(path.join(dir, 'logs', 'logger.log'), 'utf8').includes('worker ready'));

  const res = await stopStack(dir, { log: quiet });
  assert.deepEqual(res.stopped, ['logger', 'http', 'tcp']);
  assert.deepEqual(await waitDead(pids, 1_000), []);
  for (const s of stack.state.services) assert.deepEqual(groupPids(s.pgid), []);
  assert.equal(fs.existsSync(stateFile(dir)), false);
  assert.equal(fs.existsSync(path.join(dir, 'env.json')), false);
  assert.equal((await stackStatus(dir)).absent, true);
});

test('a service that exits during start: error carries its log tail, earlier services are stopped', async () => {
  const dir = tmpDir();
  const p1 = await findFreePort();
  await assert.rejects(
    startStack({
      stateDir: dir,
      detach: true,
      log: quiet,
      services: [
        { name: 'ok', command: NODE, args: ['-e', tcpServerSrc(p1)], port: p1, health: { kind: 'tcp' } },
        { name: 'crashy', command: NODE, args: ['-e', `console.error('boom: bad config');process.exit(3)`], health: { kind: 'log', pattern: /never/ } },
      ],
    }),
    (e: unknown) => {
      assert.ok(e instanceof ServiceStartError, String(e));
      assert.equal(e.service, 'crashy');
      assert.match(e.message, /exited \(code 3\)/);
      assert.match(e.message, /boom: bad config/);
      return true;
    },
  );
  assert.equal(await nothingListens(p1), true, 'earlier service still listening');
  assert.equal(fs.existsSync(stateFile(dir)), false);
});

test('health timeout stops the service and says what it waited for', async () => {
  const dir = tmpDir();
  const p = await findFreePort();
  const t0 = Date.now();
  await assert.rejects(
    startStack({
      stateDir: dir,
      detach: true,
      log: quiet,
      services: [{ name: 'slow', command: NODE, args: ['-e', 'setInterval(()=>{},1e3)'], port: p, health: { kind: 'tcp' }, startTimeoutMs: 800 }],
    }),
    /not healthy after 800 ms \(waiting for tcp 127\.0\.0\.1:\d+\)/,
  );
  assert.ok(Date.now() - t0 < 5_000);
  assert.equal(fs.existsSync(stateFile(dir)), false);
});

test('a missing command fails with a clear error', async () => {
  const dir = tmpDir();
  await assert.rejects(
    startStack({ stateDir: dir, detach: true, log: quiet, services: [{ name: 'x', command: '/nonexistent/bin', args: [], health: { kind: 'log', pattern: /x/ } }] }),
    /could not run \/nonexistent\/bin: .*ENOENT/,
  );
});

test('already running is detected; stale state files are cleaned up', async () => {
  const dir = tmpDir();
  const p = await findFreePort();
  const services: ServiceSpec[] = [{ name: 'svc', command: NODE, args: ['-e', tcpServerSrc(p)], port: p, health: { kind: 'tcp' } }];
  await startStack({ stateDir: dir, detach: true, services, log: quiet });
  try {
    await assert.rejects(startStack({ stateDir: dir, detach: true, services, log: quiet }), (e: unknown) => e instanceof StackAlreadyRunningError && /svc=\d+/.test(e.message));
  } finally {
    await stopStack(dir);
  }

  // A state file whose pids are dead (e.g. after a reboot or kill -9 of everything).
  const dead = spawn(NODE, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  const stale = {
    version: 1,
    phase: 'running',
    supervisorPid: dead.pid,
    detach: true,
    startedAt: new Date().toISOString(),
    services: [{ name: 'svc', pid: dead.pid, pgid: dead.pid, command: 'x', args: [], logFile: 'x', startedAt: '' }],
  };
  fs.writeFileSync(stateFile(dir), JSON.stringify(stale));
  const st = await stackStatus(dir);
  assert.deepEqual([st.running, st.stale], [false, true]);
  const lines: string[] = [];
  await startStack({ stateDir: dir, detach: true, services, log: (l) => lines.push(l) });
  assert.ok(lines.some((l) => l.includes('stale')), lines.join('\n'));
  const pids = await allPids(dir);
  await stopStack(dir);
  assert.deepEqual(await waitDead(pids, 1_000), []);
});

test('foreground: an unexpected child death is reported and the rest is stopped', async () => {
  const dir = tmpDir();
  const p = await findFreePort();
  const lines: string[] = [];
  const res = await runStackForeground({
    stateDir: dir,
    log: (l) => lines.push(l),
    services: [
      { name: 'steady', command: NODE, args: ['-e', tcpServerSrc(p)], port: p, health: { kind: 'tcp' } },
      { name: 'flaky', command: NODE, args: ['-e', `console.log('up');setTimeout(()=>{console.log('dying');process.exit(7)},500)`], health: { kind: 'log', pattern: /up/ } },
    ],
  });
  assert.equal(res.reason, 'exited');
  assert.ok(res.reason === 'exited' && res.service === 'flaky' && res.code === 7);
  assert.ok(res.reason === 'exited' && res.logTail.some((l) => l.includes('dying')));
  assert.ok(lines.some((l) => l.includes('"flaky" exited unexpectedly')), lines.join('\n'));
  assert.deepEqual(res.stopped, ['steady']);
  assert.equal(await nothingListens(p), true);
  assert.equal(fs.existsSync(stateFile(dir)), false);
});

/** Runs runStackForeground / startStack in a separate Node process so we can send it real signals. */
function fixture(dir: string, mode: 'foreground' | 'start-hang', port: number) {
  const sup = pathToFileURL(path.join(import.meta.dirname, 'supervisor.ts')).href;
  const src = `
import { runStackForeground, startStack } from ${JSON.stringify(sup)};
// "b" leads a group of sh + two sleeps; in start-hang mode it never becomes healthy.
const services = [
  { name: 'a', command: process.execPath, args: ['-e', ${JSON.stringify(tcpServerSrc(port))}], port: ${port}, health: { kind: 'tcp' } },
  { name: 'b', command: '/bin/sh', args: ['-c', 'echo ok; sleep 300 & sleep 300; wait'], health: { kind: 'log', pattern: ${mode === 'foreground' ? '/ok/' : '/never/'} }, startTimeoutMs: 60000 },
];
try {
  const r = ${JSON.stringify(mode)} === 'foreground'
    ? await runStackForeground({ stateDir: ${JSON.stringify(dir)}, services, onReady: () => console.log('READY') })
    : await startStack({ stateDir: ${JSON.stringify(dir)}, services, detach: false });
  console.log('RESULT ' + JSON.stringify(r.reason ?? 'started'));
  process.exit(0);
} catch (e) { console.log('ERROR ' + e.name + ': ' + e.message); process.exit(130); }
`;
  const file = path.join(dir, 'fixture.mts');
  fs.writeFileSync(file, src);
  const child = spawn(NODE, ['--import', 'tsx', file], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const waitFor = async (re: RegExp, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!re.test(out)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { child, waitFor, exited, output: () => out };
}

test('foreground: Ctrl-C (SIGINT) stops everything cleanly', async () => {
  const dir = tmpDir();
  const p = await findFreePort();
  const fx = fixture(dir, 'foreground', p);
  await fx.waitFor(/READY/);
  const pids = await allPids(dir);
  assert.ok(pids.length >= 4, String(pids));
  fx.child.kill('SIGINT');
  assert.equal(await fx.exited, 0, fx.output());
  assert.match(fx.output(), /RESULT "signal"/);
  assert.deepEqual(await waitDead(pids, 1_000), []);
  assert.equal(fs.existsSync(stateFile(dir)), false);
});

test('SIGINT during start stops what was already started', async () => {
  const dir = tmpDir();
  const p = await findFreePort();
  const fx = fixture(dir, 'start-hang', p);
  await fx.waitFor(/✓ a /);
  await new Promise((r) => setTimeout(r, 300)); // let "b" spawn
  const pids = await allPids(dir);
  assert.ok(pids.length >= 4, `a + sh + 2 sleeps expected, got ${pids}`);
  fx.child.kill('SIGINT');
  assert.equal(await fx.exited, 130, fx.output());
  assert.match(fx.output(), /StartAbortedError: start interrupted by SIGINT/);
  assert.deepEqual(await waitDead(pids, 1_000), []);
  assert.equal(fs.existsSync(stateFile(dir)), false);
});
