/** The dashboard's configuration; the only place in the app that reads process.env. */
import { resolve } from 'node:path';

export const env = {
  // `next start` runs from the repository root (see infra/src/stack.ts).
  recipesDir: process.env.REPROLAB_RECIPES_DIR ?? resolve(process.cwd(), 'workflows', 'recipes'),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
};
