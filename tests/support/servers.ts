/**
 * Real servers for the test suites, started through the same supervisor `reprolab up` uses:
 * a Temporal dev server, MinIO, and the metadata database as either the embedded PGlite
 * (over pglite-socket) or a Postgres server (Debian's `postgresql`, initdb'd in a temp dir).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '@reprolab/infra/ports';
import { REPO_ROOT, TEMPORAL_DEV_DYNAMIC_CONFIG } from '@reprolab/infra/stack';
import { startStack, stopStack, type ServiceSpec } from '@reprolab/infra/supervisor';
import { resolveTool } from '@reprolab/infra/tools';

export type DbTarget = 'pglite' | 'postgres';

export interface TestServers {
  env: Record<string, string>;
  stateDir: string;
  stop(): Promise<void>;
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function postgresService(stateDir: string, port: number): ServiceSpec {
  const bin = postgresBinDir();
  if (!bin) throw new Error('Postgres server not found under /usr/lib/postgresql; install it with `apt-get install -y postgresql` (CI does this)');
  const data = join(stateDir, 'pg');
  const asRoot = process.getuid?.() === 0;
  // initdb and postgres refuse to run as root: run them as the `postgres` system user then.
  mkdirSync(data, { recursive: true });
  const sock = join(stateDir, 'pgsock');
  mkdirSync(sock, { recursive: true });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chmodSync(stateDir, 0o755);
    for (const d of [data, sock]) chownSync(d, uid, gid);
  }
  const run = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
  const [initCmd, initArgs] = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  try {
    execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`initdb failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message}`);
  }
  const [cmd, args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', sock, '-c', 'fsync=off', '-c', 'max_connections=100']);
  return { name: 'postgres', command: cmd, args, host: '127.0.0.1', port, health: { kind: 'log', pattern: /ready to accept connections/ }, startTimeoutMs: 60_000 };
}

function databaseService(stateDir: string, target: DbTarget, port: number): ServiceSpec {
  if (target === 'postgres') return postgresService(stateDir, port);
  return {
    name: 'pglite',
    command: process.execPath,
    args: ['--import', 'tsx', 'db/src/pglite-server.ts', '--data', join(stateDir, 'pgdata'), '--port', String(port)],
    cwd: REPO_ROOT,
    host: '127.0.0.1',
    port,
    health: { kind: 'tcp' },
    startTimeoutMs: 60_000,
  };
}

/** Only the metadata database (PGlite over its socket, or a Postgres server), for the benchmarks. */
export async function startDatabaseServer(stateDir: string, target: DbTarget): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await findFreePort();
  await startStack({ stateDir, services: [databaseService(stateDir, target, port)], detach: false, log: () => {} });
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: async () => void (await stopStack(stateDir)) };
}

export async function startTestServers(stateDir: string, target: DbTarget): Promise<TestServers> {
  const [temporal, minio] = [await resolveTool('temporal', { log: console.log }), await resolveTool('minio', { log: console.log })];
  const [tPort, tUi, mPort, mConsole, dbPort] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
  const services: ServiceSpec[] = [
    {
      name: 'temporal',
      command: temporal.path,
      args: ['server', 'start-dev', '--db-filename', join(stateDir, 'temporal.db'), '--ip', '127.0.0.1', '--port', String(tPort), '--ui-port', String(tUi), '--log-level', 'error', '--headless', ...TEMPORAL_DEV_DYNAMIC_CONFIG],
      host: '127.0.0.1',
      port: tPort,
      health: { kind: 'tcp' },
      startTimeoutMs: 90_000,
    },
    {
      name: 'minio',
      command: minio.path,
      args: ['server', join(stateDir, 'minio'), '--address', `127.0.0.1:${mPort}`, '--console-address', `127.0.0.1:${mConsole}`, '--quiet'],
      env: { MINIO_ROOT_USER: 'reprolab', MINIO_ROOT_PASSWORD: 'reprolab-secret' },
      host: '127.0.0.1',
      port: mPort,
      health: { kind: 'http', path: '/minio/health/live' },
      startTimeoutMs: 60_000,
    },
    databaseService(stateDir, target, dbPort),
  ];
  const env = {
    TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    TEMPORAL_NAMESPACE: 'default',
    S3_ENDPOINT: `http://127.0.0.1:${mPort}`,
    S3_ACCESS_KEY: 'reprolab',
    S3_SECRET_KEY: 'reprolab-secret',
    S3_BUCKET: 'reprolab-test',
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dbPort}/postgres`,
    REPROLAB_TEST_DB: target,
    REPROLAB_MINIO_BIN: minio.path,
    REPROLAB_TEMPORAL_BIN: temporal.path,
  };
  await startStack({ stateDir, services, detach: false, stackEnv: env, log: (l) => console.log(`  ${l}`) });
  return { env, stateDir, stop: async () => void (await stopStack(stateDir)) };
}
