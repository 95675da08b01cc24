import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawHazeParameters, synthesizeHaze, syntheticDepth } from './haze';

const clearF32 = (h: number, w: number) => ({ height: h, width: w, data: new Float32Array(h * w * 3).map((_, i) => (i % 7) / 7) });

test('synthesizeHaze follows I = J·t + A(1 − t), t = exp(−β·d), and is seeded', () => {
  const j = clearF32(6, 5);
  const r = synthesizeHaze(j, { seed: 3 });
  assert.ok(r.beta >= 0.6 && r.beta <= 1.8 && r.airlight >= 0.7 && r.airlight <= 1);
  for (let p = 0; p < 30; p++) {
    const t = Math.exp(-r.beta * r.depth[p]!);
    assert.ok(Math.abs(r.transmission[p]! - t) < 1e-6);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(r.hazy.data[3 * p + c]! - (j.data[3 * p + c]! * t + r.airlight * (1 - t))) < 1e-6);
  }
  assert.deepEqual([...synthesizeHaze(j, { seed: 3 }).hazy.data], [...r.hazy.data]);
  assert.notDeepEqual([...synthesizeHaze(j, { seed: 4 }).hazy.data], [...r.hazy.data]);
  assert.ok(r.hazy.data instanceof Float32Array);
});

test('depth rises from the bottom row to the top row; ranges and fixed parameters', () => {
  const d = syntheticDepth(8, 6, { seed: 1, noiseAmount: 0, depthRange: [1, 3] });
  for (let y = 1; y < 8; y++) assert.ok(d[y * 6]! < d[(y - 1) * 6]!);
  assert.ok(Math.abs(d[0]! - 3) < 1e-6 && Math.abs(d[7 * 6]! - 1) < 1e-6);
  const noisy = syntheticDepth(16, 16, { seed: 1 });
  assert.ok(noisy.every((v) => v >= 0.5 - 1e-6 && v <= 2 + 1e-6));
  assert.deepEqual(drawHazeParameters({ seed: 9, betaRange: [1, 1], airlightRange: [0.8, 0.8] }), { beta: 1, airlight: 0.8 });
});

test('uint8 in, uint8 out', () => {
  const u8 = { height: 4, width: 4, data: new Uint8Array(48).fill(10) };
  const r = synthesizeHaze(u8, { seed: 2, betaRange: [1, 1], airlightRange: [1, 1], depthRange: [1, 1] });
  assert.ok(r.hazy.data instanceof Uint8Array);
  assert.equal(r.hazy.data[0], Math.round((10 / 255) * Math.exp(-1) * 255 + (1 - Math.exp(-1)) * 255));
});

test('out-of-range or NaN parameters are refused, naming the field', () => {
  const j = clearF32(4, 4);
  assert.throws(() => synthesizeHaze(j, { seed: 1, betaRange: [NaN, 1] }), /betaRange\[0\]/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, betaRange: [-1, 1] }), /betaRange\[0\]/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, betaRange: [2, 1] }), /betaRange must have min ≤ max/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, airlightRange: [0.5, 1.2] }), /airlightRange\[1\]/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, airlightRange: [NaN, 1] }), /airlightRange\[0\]/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, depthRange: [-1, 1] }), /depthRange\[0\]/);
  assert.throws(() => synthesizeHaze(j, { seed: 1, noiseAmount: NaN }), /noiseAmount/);
  assert.throws(() => synthesizeHaze(j, { seed: 1.5 }), /seed/);
});
