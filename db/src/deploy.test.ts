/** What a deployment's migrate Job relies on: migration status before/after, and registering the admin token from a secret. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Db } from './client';
import { migrationsFolder, migrationStatus } from './migrate';
import * as schema from './schema';
import { createToken, registerAdminToken, revokeToken, verifyToken } from './tokens';

const TOKEN = 'rl_' + 'A'.repeat(40) + '-_z';

test('migrationStatus (all pending on a fresh database, none after migrating); registerAdminToken (once, only while no admin exists, never a revoked or malformed token)', async () => {
  const pg = await PGlite.create();
  try {
    const pdb = drizzle(pg, { schema });
    const db = pdb as unknown as Db;
    const before = await migrationStatus(db);
    assert.ok(before.total >= 3);
    assert.equal(before.pending.length, before.total);
    assert.equal(before.pending[0], '0000_init');
    await migrate(pdb, { migrationsFolder });
    assert.deepEqual(await migrationStatus(db), { total: before.total, pending: [] });

    // registerAdminToken: once, only while no admin exists, never reviving a revoked token.
    await assert.rejects(registerAdminToken(db, 'rl_short'), /43 base64url characters/);
    await assert.rejects(registerAdminToken(db, 'CHANGE-ME'), /openssl rand/);
    assert.equal(await registerAdminToken(db, TOKEN), 'registered');
    assert.equal((await verifyToken(db, TOKEN))?.role, 'admin');
    assert.equal(await registerAdminToken(db, TOKEN), 'already-registered');
    const other = 'rl_' + 'b'.repeat(43);
    assert.equal(await registerAdminToken(db, other), 'another-admin-exists');
    assert.equal(await verifyToken(db, other), null);
    const who = await verifyToken(db, TOKEN);
    assert.ok(await revokeToken(db, who!.id));
    assert.equal(await registerAdminToken(db, TOKEN), 'revoked');
    assert.equal(await verifyToken(db, TOKEN), null);
    // With the only admin revoked, a new secret may bootstrap again; a viewer token does not count.
    await createToken(db, { role: 'viewer' });
    assert.equal(await registerAdminToken(db, other), 'registered');
  } finally {
    await pg.close();
  }
});
