/**
 * AECR-Net (Wu et al., "Contrastive Learning for Compact Single Image Dehazing", CVPR'21,
 * arXiv 2104.09367) as the authors' released PyTorch code defines it (github.com/GlassyWu/AECR-Net,
 * models/AECRNet.py `Dehaze(3, 3, ngf=64)`), written anew in TF.js (NHWC):
 *
 *   x0  = deconv(x)                          FastDeconv(3, 3, 3×3, pad 1) — see PREPROCESS below
 *   d1  = ReLU(conv7×7(reflect-pad 3, x0))   3 → ngf
 *   d2  = ReLU(conv3×3 s2 p1(d1))            ngf → 2ngf
 *   d3  = ReLU(conv3×3 s2 p1(d2))            2ngf → 4ngf
 *   h   = FA(FA(FA(FA(FA(FA(d3))))))         ONE DehazeBlock applied 6 times (shared weights) in the
 *                                            released code; `sharedFaBlock: false` gives 6 blocks
 *   h   = DCN(DCN(h))                        ONE DCNBlock applied twice (shared), 4ngf → 4ngf
 *                                            (hard-coded DCNBlock(256, 256) in the code = 4·64)
 *   m1  = σ(w1)·d3 + (1−σ(w1))·h             Mix(m = −1)
 *   u1  = ReLU(convT3×3 s2 p1 op1(m1))       4ngf → 2ngf
 *   m2  = σ(w2)·d2 + (1−σ(w2))·u1            Mix(m = −0.6)
 *   u2  = ReLU(convT3×3 s2 p1 op1(m2))       2ngf → ngf
 *   out = tanh(conv7×7(reflect-pad 3, u2))   ngf → 3
 *
 * FA block (DehazeBlock): r = ReLU(conv1(x)) + x; r = conv2(r); r = CA(r); r = PA(r); return r + x.
 * CA: r·σ(conv1×1(ReLU(conv1×1(avgpool(r))))) with C → C/8 → C; PA: r·σ(conv1×1(ReLU(conv1×1(r))))
 * with C → C/8 → 1. All convs have biases.
 *
 * DCN (`dcn: 'deformable'`): a real modulated deformable conv (DCNv2, Zhu et al. 2019, as the
 * CharlesShang DCNv2 `DCN` module the code imports): a 3×3 conv with bias predicts 27 channels
 * (o1, o2, mask logits); offsets = cat(o1, o2), read as (Δy, Δx) pairs per kernel tap; masks =
 * σ(logits); each tap samples the input bilinearly at p + p_k + Δp_k (zero outside the image),
 * multiplies it by its mask, and a 3×3 kernel + bias combines the taps. The offset/mask conv starts
 * at zero (offsets 0, masks 0.5), the main kernel at U(±1/√(9·C)), bias 0, as DCNv2 initialises.
 * `dcn: 'plain-conv-standin'` replaces it by an ordinary 3×3 conv with bias: NOT DCNv2.
 *
 * PREPROCESS (`preprocess`, default 'fast-deconv'): the code's first layer is FastDeconv
 * (models/deconv.py, "network deconvolution", Ye et al. ICLR'20) with its defaults for
 * FastDeconv(3, 3, 3, padding 1): block 3, 27 patch features (c·9 + kh·3 + kw), sampling stride 3,
 * eps 1e-5, 5 Newton–Schulz iterations, momentum 0.1. In training it takes the 3×3 patches of the
 * input at stride 3 (padding 1), their mean μ and covariance Σ = XᵀX/n + eps·I, D ≈ Σ^(−1/2) by
 * Newton–Schulz (gradients flow through it), updates running μ and D (buffers, start 0 and I),
 * and convolves with W' = W·D, b' = b − W'·μ; in eval it uses the running μ and D.
 * 'plain-conv-standin' is an ordinary 3×3 conv with the same 84 parameters (no whitening).
 * The running statistics are buffers, not parameters: parameter counts are the same either way.
 *
 * Initialisation: PyTorch defaults (U(±1/√fan_in) for conv weights and biases; fan_in of a
 * ConvTranspose2d weight (in, out, k, k) is out·k·k), DCNv2's for the DCN, w1 = −1, w2 = −0.6.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../util/random';

export const DCN_KINDS = ['deformable', 'plain-conv-standin'] as const;
export type DcnKind = (typeof DCN_KINDS)[number];

export const DCN_DESCRIPTIONS: Record<DcnKind, string> = {
  deformable:
    'deformable: modulated deformable conv (DCNv2), 3×3, one deformable group; offset/mask conv 3×3 → 27 channels (18 offsets, 9 sigmoid masks), bilinear sampling with zeros outside, written in TF.js ops with gradients to input, offsets, masks and weights.',
  'plain-conv-standin': 'plain-conv-standin: NOT DCNv2 — an ordinary 3×3 conv with bias in place of the deformable conv (no offsets, no masks; fewer parameters than DCNv2).',
};

export const PREPROCESS_KINDS = ['fast-deconv', 'plain-conv-standin'] as const;
export type PreprocessKind = (typeof PREPROCESS_KINDS)[number];

export const PREPROCESS_DESCRIPTIONS: Record<PreprocessKind, string> = {
  'fast-deconv':
    'fast-deconv: FastDeconv input layer as models/deconv.py (3×3 patch whitening at sampling stride 3, eps 1e-5, 5 Newton–Schulz iterations, running statistics with momentum 0.1; batch statistics in training, running ones in eval).',
  'plain-conv-standin':
    "plain-conv-standin: NOT FastDeconv — the released code's network-deconvolution input layer replaced by a plain 3×3 conv, 3 → 3, with bias (same 84 parameters, no whitening).",
};

/** Kept for callers that name the stand-in directly. */
export const FAST_DECONV_STANDIN_DESCRIPTION = PREPROCESS_DESCRIPTIONS['plain-conv-standin'];

export interface AecrConfig {
  /** Base channels (paper / code: 64). Must be even (channel and pixel attention use 4ngf/8). */
  ngf: number;
  /** One DehazeBlock applied 6 times (released code) or 6 separate blocks. */
  sharedFaBlock: boolean;
  dcn: DcnKind;
  /** One DCN applied twice (released code, default) or two separate ones. */
  sharedDcn?: boolean;
  /** Input layer; default 'fast-deconv' (released code). */
  preprocess?: PreprocessKind;
}

export const AECR_RELEASED: AecrConfig = { ngf: 64, sharedFaBlock: true, dcn: 'deformable', sharedDcn: true };

/** What a run record says about the network it trained. */
export function aecrDescription(c: AecrConfig): string {
  checkConfig(c);
  return [
    `AECR-Net (released models/AECRNet.py layout), ngf ${c.ngf}`,
    c.sharedFaBlock ? 'one FA block applied 6× (shared weights, as released)' : '6 separate FA blocks (not shared; the paper text, not the released code)',
    (c.sharedDcn ?? true) ? 'one DCN module applied 2× (shared, as released)' : '2 separate DCN modules',
    DCN_DESCRIPTIONS[c.dcn],
    PREPROCESS_DESCRIPTIONS[c.preprocess ?? 'fast-deconv'],
    `${aecrParameterCount(c).total} parameters`,
  ].join('; ');
}

type Init = { kind: 'uniform'; bound: number } | { kind: 'zeros' } | { kind: 'const'; value: number };
export interface AecrParamSpec {
  /** `module/param`, e.g. `block3/conv1/kernel` or `dcn1/offset/bias`. */
  name: string;
  module: string;
  shape: number[];
  init: Init;
}

function checkConfig(c: AecrConfig): void {
  if (!Number.isInteger(c.ngf) || c.ngf < 2 || c.ngf % 2 !== 0) throw new Error(`ngf must be an even integer ≥ 2 (attention layers use 4·ngf/8 channels), got ${c.ngf}`);
  if (!DCN_KINDS.includes(c.dcn)) throw new Error(`dcn must be one of ${DCN_KINDS.join(', ')}, got ${String(c.dcn)}`);
  if (c.preprocess !== undefined && !PREPROCESS_KINDS.includes(c.preprocess)) throw new Error(`preprocess must be one of ${PREPROCESS_KINDS.join(', ')}, got ${String(c.preprocess)}`);
  if (typeof c.sharedFaBlock !== 'boolean') throw new Error(`sharedFaBlock must be a boolean, got ${String(c.sharedFaBlock)}`);
}

const U = (fanIn: number): Init => ({ kind: 'uniform', bound: 1 / Math.sqrt(fanIn) });

/** A conv k×k (cin → cout) with bias, HWIO kernel, PyTorch default init. */
function conv(module: string, prefix: string, k: number, cin: number, cout: number): AecrParamSpec[] {
  const n = `${module}/${prefix}`;
  return [
    { name: `${n}kernel`, module, shape: [k, k, cin, cout], init: U(cin * k * k) },
    { name: `${n}bias`, module, shape: [cout], init: U(cin * k * k) },
  ];
}

/** A transposed conv; TF.js filter layout [k, k, out, in]; PyTorch's fan_in for it is out·k·k. */
function convT(module: string, k: number, cin: number, cout: number): AecrParamSpec[] {
  return [
    { name: `${module}/kernel`, module, shape: [k, k, cout, cin], init: U(cout * k * k) },
    { name: `${module}/bias`, module, shape: [cout], init: U(cout * k * k) },
  ];
}

function faBlock(module: string, c: number): AecrParamSpec[] {
  const r = c / 8;
  return [...conv(module, 'conv1/', 3, c, c), ...conv(module, 'conv2/', 3, c, c), ...conv(module, 'ca1/', 1, c, r), ...conv(module, 'ca2/', 1, r, c), ...conv(module, 'pa1/', 1, c, r), ...conv(module, 'pa2/', 1, r, 1)];
}

function dcnModule(module: string, c: number, kind: DcnKind): AecrParamSpec[] {
  if (kind === 'plain-conv-standin') return conv(module, '', 3, c, c);
  return [
    { name: `${module}/offset/kernel`, module, shape: [3, 3, c, 27], init: { kind: 'zeros' } },
    { name: `${module}/offset/bias`, module, shape: [27], init: { kind: 'zeros' } },
    { name: `${module}/kernel`, module, shape: [3, 3, c, c], init: U(c * 9) },
    { name: `${module}/bias`, module, shape: [c], init: { kind: 'zeros' } },
  ];
}

export const FA_REPEATS = 6;
export const DCN_REPEATS = 2;

/** Module names in forward order: which parameter set each application uses. */
export function faModules(c: AecrConfig): string[] {
  return Array.from({ length: FA_REPEATS }, (_, i) => (c.sharedFaBlock ? 'block' : `block${i + 1}`));
}
export function dcnModules(c: AecrConfig): string[] {
  return Array.from({ length: DCN_REPEATS }, (_, i) => ((c.sharedDcn ?? true) ? 'dcn' : `dcn${i + 1}`));
}

/** The full parameter list, in a fixed order, with shapes and initialisers (no tensors). */
export function aecrParamSpecs(c: AecrConfig): AecrParamSpec[] {
  checkConfig(c);
  const g = c.ngf;
  const specs: AecrParamSpec[] = [...conv('deconv', '', 3, 3, 3), ...conv('down1', '', 7, 3, g), ...conv('down2', '', 3, g, 2 * g), ...conv('down3', '', 3, 2 * g, 4 * g)];
  for (const m of new Set(faModules(c))) specs.push(...faBlock(m, 4 * g));
  for (const m of new Set(dcnModules(c))) specs.push(...dcnModule(m, 4 * g, c.dcn));
  specs.push({ name: 'mix1/w', module: 'mix1', shape: [1], init: { kind: 'const', value: -1 } });
  specs.push({ name: 'mix2/w', module: 'mix2', shape: [1], init: { kind: 'const', value: -0.6 } });
  specs.push(...convT('up1', 3, 4 * g, 2 * g), ...convT('up2', 3, 2 * g, g), ...conv('up3', '', 7, g, 3));
  return specs;
}

export interface AecrParameterCount {
  total: number;
  /** Per module (deconv, down1…3, block or block1…6, dcn or dcn1/dcn2, mix1, mix2, up1…3). */
  modules: Record<string, number>;
}

/** Exact trainable-parameter count from the layer list, without building tensors. */
export function aecrParameterCount(c: AecrConfig): AecrParameterCount {
  const modules: Record<string, number> = {};
  let total = 0;
  for (const s of aecrParamSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    modules[s.module] = (modules[s.module] ?? 0) + n;
    total += n;
  }
  return { total, modules };
}

export type AecrWeights = Map<string, tf.Tensor>;

export interface AecrNet {
  config: AecrConfig;
  /** Trainable variables by spec name (aecrParamSpecs order). */
  params: Map<string, tf.Variable>;
  /** Non-trainable state: FastDeconv's running statistics (empty for the stand-in). */
  buffers: Map<string, tf.Variable>;
  variables(): tf.Variable[];
  /**
   * Hazy [B, H, W, 3] on [0, 1] (H, W multiples of 4, ≥ 4) → dehazed [B, H, W, 3] (tanh, so in
   * (−1, 1)). `training` (default false) only matters for FastDeconv: batch statistics, and the
   * running statistics are updated; otherwise the running ones are used.
   */
  forward(x: tf.Tensor4D, training?: boolean): tf.Tensor4D;
  dispose(): void;
}

/** FastDeconv(3, 3, 3, padding 1) constants (models/deconv.py defaults). */
export const FAST_DECONV = { features: 27, samplingStride: 3, eps: 1e-5, iterations: 5, momentum: 0.1 } as const;

export function aecrBufferSpecs(c: AecrConfig): { name: string; shape: number[]; init: 'zeros' | 'eye' }[] {
  checkConfig(c);
  if ((c.preprocess ?? 'fast-deconv') !== 'fast-deconv') return [];
  return [
    { name: 'deconv/running_mean', shape: [FAST_DECONV.features], init: 'zeros' },
    { name: 'deconv/running_deconv', shape: [FAST_DECONV.features, FAST_DECONV.features], init: 'eye' },
  ];
}

/** Builds the network with seeded initial weights (spec i drawn with mixSeed(seed, i)). */
export function buildAecr(config: AecrConfig, seed: number): AecrNet {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const specs = aecrParamSpecs(config);
  const params = new Map<string, tf.Variable>();
  specs.forEach((s, i) => {
    const init = tf.tidy(() => {
      if (s.init.kind === 'zeros') return tf.zeros(s.shape);
      if (s.init.kind === 'const') return tf.fill(s.shape, s.init.value);
      return tf.randomUniform(s.shape, -s.init.bound, s.init.bound, 'float32', mixSeed(seed, 0xaec, i));
    });
    params.set(s.name, tf.variable(init, true));
    init.dispose();
  });
  const buffers = new Map<string, tf.Variable>();
  for (const bs of aecrBufferSpecs(config)) {
    const init = bs.init === 'eye' ? tf.eye(bs.shape[0]!) : tf.zeros(bs.shape);
    buffers.set(bs.name, tf.variable(init, false));
    init.dispose();
  }
  return {
    config,
    params,
    buffers,
    variables: () => [...params.values()],
    forward: (x, training = false) => aecrForward(params, config, x, training ? { training: true, buffers } : { training: false, buffers }),
    dispose: () => tf.dispose([...params.values(), ...buffers.values()]),
  };
}

const P1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

function get(w: AecrWeights, name: string): tf.Tensor {
  const t = w.get(name);
  if (!t) throw new Error(`AECR weights lack ${name}`);
  return t;
}

/**
 * conv2d with PyTorch's explicit zero padding 1 (`padding=1`): padded first, then 'valid', because
 * the native TensorFlow backend's conv gradients accept only 'same' and 'valid' padding.
 */
function conv2dPad1(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.conv2d(tf.pad(x, P1), kernel, stride, 'valid');
}

function convLayer(w: AecrWeights, n: string, x: tf.Tensor4D, stride = 1, pad: 'same' | 'valid' | typeof P1 = 'same'): tf.Tensor4D {
  const k = get(w, `${n}kernel`) as tf.Tensor4D;
  return tf.add(pad === P1 ? conv2dPad1(x, k, stride) : tf.conv2d(x, k, stride, pad), get(w, `${n}bias`)) as tf.Tensor4D;
}

/**
 * PyTorch ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1): out[2i − 1 + k] += x[i]·w[k],
 * size 2H × 2W. kernel: TF.js conv2dTranspose layout [3, 3, out, in].
 */
export function convTranspose2dTorch(x: tf.Tensor4D, kernel: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [b, h, wd] = x.shape;
  const cout = kernel.shape[2];
  if (kernel.shape[0] !== 3 || kernel.shape[1] !== 3 || kernel.shape[3] !== x.shape[3]) throw new Error(`convTranspose2dTorch needs a [3, 3, out, ${x.shape[3]}] kernel, got [${kernel.shape.join(', ')}]`);
  return tf.tidy(() => {
    // 'valid' gives out[2i + k] on (2H + 1) × (2W + 1); dropping the first row/column shifts to 2i − 1 + k.
    const full = tf.conv2dTranspose(x, kernel, [b, 2 * h + 1, 2 * wd + 1, cout], 2, 'valid');
    const out = tf.slice(full, [0, 1, 1, 0], [b, 2 * h, 2 * wd, cout]);
    return (bias ? tf.add(out, bias) : out) as tf.Tensor4D;
  });
}

const convTranspose = (w: AecrWeights, n: string, x: tf.Tensor4D): tf.Tensor4D => convTranspose2dTorch(x, get(w, `${n}/kernel`) as tf.Tensor4D, get(w, `${n}/bias`) as tf.Tensor1D);

const reflect3 = (x: tf.Tensor4D): tf.Tensor4D =>
  tf.mirrorPad(
    x,
    [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
    'reflect',
  );

function faForward(w: AecrWeights, m: string, x: tf.Tensor4D): tf.Tensor4D {
  let r = tf.add(tf.relu(convLayer(w, `${m}/conv1/`, x)), x) as tf.Tensor4D;
  r = convLayer(w, `${m}/conv2/`, r);
  const pooled = tf.mean(r, [1, 2], true) as tf.Tensor4D;
  r = tf.mul(r, tf.sigmoid(convLayer(w, `${m}/ca2/`, tf.relu(convLayer(w, `${m}/ca1/`, pooled))))) as tf.Tensor4D;
  r = tf.mul(r, tf.sigmoid(convLayer(w, `${m}/pa2/`, tf.relu(convLayer(w, `${m}/pa1/`, r))))) as tf.Tensor4D;
  return tf.add(r, x) as tf.Tensor4D;
}

/** The value of fn() as a tensor with no gradient: its ops run inside one custom-gradient op whose only input is a dummy. */
function offTape(fn: () => tf.Tensor): tf.Tensor {
  return tf.customGrad((dummy, _save) => ({ value: fn(), gradFunc: () => tf.zerosLike(dummy as tf.Tensor) }))(tf.scalar(0));
}

/**
 * Modulated deformable 3×3-style conv (DCNv2), stride 1, padding (k−1)/2, dilation 1, one
 * deformable group. x [B, H, W, C]; offsets [B, H, W, 2k²] with channel 2t = Δy and 2t+1 = Δx of
 * tap t = i·k + j (DCNv2's layout); masks [B, H, W, k²] (already in [0, 1]); kernel [k, k, C, O]
 * (HWIO); bias [O]. Sample of tap t at output (y, x): bilinear(x, y − pad + i + Δy, x − pad + j + Δx),
 * every corner outside the image contributing 0, as DCNv2's dmcn_im2col_bilinear does.
 */
export function deformConv2d(x: tf.Tensor4D, offsets: tf.Tensor4D, masks: tf.Tensor4D, kernel: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const k = kernel.shape[0];
  if (kernel.shape[1] !== k || k % 2 !== 1) throw new Error(`deformConv2d needs a square odd kernel, got ${kernel.shape.slice(0, 2).join('×')}`);
  if (kernel.shape[2] !== c) throw new Error(`kernel takes ${kernel.shape[2]} channels, input has ${c}`);
  if (offsets.shape.join() !== [b, h, w, 2 * k * k].join()) throw new Error(`offsets must be [${b}, ${h}, ${w}, ${2 * k * k}], got [${offsets.shape.join(', ')}]`);
  if (masks.shape.join() !== [b, h, w, k * k].join()) throw new Error(`masks must be [${b}, ${h}, ${w}, ${k * k}], got [${masks.shape.join(', ')}]`);
  const pad = (k - 1) / 2;
  const kk = k * k;
  if (b * h * w * kk * 4 >= 2 ** 24) throw new Error(`deformConv2d: ${b}×${h}×${w} positions × ${kk} taps × 4 corners exceeds 2^24 samples per call; split the batch`);
  return tf.tidy(() => {
    const flat = tf.reshape(x, [b * h * w, c]) as tf.Tensor2D;
    // Sampling positions for every (position, tap): [B, H, W, k²].
    const off = tf.reshape(offsets, [b, h, w, kk, 2]);
    const dy = tf.squeeze(tf.slice(off, [0, 0, 0, 0, 0], [b, h, w, kk, 1]), [4]);
    const dx = tf.squeeze(tf.slice(off, [0, 0, 0, 0, 1], [b, h, w, kk, 1]), [4]);
    const tapY = tf.tensor1d(Array.from({ length: kk }, (_, t) => Math.floor(t / k) - pad));
    const tapX = tf.tensor1d(Array.from({ length: kk }, (_, t) => (t % k) - pad));
    const py = tf.add(tf.add(tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1, 1]), tapY), dy);
    const px = tf.add(tf.add(tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w, 1]), tapX), dx);
    // Corner positions, flat indices and in-image flags carry no gradient (floor is piecewise
    // constant): computed off the tape, so that the int32 gather indices are not on it.
    const y0 = offTape(() => tf.floor(py));
    const x0 = offTape(() => tf.floor(px));
    const ly = tf.sub(py, y0);
    const lx = tf.sub(px, x0);
    const [hy, hx] = [tf.sub(1, ly), tf.sub(1, lx)];
    // Corners (0,0), (0,1), (1,0), (1,1): bilinear weights [B, H, W, k², 4].
    const cornerW = tf.stack([tf.mul(hy, hx), tf.mul(hy, lx), tf.mul(ly, hx), tf.mul(ly, lx)], 4);
    const [idx, valid] = offTape(() => {
      const cy = tf.stack([y0, y0, tf.add(y0, 1), tf.add(y0, 1)], 4);
      const cx = tf.stack([x0, tf.add(x0, 1), x0, tf.add(x0, 1)], 4);
      const inside = tf.cast(tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(cy, 0), tf.less(cy, h)), tf.logicalAnd(tf.greaterEqual(cx, 0), tf.less(cx, w))), 'float32');
      const batchBase = tf.reshape(tf.mul(tf.range(0, b, 1, 'float32'), h * w), [b, 1, 1, 1, 1]);
      const flatIdx = tf.add(batchBase, tf.add(tf.mul(tf.clipByValue(cy, 0, h - 1), w), tf.clipByValue(cx, 0, w - 1)));
      return tf.stack([flatIdx, inside]);
    }).unstack() as [tf.Tensor, tf.Tensor];
    const rows = gatherRows(flat, tf.cast(tf.reshape(idx, [-1]), 'int32') as tf.Tensor1D);
    const v = tf.reshape(rows, [b, h, w, kk, 4, c]);
    const sampled = tf.sum(tf.mul(v, tf.expandDims(tf.mul(cornerW, valid), 5)), 4); // [B, H, W, k², C]
    const modulated = tf.mul(sampled, tf.expandDims(masks, 4));
    const cols = tf.reshape(modulated, [b * h * w, kk * c]);
    let out = tf.matMul(cols, tf.reshape(kernel, [kk * c, kernel.shape[3]]));
    if (bias) out = tf.add(out, bias);
    return tf.reshape(out, [b, h, w, kernel.shape[3]]) as tf.Tensor4D;
  });
}

/**
 * tf.gather of rows with a scatter-add gradient (tf.scatterND sums duplicate indices). TF.js'
 * own GatherV2 gradient goes through unsortedSegmentSum, which the CPU backend runs as one
 * full pass per segment (quadratic in the number of rows).
 */
function gatherRows(flat: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  return tf.customGrad((f, save) => {
    // The indices are not an input (they have no gradient); saved so the tape keeps them.
    (save as tf.GradSaveFunc)([idx]);
    return {
      value: tf.gather(f as tf.Tensor2D, idx),
      gradFunc: (dy, [i]) => tf.scatterND(tf.expandDims(i!, 1), dy as tf.Tensor, (f as tf.Tensor).shape),
    };
  })(flat) as tf.Tensor2D;
}

function dcnForward(w: AecrWeights, m: string, kind: DcnKind, x: tf.Tensor4D): tf.Tensor4D {
  if (kind === 'plain-conv-standin') return convLayer(w, `${m}/`, x);
  const om = convLayer(w, `${m}/offset/`, x);
  const [b, h, wd] = x.shape;
  // torch.chunk(out, 3, dim=1) → o1, o2, mask; offset = cat(o1, o2): the first 18 channels as they are.
  const offsets = tf.slice(om, [0, 0, 0, 0], [b, h, wd, 18]);
  const masks = tf.sigmoid(tf.slice(om, [0, 0, 0, 18], [b, h, wd, 9]));
  return deformConv2d(x, offsets, masks, get(w, `${m}/kernel`) as tf.Tensor4D, get(w, `${m}/bias`) as tf.Tensor1D);
}

const mix = (w: AecrWeights, m: string, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => {
  const s = tf.sigmoid(get(w, `${m}/w`));
  return tf.add(tf.mul(a, s), tf.mul(b, tf.sub(1, s))) as tf.Tensor4D;
};

/** Extracts the 3×3 patches of x at `stride` with zero padding 1, as torch unfold: [N·L, C·9], feature c·9 + kh·3 + kw. */
export function unfold3x3(x: tf.Tensor4D, stride: number): tf.Tensor2D {
  const c = x.shape[3];
  return tf.tidy(() => {
    const eye = new Float32Array(9 * c * 9 * c);
    for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) for (let ch = 0; ch < c; ch++) eye[((kh * 3 + kw) * c + ch) * 9 * c + ch * 9 + kh * 3 + kw] = 1;
    const patches = conv2dPad1(x, tf.tensor4d(eye, [3, 3, c, 9 * c]), stride);
    return tf.reshape(patches, [-1, 9 * c]) as tf.Tensor2D;
  });
}

/** Σ^(−1/2) by models/deconv.py isqrt_newton_schulz_autograd (differentiable). */
export function isqrtNewtonSchulz(a: tf.Tensor2D, iterations: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = a.shape[0];
    const norm = tf.norm(a);
    let y = tf.div(a, norm) as tf.Tensor2D;
    const eye = tf.eye(n);
    let z = tf.eye(n) as tf.Tensor2D;
    for (let i = 0; i < iterations; i++) {
      const t = tf.mul(0.5, tf.sub(tf.mul(3, eye), tf.matMul(z, y))) as tf.Tensor2D;
      y = tf.matMul(y, t);
      z = tf.matMul(t, z);
    }
    return tf.div(z, tf.sqrt(norm)) as tf.Tensor2D;
  });
}

export interface FastDeconvState {
  training: boolean;
  /** deconv/running_mean and deconv/running_deconv; updated in place in training. */
  buffers: Map<string, tf.Variable>;
}

/** FastDeconv(3, 3, 3, stride 1, padding 1), groups 1, block 3 (see the file comment). */
export function fastDeconv(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D, state: FastDeconvState): tf.Tensor4D {
  const runMean = state.buffers.get('deconv/running_mean');
  const runDeconv = state.buffers.get('deconv/running_deconv');
  if (!runMean || !runDeconv) throw new Error('fastDeconv needs deconv/running_mean and deconv/running_deconv buffers');
  const f = FAST_DECONV.features;
  const [cin, cout] = [kernel.shape[2], kernel.shape[3]];
  if (cin * 9 !== f) throw new Error(`fastDeconv is set up for 3 input channels (27 patch features), got ${cin}`);
  return tf.tidy(() => {
    let mean: tf.Tensor1D;
    let deconv: tf.Tensor2D;
    if (state.training) {
      const patches = unfold3x3(x, FAST_DECONV.samplingStride);
      mean = tf.mean(patches, 0) as tf.Tensor1D;
      const centred = tf.sub(patches, mean) as tf.Tensor2D;
      const cov = tf.add(tf.mul(tf.eye(f), FAST_DECONV.eps), tf.div(tf.matMul(centred, centred, true, false), patches.shape[0])) as tf.Tensor2D;
      deconv = isqrtNewtonSchulz(cov, FAST_DECONV.iterations);
      const m = FAST_DECONV.momentum;
      // Running statistics take the values only (PyTorch: .detach()); assign is not differentiated.
      runMean.assign(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m)) as tf.Tensor1D);
      runDeconv.assign(tf.add(tf.mul(runDeconv, 1 - m), tf.mul(deconv, m)) as tf.Tensor2D);
    } else {
      mean = runMean as unknown as tf.Tensor1D;
      deconv = runDeconv as unknown as tf.Tensor2D;
    }
    // Kernel as [27, out] rows c·9 + kh·3 + kw (PyTorch weight.view(out, 27)ᵀ); W' = Dᵀ·W.
    const wMat = tf.reshape(tf.transpose(kernel, [2, 0, 1, 3]), [f, cout]);
    const wNew = tf.matMul(deconv, wMat, true, false);
    const bNew = tf.sub(bias, tf.reshape(tf.matMul(tf.reshape(mean, [1, f]), wNew), [cout]));
    const kNew = tf.transpose(tf.reshape(wNew, [cin, 3, 3, cout]), [1, 2, 0, 3]) as tf.Tensor4D;
    return tf.add(conv2dPad1(x, kNew, 1), bNew) as tf.Tensor4D;
  });
}

/**
 * The forward pass on given weights (variables or plain tensors keyed by spec name). With the
 * default preprocess 'fast-deconv', `state` carries the running statistics and the mode.
 */
export function aecrForward(w: AecrWeights, c: AecrConfig, x: tf.Tensor4D, state?: FastDeconvState): tf.Tensor4D {
  const [, h, wd, ch] = x.shape;
  if (ch !== 3) throw new Error(`AECR-Net takes RGB input, got ${ch} channels`);
  if (h % 4 !== 0 || wd % 4 !== 0 || h < 4 || wd < 4) throw new Error(`AECR-Net input height and width must be multiples of 4 (two stride-2 stages), at least 4; got ${h}×${wd}`);
  return tf.tidy(() => {
    const pre = c.preprocess ?? 'fast-deconv';
    if (pre === 'fast-deconv' && !state) throw new Error("preprocess 'fast-deconv' needs its running statistics (state); build the net with buildAecr");
    const x0 = pre === 'fast-deconv' ? fastDeconv(x, get(w, 'deconv/kernel') as tf.Tensor4D, get(w, 'deconv/bias') as tf.Tensor1D, state!) : convLayer(w, 'deconv/', x);
    const d1 = tf.relu(convLayer(w, 'down1/', reflect3(x0), 1, 'valid'));
    const d2 = tf.relu(convLayer(w, 'down2/', d1, 2, P1));
    const d3 = tf.relu(convLayer(w, 'down3/', d2, 2, P1));
    let hdn = d3;
    for (const m of faModules(c)) hdn = faForward(w, m, hdn);
    for (const m of dcnModules(c)) hdn = dcnForward(w, m, c.dcn, hdn);
    const m1 = mix(w, 'mix1', d3, hdn);
    const u1 = tf.relu(convTranspose(w, 'up1', m1));
    const m2 = mix(w, 'mix2', d2, u1);
    const u2 = tf.relu(convTranspose(w, 'up2', m2));
    return tf.tanh(convLayer(w, 'up3/', reflect3(u2), 1, 'valid'));
  });
}
