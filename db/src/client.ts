import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Db;
  close(): Promise<void>;
}

/**
 * Connects to a Postgres wire endpoint: a Postgres server, or the embedded PGlite served over
 * pglite-socket. The caller passes the URL; this package never reads the environment.
 */
export function createDb(url: string, opts: { maxConnections?: number } = {}): DbHandle {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      `DATABASE_URL must be a postgres:// URL (got ${JSON.stringify(redact(url))}); ` +
        'for the embedded database run `reprolab up` and use the URL it prints',
    );
  }
  const sql = postgres(url, {
    max: opts.maxConnections ?? 4,
    onnotice: () => {},
    connect_timeout: 10,
    // PGlite speaks the extended protocol but has no use for prepared-statement caching across
    // multiplexed connections; unnamed statements work on both servers.
    prepare: false,
  });
  return { db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
