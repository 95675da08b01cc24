/** Bad input is refused before anything runs, with errors that name what is wrong and how to fix it. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { count } from 'drizzle-orm';
import { schema, saveDataset, type Db } from '@reprolab/db';
import { connect, startWorker, testDb, trainEvalRecipe, waitForRun, type Api } from '../support/harness';

let api: Api;
let db: Db;
before(async () => {
  ({ api, db } = await connect());
});

const rows = async () => (await db.select({ n: count() }).from(schema.runs))[0]!.n;

async function rejects(p: Promise<unknown>, code: string): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TRPCError, `expected a TRPCError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail('expected the call to fail');
}

test(`[ERRORS/${testDb()}] an invalid recipe names every bad field's path; no run is created`, async () => {
  const before = await rows();
  const bad = `
name: Bad_Name
version: 0
datasets:
  mnist: { builtin: mnist-10k }
steps:
  - id: pretrain
    kind: pretrain
    inputs: { dataset: cifar }
    params: { epochs: -2, batchSize: 32.5, learningRate: 0.1, typo: true }
  - id: evaluate
    kind: evalute
    inputs: { dataset: mnist }
`;
  const e = await rejects(api.runs.launch({ recipe: bad }), 'BAD_REQUEST');
  for (const path of ['name', 'version', 'steps[0].params.epochs', 'steps[0].params.batchSize', 'steps[0].params', 'steps[1].kind']) {
    assert.ok(e.message.includes(`- ${path}:`), `error should name ${path}:\n${e.message}`);
  }
  assert.match(e.message, /Unrecognized key: "typo"/);
  assert.match(e.message, /unknown step kind "evalute"; known: pretrain, evaluate/);
  assert.equal(await rows(), before, 'nothing started');
});

test(`[ERRORS/${testDb()}] reference errors (unknown dataset, unknown step output, cycles) are named`, async () => {
  const e = await rejects(
    api.runs.launch({
      recipe: `
name: refs
version: 1
datasets: { mnist: { builtin: mnist-10k } }
steps:
  - { id: a, kind: pretrain, needs: [b], inputs: { dataset: cifar }, params: { epochs: 1 } }
  - { id: b, kind: evaluate, inputs: { dataset: mnist, model: a.weights }, params: {} }
`,
    }),
    'BAD_REQUEST',
  );
  assert.match(e.message, /steps\[0\]\.inputs\.dataset: unknown dataset "cifar"; declared: mnist/);
  assert.match(e.message, /steps\[1\]\.inputs\.model: step "a" has no output "weights"; it produces: model/);
  const cyc = await rejects(
    api.runs.launch({
      recipe: `
name: cyc
version: 1
datasets: { mnist: { builtin: mnist-10k } }
steps:
  - { id: a, kind: pretrain, needs: [b], inputs: { dataset: mnist }, params: { epochs: 1 } }
  - { id: b, kind: evaluate, inputs: { dataset: mnist, model: a.model }, params: {} }
`,
    }),
    'BAD_REQUEST',
  );
  assert.match(cyc.message, /cycle: (a → b → a|b → a → b)/);
  await rejects(api.runs.launch({ recipe: 'steps: [unclosed' }), 'BAD_REQUEST');
});

test(`[ERRORS/${testDb()}] an unknown dataset digest fails at launch, before any compute`, async () => {
  const before = await rows();
  const digest = 'sha256:' + 'ab'.repeat(32);
  const recipe = trainEvalRecipe('unknown-data').replace('builtin: mnist-10k', `digest: ${digest}`);
  const e = await rejects(api.runs.launch({ recipe }), 'NOT_FOUND');
  assert.match(e.message, new RegExp(`dataset "mnist": unknown digest ${digest}`));
  assert.match(e.message, /reprolab data import/);
  assert.equal(await rows(), before);
});

test(`[ERRORS/${testDb()}] a registered dataset missing from the store fails the run in preparation, no step computed`, async () => {
  const worker = await startWorker();
  const digest = 'sha256:' + 'cd'.repeat(32);
  await saveDataset(db, { sha256: digest, name: 'ghost', format: 'mnist-idx', source: 'test', trainCount: 1, testCount: 1, shape: [28, 28, 1], classes: 10 });
  const recipe = trainEvalRecipe('ghost-data').replace('builtin: mnist-10k', `digest: ${digest}`);
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 60_000 });
  assert.equal(done.run.status, 'failed');
  assert.match(done.run.error ?? '', /registered but missing from bucket/);
  assert.ok(done.steps.every((s) => s.attempts === 0), 'no compute attempted');
  await worker.stop();
});

test(`[ERRORS/${testDb()}] unknown runs and recipe files are NOT_FOUND with a hint`, async () => {
  const e = await rejects(api.runs.get({ runId: 'nope' }), 'NOT_FOUND');
  assert.match(e.message, /reprolab runs/);
  await rejects(api.recipes.get({ file: 'missing.yaml' }), 'NOT_FOUND');
  await rejects(api.recipes.get({ file: '../etc/passwd' }), 'BAD_REQUEST');
});
