/**
 * Recipe versions under concurrency: many launches of new versions of one recipe at the same
 * moment (a sweep script, 200 runs at once) must each be stored, numbered 1…N without gaps or
 * repeats; the same content launched at once is stored once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { prepareDatabase, saveRecipe } from '@reprolab/db';
import { dbOnly, requireEnv, testDb } from '../support/harness';

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

/** Stores `count` versions of `name` from another process (as a second API server or a CLI would). */
function storeFromAnotherProcess(name: string, seeds: number[]): Promise<number[]> {
  const script = `
    import { createHash } from 'node:crypto';
    import { createDb, saveRecipe } from '@reprolab/db';
    const h = createDb(process.env.DATABASE_URL);
    const rows = await Promise.all(${JSON.stringify(seeds)}.map((seed) => {
      const source = 'name: ${name}\\nversion: 1\\nseed: ' + seed + '\\nsteps: []\\n';
      return saveRecipe(h.db, { name: '${name}', source, document: { name: '${name}', seed }, contentHash: createHash('sha256').update(source).digest('hex') });
    }));
    console.log(JSON.stringify(rows.map((r) => r.version)));
    await h.close();`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: requireEnv('DATABASE_URL') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as number[]) : reject(new Error(out))));
  });
}

test(`[LOAD/${testDb()}] two processes storing new versions of one recipe at once: every version stored once, no gaps`, async () => {
  const db = dbOnly();
  await prepareDatabase(db);
  const name = `versions2-${process.pid}-${Date.now()}`;
  const [theirs, ours] = await Promise.all([
    storeFromAnotherProcess(name, Array.from({ length: 20 }, (_, i) => 100 + i)),
    Promise.all(Array.from({ length: 20 }, (_, i) => saveRecipe(db, recipe(name, i + 1)))).then((rows) => rows.map((r) => r.version)),
  ]);
  assert.deepEqual([...theirs, ...ours].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
});
