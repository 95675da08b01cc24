import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
