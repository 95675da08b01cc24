import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AECR_RELEASED, aecrDescription, aecrParameterCount, buildAecr, convTranspose2dTorch, deformConv2d, fastDeconv, type AecrConfig } from './aecr';

test('parameter count at ngf 64: 2,614,229 with the released sharing; 8,639,674 with 6 separate FA blocks', () => {
  const c = aecrParameterCount(AECR_RELEASED);
  assert.equal(c.total, 2_614_229);
  assert.deepEqual(c.modules, { deconv: 84, down1: 9472, down2: 73856, down3: 295168, block: 1205089, dcn: 652315, mix1: 1, mix2: 1, up1: 295040, up2: 73792, up3: 9411 });
  assert.equal(aecrParameterCount({ ...AECR_RELEASED, sharedFaBlock: false }).total, 2_614_229 + 5 * 1_205_089);
  assert.equal(aecrParameterCount({ ...AECR_RELEASED, sharedFaBlock: false, sharedDcn: false }).total, 2_614_229 + 5 * 1_205_089 + 652_315);
  // The stand-in drops the offset/mask conv (3·3·256·27 + 27) and DCNv2's bias stays: 652315 − 62235.
  assert.equal(aecrParameterCount({ ...AECR_RELEASED, dcn: 'plain-conv-standin' }).total, 2_614_229 - 62_235);
  assert.throws(() => aecrParameterCount({ ...AECR_RELEASED, ngf: 7 }), /ngf must be an even integer/);
});

test('the count equals the built model’s trainable variable sizes (ngf 4, every variant)', () => {
  for (const sharedFaBlock of [true, false])
    for (const dcn of ['deformable', 'plain-conv-standin'] as const)
      for (const sharedDcn of [true, false]) {
        const cfg: AecrConfig = { ngf: 4, sharedFaBlock, dcn, sharedDcn, preprocess: sharedDcn ? 'fast-deconv' : 'plain-conv-standin' };
        const net = buildAecr(cfg, 1);
        const built = net.variables().reduce((s, v) => s + v.size, 0);
        assert.equal(built, aecrParameterCount(cfg).total, JSON.stringify(cfg));
        net.dispose();
      }
  assert.match(aecrDescription({ ngf: 4, sharedFaBlock: true, dcn: 'plain-conv-standin' }), /NOT DCNv2/);
  assert.match(aecrDescription({ ngf: 4, sharedFaBlock: true, dcn: 'deformable' }), /DCNv2/);
});

test('forward: shape, tanh range, seeded, refuses sizes that are not multiples of 4', () => {
  const cfg: AecrConfig = { ngf: 4, sharedFaBlock: true, dcn: 'deformable' };
  const [a, b] = [buildAecr(cfg, 7), buildAecr(cfg, 7)];
  const x = tf.randomUniform([2, 8, 12, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const [ya, yb] = [a.forward(x), b.forward(x)];
  assert.deepEqual(ya.shape, [2, 8, 12, 3]);
  const v = ya.dataSync();
  assert.ok(v.every((t) => t > -1 && t < 1));
  assert.deepEqual([...v], [...yb.dataSync()]);
  assert.throws(() => a.forward(tf.zeros([1, 10, 8, 3]) as tf.Tensor4D), /multiples of 4/);
  tf.dispose([x, ya, yb]);
  a.dispose();
  b.dispose();
});

test('convTranspose2dTorch places taps as PyTorch ConvTranspose2d(3, stride 2, padding 1, output_padding 1)', () => {
  const k = tf.tensor4d([...Array(9).keys()].map((i) => i + 1), [3, 3, 1, 1]);
  const y = convTranspose2dTorch(tf.tensor4d([1], [1, 1, 1, 1]), k);
  // out[2i − 1 + k]: for i = 0, outputs 0 and 1 get taps 1 and 2.
  assert.deepEqual([...y.dataSync()], [5, 6, 8, 9]);
  tf.dispose([k, y]);
});

/** Naive DCNv2 reference (per-corner zero outside the image), NHWC, HWIO kernel. */
function referenceDcn(x: Float32Array, [b, h, w, c]: [number, number, number, number], off: Float32Array, mask: Float32Array, kernel: Float32Array, o: number, bias: Float32Array): Float64Array {
  const out = new Float64Array(b * h * w * o);
  const at = (n: number, yy: number, xx: number, ch: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? x[((n * h + yy) * w + xx) * c + ch]! : 0);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++)
      for (let xq = 0; xq < w; xq++)
        for (let oc = 0; oc < o; oc++) {
          let s = bias[oc]!;
          for (let t = 0; t < 9; t++) {
            const [i, j] = [Math.floor(t / 3), t % 3];
            const p = (n * h + y) * w + xq;
            const py = y - 1 + i + off[p * 18 + 2 * t]!;
            const px = xq - 1 + j + off[p * 18 + 2 * t + 1]!;
            const [y0, x0] = [Math.floor(py), Math.floor(px)];
            const [ly, lx] = [py - y0, px - x0];
            for (let ch = 0; ch < c; ch++) {
              const v = (1 - ly) * (1 - lx) * at(n, y0, x0, ch) + (1 - ly) * lx * at(n, y0, x0 + 1, ch) + ly * (1 - lx) * at(n, y0 + 1, x0, ch) + ly * lx * at(n, y0 + 1, x0 + 1, ch);
              s += kernel[((i * 3 + j) * c + ch) * o + oc]! * v * mask[p * 9 + t]!;
            }
          }
          out[((n * h + y) * w + xq) * o + oc] = s;
        }
  return out;
}

test('deformConv2d: offsets 0 and masks 1 give the plain 3×3 conv; random offsets match a naive DCNv2', () => {
  const [b, h, w, c, o] = [2, 5, 4, 3, 2];
  const x = tf.randomNormal([b, h, w, c], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([3, 3, c, o], 0, 1, 'float32', 2) as tf.Tensor4D;
  const bias = tf.tensor1d([0.5, -0.25]);
  const plain = tf.add(tf.conv2d(x, k, 1, 'same'), bias);
  const dcn0 = deformConv2d(x, tf.zeros([b, h, w, 18]) as tf.Tensor4D, tf.ones([b, h, w, 9]) as tf.Tensor4D, k, bias);
  const [pv, dv] = [plain.dataSync(), dcn0.dataSync()];
  pv.forEach((v, i) => assert.ok(Math.abs(v - dv[i]!) < 1e-4, `${i}: ${v} vs ${dv[i]}`));

  const off = tf.randomUniform([b, h, w, 18], -2.5, 2.5, 'float32', 3) as tf.Tensor4D;
  const mask = tf.randomUniform([b, h, w, 9], 0, 1, 'float32', 4) as tf.Tensor4D;
  const got = deformConv2d(x, off, mask, k, bias).dataSync();
  const want = referenceDcn(x.dataSync() as Float32Array, [b, h, w, c], off.dataSync() as Float32Array, mask.dataSync() as Float32Array, k.dataSync() as Float32Array, o, bias.dataSync() as Float32Array);
  want.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-4, `${i}: ${v} vs ${got[i]}`));
  tf.dispose([x, k, bias, plain, dcn0, off, mask]);
});

test('deformConv2d gradients to input, offsets, masks and kernel match finite differences', () => {
  const [b, h, w, c, o] = [1, 4, 4, 2, 2];
  const x = tf.randomNormal([b, h, w, c], 0, 1, 'float32', 11) as tf.Tensor4D;
  const k = tf.randomNormal([3, 3, c, o], 0, 1, 'float32', 12) as tf.Tensor4D;
  // Offsets away from integers so that a small step stays within one bilinear cell.
  const off = tf.add(tf.floor(tf.randomUniform([b, h, w, 18], -2, 2, 'float32', 13)), 0.37) as tf.Tensor4D;
  const mask = tf.randomUniform([b, h, w, 9], 0.2, 1, 'float32', 14) as tf.Tensor4D;
  const r = tf.randomNormal([b, h, w, o], 0, 1, 'float32', 15);
  const f = (xx: tf.Tensor4D, oo: tf.Tensor4D, mm: tf.Tensor4D, kk: tf.Tensor4D) => tf.sum(tf.mul(deformConv2d(xx, oo, mm, kk), r)) as tf.Scalar;
  const grads = tf.grads((xx, oo, mm, kk) => f(xx as tf.Tensor4D, oo as tf.Tensor4D, mm as tf.Tensor4D, kk as tf.Tensor4D))([x, off, mask, k]);
  const args = [x, off, mask, k];
  const eps = 1e-2;
  args.forEach((a, which) => {
    const g = grads[which]!.dataSync();
    for (const idx of [0, 5, a.size - 1]) {
      const bump = (d: number) => {
        const v = a.dataSync().slice();
        v[idx] = v[idx]! + d;
        const moved = args.map((t, j) => (j === which ? tf.tensor(v, t.shape) : t)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const val = f(...moved).dataSync()[0]!;
        tf.dispose(moved[which]);
        return val;
      };
      const fd = (bump(eps) - bump(-eps)) / (2 * eps);
      assert.ok(Math.abs(fd - g[idx]!) < 2e-2 * Math.max(1, Math.abs(fd)), `arg ${which} idx ${idx}: finite difference ${fd} vs gradient ${g[idx]}`);
    }
  });
  tf.dispose([x, k, off, mask, r, ...grads]);
});

/** models/deconv.py FastDeconv in float64 JS: returns (W' as [27][out], b'). */
function referenceFastDeconv(x: Float32Array, [n, h, w]: [number, number, number], wMat: number[][], bias: number[]): { wNew: number[][]; bNew: number[]; mean: number[] } {
  const rows: number[][] = [];
  for (let b = 0; b < n; b++)
    for (let y = 0; y + 2 <= h + 1; y += 3)
      for (let xq = 0; xq + 2 <= w + 1; xq += 3) {
        const r: number[] = [];
        for (let c = 0; c < 3; c++)
          for (let kh = 0; kh < 3; kh++)
            for (let kw = 0; kw < 3; kw++) {
              const [yy, xx] = [y - 1 + kh, xq - 1 + kw];
              r.push(yy >= 0 && yy < h && xx >= 0 && xx < w ? x[((b * h + yy) * w + xx) * 3 + c]! : 0);
            }
        rows.push(r);
      }
  const f = 27;
  const mean = Array.from({ length: f }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const mm = (a: number[][], b: number[][]) => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  const eye = (): number[][] => Array.from({ length: f }, (_, i) => Array.from({ length: f }, (_, j) => (i === j ? 1 : 0)));
  const cov = eye().map((r, i) => r.map((v, j) => 1e-5 * v + rows.reduce((s, row) => s + (row[i]! - mean[i]!) * (row[j]! - mean[j]!), 0) / rows.length));
  const norm = Math.sqrt(cov.flat().reduce((s, v) => s + v * v, 0));
  let y = cov.map((r) => r.map((v) => v / norm));
  let z = eye();
  for (let it = 0; it < 5; it++) {
    const zy = mm(z, y);
    const t = eye().map((r, i) => r.map((v, j) => 0.5 * (3 * v - zy[i]![j]!)));
    y = mm(y, t);
    z = mm(t, z);
  }
  const d = z.map((r) => r.map((v) => v / Math.sqrt(norm)));
  const dt = d[0]!.map((_, j) => d.map((r) => r[j]!));
  const wNew = mm(dt, wMat);
  const bNew = bias.map((bv, o) => bv - mean.reduce((s, m, k) => s + m * wNew[k]![o]!, 0));
  return { wNew, bNew, mean };
}

test('FastDeconv: training output whitens like models/deconv.py; eval with fresh statistics is the plain conv; running stats update', () => {
  const cfg: AecrConfig = { ngf: 4, sharedFaBlock: true, dcn: 'plain-conv-standin' };
  const net = buildAecr(cfg, 3);
  const kernel = net.params.get('deconv/kernel')! as tf.Tensor4D;
  const bias = net.params.get('deconv/bias')! as tf.Tensor1D;
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
  const plain = tf.add(tf.conv2d(x, kernel, 1, 'same'), bias);
  const evalOut = fastDeconv(x, kernel, bias, { training: false, buffers: net.buffers });
  assert.ok(tf.max(tf.abs(tf.sub(plain, evalOut))).dataSync()[0]! < 1e-5);

  const kv = kernel.dataSync();
  const wMat = Array.from({ length: 27 }, (_, r) => {
    const [c, kh, kw] = [Math.floor(r / 9), Math.floor((r % 9) / 3), r % 3];
    return Array.from({ length: 3 }, (_, o) => kv[((kh * 3 + kw) * 3 + c) * 3 + o]!);
  });
  const ref = referenceFastDeconv(x.dataSync() as Float32Array, [2, 8, 8], wMat, [...bias.dataSync()]);
  const kRef = new Float32Array(81);
  ref.wNew.forEach((row, r) => row.forEach((v, o) => (kRef[((Math.floor((r % 9) / 3) * 3 + (r % 3)) * 3 + Math.floor(r / 9)) * 3 + o] = v)));
  const want = tf.add(tf.conv2d(x, tf.tensor4d(kRef, [3, 3, 3, 3]), 1, 'same'), tf.tensor1d(ref.bNew));
  const got = fastDeconv(x, kernel, bias, { training: true, buffers: net.buffers });
  const err = tf.max(tf.abs(tf.sub(want, got))).dataSync()[0]!;
  assert.ok(err < 2e-3 * Math.max(1, tf.max(tf.abs(want)).dataSync()[0]!), `max error ${err}`);
  const rm = net.buffers.get('deconv/running_mean')!.dataSync();
  ref.mean.forEach((m, i) => assert.ok(Math.abs(rm[i]! - 0.1 * m) < 1e-5));
  assert.match(aecrDescription({ ...cfg, preprocess: 'plain-conv-standin' }), /NOT FastDeconv/);
  tf.dispose([x, plain, evalOut, want, got]);
  net.dispose();
});
