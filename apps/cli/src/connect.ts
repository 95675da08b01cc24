/**
 * Finds the reprolab to talk to: explicit env (TEMPORAL_ADDRESS + DATABASE_URL, for an existing
 * cluster) wins; otherwise the embedded stack running from the state dir.
 */
import { appRouter, createApiContext, createCallerFactory, objectStoreFromEnv } from '@reprolab/api';
import { readStackEnv, readToken } from '@reprolab/infra/stack';

export async function stackEnv(stateDir: string): Promise<Record<string, string>> {
  const fromStack: Record<string, string> = (await readStackEnv(stateDir)) ?? {};
  const pick = (k: string) => process.env[k] ?? fromStack[k];
  const databaseUrl = pick('DATABASE_URL');
  const temporal = pick('TEMPORAL_ADDRESS');
  if (!databaseUrl || !temporal) {
    throw new Error(`no running reprolab found in ${stateDir}. Start one with \`reprolab up\`, or point at an existing deployment with TEMPORAL_ADDRESS, DATABASE_URL and S3_ENDPOINT.`);
  }
  const out: Record<string, string> = { ...fromStack };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION', 'S3_PUBLIC_ENDPOINT']) {
    const v = pick(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export async function connectApi(stateDir: string) {
  const env = await stackEnv(stateDir);
  // Same checks as over HTTP: the API sees the token (REPROLAB_TOKEN or <state dir>/token), not the CLI.
  const token = await readToken(stateDir);
  const ctx = await createApiContext({ databaseUrl: env.DATABASE_URL!, temporalAddress: env.TEMPORAL_ADDRESS!, namespace: env.TEMPORAL_NAMESPACE, token, objectStore: objectStoreFromEnv(env) });
  const caller = createCallerFactory(appRouter)(ctx);
  return { api: caller, ctx, env, close: () => ctx.close() };
}
