import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOnes, decodeMaskSet, encodeMaskSet, keptCount, magnitudeMasks, packMask, randomMasks, sparsityReport, topMagnitudeMask, unpackMask, validateSparsity } from './masks';

const weights = () => {
  const w: Record<string, Float32Array> = {};
  let s = 1;
  for (const [name, n] of [['a', 101], ['b', 37], ['c', 250]] as const) {
    w[name] = Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * (name === 'c' ? 0.1 : 1));
  }
  return w;
};

test('uniform magnitude pruning keeps exactly keptCount per layer, the largest |w|', () => {
  const w = weights();
  for (const s of [0, 0.5, 0.8, 0.9, 0.99]) {
    const masks = magnitudeMasks(w, s, 'uniform');
    for (const [name, v] of Object.entries(w)) {
      const m = masks[name]!;
      assert.equal(countOnes(m), keptCount(v.length, s), `${name}@${s}`);
      const minKept = Math.min(...Array.from(v).filter((_, i) => m[i]).map(Math.abs));
      const maxPruned = Math.max(0, ...Array.from(v).filter((_, i) => !m[i]).map(Math.abs));
      if (countOnes(m) > 0) assert.ok(minKept >= maxPruned);
    }
  }
});

test('global magnitude pruning is exact overall and non-uniform per layer', () => {
  const w = weights();
  const masks = magnitudeMasks(w, 0.9, 'global');
  const sizes = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.length]));
  const r = sparsityReport(masks, sizes);
  assert.equal(r.keptParams, keptCount(388, 0.9));
  // Layer c has 10× smaller weights: a global threshold prunes it hardest.
  assert.ok(r.perLayer['c']! > r.perLayer['a']!);
});

test('ties are broken by position, so the mask is deterministic', () => {
  assert.deepEqual(Array.from(topMagnitudeMask([1, 1, 1, 1], 2)), [1, 1, 0, 0]);
  assert.deepEqual(Array.from(topMagnitudeMask([0, -3, 3, 1], 1)), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(topMagnitudeMask([5, 4], 0)), [0, 0]);
});

test('random masks are exact per layer and seed-determined', () => {
  const sizes = { a: 100, b: 7 };
  const m1 = randomMasks(sizes, 0.7, 3);
  assert.equal(countOnes(m1['a']!), 30);
  assert.equal(countOnes(m1['b']!), keptCount(7, 0.7));
  assert.deepEqual(randomMasks(sizes, 0.7, 3), m1);
  assert.notDeepEqual(randomMasks(sizes, 0.7, 4)['a'], m1['a']);
});

test('bit packing and the JSON mask encoding round-trip', () => {
  const m = Uint8Array.from({ length: 61 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
  assert.deepEqual(unpackMask(packMask(m), 61), m);
  assert.equal(packMask(m).length, 8);
  const set = { x: m, y: new Uint8Array(3) };
  assert.deepEqual(decodeMaskSet(JSON.parse(JSON.stringify(encodeMaskSet(set)))), set);
});

test('sparsity outside [0, 1) is rejected naming the parameter', () => {
  for (const bad of [1, 1.5, -0.1, NaN]) assert.throws(() => validateSparsity(bad), /sparsity must be in \[0, 1\)/);
  assert.throws(() => magnitudeMasks(weights(), 1, 'uniform'), /sparsity/);
  assert.throws(() => randomMasks({ a: 3 }, -1, 0), /sparsity/);
});
