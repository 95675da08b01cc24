/**
 * Recipe versions under concurrency: many launches of new versions of one recipe at the same
 * moment (a sweep script, 200 runs at once) must each be stored, numbered 1…N without gaps or
 * repeats; the same content launched at once is stored once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { prepareDatabase, saveRecipe } from '@reprolab/db';
import { dbOnly, testDb } from '../support/harness';

const recipe = (name: string, seed: number) => {
  const source = `name: ${name}\nversion: 1\nseed: ${seed}\nsteps: []\n`;
  return { name, source, document: { name, seed }, contentHash: createHash('sha256').update(source).digest('hex') };
};

test(`[LOAD/${testDb()}] 40 new versions of one recipe stored at once: all stored, versions 1…40; one content at once: stored once`, async () => {
  const db = dbOnly();
  await prepareDatabase(db); // migrated and seeded, as a worker or `up` leaves it
  const name = `versions-${process.pid}-${Date.now()}`;
  const rows = await Promise.all(Array.from({ length: 40 }, (_, i) => saveRecipe(db, recipe(name, i + 1))));
  assert.equal(new Set(rows.map((r) => r.id)).size, 40);
  assert.deepEqual(rows.map((r) => r.version).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
  const same = await Promise.all(Array.from({ length: 10 }, () => saveRecipe(db, recipe(name, 99))));
  assert.equal(new Set(same.map((r) => r.id)).size, 1);
  assert.equal(same[0]!.version, 41);
});
