// The embedded (one-machine) reprolab stack: what `reprolab up` starts, in order.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceSpec } from './supervisor';
import { envFile } from './supervisor';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_STATE_DIR = './.reprolab';

export const BASE_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  minio: 9000,
  minioConsole: 9001,
  db: 5433,
  dashboard: 3000,
} as const;

import type { StackSecrets } from './secrets';

/**
 * One partition per task queue. Temporal splits each queue into 4 partitions by default, and a task
 * waiting in one partition's backlog reaches only a poller polling that partition: with one
 * training slot per worker (one poller), a queued step sat 3 min 39 s after the worker went idle
 * (csd-proxy, 2026-12-02). A single partition dispatches it at once; the embedded stack has no
 * throughput to gain from more.
 */
export const TEMPORAL_DEV_DYNAMIC_CONFIG = ['--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'];

export interface StackEnv {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  DATABASE_URL: string;
  REPROLAB_STATE_DIR: string;
  [key: string]: string;
}

export interface EmbeddedStack {
  stateDir: string;
  portOffset: number;
  services: ServiceSpec[];
  /** What clients (worker, dashboard, CLI) need to reach the stack. */
  env: StackEnv;
  ports: { [K in keyof typeof BASE_PORTS]: number };
}

export interface EmbeddedStackOptions {
  stateDir?: string;
  portOffset?: number;
  /** Resolved binaries (see resolveTool). */
  tools: { temporal: string | { path: string }; minio: string | { path: string } };
  /** Where db/, apps/ live (default: this monorepo). */
  repoRoot?: string;
  host?: string;
  /** MinIO's root credentials and the database password (loadOrCreateSecrets: per install, in <state dir>/secrets.json). */
  secrets: StackSecrets;
}

const binPath = (t: string | { path: string }) => (typeof t === 'string' ? t : t.path);

export function embeddedStack(opts: EmbeddedStackOptions): EmbeddedStack {
  const stateDir = path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  const offset = opts.portOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset + BASE_PORTS.minio > 65_000) {
    throw new Error(`--port-offset must be a small non-negative integer, got ${opts.portOffset}`);
  }
  const host = opts.host ?? '127.0.0.1';
  const root = opts.repoRoot ?? REPO_ROOT;
  const p = Object.fromEntries(Object.entries(BASE_PORTS).map(([k, v]) => [k, v + offset])) as EmbeddedStack['ports'];

  const env: StackEnv = {
    TEMPORAL_ADDRESS: `${host}:${p.temporal}`,
    TEMPORAL_NAMESPACE: 'default',
    S3_ENDPOINT: `http://${host}:${p.minio}`,
    S3_ACCESS_KEY: opts.secrets.s3AccessKey,
    S3_SECRET_KEY: opts.secrets.s3SecretKey,
    DATABASE_URL: `postgres://postgres:${encodeURIComponent(opts.secrets.dbPassword)}@${host}:${p.db}/postgres`,
    REPROLAB_STATE_DIR: stateDir,
  };
  // Node children run TypeScript through tsx, resolved from the monorepo's node_modules.
  const node = process.execPath;

  const services: ServiceSpec[] = [
    {
      name: 'temporal',
      command: binPath(opts.tools.temporal),
      args: [
        'server', 'start-dev',
        '--db-filename', path.join(stateDir, 'temporal.db'),
        '--ip', host,
        '--port', String(p.temporal),
        '--ui-port', String(p.temporalUi),
        '--log-level', 'warn',
        ...TEMPORAL_DEV_DYNAMIC_CONFIG,
      ],
      host,
      port: p.temporal,
      extraPorts: [{ name: 'UI', port: p.temporalUi }],
      health: { kind: 'tcp' },
      startTimeoutMs: 90_000,
      urls: [`Temporal UI http://${host}:${p.temporalUi}`],
    },
    {
      name: 'minio',
      command: binPath(opts.tools.minio),
      args: ['server', path.join(stateDir, 'minio'), '--address', `${host}:${p.minio}`, '--console-address', `${host}:${p.minioConsole}`],
      env: { MINIO_ROOT_USER: opts.secrets.s3AccessKey, MINIO_ROOT_PASSWORD: opts.secrets.s3SecretKey },
      host,
      port: p.minio,
      extraPorts: [{ name: 'console', port: p.minioConsole }],
      health: { kind: 'http', path: '/minio/health/live' },
      startTimeoutMs: 60_000,
      urls: [`MinIO console http://${host}:${p.minioConsole}`],
    },
    {
      name: 'db',
      command: node,
      args: ['--import', 'tsx', 'db/src/pglite-server.ts', '--data', path.join(stateDir, 'pgdata'), '--port', String(p.db)],
      // The password goes by env, not argv, where `ps` would show it to every user.
      env: { REPROLAB_DB_PASSWORD: opts.secrets.dbPassword },
      cwd: root,
      host,
      port: p.db,
      health: { kind: 'tcp' },
      startTimeoutMs: 60_000,
    },
    {
      name: 'worker',
      command: node,
      args: ['--import', 'tsx', 'apps/worker/src/main.ts'],
      cwd: root,
      env: { ...env },
      health: { kind: 'log', pattern: /worker ready/ },
      startTimeoutMs: 120_000,
    },
    {
      name: 'dashboard',
      command: node,
      args: [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', 'apps/dashboard', '-p', String(p.dashboard), '-H', host],
      cwd: root,
      env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
      host,
      port: p.dashboard,
      health: { kind: 'http', path: '/' },
      startTimeoutMs: 120_000,
      urls: [`Dashboard http://${host}:${p.dashboard}`],
    },
  ];
  return { stateDir, portOffset: offset, services, env, ports: p };
}

/** The first admin token `reprolab up` creates (mode 600); the CLI's default token. */
export function tokenFile(stateDir: string = DEFAULT_STATE_DIR): string {
  return path.join(path.resolve(stateDir), 'token');
}

/** The CLI's API token: REPROLAB_TOKEN, else the state dir's token file, else null. */
export async function readToken(stateDir: string = DEFAULT_STATE_DIR): Promise<string | null> {
  if (process.env.REPROLAB_TOKEN) return process.env.REPROLAB_TOKEN.trim();
  try {
    return (await fs.readFile(tokenFile(stateDir), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** The env of the stack running from stateDir (written at start), or null when none is up. */
export async function readStackEnv(stateDir: string = DEFAULT_STATE_DIR): Promise<StackEnv | null> {
  try {
    return JSON.parse(await fs.readFile(envFile(path.resolve(stateDir)), 'utf8')) as StackEnv;
  } catch {
    return null;
  }
}
