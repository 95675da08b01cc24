/**
 * The two weightless layers an SR network needs beyond Keras's set: PyTorch-order pixel shuffle
 * and a fixed per-channel offset (EDSR's MeanShift). Registered for (de)serialisation.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Sub-pixel shuffle in PyTorch's channel order: input channel c·r² + i·r + j becomes pixel (i, j)
 * of output channel c. tf.depthToSpace uses the other order ((i·r + j)·C + c), under which the
 * first k·r² conv outputs would not be the first k shuffled maps, so channel splitting of the
 * upsampler conv would no longer be a prefix slice as in the authors' code.
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, h, w, cr2] = x.shape;
  const c = cr2 / (r * r);
  if (!Number.isInteger(c)) throw new Error(`pixelShuffle needs channels divisible by ${r * r}, got ${cr2}`);
  // Two cheap transposes instead of one 6-D [0, 1, 4, 2, 5, 3]: per pixel, the c × r² block is
  // transposed to r² × c (depthToSpace's channel order), then whole rows of r·c values move
  // (depthToSpaceByTranspose). On native TF the single 6-D transpose of a [16, 96, 96, 256]
  // upsampler output took ~110 ms, the pair ~55 ms (and so do their gradients, the inverse transposes).
  return tf.tidy(() => depthToSpaceByTranspose(tf.reshape(tf.transpose(tf.reshape(x, [n * h * w, c, r * r]), [0, 2, 1]), [n, h, w, cr2]), r));
}

/**
 * tf.depthToSpace's order (channel (i·r + j)·C + c → pixel (i, j) of map c) as a reshape and a
 * transpose that moves contiguous runs of r·C values. Same values as tf.depthToSpace; on native TF
 * it is several times faster than the DepthToSpace kernel, and its gradient is the same transpose.
 */
export function depthToSpaceByTranspose(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, h, w, cr2] = x.shape;
  const c = cr2 / (r * r);
  if (!Number.isInteger(c)) throw new Error(`depthToSpace needs channels divisible by ${r * r}, got ${cr2}`);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, r, r * c]), [0, 1, 3, 2, 4]), [n, h * r, w * r, c]));
}

/**
 * The permutation that turns PyTorch-order sub-pixel channels into depthToSpace order: output
 * channel k = (i·r + j)·C + c takes input channel c·r² + i·r + j. Gathering a conv's kernel and
 * bias with it (a few KB) makes `depthToSpaceByTranspose(conv)` equal `pixelShuffle(conv)`
 * without the per-pixel transpose of the (large) activation.
 */
export function pixelShuffleOrder(channels: number, r: number): number[] {
  const c = channels / (r * r);
  if (!Number.isInteger(c)) throw new Error(`pixel shuffle needs channels divisible by ${r * r}, got ${channels}`);
  return Array.from({ length: channels }, (_, k) => (k % c) * r * r + Math.floor(k / c));
}

export class PixelShuffle extends tf.layers.Layer {
  static className = 'ReprolabPixelShuffle';
  private readonly factor: number;
  constructor(args: { factor: number; name?: string }) {
    super({ name: args.name });
    this.factor = args.factor;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = s as tf.Shape;
    const r = this.factor;
    return [n ?? null, h == null ? null : h * r, w == null ? null : w * r, (c as number) / (r * r)];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return pixelShuffle(x as tf.Tensor4D, this.factor);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

/** Adds a constant to each channel: ±rgbRange·mean, EDSR's sub_mean/add_mean with std 1 (no weights). */
export class ChannelOffset extends tf.layers.Layer {
  static className = 'ReprolabChannelOffset';
  private readonly offsets: number[];
  constructor(args: { offsets: number[]; name?: string }) {
    super({ name: args.name });
    this.offsets = args.offsets;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return s as tf.Shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.add(x, tf.tensor1d(this.offsets)));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), offsets: this.offsets };
  }
}

tf.serialization.registerClass(PixelShuffle);
tf.serialization.registerClass(ChannelOffset);
