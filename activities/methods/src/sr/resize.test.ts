import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bicubicDownMatrix, bicubicDownsample } from './resize';

test('bicubic downsample: rows of weights sum to 1 and use 4·s input pixels (MATLAB antialiasing width)', () => {
  for (const s of [2, 3, 4]) {
    const n = 24;
    const m = bicubicDownMatrix(n, s);
    for (let u = 0; u < n / s; u++) {
      const row = m.subarray(u * n, (u + 1) * n);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      // interior rows reach at most 4·s inputs (the cubic is 0 beyond ±2 kernel units); at ×2 all 8
      if (u > 1 && u < n / s - 2) assert.ok([...row].filter((v) => v !== 0).length <= 4 * s);
      if (s === 2 && u > 1 && u < n / s - 2) assert.equal([...row].filter((v) => v !== 0).length, 8);
    }
  }
});

test('bicubic downsample: constants stay constant; a linear ramp is sampled at the output pixel centre', () => {
  const c = bicubicDownsample({ height: 12, width: 12, channels: 3, data: new Float64Array(12 * 12 * 3).fill(77) }, 3);
  assert.ok(c.data.every((v) => Math.abs(v - 77) < 1e-9));
  // f(i) = i (1-based) along x; ×2 output u is centred at 2u − 0.5, which cubic interpolation
  // reproduces exactly away from the mirrored borders.
  const w = 16;
  const ramp = new Float64Array(w);
  for (let i = 0; i < w; i++) ramp[i] = i + 1;
  const out = bicubicDownsample({ height: 1 * 2, width: w, channels: 1, data: Float64Array.from([...ramp, ...ramp]) }, 2);
  for (let u = 3; u <= 6; u++) assert.ok(Math.abs(out.data[u - 1]! - (2 * u - 0.5)) < 1e-9, `u=${u}: ${out.data[u - 1]}`);
});

test('bicubic downsample: refuses sizes that are not a multiple of the factor', () => {
  assert.throws(() => bicubicDownMatrix(10, 3), /not a multiple/);
});
