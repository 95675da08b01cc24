import assert from 'node:assert/strict';
import { test } from 'node:test';
import { psnrRgb01, ssimRgb01 } from './metrics';

const img = (h: number, w: number, f: (i: number) => number) => ({ height: h, width: w, data: new Float32Array(h * w * 3).map((_, i) => f(i)) });

test('psnrRgb01: peak 1 over all RGB values, clamped to [0, 1]', () => {
  const a = img(4, 5, () => 0.5);
  assert.equal(psnrRgb01(a, a), Infinity);
  assert.ok(Math.abs(psnrRgb01(a, img(4, 5, () => 0.6)) - 20) < 1e-4);
  // 1.3 clamps to 1: error 0.5 → 10·log10(1/0.25).
  assert.ok(Math.abs(psnrRgb01(img(4, 5, () => 1.3), a) - 10 * Math.log10(4)) < 1e-4);
  assert.throws(() => psnrRgb01(a, img(4, 4, () => 0)), /same size/);
});

/** Direct 2-D zero-padded Gaussian SSIM, per channel, as metrics.py. */
function naiveSsim(a: Float32Array, b: Float32Array, h: number, w: number): number {
  const g = (d: number) => Math.exp(-(d * d) / 4.5);
  let norm = 0;
  for (let i = -5; i <= 5; i++) norm += g(i);
  let total = 0;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let [ma, mb, saa, sbb, sab] = [0, 0, 0, 0, 0];
        for (let dy = -5; dy <= 5; dy++)
          for (let dx = -5; dx <= 5; dx++) {
            const [yy, xx] = [y + dy, x + dx];
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            const wt = (g(dy) * g(dx)) / (norm * norm);
            const [va, vb] = [a[(yy * w + xx) * 3 + c]!, b[(yy * w + xx) * 3 + c]!];
            ma += wt * va;
            mb += wt * vb;
            saa += wt * va * va;
            sbb += wt * vb * vb;
            sab += wt * va * vb;
          }
        const [c1, c2] = [1e-4, 9e-4];
        total += ((2 * ma * mb + c1) * (2 * (sab - ma * mb) + c2)) / ((ma * ma + mb * mb + c1) * (saa - ma * ma + sbb - mb * mb + c2));
      }
  return total / (3 * h * w);
}

test('ssimRgb01 matches a direct zero-padded Gaussian-window SSIM and is 1 on identical images', () => {
  const a = img(9, 7, (i) => ((i * 37) % 11) / 11);
  const b = img(9, 7, (i) => ((i * 53) % 13) / 13);
  assert.ok(Math.abs(ssimRgb01(a, a) - 1) < 1e-12);
  const want = naiveSsim(a.data, b.data, 9, 7);
  assert.ok(Math.abs(ssimRgb01(a, b) - want) < 1e-9, `${ssimRgb01(a, b)} vs ${want}`);
});
