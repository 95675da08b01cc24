/**
 * EDSR for tfjs, built from arch.ts's layer list so layer names, shapes and counts agree, plus the
 * weight sharing of CSD's channel-splitting network (CSSR-Net):
 *  - splitStudent: the width-w student's convs are the teacher's leading slices,
 *    kernel [kh, kw, in, out] → [:, :, :inW, :outW], bias [:outW];
 *  - writeBackStudent: puts (updated) student weights back into those slices;
 *  - edsrForward: runs the network at any width directly on the teacher's tensors, so one
 *    tf.variableGrads over a teacher + student loss trains the shared weights jointly, as the
 *    authors' `model(lr)` / `model(lr, stu_width_mult)` does (trainer/slim_contrast_trainer.py).
 * Structure as CSD's model/edsr.py: sub_mean → head → n × [conv-ReLU-conv, ×res_scale, +x] →
 * body_conv → +head → sub-pixel upsampler (no activation) → tail → add_mean. Images on 0–rgbRange.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';
import { srConvLayers, type ConvLayer, type EdsrArch } from './arch';
import { ChannelOffset, PixelShuffle, depthToSpaceByTranspose, pixelShuffleOrder } from './layers';

/** DIV2K RGB mean used by EDSR's MeanShift (common.py), with std 1. */
export const DIV2K_RGB_MEAN = [0.4488, 0.4371, 0.404] as const;

export interface EdsrOptions {
  arch: EdsrArch;
  /** Channel-splitting width: 1 builds the teacher, w < 1 a stand-alone student of that width. */
  width?: number;
  seed: number;
  /** Pixel value range the model sees (CSD: --rgb_range 255). */
  rgbRange?: number;
}

/** One conv's tensors, keyed by arch.ts layer name. */
export type ConvWeights = Map<string, { kernel: tf.Tensor4D; bias: tf.Tensor1D }>;

function layerMap(arch: EdsrArch, width: number): Map<string, ConvLayer> {
  return new Map(srConvLayers(arch, width).map((l) => [l.name, l]));
}

/** Upsampler stages as (conv name, shuffle factor). */
function upStages(arch: EdsrArch): Array<[string, number]> {
  return arch.scale === 3 ? [['up1', 3]] : arch.scale === 2 ? [['up1', 2]] : [['up1', 2], ['up2', 2]];
}

/**
 * PyTorch's default conv init (kaiming_uniform with a = √5, bias U(±1/√fan_in)), seeded per layer,
 * so a tfjs teacher starts where an EDSR-PyTorch one would in distribution.
 */
function torchDefaultInit(seed: number, index: number, fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: mixSeed(seed, index, 1) }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: mixSeed(seed, index, 2) }),
  };
}

/** A seeded EDSR at `width`. Layer names are arch.ts's (head, rb{k}_conv{1,2}, body_conv, up{k}, tail). */
export function buildEdsr(o: EdsrOptions): tf.LayersModel {
  const width = o.width ?? 1;
  const rgbRange = o.rgbRange ?? 255;
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  if (!(rgbRange > 0)) throw new Error(`rgbRange must be positive, got ${rgbRange}`);
  const specs = layerMap(o.arch, width);
  let index = 0;
  const conv = (name: string, x: tf.SymbolicTensor, activation?: 'relu') => {
    const s = specs.get(name)!;
    const init = torchDefaultInit(o.seed, ++index, s.kernel * s.kernel * s.cin);
    return tf.layers.conv2d({ name, filters: s.cout, kernelSize: s.kernel, padding: 'same', activation, ...init }).apply(x) as tf.SymbolicTensor;
  };
  const input = tf.input({ shape: [null, null, 3], name: 'lr' });
  const shifted = new ChannelOffset({ name: 'sub_mean', offsets: DIV2K_RGB_MEAN.map((m) => -rgbRange * m) }).apply(input) as tf.SymbolicTensor;
  const head = conv('head', shifted);
  let x = head;
  for (let b = 1; b <= o.arch.nResblocks; b++) {
    let r = conv(`rb${b}_conv2`, conv(`rb${b}_conv1`, x, 'relu'));
    if (o.arch.resScale !== 1) r = tf.layers.rescaling({ name: `rb${b}_scale`, scale: o.arch.resScale }).apply(r) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `rb${b}_add` }).apply([x, r]) as tf.SymbolicTensor;
  }
  x = tf.layers.add({ name: 'body_add' }).apply([head, conv('body_conv', x)]) as tf.SymbolicTensor;
  for (const [name, r] of upStages(o.arch)) x = new PixelShuffle({ name: `${name}_shuffle`, factor: r }).apply(conv(name, x)) as tf.SymbolicTensor;
  const out = new ChannelOffset({ name: 'add_mean', offsets: DIV2K_RGB_MEAN.map((m) => rgbRange * m) }).apply(conv('tail', x)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `edsr_x${o.arch.scale}_w${width}` });
}

/**
 * The conv tensors of an EDSR built by buildEdsr. These are the model's own variables, not
 * copies: do not dispose them; slices taken from them carry gradients back to them.
 */
export function readConvWeights(model: tf.LayersModel, arch: EdsrArch): ConvWeights {
  const out: ConvWeights = new Map();
  for (const l of srConvLayers(arch, 1)) {
    const [kernel, bias] = model.getLayer(l.name).getWeights();
    out.set(l.name, { kernel: kernel as tf.Tensor4D, bias: bias as tf.Tensor1D });
  }
  return out;
}

/** The width-w student's weights: each conv's leading [:, :, :inW, :outW] slice (new tensors). */
export function splitStudent(teacher: ConvWeights, arch: EdsrArch, width: number): ConvWeights {
  const out: ConvWeights = new Map();
  for (const l of srConvLayers(arch, width)) {
    const t = teacher.get(l.name);
    if (!t) throw new Error(`teacher weights lack layer ${l.name}`);
    out.set(l.name, { kernel: tf.slice(t.kernel, [0, 0, 0, 0], [l.kernel, l.kernel, l.cin, l.cout]), bias: tf.slice(t.bias, [0], [l.cout]) });
  }
  return out;
}

/** Sets a model's convs from `weights` (e.g. a student model from splitStudent's output). */
export function loadConvWeights(model: tf.LayersModel, weights: ConvWeights): void {
  for (const [name, w] of weights) model.getLayer(name).setWeights([w.kernel, w.bias]);
}

/** `inner` written over the leading corner of `outer` (same rank), the rest of `outer` kept. */
function overwriteLeading<T extends tf.Tensor>(outer: T, inner: tf.Tensor): T {
  return tf.tidy(() => {
    const pad = outer.shape.map((d, i) => [0, d - inner.shape[i]!] as [number, number]);
    const inside = tf.pad(tf.onesLike(inner), pad).cast('bool');
    return tf.where(inside, tf.pad(inner, pad), outer) as T;
  });
}

/** Writes student weights into the teacher's leading slices; the teacher's other weights stay. */
export function writeBackStudent(teacherModel: tf.LayersModel, student: ConvWeights): void {
  for (const [name, s] of student) {
    const layer = teacherModel.getLayer(name);
    const [kernel, bias] = layer.getWeights();
    const merged = [overwriteLeading(kernel!, s.kernel), overwriteLeading(bias!, s.bias)];
    layer.setWeights(merged);
    tf.dispose(merged);
  }
}

/**
 * EDSR at `width` computed straight from the teacher's tensors (slicing on the fly, as CSD's
 * forward(x, width_mult) does). Width 1 is the teacher; gradients reach the teacher's variables.
 */
export function edsrForward(teacher: ConvWeights, arch: EdsrArch, width: number, lr: tf.Tensor4D, rgbRange = 255): tf.Tensor4D {
  return tf.tidy(() => {
    const sliced = splitStudent(teacher, arch, width);
    const conv = (name: string, x: tf.Tensor4D) => {
      const w = sliced.get(name)!;
      return tf.add(tf.conv2d(x, w.kernel, 1, 'same'), w.bias) as tf.Tensor4D;
    };
    const head = conv('head', tf.sub(lr, tf.tensor1d(DIV2K_RGB_MEAN.map((m) => rgbRange * m))));
    let x = head;
    for (let b = 1; b <= arch.nResblocks; b++) {
      const r = conv(`rb${b}_conv2`, tf.relu(conv(`rb${b}_conv1`, x)));
      x = tf.add(x, arch.resScale === 1 ? r : tf.mul(r, arch.resScale));
    }
    x = tf.add(head, conv('body_conv', x));
    // pixelShuffle(conv(x)) computed as depthToSpace of a conv whose output channels were put in
    // depthToSpace order: the (small) kernel is permuted instead of the (large) activation.
    for (const [name, r] of upStages(arch)) {
      const w = sliced.get(name)!;
      const order = tf.tensor1d(pixelShuffleOrder(w.bias.shape[0], r), 'int32');
      x = depthToSpaceByTranspose(tf.add(tf.conv2d(x, tf.gather(w.kernel, order, 3), 1, 'same'), tf.gather(w.bias, order)) as tf.Tensor4D, r);
    }
    return tf.add(conv('tail', x), tf.tensor1d(DIV2K_RGB_MEAN.map((m) => rgbRange * m)));
  });
}
