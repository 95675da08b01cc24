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

/** Runs `fn` against the API; a failure becomes the message the page shows instead of crashing. */
export async function withServerApi<T>(fn: (api: Awaited<ReturnType<typeof serverApi>>) => Promise<T>): Promise<{ data: T; problem: null } | { data: null; problem: string }> {
  try {
    return { data: await fn(await serverApi()), problem: null };
  } catch (e) {
    return { data: null, problem: (e as Error).message };
  }
}
