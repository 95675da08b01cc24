import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { embeddedStack, readStackEnv, REPO_ROOT } from './stack';
import { LEGACY_SECRETS, loadOrCreateSecrets, secretsFile } from './secrets';
import { isPortFree } from './ports';
import { describeTools } from './tools';
import { stackStatus, startStack, stateFile, stopStack } from './supervisor';
import { nothingListens, tmpDir, waitDead } from './testing';

test('embedded stack: order, commands, ports shifted by offset, client env', () => {
  const secrets = { s3AccessKey: 'reprolab-ab12', s3SecretKey: 'generated-per-install', dbPassword: 'db-pass-per-install' };
  const s = embeddedStack({ stateDir: '/tmp/st', portOffset: 10, tools: { temporal: '/t/temporal', minio: { path: '/m/minio' } }, secrets });
  assert.deepEqual(s.services.map((x) => x.name), ['temporal', 'minio', 'db', 'worker', 'dashboard']);
  const [temporal, minio, db, worker, dashboard] = s.services;
  assert.deepEqual([temporal!.command, ...temporal!.args], [
    '/t/temporal', 'server', 'start-dev', '--db-filename', '/tmp/st/temporal.db', '--ip', '127.0.0.1', '--port', '7243', '--ui-port', '8243', '--log-level', 'warn',
    '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
  ]);
  assert.deepEqual([minio!.command, ...minio!.args], ['/m/minio', 'server', '/tmp/st/minio', '--address', '127.0.0.1:9010', '--console-address', '127.0.0.1:9011']);
  assert.deepEqual(minio!.env, { MINIO_ROOT_USER: 'reprolab-ab12', MINIO_ROOT_PASSWORD: 'generated-per-install' });
  assert.deepEqual(minio!.health, { kind: 'http', path: '/minio/health/live' });
  assert.deepEqual(db!.args, ['--import', 'tsx', 'db/src/pglite-server.ts', '--data', '/tmp/st/pgdata', '--port', '5443']);
  assert.deepEqual(db!.env, { REPROLAB_DB_PASSWORD: 'db-pass-per-install' }, 'the password by env, never argv');
  assert.deepEqual(worker!.health.kind, 'log');
  assert.equal(dashboard!.command, process.execPath);
  assert.deepEqual(dashboard!.args, [path.join(REPO_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', 'apps/dashboard', '-p', '3010', '-H', '127.0.0.1']);
  assert.equal(s.env.TEMPORAL_ADDRESS, '127.0.0.1:7243');
  assert.equal(s.env.S3_ENDPOINT, 'http://127.0.0.1:9010');
  assert.equal(s.env.DATABASE_URL, 'postgres://postgres:db-pass-per-install@127.0.0.1:5443/postgres');
  assert.equal(worker!.env?.S3_SECRET_KEY, 'generated-per-install');
  assert.equal(dashboard!.env?.TEMPORAL_ADDRESS, '127.0.0.1:7243');
  for (const x of s.services) assert.ok(x.host === undefined || x.host === '127.0.0.1');
  assert.equal(embeddedStack({ tools: { temporal: 't', minio: 'm' }, secrets }).env.TEMPORAL_ADDRESS, '127.0.0.1:7233');
});

test('per-install secrets: generated once, owner-only, stable; old MinIO data keeps its credentials; a corrupt file is an error', async () => {
  const dir = tmpDir();
  const a = await loadOrCreateSecrets(dir);
  assert.equal(a.created, true);
  assert.equal(fs.statSync(secretsFile(dir)).mode & 0o777, 0o600);
  assert.ok(a.secrets.s3SecretKey.length >= 32 && a.secrets.s3SecretKey !== LEGACY_SECRETS.s3SecretKey);
  assert.ok(a.secrets.dbPassword.length >= 32 && a.secrets.dbPassword !== a.secrets.s3SecretKey);
  assert.notEqual((await loadOrCreateSecrets(tmpDir())).secrets.s3SecretKey, a.secrets.s3SecretKey, 'two installs share a password');
  fs.chmodSync(secretsFile(dir), 0o644);
  const b = await loadOrCreateSecrets(dir);
  assert.deepEqual([b.created, b.secrets], [false, a.secrets]);
  assert.equal(fs.statSync(secretsFile(dir)).mode & 0o777, 0o600, 'a loosened file is tightened');
  const old = tmpDir();
  fs.mkdirSync(path.join(old, 'minio', '.minio.sys'), { recursive: true });
  const legacy = await loadOrCreateSecrets(old);
  assert.deepEqual(legacy.secrets, { ...LEGACY_SECRETS, dbPassword: legacy.secrets.dbPassword });
  assert.ok(legacy.secrets.dbPassword.length >= 32, 'old MinIO data still gets a generated database password');
  // A secrets.json from before the database password: one is added, the MinIO keys kept, still owner-only.
  const pre = tmpDir();
  fs.writeFileSync(secretsFile(pre), JSON.stringify({ s3AccessKey: 'reprolab-ab12', s3SecretKey: 'kept-as-it-was' }), { mode: 0o600 });
  const up = await loadOrCreateSecrets(pre);
  assert.deepEqual([up.created, up.addedDbPassword, up.secrets.s3AccessKey, up.secrets.s3SecretKey], [false, true, 'reprolab-ab12', 'kept-as-it-was']);
  assert.ok(up.secrets.dbPassword.length >= 32);
  assert.equal(fs.statSync(secretsFile(pre)).mode & 0o777, 0o600);
  assert.deepEqual(await loadOrCreateSecrets(pre), { secrets: up.secrets, created: false }, 'written back: the next up reads the same password');
  fs.writeFileSync(secretsFile(dir), '{"s3AccessKey": "x"');
  await assert.rejects(loadOrCreateSecrets(dir), /secrets\.json is not valid JSON.*restore it from a backup/);
  fs.writeFileSync(secretsFile(dir), '{"s3AccessKey": "reprolab"}');
  await assert.rejects(loadOrCreateSecrets(dir), /"s3SecretKey" is missing/);
});

test('real temporal and minio start healthy under the supervisor and stop without orphans', async (t) => {
  const tools = await describeTools();
  const missing = tools.filter((x) => !x.ok);
  if (missing.length) {
    t.skip(`binaries not built yet (${missing.map((m) => m.name).join(', ')}): run \`npm run tools:install\``);
    return;
  }
  const bin = (n: string) => tools.find((x) => x.name === n && x.ok) as { path: string };
  // Random high offset so a developer's own stack (or a parallel test run) is not disturbed.
  let offset = 0;
  for (let i = 0; i < 50 && !offset; i++) {
    const o = 10_000 + Math.floor(Math.random() * 12_000); // every port below the ephemeral range (32768+)
    const ports = [7233, 8233, 9000, 9001].map((p) => p + o);
    if ((await Promise.all(ports.map((p) => isPortFree('127.0.0.1', p)))).every(Boolean)) offset = o;
  }
  assert.ok(offset, 'no free port range found');
  const dir = tmpDir();
  const { secrets } = await loadOrCreateSecrets(dir);
  const stack = embeddedStack({ stateDir: dir, portOffset: offset, tools: { temporal: bin('temporal'), minio: bin('minio') }, secrets });
  const lines: string[] = [];
  const started = await startStack({ stateDir: dir, detach: true, services: stack.services.slice(0, 2), stackEnv: stack.env, log: (l) => lines.push(l) });
  let pids: number[] = [];
  try {
    assert.deepEqual(started.state.services.map((s) => s.name), ['temporal', 'minio']);
    const live = await fetch(`${stack.env.S3_ENDPOINT}/minio/health/live`);
    assert.equal(live.status, 200);
    const ui = await fetch(`http://127.0.0.1:${stack.ports.temporalUi}/`);
    assert.ok(ui.status < 500, `temporal UI status ${ui.status}`);
    assert.equal((await readStackEnv(dir))?.TEMPORAL_ADDRESS, `127.0.0.1:${7233 + offset}`);
    assert.equal((await readStackEnv(dir))?.S3_SECRET_KEY, secrets.s3SecretKey);
    // One partition per task queue (TEMPORAL_DEV_DYNAMIC_CONFIG): the default 4 strand backlogged tasks.
    const { execFileSync } = await import('node:child_process');
    const parts = execFileSync(bin('temporal').path, ['task-queue', 'list-partition', '--address', stack.env.TEMPORAL_ADDRESS, '--task-queue', 'cpu'], { encoding: 'utf8' });
    assert.equal((parts.match(/\/_sys\/cpu\//g) ?? []).length, 0, parts);
    assert.match(parts, /^\s+cpu\s/m, parts);
    assert.equal(fs.statSync(path.join(dir, 'env.json')).mode & 0o077, 0, 'the env file (with the credentials) is owner-only');
    // MinIO runs with this install's credentials, not the old fixed ones.
    const { Client } = await import('minio');
    const client = (k: { s3AccessKey: string; s3SecretKey: string }) => new Client({ endPoint: '127.0.0.1', port: stack.ports.minio, useSSL: false, accessKey: k.s3AccessKey, secretKey: k.s3SecretKey });
    assert.equal(await client(secrets).bucketExists('secrets-check'), false);
    await assert.rejects(client(LEGACY_SECRETS).bucketExists('secrets-check'), /InvalidAccessKeyId|access key/i);
    assert.ok(fs.existsSync(path.join(dir, 'temporal.db')));
    pids = (await stackStatus(dir)).services.flatMap((s) => s.pids);
    assert.ok(pids.length >= 2);
  } finally {
    await stopStack(dir);
  }
  assert.deepEqual(await waitDead(pids, 1_000), []);
  assert.equal(fs.existsSync(stateFile(dir)), false);
  for (const p of [7233, 8233, 9000, 9001]) assert.equal(await nothingListens(p + offset), true, `port ${p + offset} still listening`);
  t.diagnostic(lines.join('\n'));
});
