/**
 * The embedded metadata database: a file-backed PGlite served over the Postgres wire protocol so the
 * worker, the CLI and the dashboard share one database. Migrates and seeds before it listens.
 *
 *   node --import tsx db/src/pglite-server.ts --data .reprolab/pgdata --port 5433
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from './migrate';
import { seedClaims } from './seed';
import type { Db } from './client';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '.reprolab/pgdata' },
      port: { type: 'string', default: '5433' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--port must be an integer in 1..65535, got ${values.port}`);
  }
  mkdirSync(values.data, { recursive: true });
  const pg = await PGlite.create({ dataDir: values.data });
  const db = drizzle(pg);
  await migrate(db, { migrationsFolder });
  await seedClaims(db as unknown as Db);
  const server = new PGLiteSocketServer({ db: pg, port, host: values.host, maxConnections: 32 });
  await server.start();
  console.log(`pglite listening on postgres://postgres:postgres@${values.host}:${port}/postgres (data ${values.data})`);
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
