import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { parseRunsListInput } from './runs-list';

const refused = (input: unknown): string => {
  try {
    parseRunsListInput(input);
  } catch (e) {
    assert.ok(e instanceof TRPCError && e.code === 'BAD_REQUEST');
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
};

test('runs.list input: defaults, statuses in any form, dates as whole UTC days', () => {
  assert.deepEqual(parseRunsListInput(undefined), { limit: 50, offset: 0, sort: 'created', dir: 'desc', status: undefined, search: undefined });
  assert.deepEqual(parseRunsListInput({ status: 'failed' }).status, ['failed']);
  assert.deepEqual(parseRunsListInput({ status: 'failed, cancelled,failed' }).status, ['failed', 'cancelled']);
  assert.deepEqual(parseRunsListInput({ status: ['running'] }).status, ['running']);
  const q = parseRunsListInput({ from: '2026-01-31', to: '2026-01-31' });
  assert.equal(q.from!.toISOString(), '2026-01-31T00:00:00.000Z');
  assert.equal(q.to!.toISOString(), '2026-02-01T00:00:00.000Z', 'a bare `to` date includes its day');
  assert.equal(parseRunsListInput({ from: '2026-01-31T12:00:00Z' }).from!.toISOString(), '2026-01-31T12:00:00.000Z');
  assert.equal(parseRunsListInput({ search: '   ' }).search, undefined);
});

test('runs.list input: every problem named by its field', () => {
  assert.match(refused({ sort: 'size' }), /sort: one of created, started, ended, status, recipe; got "size"/);
  assert.match(refused({ status: 'done' }), /status\.0: one of queued, running, paused, completed, failed, cancelled; got "done"/);
  assert.match(refused({ from: 'yesterday' }), /from: a date/);
  assert.match(refused({ from: '2026-02-30' }), /from: not a real date: 2026-02-30/);
  assert.match(refused({ from: '2026-02-02', to: '2026-02-01' }), /`from` must be before `to`/);
  assert.match(refused({ colour: 'red' }), /unknown option "colour"/);
  assert.match(refused({ limit: 501, offset: -1 }), /limit: at most 500 runs a page; offset:/);
});
