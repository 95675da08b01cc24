/** Access control through the API: every procedure needs a valid token with the right role. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { schema } from '@reprolab/db';
import { connect, issueToken, refusal, requireEnv, testDb, trainEvalRecipe, type Api } from '../support/harness';

let admin: Api;
let db: Awaited<ReturnType<typeof connect>>['db'];
before(async () => {
  ({ api: admin, db } = await connect());
});

test(`[AUTH/${testDb()}] no token: every procedure is UNAUTHORIZED, saying how to get a token`, async () => {
  const { api } = await connect({ token: null });
  // Thunks: each call starts only when awaited (an eager rejection would go unhandled meanwhile).
  for (const call of [() => api.runs.list({ limit: 1 }), () => api.claims.list({}), () => api.recipes.list(), () => api.schedules.list(), () => api.runs.launch({ recipe: trainEvalRecipe('auth-none') })]) {
    const e = await refusal(call);
    assert.equal(e.code, 'UNAUTHORIZED');
    assert.match(e.message, /reprolab token create --role/);
  }
  const bogus = await connect({ token: 'rl_not-a-real-token' });
  assert.equal((await refusal(bogus.api.runs.list({ limit: 1 }))).code, 'UNAUTHORIZED');
});

test(`[AUTH/${testDb()}] a viewer reads but cannot launch, cancel or schedule (FORBIDDEN naming the operator role)`, async () => {
  const before = (await admin.runs.list({ limit: 1 })).total;
  const { api } = await connect({ token: await issueToken('viewer') });
  assert.ok(Array.isArray((await api.runs.list({ limit: 5 })).runs));
  assert.ok((await api.claims.list({})).length > 0);
  for (const call of [
    () => api.runs.launch({ recipe: trainEvalRecipe('auth-viewer') }),
    () => api.runs.cancel({ runId: 'x' }),
    () => api.runs.pause({ runId: 'x' }),
    () => api.schedules.create({ recipe: trainEvalRecipe('auth-viewer'), every: '1d' }),
    () => api.schedules.trigger({ id: 'x' }),
    () => api.schedules.delete({ id: 'x' }),
  ]) {
    const e = await refusal(call);
    assert.equal(e.code, 'FORBIDDEN');
    assert.match(e.message, /needs the operator role/);
  }
  assert.equal((await admin.runs.list({ limit: 1 })).total, before, 'nothing launched');
});

test(`[AUTH/${testDb()}] an operator cannot manage tokens; an admin can, and a revoked token is UNAUTHORIZED`, async () => {
  const op = await connect({ token: await issueToken('operator') });
  assert.match((await refusal(op.api.tokens.list())).message, /needs the admin role/);
  const { token, info } = await admin.tokens.create({ role: 'viewer', name: 'to revoke' });
  assert.match(token, /^rl_[\w-]{43}$/);
  const viewer = await connect({ token });
  await viewer.api.claims.list({});
  const listed = (await admin.tokens.list()).find((t) => t.id === info.id);
  assert.ok(listed && !('hash' in listed) && !JSON.stringify(listed).includes(token), 'list shows no secret');
  assert.ok(listed.lastUsedAt, 'last_used_at recorded');
  const [row] = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.id, info.id));
  assert.notEqual(row!.hash, token);
  assert.match(row!.hash, /^[0-9a-f]{64}$/, 'only the sha256 is stored');
  await admin.tokens.revoke({ id: info.id });
  const e = await refusal(viewer.api.claims.list({}));
  assert.equal(e.code, 'UNAUTHORIZED');
  assert.match(e.message, /invalid or revoked/);
});

test(`[AUTH/${testDb()}] the embedded database refuses a connection without its password`, { skip: testDb() === 'pglite' ? false : 'the test Postgres trusts local connections; only the embedded PGlite has a password' }, async () => {
  const url = new URL(requireEnv('DATABASE_URL'));
  assert.ok(url.password, 'the suite reaches the embedded database with a password');
  const attempt = async (password: string) => {
    const u = new URL(url);
    u.password = password;
    const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 10_000 });
    try {
      await c.connect();
      return (await c.query<{ n: number }>('select count(*)::int as n from runs')).rows[0]?.n;
    } finally {
      await c.end().catch(() => {});
    }
  };
  await assert.rejects(attempt(''), /password/i, 'no password');
  await assert.rejects(attempt('postgres'), (e: Error & { code?: string }) => e.code === '28P01' && /password authentication failed for user "postgres"/.test(e.message), 'the old fixed password');
  assert.equal(typeof (await attempt(decodeURIComponent(url.password))), 'number', 'the right password still reads');
});
