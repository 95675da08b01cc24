/** The `reprolab` CLI as a user runs it: against the test servers, and `up` refusing a taken port. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { adminToken, mpuMiniRecipe, startWorker, testDb, trainEvalRecipe, runCli } from '../support/harness';

const cli = runCli;

const dir = mkdtempSync(join(tmpdir(), 'reprolab-cli-'));
before(async () => {
  await adminToken(); // into REPROLAB_TOKEN, which the spawned CLIs inherit
  await startWorker();
});

test(`[CLI/${testDb()}] run shows progress, then metrics; runs, status and compare report it`, async () => {
  const recipe = join(dir, 'cli.yaml');
  writeFileSync(recipe, trainEvalRecipe('cli-run', { trainLimit: 320 }));
  const run = await cli(['run', recipe, '--state-dir', join(dir, 'none')]);
  assert.equal(run.code, 0, run.out);
  const runId = /^run (\S+) · cli-run@v\d+ · seed 3$/m.exec(run.out)?.[1];
  assert.ok(runId, run.out);
  assert.match(run.out, /pretrain: (running|completed) \d+\/10 steps/);
  assert.match(run.out, /evaluate\s+test_accuracy\s+0\.\d+/);
  assert.match((await cli(['runs'])).out, new RegExp(`${runId}\\s+cli-run@v\\d+\\s+3\\s+completed`));
  const status = await cli(['status', runId]);
  assert.match(status.out, /pretrain\s+pretrain\s+cpu\s+completed\s+1\s+10\/10 steps/);
  const compare = await cli(['compare', runId, '--json']);
  const parsed = JSON.parse(compare.out) as { metrics: { name: string }[] };
  assert.ok(parsed.metrics.some((m) => m.name === 'test_accuracy'));
});

test(`[CLI/${testDb()}] compare with several runs puts them side by side; --diff keeps what differs; --csv exports`, async () => {
  const recipe = join(dir, 'side.yaml');
  writeFileSync(recipe, trainEvalRecipe('cli-side', { trainLimit: 320 }));
  const ids: string[] = [];
  for (const seed of ['3', '4']) {
    const run = await cli(['run', recipe, '--seed', seed]);
    assert.equal(run.code, 0, run.out);
    ids.push(/^run (\S+) · cli-side@v\d+/m.exec(run.out)![1]!);
  }
  const csv = await cli(['compare', ...ids, '--diff', '--csv']);
  assert.equal(csv.code, 0, csv.out);
  const lines = csv.out.trim().split('\n');
  assert.equal(lines[0], `kind,key,differs,${ids.join(',')}`);
  assert.ok(lines.includes('param,seed,true,3,4'), csv.out);
  assert.ok(lines.some((l) => l.startsWith('metric,evaluate.test_accuracy,true,')) || lines.some((l) => l.startsWith('metric,pretrain.train_loss,true,')), 'different seeds give different numbers');
  assert.ok(!lines.some((l) => l.startsWith('param,pretrain.pretrain.trainLimit')), 'identical params are left out with --diff');
  const all = JSON.parse((await cli(['compare', ...ids, '--json'])).out) as { params: { key: string; differs: boolean }[] };
  assert.ok(all.params.some((p) => p.key === 'pretrain.pretrain.trainLimit' && !p.differs));
  const twice = await cli(['compare', ids[0]!, ids[0]!]);
  assert.equal(twice.code, 1);
  assert.match(twice.out, /listed twice/);
});

test(`[CLI/${testDb()}] bad input exits non-zero with the reason`, async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: x\nversion: 1\nsteps:\n  - { id: a, kind: pretrain, params: { epochs: 0 } }\n');
  const r = await cli(['run', bad]);
  assert.equal(r.code, 1);
  assert.match(r.out, /invalid recipe bad\.yaml/);
  assert.match(r.out, /steps\[0\]\.params\.epochs/);
  assert.match((await cli(['run', join(dir, 'missing.yaml')])).out, /cannot read recipe/);
  assert.match((await cli(['status', 'no-such-run'])).out, /no run "no-such-run"/);
  const noStack = await cli(['runs'], { DATABASE_URL: '', TEMPORAL_ADDRESS: '' });
  assert.equal(noStack.code, 1);
  assert.match(noStack.out, /no running reprolab found .*reprolab up/);
});

test(`[CLI/${testDb()}] schedule create, list, trigger, show and delete`, async () => {
  const recipe = join(dir, 'sched.yaml');
  writeFileSync(recipe, mpuMiniRecipe('cli-sched', ['AXPY'], { scale: 'proxy', targets: [] }));
  const id = `cli-${process.pid}`;
  const created = await cli(['schedule', 'create', recipe, '--every', '6h', '--id', id]);
  assert.equal(created.code, 0, created.out);
  assert.match(created.out, new RegExp(`schedule ${id} · cli-sched@v\\d+ · seed 0 · every 6h`));
  assert.match(created.out, /next: \d{4}-\d\d-\d\d \d\d:\d\d/);
  // the list comes from Temporal's visibility store, which may lag a create by a moment
  let listed = '';
  for (let i = 0; i < 20 && !listed.includes(id); i++) listed = (await cli(['schedule', 'list'])).out;
  assert.match(listed, new RegExp(`${id}\\s+cli-sched@v\\d+\\s+every 6h\\s+active`));
  const trig = await cli(['schedule', 'trigger', id]);
  assert.equal(trig.code, 0, trig.out);
  const runId = /started run (\S+);/.exec(trig.out)?.[1];
  assert.ok(runId, trig.out);
  const shown = await cli(['schedule', 'show', id, '--json']);
  assert.equal((JSON.parse(shown.out) as { recent: { runId: string }[] }).recent[0]?.runId, runId);
  const deleted = await cli(['schedule', 'delete', id]);
  assert.match(deleted.out, new RegExp(`deleted schedule ${id} \\(its runs stay\\)`));
  const none = await cli(['schedule', 'create', recipe, '--id', `${id}-x`]);
  assert.equal(none.code, 1);
  assert.match(none.out, /give one timetable: every \(e\.g\. 1d\) or cron/);
  assert.match((await cli(['schedule', 'trigger', id])).out, new RegExp(`no schedule "${id}"`));
  assert.equal((await cli(['schedule', 'frobnicate'])).code, 2);
});

test(`[CLI/${testDb()}] up refuses a taken port by name and starts nothing`, async () => {
  // Offsets keep every port below Linux's ephemeral range (32768+), where outgoing connections
  // may hold the number; a port that is taken all the same just means another try.
  let offset = 0;
  let blocker = createServer();
  for (let i = 0; ; i++) {
    offset = 10000 + Math.floor(Math.random() * 10000);
    const ok = await new Promise<boolean>((r) => {
      blocker.once('error', () => r(false));
      blocker.listen(9000 + offset, '127.0.0.1', () => r(true));
    });
    if (ok) break;
    if (i > 20) throw new Error('no free port to block');
    blocker = createServer();
  }
  try {
    const stateDir = join(dir, 'state');
    const r = await cli(['up', '--no-dashboard', '--state-dir', stateDir, '--port-offset', String(offset)]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`minio.*127\\.0\\.0\\.1:${9000 + offset}|${9000 + offset}.*minio`));
    assert.match(r.out, /--port-offset/);
    const st = await cli(['doctor', '--state-dir', stateDir, '--port-offset', String(offset)]);
    assert.match(st.out, /stack \(.*\): not running/);
    assert.match(st.out, new RegExp(`minio\\s+127\\.0\\.0\\.1:${9000 + offset}\\s+TAKEN`));
  } finally {
    blocker.close();
  }
});

test(`[CLI/${testDb()}] token create, list and revoke; the CLI sends REPROLAB_TOKEN and is refused without one`, async () => {
  const created = await cli(['token', 'create', '--role', 'viewer', '--name', 'cli viewer']);
  assert.equal(created.code, 0, created.out);
  const token = /^(rl_[\w-]{43})$/m.exec(created.out)?.[1];
  const id = /token #(\d+) "cli viewer" \(viewer\)/.exec(created.out)?.[1];
  assert.ok(token && id, created.out);
  const listed = await cli(['token', 'list']);
  assert.match(listed.out, new RegExp(`^\\s*${id}\\s+cli viewer\\s+viewer`, 'm'));
  assert.ok(!listed.out.includes('rl_'), 'list shows no secret');
  const asViewer = { REPROLAB_TOKEN: token };
  assert.equal((await cli(['runs'], asViewer)).code, 0);
  const denied = await cli(['cancel', 'some-run'], asViewer);
  assert.equal(denied.code, 1);
  assert.match(denied.out, /needs the operator role/);
  assert.match((await cli(['token', 'list'], asViewer)).out, /needs the admin role/);
  assert.match((await cli(['token', 'revoke', id])).out, new RegExp(`revoked token #${id}`));
  assert.match((await cli(['runs'], asViewer)).out, /invalid or revoked API token/);
  // No REPROLAB_TOKEN and no token file in the state dir: refused, saying how to get one.
  const none = await cli(['runs', '--state-dir', join(dir, 'none')], { REPROLAB_TOKEN: '' });
  assert.equal(none.code, 1);
  assert.match(none.out, /no API token given; create one with `reprolab token create/);
});
