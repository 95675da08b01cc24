import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { appRouter, createApiContext, createCallerFactory, type ApiContext } from '@reprolab/api';
import { SESSION_COOKIE } from '@reprolab/api/exposure';
import { env } from './env';

// One connection set per server process (survives hot reloads in dev through globalThis); the
// token is per request.
const g = globalThis as unknown as { reprolabCtx?: Promise<Omit<ApiContext, 'token'>> };

export function apiContext(token: string | null): Promise<ApiContext> {
  g.reprolabCtx ??= createApiContext({ databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, namespace: env.temporalNamespace, recipesDir: env.recipesDir, objectStore: env.objectStore }).catch((e: unknown) => {
    g.reprolabCtx = undefined; // retry on the next request
    throw e;
  });
  return g.reprolabCtx.then((base) => ({ ...base, token }));
}

/** The API as the signed-in user (the session cookie holds their token). */
export async function serverApi(token?: string | null) {
  return createCallerFactory(appRouter)(await apiContext(token === undefined ? ((await cookies()).get(SESSION_COOKIE)?.value ?? null) : token));
}

/** For pages: the signed-in user, or a redirect to /login when there is none (or it was revoked). */
export async function requireSession(): Promise<{ id: number; name: string; role: string }> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) redirect('/login');
  let who: { id: number; name: string; role: string } | null = null;
  try {
    who = await (await serverApi(token)).auth.whoami();
  } catch (e) {
    if (!(e instanceof TRPCError && e.code === 'UNAUTHORIZED')) throw e;
  }
  if (!who) redirect('/login?expired=1');
  return who;
}

/** Runs `fn` against the API; a failure becomes the message the page shows instead of crashing. */
export async function withServerApi<T>(fn: (api: Awaited<ReturnType<typeof serverApi>>) => Promise<T>): Promise<{ data: T; problem: null } | { data: null; problem: string }> {
  try {
    return { data: await fn(await serverApi()), problem: null };
  } catch (e) {
    return { data: null, problem: (e as Error).message };
  }
}
