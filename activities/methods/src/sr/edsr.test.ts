import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { trainableParamCount } from '../models/resnet';
import { countParams, edsrBaseline, edsrPaper, srConvLayers, type EdsrArch } from './arch';
import { buildEdsr, edsrForward, loadConvWeights, readConvWeights, splitStudent, writeBackStudent } from './edsr';
import { depthToSpaceByTranspose, pixelShuffle, pixelShuffleOrder } from './layers';

// Small enough for the pure-JS CPU backend: 2 blocks, 8 feats; res_scale 0.1 as in EDSR+.
const tiny = (scale: 2 | 3 | 4): EdsrArch => ({ kind: 'edsr', nResblocks: 2, nFeats: 8, resScale: 0.1, scale });

/** A fixed 1×6×5×3 LR image on 0–255. */
const lrImage = () => tf.tidy(() => tf.mul(tf.randomUniform([1, 6, 5, 3], 0, 1, 'float32', 11), 255) as tf.Tensor4D);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

test('[EDSR]: built models have exactly arch.ts\'s parameter counts (EDSR+ ×4 at 1, 0.5, 0.25; baseline ×2/×3)', () => {
  const cases: Array<[EdsrArch, number]> = [
    [edsrPaper(4), 1],
    [edsrPaper(4), 0.5],
    [edsrPaper(4), 0.25],
    [edsrBaseline(2), 1],
    [edsrBaseline(3), 0.5],
  ];
  for (const [arch, width] of cases) {
    const m = buildEdsr({ arch, width, seed: 1 });
    assert.equal(trainableParamCount(m), countParams(srConvLayers(arch, width)), `${arch.nFeats} feats ×${arch.scale} at ${width}`);
    assert.equal(m.nonTrainableWeights.length, 0, 'the mean shift has no weights');
    m.dispose();
  }
});

test('[EDSR]: ×2/×3/×4 outputs are scale× the LR size with 3 channels', () => {
  const lr = lrImage();
  for (const scale of [2, 3, 4] as const) {
    const m = buildEdsr({ arch: tiny(scale), seed: 2 });
    const y = m.predict(lr) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 6 * scale, 5 * scale, 3]);
    y.dispose();
    m.dispose();
  }
  lr.dispose();
});

test('[EDSR]: pixel shuffle uses PyTorch\'s order (channel c·r² + i·r + j → pixel (i, j) of map c)', () => {
  // One pixel, 2 maps × 4 sub-pixels: channel k holds value k.
  const y = pixelShuffle(tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]), 2);
  assert.deepEqual(y.shape, [1, 2, 2, 2]);
  // Map 0 is channels 0..3 laid out row-major; map 1 is channels 4..7.
  assert.deepEqual(Array.from(y.dataSync()), [0, 4, 1, 5, 2, 6, 3, 7]);
  y.dispose();
});

test('[EDSR]: the fast shuffle routes equal tf.depthToSpace and pixelShuffle (r = 2, 3)', () => {
  const before = tf.memory().numTensors;
  for (const r of [2, 3]) {
    const x = tf.randomNormal([2, 3, 4, 5 * r * r], 0, 1, 'float32', r) as tf.Tensor4D;
    const order = tf.tensor1d(pixelShuffleOrder(5 * r * r, r), 'int32');
    const viaGather = tf.tidy(() => depthToSpaceByTranspose(tf.gather(x, order, 3) as tf.Tensor4D, r));
    const [d2s, mine, torch] = [tf.depthToSpace(x, r), depthToSpaceByTranspose(x, r), pixelShuffle(x, r)];
    assert.equal(maxAbsDiff(d2s, mine), 0, `depthToSpace, r = ${r}`);
    assert.equal(maxAbsDiff(torch, viaGather), 0, `pixelShuffle via permuted channels, r = ${r}`);
    assert.ok(maxAbsDiff(torch, d2s) > 0, 'the two orders differ');
    tf.dispose([x, order, viaGather, d2s, mine, torch]);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('[CSD]: the student sliced from the teacher equals a separately built student model loaded with the slices', () => {
  const before = tf.memory().numTensors;
  for (const scale of [2, 3, 4] as const) {
    const arch = tiny(scale);
    const teacher = buildEdsr({ arch, seed: 3 });
    const student = buildEdsr({ arch, width: 0.5, seed: 99 });
    const slices = splitStudent(readConvWeights(teacher, arch), arch, 0.5);
    loadConvWeights(student, slices);
    const lr = lrImage();
    const viaModel = student.predict(lr) as tf.Tensor4D;
    const viaSlices = edsrForward(readConvWeights(teacher, arch), arch, 0.5, lr);
    const viaTeacher = teacher.predict(lr) as tf.Tensor4D;
    const teacherFunctional = edsrForward(readConvWeights(teacher, arch), arch, 1, lr);
    // Same ops in the same order up to the conv's internal summation: float32 rounding only.
    assert.ok(maxAbsDiff(viaModel, viaSlices) < 1e-3, `×${scale} student: ${maxAbsDiff(viaModel, viaSlices)}`);
    assert.ok(maxAbsDiff(viaTeacher, teacherFunctional) < 1e-3, `×${scale} teacher: ${maxAbsDiff(viaTeacher, teacherFunctional)}`);
    assert.ok(maxAbsDiff(viaTeacher, viaModel) > 1e-2, 'the student is a different function from the teacher');
    tf.dispose([lr, viaModel, viaSlices, viaTeacher, teacherFunctional, ...[...slices.values()].flatMap((w) => [w.kernel, w.bias])]);
    teacher.dispose();
    student.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('[CSD]: a student-only loss trains exactly the teacher\'s leading slices (shared weights)', () => {
  const arch = tiny(2);
  const teacher = buildEdsr({ arch, seed: 4 });
  const shared = readConvWeights(teacher, arch);
  const lr = lrImage();
  const vars = teacher.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads, value } = tf.variableGrads(() => tf.mean(edsrForward(shared, arch, 0.5, lr)) as tf.Scalar, vars);
  const absSum = (t: tf.Tensor) => tf.tidy(() => tf.sum(tf.abs(t)).dataSync()[0]!);
  for (const l of srConvLayers(arch, 0.5)) {
    const [kernel, bias] = teacher.getLayer(l.name).trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!);
    for (const [g, keep] of [[kernel!, [l.kernel, l.kernel, l.cin, l.cout]], [bias!, [l.cout]]] as const) {
      const total = absSum(g);
      const within = tf.tidy(() => absSum(tf.slice(g, g.shape.map(() => 0), [...keep])));
      assert.ok(Math.abs(total - within) <= 1e-6 * Math.max(1, total), `${l.name}: gradient outside the student's slice`);
    }
    // Every conv the student reads gets gradient, so the check above is not vacuous.
    assert.ok(absSum(kernel!) > 0, `${l.name} gets gradient`);
  }
  tf.dispose([lr, value, ...Object.values(grads)]);
  teacher.dispose();
});

test('[CSD]: writeBackStudent puts the student\'s weights into the leading slices and keeps the rest', () => {
  const before = tf.memory().numTensors;
  const arch = tiny(4);
  const teacher = buildEdsr({ arch, seed: 5 });
  const original = new Map([...readConvWeights(teacher, arch)].map(([k, w]) => [k, { kernel: w.kernel.clone(), bias: w.bias.clone() }]));
  const student = splitStudent(original, arch, 0.5);
  // An "update": every student weight +1.
  const updated = new Map([...student].map(([k, w]) => [k, { kernel: tf.add(w.kernel, 1) as tf.Tensor4D, bias: tf.add(w.bias, 1) as tf.Tensor1D }]));
  writeBackStudent(teacher, updated);
  const now = readConvWeights(teacher, arch);
  const reSliced = splitStudent(now, arch, 0.5);
  for (const [name, w] of updated) {
    assert.equal(maxAbsDiff(reSliced.get(name)!.kernel, w.kernel), 0, `${name} kernel slice`);
    assert.equal(maxAbsDiff(reSliced.get(name)!.bias, w.bias), 0, `${name} bias slice`);
    // Everything else moved by nothing: the total change is exactly one per student weight.
    const changed = tf.tidy(() => tf.sum(tf.abs(tf.sub(now.get(name)!.kernel, original.get(name)!.kernel))).dataSync()[0]!);
    assert.ok(Math.abs(changed - w.kernel.size) < 1e-3 * w.kernel.size, `${name}: ${changed} vs ${w.kernel.size}`);
  }
  tf.dispose([...original.values(), ...student.values(), ...updated.values(), ...reSliced.values()].flatMap((w) => [w.kernel, w.bias]));
  teacher.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('[EDSR]: bad options are rejected naming the argument', () => {
  assert.throws(() => buildEdsr({ arch: tiny(2), seed: 1.5 }), /seed must be an integer/);
  assert.throws(() => buildEdsr({ arch: tiny(2), seed: 1, width: 0 }), /width must be in/);
  assert.throws(() => buildEdsr({ arch: tiny(2), seed: 1, rgbRange: 0 }), /rgbRange must be positive/);
  const teacher = new Map();
  assert.throws(() => splitStudent(teacher, tiny(2), 0.5), /teacher weights lack layer head/);
});

test('[EDSR]: the model survives a JSON round trip (custom layers are registered)', async () => {
  const arch = tiny(4);
  const m = buildEdsr({ arch, width: 0.5, seed: 6 });
  const copy = await tf.models.modelFromJSON({ modelTopology: m.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
  copy.setWeights(m.getWeights());
  const lr = lrImage();
  const [a, b] = [m.predict(lr) as tf.Tensor, copy.predict(lr) as tf.Tensor];
  assert.equal(maxAbsDiff(a, b), 0);
  tf.dispose([lr, a, b]);
  m.dispose();
  copy.dispose();
});
