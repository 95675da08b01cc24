/**
 * Start-up check: a dashboard that other machines can reach (bound off loopback, e.g. `next start`
 * without -H) refuses to run without REPROLAB_ALLOWED_HOSTS and at least one API token.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { exposureProblem, isLoopbackHost } = await import('@reprolab/api/exposure');
  const { env, exposure } = await import('./server/env');
  const { bindHost, allowedHosts } = exposure();
  if (isLoopbackHost(bindHost)) return;
  const { countActiveTokens, createDb } = await import('@reprolab/db');
  const dbh = createDb(env.databaseUrl, { maxConnections: 1 });
  let activeTokens = 0;
  try {
    activeTokens = await countActiveTokens(dbh.db);
  } catch (e) {
    console.error(`reprolab: cannot count API tokens in ${env.databaseUrl.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@')}: ${(e as Error).message}`);
  } finally {
    await dbh.close();
  }
  const problem = exposureProblem({ bindHost, allowedHosts, activeTokens });
  if (problem) {
    console.error(`reprolab: ${problem}`);
    process.exit(1);
  }
}
