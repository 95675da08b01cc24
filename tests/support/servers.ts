/**
 * Real servers for the test suites, started through the same supervisor `reprolab up` uses:
 * a Temporal dev server, MinIO, and the metadata database as either the embedded PGlite
 * (over pglite-socket) or a Postgres server (Debian's `postgresql`, initdb'd in a temp dir).
 * The PGlite server gets a generated password, as under `reprolab up`, so every suite run against
 * it goes through its SCRAM-SHA-256 authentication; the test Postgres trusts local connections.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
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

/** Where the test servers listen, and (for Postgres) which other addresses may connect without a password. */
export interface ServerPlacement {
  host?: string;
  /** A CIDR allowed to connect to Postgres (trust), e.g. the network namespaces' subnet. */
  allowFrom?: string;
  /**
   * What Temporal's dev server binds (default: host). Its history and matching services dial each
   * other on 127.0.0.1 whatever `--ip` says, so a non-loopback host needs 0.0.0.0 — inside a
   * network namespace of its own, that reaches no further than the namespace's bridge.
   */
  temporalBind?: string;
  /** Where to look for free ports (default: host); a fresh namespace's ports are all free, so any local address will do. */
  freePortsOn?: string;
}

function postgresService(stateDir: string, port: number, place: ServerPlacement = {}): ServiceSpec {
  const host = place.host ?? '127.0.0.1';
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
  // A restart reuses the cluster: initdb only once.
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const [initCmd, initArgs] = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    try {
      execFileSync(initCmd, initArgs, { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`initdb failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message}`);
    }
    if (place.allowFrom) appendFileSync(join(data, 'pg_hba.conf'), `host all all ${place.allowFrom} trust\n`);
  }
  const [cmd, args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', host, '-k', sock, '-c', 'fsync=off', '-c', 'max_connections=100']);
  return { name: 'postgres', command: cmd, args, host, port, health: { kind: 'log', pattern: /ready to accept connections/ }, startTimeoutMs: 60_000 };
}

/** The metadata database's service and the URL (password included) that reaches it. */
function databaseService(stateDir: string, target: DbTarget, port: number, place: ServerPlacement = {}): { spec: ServiceSpec; url: string } {
  const host = place.host ?? '127.0.0.1';
  const password = randomBytes(18).toString('base64url');
  const url = `postgres://postgres:${password}@${host}:${port}/postgres`;
  if (target === 'postgres') return { spec: postgresService(stateDir, port, place), url };
  return { spec: pgliteService(stateDir, port, host, password), url };
}

function pgliteService(stateDir: string, port: number, host: string, password: string): ServiceSpec {
  return {
    name: 'pglite',
    command: process.execPath,
    args: ['--import', 'tsx', 'db/src/pglite-server.ts', '--data', join(stateDir, 'pgdata'), '--port', String(port), '--host', host],
    env: { REPROLAB_DB_PASSWORD: password },
    cwd: REPO_ROOT,
    host,
    port,
    health: { kind: 'tcp' },
    startTimeoutMs: 60_000,
  };
}

/** Only the metadata database (PGlite over its socket, or a Postgres server), for the benchmarks. */
export async function startDatabaseServer(stateDir: string, target: DbTarget): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await findFreePort();
  const db = databaseService(stateDir, target, port);
  await startStack({ stateDir, services: [db.spec], detach: false, log: () => {} });
  return { url: db.url, stop: async () => void (await stopStack(stateDir)) };
}

export interface TestServerSpecs {
  temporal: ServiceSpec;
  minio: ServiceSpec;
  db: ServiceSpec;
  /** What clients need: addresses, keys, bucket, and the binaries the tests restart. */
  env: Record<string, string>;
}

/** Temporal, MinIO and the database as service specs on free ports of `place.host` (start them together or one by one). */
export async function testServerSpecs(stateDir: string, target: DbTarget, place: ServerPlacement = {}): Promise<TestServerSpecs> {
  const host = place.host ?? '127.0.0.1';
  const [temporal, minio] = [await resolveTool('temporal', { log: console.log }), await resolveTool('minio', { log: console.log })];
  const free = () => findFreePort(place.freePortsOn ?? host);
  const [tPort, tUi, mPort, mConsole, dbPort] = [await free(), await free(), await free(), await free(), await free()];
  const db = databaseService(stateDir, target, dbPort, place);
  return {
    temporal: {
      name: 'temporal',
      command: temporal.path,
      args: ['server', 'start-dev', '--db-filename', join(stateDir, 'temporal.db'), '--ip', place.temporalBind ?? host, '--port', String(tPort), '--ui-port', String(tUi), '--log-level', 'error', '--headless', ...TEMPORAL_DEV_DYNAMIC_CONFIG],
      host,
      port: tPort,
      health: { kind: 'tcp' },
      startTimeoutMs: 90_000,
    },
    minio: {
      name: 'minio',
      command: minio.path,
      args: ['server', join(stateDir, 'minio'), '--address', `${host}:${mPort}`, '--console-address', `${host}:${mConsole}`, '--quiet'],
      env: { MINIO_ROOT_USER: 'reprolab', MINIO_ROOT_PASSWORD: 'reprolab-secret' },
      host,
      port: mPort,
      health: { kind: 'http', path: '/minio/health/live' },
      startTimeoutMs: 60_000,
    },
    db: db.spec,
    env: {
      TEMPORAL_ADDRESS: `${host}:${tPort}`,
      TEMPORAL_NAMESPACE: 'default',
      S3_ENDPOINT: `http://${host}:${mPort}`,
      S3_ACCESS_KEY: 'reprolab',
      S3_SECRET_KEY: 'reprolab-secret',
      S3_BUCKET: 'reprolab-test',
      DATABASE_URL: db.url,
      REPROLAB_TEST_DB: target,
      REPROLAB_MINIO_BIN: minio.path,
      REPROLAB_TEMPORAL_BIN: temporal.path,
    },
  };
}

export async function startTestServers(stateDir: string, target: DbTarget): Promise<TestServers> {
  const specs = await testServerSpecs(stateDir, target);
  await startStack({ stateDir, services: [specs.temporal, specs.minio, specs.db], detach: false, stackEnv: specs.env, log: (l) => console.log(`  ${l}`) });
  return { env: specs.env, stateDir, stop: async () => void (await stopStack(stateDir)) };
}
