import 'server-only';
import { appRouter, createApiContext, createCallerFactory, type ApiContext } from '@reprolab/api';
import { env } from './env';

// One context per server process (survives hot reloads in dev through globalThis).
const g = globalThis as unknown as { reprolabCtx?: Promise<ApiContext> };

export function apiContext(): Promise<ApiContext> {
  g.reprolabCtx ??= createApiContext({ databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, namespace: env.temporalNamespace, recipesDir: env.recipesDir }).catch((e: unknown) => {
    g.reprolabCtx = undefined; // retry on the next request
    throw e;
  });
  return g.reprolabCtx;
}

export async function serverApi() {
  return createCallerFactory(appRouter)(await apiContext());
}
