/** The dashboard's configuration; the only place in the app that reads process.env (and argv). */
import { resolve } from 'node:path';
import { bindHostFromArgv, parseAllowedHosts } from '@reprolab/api/exposure';
import { objectStoreFromEnv } from '@reprolab/api/store-env';

export const env = {
  // `next start` runs from the repository root (see infra/src/stack.ts).
  recipesDir: process.env.REPROLAB_RECIPES_DIR ?? resolve(process.cwd(), 'workflows', 'recipes'),
  // No default: the embedded database has a per-install password (`reprolab up` passes the URL in).
  databaseUrl: process.env.DATABASE_URL ?? '',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  // Read-only use: the run page shows artifacts (SR crops) the signed-in user may see.
  objectStore: objectStoreFromEnv(process.env),
};

/** What the request guard needs: where `next start` listens and which Host names may reach it. */
export function exposure() {
  const argv = process.argv;
  const p = argv.findIndex((a) => a === '-p' || a === '--port');
  return {
    bindHost: bindHostFromArgv(argv),
    allowedHosts: parseAllowedHosts(process.env.REPROLAB_ALLOWED_HOSTS),
    // `next start` sets PORT once it listens; -p before that.
    port: process.env.PORT ?? (p >= 0 ? argv[p + 1] : undefined) ?? '3000',
  };
}
