/**
 * `reprolab db migrate | wait [--token] [--timeout S] | status`: the database steps a deployment
 * runs on its own (the Kubernetes migrate Job and the init containers that wait for it). They need
 * only DATABASE_URL (else the running stack's), no Temporal.
 *
 *   migrate  applies the committed migrations, seeds the claim registry and, with
 *            REPROLAB_ADMIN_TOKEN set, registers that token as the first admin (only while none exists)
 *   wait     until every committed migration is applied (and, with --token, an API token exists)
 *   status   the migrations still pending, and how many tokens are active
 */
import { parseArgs } from 'node:util';
import { countActiveTokens, createDb, migrationStatus, prepareDatabase, redact, registerAdminToken } from '@reprolab/db';
import { DEFAULT_STATE_DIR, readStackEnv } from '@reprolab/infra/stack';

const USAGE = 'usage: reprolab db migrate | db wait [--token] [--timeout SECONDS] | db status   (reads DATABASE_URL)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function databaseUrl(stateDir: string): Promise<string> {
  const url = process.env.DATABASE_URL ?? (await readStackEnv(stateDir))?.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL (postgres://user:password@host:5432/db), or start the embedded stack with `reprolab up`');
  return url;
}

export async function dbCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      token: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '600' },
      'state-dir': { type: 'string', default: process.env.REPROLAB_STATE_DIR ?? DEFAULT_STATE_DIR },
    },
  });
  const sub = positionals[0];
  if (sub !== 'migrate' && sub !== 'wait' && sub !== 'status') {
    console.error(USAGE);
    return 2;
  }
  const url = await databaseUrl(values['state-dir']);
  if (sub === 'wait') return waitFor(url, { token: values.token, timeoutS: Number(values.timeout) });
  const dbh = createDb(url, { maxConnections: 1 });
  try {
    if (sub === 'status') {
      const s = await migrationStatus(dbh.db);
      console.log(`${redact(url)}: ${s.total - s.pending.length}/${s.total} migrations applied${s.pending.length ? ` (pending: ${s.pending.join(', ')})` : ''}`);
      if (!s.pending.length) console.log(`active API tokens: ${await countActiveTokens(dbh.db)} (admin: ${await countActiveTokens(dbh.db, 'admin')})`);
      return 0;
    }
    const t0 = Date.now();
    const before = await migrationStatus(dbh.db);
    await prepareDatabase(dbh.db);
    console.log(`migrated ${redact(url)}: applied ${before.pending.length ? before.pending.join(', ') : 'nothing (already up to date)'}; claim registry seeded (${Date.now() - t0} ms)`);
    const token = process.env.REPROLAB_ADMIN_TOKEN?.trim();
    if (token) {
      const outcome = await registerAdminToken(dbh.db, token);
      const says: Record<typeof outcome, string> = {
        registered: 'REPROLAB_ADMIN_TOKEN registered as the first admin token (only its hash is stored)',
        'already-registered': 'REPROLAB_ADMIN_TOKEN is already an admin token',
        revoked: 'REPROLAB_ADMIN_TOKEN was revoked and stays revoked: put a new one in the secret (or make tokens with an admin token)',
        'another-admin-exists': 'an admin token already exists, so REPROLAB_ADMIN_TOKEN was not registered (make tokens with `reprolab token create` and an admin token)',
      };
      console.log(says[outcome]);
    } else if ((await countActiveTokens(dbh.db)) === 0) {
      console.log('no API token exists yet and REPROLAB_ADMIN_TOKEN is not set: a dashboard off loopback refuses to start until one exists (`reprolab token create --role admin` with DATABASE_URL set makes it)');
    }
    return 0;
  } finally {
    await dbh.close();
  }
}

/** Polls until the migrations are applied (and a token exists, with `token`); connection errors are waited out. */
async function waitFor(url: string, opts: { token: boolean; timeoutS: number }): Promise<number> {
  if (!Number.isFinite(opts.timeoutS) || opts.timeoutS <= 0) throw new Error(`--timeout must be a positive number of seconds, got ${opts.timeoutS}`);
  const deadline = Date.now() + opts.timeoutS * 1000;
  let said = '';
  const say = (m: string) => {
    if (m !== said) console.log(m);
    said = m;
  };
  for (;;) {
    const dbh = createDb(url, { maxConnections: 1 });
    try {
      const s = await migrationStatus(dbh.db);
      if (s.pending.length) say(`waiting for ${s.pending.length} of ${s.total} migrations (${s.pending.join(', ')}); \`reprolab db migrate\` (the migrate Job) applies them`);
      else if (opts.token && (await countActiveTokens(dbh.db)) === 0) say('migrated; waiting for an API token (set REPROLAB_ADMIN_TOKEN in the secret the migrate Job reads, or run `reprolab token create --role admin` with DATABASE_URL set)');
      else {
        console.log(`database ready: ${s.total} migrations applied${opts.token ? ', an API token exists' : ''}`);
        return 0;
      }
    } catch (e) {
      say(`waiting for the database at ${redact(url)}: ${(e as Error).message}`);
    } finally {
      await dbh.close().catch(() => {});
    }
    if (Date.now() > deadline) {
      console.error(`gave up after ${opts.timeoutS} s: ${said}`);
      return 1;
    }
    await sleep(2_000);
  }
}
