/**
 * Start-up check: a dashboard that other machines can reach (bound off loopback, e.g. `next start`
 * without -H) refuses to run without REPROLAB_ALLOWED_HOSTS and at least one API token.
 * Node.js only (imported by instrumentation.ts in the nodejs runtime).
 */
import { countActiveTokens, createDb, redact } from '@reprolab/db';
import { exposureProblem, isLoopbackHost } from '@reprolab/api/exposure';
import { env, exposure } from './server/env';

export async function checkExposure(): Promise<void> {
  const { bindHost, allowedHosts } = exposure();
  if (isLoopbackHost(bindHost)) return;
  const dbh = createDb(env.databaseUrl, { maxConnections: 1 });
  let activeTokens = 0;
  try {
    activeTokens = await countActiveTokens(dbh.db);
  } catch (e) {
    console.error(`reprolab: cannot count API tokens in ${redact(env.databaseUrl)}: ${(e as Error).message}`);
  } finally {
    await dbh.close();
  }
  const problem = exposureProblem({ bindHost, allowedHosts, activeTokens });
  if (problem) {
    console.error(`reprolab: ${problem}`);
    process.exit(1);
  }
}
