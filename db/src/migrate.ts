import { fileURLToPath } from 'node:url';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { Db } from './client';

export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/** Applies the committed migrations; safe to call on every start. */
export async function migrate(db: Db): Promise<void> {
  await migrateNodePg(db, { migrationsFolder });
}
