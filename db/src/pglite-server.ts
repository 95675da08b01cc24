/**
 * The embedded metadata database: a file-backed PGlite served over the Postgres wire protocol so the
 * worker, the CLI and the dashboard share one database. Migrates and seeds before it listens.
 * Every connection must authenticate with SCRAM-SHA-256 (scram-auth.ts) as user `postgres` with the
 * password in REPROLAB_DB_PASSWORD (an env var, not an argument, so `ps` does not show it; `reprolab
 * up` generates it per install into <state dir>/secrets.json). Only its SCRAM verifier is kept.
 *
 *   REPROLAB_DB_PASSWORD=… node --import tsx db/src/pglite-server.ts --data .reprolab/pgdata --port 5433
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from './migrate';
import { scramVerifier, startAuthenticatedServer } from './scram-auth';
import { seedClaims } from './seed';
import type { Db } from './client';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '.reprolab/pgdata' },
      port: { type: 'string', default: '5433' },
      host: { type: 'string', default: '127.0.0.1' },
      user: { type: 'string', default: 'postgres' },
    },
  });
  const password = process.env.REPROLAB_DB_PASSWORD;
  if (!password) throw new Error('REPROLAB_DB_PASSWORD is not set: the embedded database refuses to serve without a password (`reprolab up` generates one into <state dir>/secrets.json)');
  delete process.env.REPROLAB_DB_PASSWORD;
  const verifier = scramVerifier(password);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--port must be an integer in 1..65535, got ${values.port}`);
  }
  mkdirSync(values.data, { recursive: true });
  const pg = await PGlite.create({ dataDir: values.data });
  const db = drizzle(pg);
  await migrate(db, { migrationsFolder });
  await seedClaims(db as unknown as Db);
  const server = await startAuthenticatedServer({
    db: pg,
    port,
    host: values.host,
    user: values.user,
    verifier,
    maxConnections: 32,
    // The reason quotes the client's user name: no control characters from it into the log.
    onRefused: (remote, reason) => console.log(`refused ${remote}: ${reason.replace(/[\x00-\x1f\x7f]/g, '?')}`),
  });
  console.log(`pglite listening on postgres://${values.user}:***@${values.host}:${server.port}/postgres (SCRAM-SHA-256; data ${values.data})`);
  const stop = async (): Promise<void> => {
    await server.stop();
    await pg.close(); // flushes the data directory
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
