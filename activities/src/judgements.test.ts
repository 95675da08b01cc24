import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClaimRow } from '@reprolab/db';
import type { ComparisonRow } from './compare';
import { JUDGE_VERSION, judgementRows, judgeVersion, moreDecisive } from './judgements';

const claim = (id: string, over: Partial<ClaimRow> = {}): ClaimRow => ({
  id,
  paperId: 'p',
  task: null,
  dataset: null,
  model: null,
  setting: null,
  metric: 'acc',
  unit: '%',
  value: 90,
  higherIsBetter: true,
  kind: 'absolute',
  hypothesis: 'value',
  margin: null,
  statement: null,
  derivedFrom: null,
  baseline: null,
  source: null,
  confidence: null,
  note: 'a note',
  ...over,
});

const row = (claimId: string, verdict: ComparisonRow['verdict'], fidelity: ComparisonRow['fidelity'], over: Partial<ComparisonRow> = {}): ComparisonRow => ({
  verdict,
  label: verdict,
  test: 'a test',
  statement: `${claimId} ${verdict}`,
  p: null,
  pAdjusted: null,
  claimId,
  paper: 'p',
  setting: null,
  claimText: null,
  metric: 'eval.acc',
  unit: '%',
  paperValue: 90,
  reproduced: 89.5,
  delta: -0.5,
  interval: [89, 90],
  intervalKind: 'seeds',
  seeds: 5,
  tolerance: 1,
  hypothesis: 'value',
  fidelity,
  scale: 'proxy',
  ...over,
});

test('the judge version names the logic version and changes with what the judge reads of the registry', () => {
  const a = [claim('a'), claim('b', { value: 50 })];
  const v = judgeVersion(a);
  assert.match(v, new RegExp(`^j${JUDGE_VERSION}-[0-9a-f]{12}$`));
  assert.equal(judgeVersion([...a].reverse()), v, 'order does not matter');
  assert.equal(judgeVersion([claim('a', { note: 'reworded' }), claim('b', { value: 50, source: 'x' })]), v, 'fields the judge ignores do not matter');
  assert.notEqual(judgeVersion([claim('a', { value: 91 }), a[1]!]), v, 'a paper value');
  assert.notEqual(judgeVersion([claim('a', { hypothesis: 'superiority' }), a[1]!]), v, 'a hypothesis');
  assert.notEqual(judgeVersion([claim('a', { margin: 0.5 }), a[1]!]), v, 'a margin');
  assert.notEqual(judgeVersion([a[0]!]), v, 'a claim removed');
});

test('more decisive: decisive before inconclusive before not comparable, then higher fidelity; ties keep the first', () => {
  assert.ok(moreDecisive(row('a', 'not reproduced', 'proxy'), row('a', 'inconclusive', 'exact')));
  assert.ok(moreDecisive(row('a', 'inconclusive', 'proxy'), row('a', 'not comparable', 'exact')));
  assert.ok(moreDecisive(row('a', 'reproduced', 'exact'), row('a', 'reproduced', 'measured')));
  assert.ok(!moreDecisive(row('a', 'reproduced', 'proxy'), row('a', 'not reproduced', 'proxy')));
});

test('judgement rows: one per claim (the more decisive of a claim targeted twice), ranks and interval stored flat', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const rows = judgementRows(
    { runId: 'r1', recipe: 'gap@v1', createdAt: at },
    [row('a', 'inconclusive', 'exact'), row('b', 'not comparable', 'proxy', { reproduced: null, interval: null, seeds: null }), row('a', 'reproduced', 'proxy')],
    'j1-x',
  );
  assert.deepEqual(rows.map((r) => [r.claimId, r.verdict, r.verdictRank, r.fidelityRank]), [['a', 'reproduced', 3, 1], ['b', 'not comparable', 1, 1]]);
  assert.deepEqual([rows[0]!.intervalLow, rows[0]!.intervalHigh, rows[0]!.seeds, rows[0]!.recipe, rows[0]!.judgeVersion, rows[0]!.runCreatedAt], [89, 90, 5, 'gap@v1', 'j1-x', at]);
  assert.deepEqual([rows[1]!.reproduced, rows[1]!.intervalLow, rows[1]!.seeds], [null, null, null]);
  const nan = judgementRows({ runId: 'r', recipe: 'x@v1', createdAt: at }, [row('c', 'inconclusive', 'proxy', { reproduced: NaN, seeds: NaN })], 'v');
  assert.deepEqual([nan[0]!.reproduced, nan[0]!.seeds], [null, null], 'non-finite numbers are stored as null');
});
