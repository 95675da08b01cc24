import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auroc } from './auroc';

test('auroc: perfect, reversed, chance and ties', () => {
  assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  assert.equal(auroc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  // every score tied: one half
  assert.equal(auroc([1, 1, 1, 1], [false, true, false, true]), 0.5);
  // one novel above both normals, one between: (1 + 0.5·0 + 1)/4 … counted by hand: pairs (n,m):
  // novel 0.5 vs normals 0.4 (win), 0.6 (loss); novel 0.7 vs both (wins) → 3/4
  assert.equal(auroc([0.4, 0.6, 0.5, 0.7], [false, false, true, true]), 0.75);
  // a tie between a novel and a normal counts one half: novel 0.5 vs normal 0.5 (½), vs 0.1 (1)
  assert.equal(auroc([0.1, 0.5, 0.5], [false, false, true]), 0.75);
});

test('auroc agrees with the pairwise definition on random scores', () => {
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const scores = Array.from({ length: 200 }, () => Math.round(rand() * 20) / 20);
  const novel = scores.map(() => rand() < 0.3);
  let wins = 0, pairs = 0;
  scores.forEach((a, i) => scores.forEach((b, j) => {
    if (novel[i] && !novel[j]) { pairs++; wins += a > b ? 1 : a === b ? 0.5 : 0; }
  }));
  assert.ok(Math.abs(auroc(scores, novel) - wins / pairs) < 1e-12);
});

test('auroc refuses one-sided labels, NaN scores and length mismatches', () => {
  assert.throws(() => auroc([1, 2], [true, true]), /both normal and novel/);
  assert.throws(() => auroc([1, NaN], [true, false]), /score 1 is NaN/);
  assert.throws(() => auroc([1, 2, 3], [true, false]), /3 scores but 2 labels/);
});
