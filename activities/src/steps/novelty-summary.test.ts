import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noveltySummary, type NoveltyRun } from './aggregate';

const run = (dataset: string, arm: string, normalClass: number, seed: number, auroc: number): NoveltyRun => ({ step: `${arm}-${normalClass}-${seed}`, dataset, arm, normalClass, seed, auroc });

test('novelty-auroc: arm means over seeds of class means, per-class means, gaps paired by (class, seed) per dataset', () => {
  const runs = [
    run('mnist', 'decoder-encoder', 0, 1, 90), run('mnist', 'decoder-encoder', 1, 1, 80), run('mnist', 'decoder-encoder', 0, 2, 92), run('mnist', 'decoder-encoder', 1, 2, 82),
    run('mnist', 'decoder-encoder-no-nda', 0, 1, 85), run('mnist', 'decoder-encoder-no-nda', 1, 1, 80), run('mnist', 'decoder-encoder-no-nda', 0, 2, 86), run('mnist', 'decoder-encoder-no-nda', 1, 2, 81),
    run('mnist', 'autoencoder', 0, 1, 95), run('mnist', 'autoencoder', 1, 1, 70),
    run('fashion', 'decoder-encoder', 0, 1, 70), run('fashion', 'autoencoder', 0, 1, 60),
  ];
  const s = noveltySummary(runs);
  const de = s.arms.find((a) => a.dataset === 'mnist' && a.arm === 'decoder-encoder')!;
  assert.equal(de.mean.mean, 86); // seeds: (90+80)/2 = 85, (92+82)/2 = 87
  assert.equal(de.mean.n, 2);
  assert.deepEqual(de.perClass, [{ normalClass: 0, mean: 91, n: 2 }, { normalClass: 1, mean: 81, n: 2 }]);
  const nda = s.gaps.nda_gain_mnist_auroc!;
  assert.ok(nda.paired);
  assert.equal(nda.n, 4);
  assert.ok(Math.abs(nda.mean - (5 + 0 + 6 + 1) / 4) < 1e-12);
  // the autoencoder ran only seed 1: its cells differ from the decoder-encoder's, so no gap is made up
  assert.equal(s.gaps.de_minus_ae_mnist_auroc, undefined);
  // one cell a side is no interval
  assert.equal(s.gaps.de_minus_ae_fashion_auroc, undefined);
  assert.deepEqual(Object.keys(s.gaps), ['nda_gain_mnist_auroc']);
});
