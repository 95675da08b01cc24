import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { chopForward, dihedral, dihedralInverse, evaluateSrPairs, selfEnsemble, type SrForward } from './infer';
import { psnr, ssim } from './metrics';

/** Nearest-neighbour ×s upsampling (commutes with every flip and transpose). */
const nearest = (x: tf.Tensor4D, s: number) => tf.tidy(() => {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.tile(tf.reshape(x, [n, h, 1, w, 1, c]), [1, 1, s, 1, s, 1]), [n, h * s, w * s, c]) as tf.Tensor4D;
});

const image = (h: number, w: number) => tf.tensor4d(Float32Array.from({ length: h * w * 3 }, (_, i) => (i * 37) % 251), [1, h, w, 3]);

/** Plain-array dihedral transforms on an H×W grid, written independently of the tf version. */
const grid = (h: number, w: number, f: (y: number, x: number) => number) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => f(y, x)));
const flipW = (g: number[][]) => g.map((r) => [...r].reverse());
const flipH = (g: number[][]) => [...g].reverse();
const transpose = (g: number[][]) => g[0]!.map((_, x) => g.map((r) => r[x]!));

test('dihedral: the 8 transforms are distinct and each inverse undoes its transform', () => {
  const x = image(3, 5);
  const seen = new Set<string>();
  for (let k = 0; k < 8; k++) {
    const t = dihedral(x, k);
    seen.add(`${t.shape.join('x')}:${Array.from(t.dataSync()).join(',')}`);
    assert.deepEqual(Array.from(dihedralInverse(t, k).dataSync()), Array.from(x.dataSync()), `k=${k}`);
  }
  assert.equal(seen.size, 8);
});

test('selfEnsemble equals the plain output for a model that commutes with flips and transposes', () => {
  const f: SrForward = (lr) => tf.tidy(() => tf.add(tf.mul(nearest(lr, 2), 0.5), 3));
  const x = image(4, 6);
  const plain = f(x).dataSync();
  const ens = selfEnsemble(f)(x).dataSync();
  assert.equal(ens.length, plain.length);
  for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(ens[i]! - plain[i]!) < 1e-4, `at ${i}: ${ens[i]} vs ${plain[i]}`);
});

test('selfEnsemble averages the 8 inverse-transformed outputs (a model that adds its output column index)', () => {
  // f(x) = up(x) + column index of f's own output grid: not equivariant, so every transform matters.
  const s = 2;
  const f: SrForward = (lr) => tf.tidy(() => {
    const up = nearest(lr, s);
    const [, h, w] = up.shape;
    return tf.add(up, tf.reshape(tf.tile(tf.range(0, w), [h]), [1, h, w, 1])) as tf.Tensor4D;
  });
  const [h, w] = [3, 5];
  const x = image(h, w);
  // Expected, by plain arrays: up(x) + mean over k of inverse_k(column ramp on the transformed output grid).
  const H = h * s;
  const W = w * s;
  const sum = grid(H, W, () => 0);
  for (let k = 0; k < 8; k++) {
    const [th, tw] = k & 4 ? [W, H] : [H, W];
    let g = grid(th, tw, (_, c) => c);
    if (k & 4) g = transpose(g);
    if (k & 2) g = flipH(g);
    if (k & 1) g = flipW(g);
    for (let y = 0; y < H; y++) for (let c = 0; c < W; c++) sum[y]![c]! += g[y]![c]! / 8;
  }
  const up = nearest(x, s).dataSync();
  const got = selfEnsemble(f)(x).dataSync();
  for (let y = 0; y < H; y++) for (let c = 0; c < W; c++) for (let ch = 0; ch < 3; ch++) {
    const i = (y * W + c) * 3 + ch;
    assert.ok(Math.abs(got[i]! - (up[i]! + sum[y]![c]!)) < 1e-4, `(${y},${c},${ch}): ${got[i]} vs ${up[i]! + sum[y]![c]!}`);
  }
  // Not the plain output: the ramp averages to (W−1)/2 + (H−1)/2 mixtures, not the column index.
  assert.ok(Math.abs(got[3]! - f(x).dataSync()[3]!) > 0.5);
});

test('chopForward equals the whole-image output when the overlap covers the receptive field, and not without overlap', () => {
  const kernel = tf.tensor4d(Float32Array.from({ length: 27 * 3 }, (_, i) => ((i * 7) % 11) / 11 - 0.4), [3, 3, 3, 3]);
  const f: SrForward = (lr) => tf.tidy(() => nearest(tf.conv2d(lr, kernel, 1, 'same') as tf.Tensor4D, 2));
  const x = image(9, 11);
  const whole = f(x).dataSync();
  const chopped = chopForward(f, 2, 4, 1)(x);
  assert.deepEqual(chopped.shape, [1, 18, 22, 3]);
  const c = chopped.dataSync();
  for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(c[i]! - whole[i]!) < 1e-3, `at ${i}`);
  const noOverlap = chopForward(f, 2, 4, 0)(x).dataSync();
  assert.ok(whole.some((v, i) => Math.abs(v - noOverlap[i]!) > 1e-2), 'tile borders without context must differ');
  assert.throws(() => chopForward(f, 2, 0, 1), /chop tile must be a positive integer/);
});

test('evaluateSrPairs: mean Y-PSNR/SSIM of rounded outputs over whole images of different sizes, with a time per image', () => {
  const mk = (name: string, h: number, w: number) => {
    const lr = image(h, w);
    const hrT = tf.tidy(() => tf.clipByValue(tf.add(nearest(lr, 2), tf.randomUniform([1, 2 * h, 2 * w, 3], -6, 6, 'float32', 5)), 0, 255).round());
    return { name, lr: { height: h, width: w, data: Uint8Array.from(lr.dataSync()) }, hr: { height: 2 * h, width: 2 * w, data: Uint8Array.from(hrT.dataSync()) }, lrSource: 'bicubic' as const };
  };
  const pairs = [mk('a', 12, 14), mk('b', 10, 16)];
  const f: SrForward = (lr) => nearest(lr, 2);
  const r = evaluateSrPairs(f, pairs, 2);
  const want = pairs.map((p) => {
    const sr = { height: p.hr.height, width: p.hr.width, data: Float32Array.from(f(tf.tensor4d(Float32Array.from(p.lr.data), [1, p.lr.height, p.lr.width, 3])).dataSync()) };
    return [psnr(sr, p.hr, 2), ssim(sr, p.hr, 2)];
  });
  assert.equal(r.images, 2);
  assert.ok(Math.abs(r.psnr - (want[0]![0]! + want[1]![0]!) / 2) < 1e-9);
  assert.ok(Math.abs(r.ssim - (want[0]![1]! + want[1]![1]!) / 2) < 1e-9);
  assert.ok(r.secondsPerImage > 0);
  assert.throws(() => evaluateSrPairs((lr) => nearest(lr, 3), pairs, 2), /a: the model made 42×36 from a 14×12 LR, expected the HR's 28×24/);
});
