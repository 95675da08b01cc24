/** Tokens on an in-memory PGlite with the committed migrations: hashing, roles, revocation, the first admin token file. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Db } from './client';
import { migrationsFolder } from './migrate';
import * as schema from './schema';
import { ensureAdminToken, listTokens, revokeToken, roleAllows, verifyToken } from './tokens';

test('the first admin token goes to a mode-600 file once; it verifies until revoked; only its hash is stored', async () => {
  const pg = await PGlite.create();
  try {
    const pdb = drizzle(pg, { schema });
    await migrate(pdb, { migrationsFolder });
    const db = pdb as unknown as Db;
    const file = join(mkdtempSync(join(tmpdir(), 'reprolab-token-')), 'state', 'token');
    const token = await ensureAdminToken(db, file);
    assert.match(token ?? '', /^rl_[\w-]{43}$/);
    assert.equal(readFileSync(file, 'utf8').trim(), token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await ensureAdminToken(db, file), null, 'not again while an admin token exists');
    const who = await verifyToken(db, token!);
    assert.equal(who?.role, 'admin');
    assert.equal(await verifyToken(db, `${token!}x`), null);
    assert.equal(await verifyToken(db, 'not-a-token'), null);
    const [row] = await pdb.select().from(schema.apiTokens);
    assert.ok(row && row.hash !== token && !row.hash.includes(token!.slice(3)) && row.lastUsedAt);
    assert.ok(!('hash' in (await listTokens(db))[0]!));
    assert.ok(await revokeToken(db, who!.id));
    assert.equal(await verifyToken(db, token!), null);
    assert.ok(roleAllows('admin', 'operator') && roleAllows('operator', 'viewer') && !roleAllows('viewer', 'operator'));
  } finally {
    await pg.close();
  }
});
