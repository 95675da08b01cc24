/** Builds an API context from connection settings (used by the dashboard, the CLI and tests). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { ObjectStore, type ObjectStoreConfig } from '@reprolab/activities/storage/object-store';
import { createDb } from '@reprolab/db';
import type { ApiContext } from './context';

// Bundled callers (the dashboard) pass recipesDir explicitly: import.meta.url points into the bundle there.
export const DEFAULT_RECIPES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'workflows', 'recipes');

export async function createApiContext(opts: { databaseUrl: string; temporalAddress: string; namespace?: string; recipesDir?: string; token?: string | null; objectStore?: ObjectStoreConfig }): Promise<ApiContext & { close(): Promise<void> }> {
  const dbh = createDb(opts.databaseUrl);
  const connection = await Connection.connect({ address: opts.temporalAddress, connectTimeout: '5s' }).catch((e: unknown) => {
    void dbh.close();
    throw new Error(`cannot reach Temporal at ${opts.temporalAddress} (${(e as Error).message}); is the stack up? Try \`reprolab up\`.`);
  });
  const temporal = new Client({ connection, namespace: opts.namespace ?? 'default' });
  return {
    db: dbh.db,
    temporal,
    recipesDir: opts.recipesDir ?? DEFAULT_RECIPES_DIR,
    store: opts.objectStore ? new ObjectStore(opts.objectStore) : null,
    token: opts.token ?? null,
    async close() {
      await connection.close();
      await dbh.close();
    },
  };
}
