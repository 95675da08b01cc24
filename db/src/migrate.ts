import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { Db } from './client';

// Built with path.join (not `new URL(…, import.meta.url)`) so bundlers leave it alone.
export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** Applies the committed migrations; safe to call on every start. */
export async function migrate(db: Db): Promise<void> {
  await migrateNodePg(db, { migrationsFolder });
}

/** Migrates and seeds the paper claims: what every fresh database needs before use. */
export async function prepareDatabase(db: Db): Promise<void> {
  await migrate(db);
  const { seedClaims } = await import('./seed');
  await seedClaims(db);
}

export interface MigrationStatus {
  /** Committed migrations (db/migrations/meta/_journal.json). */
  total: number;
  /** Tags of the committed migrations the database has not applied yet. */
  pending: string[];
}

/**
 * Which committed migrations the database still lacks, judged as drizzle's migrator judges it: a
 * migration is applied when the newest recorded `created_at` is at or after its journal time.
 * A database never migrated (no drizzle schema yet) has every migration pending.
 */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  let newest = -Infinity;
  try {
    const res = (await db.execute(sql`select max(created_at) as newest from drizzle.__drizzle_migrations`)) as unknown as { rows: { newest: string | number | null }[] };
    const v = res.rows[0]?.newest;
    if (v !== null && v !== undefined) newest = Number(v);
  } catch (e) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: nothing applied yet.
    const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
    if (code !== '42P01' && code !== '3F000') throw e;
  }
  return { total: journal.entries.length, pending: journal.entries.filter((m) => m.when > newest).map((m) => m.tag) };
}
