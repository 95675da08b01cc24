import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Db;
  close(): Promise<void>;
}

/**
 * Connects to a Postgres wire endpoint: a Postgres server, or the embedded PGlite served over
 * pglite-socket. The caller passes the URL; this package never reads the environment.
 *
 * node-postgres, not postgres.js: PGlite is one session multiplexed across connections, and
 * node-postgres sends Parse/Bind/Execute/Sync of a query in one batch, while postgres.js splits
 * them over two round trips, letting another connection's unnamed statement slip in between.
 */
export function createDb(url: string, opts: { maxConnections?: number } = {}): DbHandle {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      `DATABASE_URL must be a postgres:// URL (got ${JSON.stringify(redact(url))}); ` +
        'for the embedded database run `reprolab up`: <state dir>/env.json holds its URL, password included',
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 4, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server (database restart) must not crash the process.
  pool.on('error', () => {});
  return { db: drizzle(pool, { schema }), close: () => pool.end() };
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
