/**
 * Architecture specs of the SR networks CSD (arXiv 2105.11683) compresses, as flat lists of conv
 * layers, and exact parameter / multiply-accumulate (MAC) counts derived from those lists.
 *
 * Channel splitting follows the authors' PyTorch code (github.com/Booooooooooo/CSD, "PyTorch
 * version/model/{edsr,rcan,carn,common}.py"): at width w every conv keeps its first
 * int(c·w) input and output channels (Python int() truncates), except that the RGB side stays
 * whole: the head's 3 input channels and the tail's 3 output channels. The sub-pixel upsampler
 * keeps 4·int(nf·w) (×2 stages) or 9·int(nf·w) (×3) outputs, which with PyTorch's pixel-shuffle
 * channel order (c·r² + i·r + j) are exactly the channels of the first int(nf·w) shuffled maps.
 * The mean shift (two fixed 1×1 convs) is not trainable and is left out of every count here; the
 * authors' `--model_stat` counts it (24 more parameters, 2×(3·3+3)).
 */

export type SrScale = 2 | 3 | 4;

/** One conv as the counters see it. `resolution` is its output side as a multiple of the LR side. */
export interface ConvLayer {
  name: string;
  kernel: number;
  cin: number;
  cout: number;
  bias: boolean;
  resolution: number;
  /** Channel-attention convs run on a globally pooled 1×1 map, so they cost cin·cout MACs. */
  pooled: boolean;
}

/** EDSR (Lim et al. 2017) as CSD builds it; the paper's EDSR is 32 blocks, 256 feats, res_scale 0.1. */
export interface EdsrArch {
  kind: 'edsr';
  nResblocks: number;
  nFeats: number;
  resScale: number;
  scale: SrScale;
}

/** RCAN (Zhang et al. 2018): groups of RCABs (conv-ReLU-conv + channel attention). */
export interface RcanArch {
  kind: 'rcan';
  nResgroups: number;
  nResblocks: number;
  nFeats: number;
  reduction: number;
  scale: SrScale;
}

/** CARN (Ahn et al. 2018) as in CSD's carn.py: 3 cascading blocks of 3 residual blocks, 1×1 fusions. */
export interface CarnArch {
  kind: 'carn';
  nFeats: number;
  scale: SrScale;
}

export type SrArch = EdsrArch | RcanArch | CarnArch;

/** The teacher of the paper's Table 1 ("EDSR+"): `--n_resblocks 32 --n_feats 256 --res_scale 0.1`. */
export const edsrPaper = (scale: SrScale): EdsrArch => ({ kind: 'edsr', nResblocks: 32, nFeats: 256, resScale: 0.1, scale });
/** EDSR-baseline (16 blocks, 64 feats, no residual scaling), the CPU-sized variant. */
export const edsrBaseline = (scale: SrScale): EdsrArch => ({ kind: 'edsr', nResblocks: 16, nFeats: 64, resScale: 1, scale });
/** RCAN as published: 10 groups × 20 RCAB, 64 feats, reduction 16. */
export const rcanPaper = (scale: SrScale): RcanArch => ({ kind: 'rcan', nResgroups: 10, nResblocks: 20, nFeats: 64, reduction: 16, scale });
/** CARN with 64 feats (the published width). */
export const carnPaper = (scale: SrScale): CarnArch => ({ kind: 'carn', nFeats: 64, scale });

function bad(name: string, value: unknown, want: string): never {
  throw new Error(`${name} must be ${want}, got ${JSON.stringify(value)}`);
}

/** Channels a width-w student keeps of a c-channel layer: int(c·w), as the authors' slicing does. */
export function splitChannels(channels: number, width: number): number {
  if (!(width > 0 && width <= 1)) bad('width', width, 'in (0, 1]');
  const kept = Math.floor(channels * width);
  if (kept < 1) bad('width', width, `large enough to keep at least one of ${channels} channels`);
  return kept;
}

function checkArch(a: SrArch): void {
  if (![2, 3, 4].includes(a.scale)) bad('scale', a.scale, '2, 3 or 4');
  if (!Number.isInteger(a.nFeats) || a.nFeats < 1) bad('nFeats', a.nFeats, 'a positive integer');
  if (a.kind !== 'carn' && (!Number.isInteger(a.nResblocks) || a.nResblocks < 1)) bad('nResblocks', a.nResblocks, 'a positive integer');
  if (a.kind === 'rcan') {
    if (!Number.isInteger(a.nResgroups) || a.nResgroups < 1) bad('nResgroups', a.nResgroups, 'a positive integer');
    if (!Number.isInteger(a.reduction) || a.reduction < 1 || a.nFeats % a.reduction !== 0) bad('reduction', a.reduction, `a divisor of nFeats (${a.nFeats})`);
  }
}

const conv = (name: string, kernel: number, cin: number, cout: number, resolution = 1): ConvLayer => ({ name, kernel, cin, cout, bias: true, resolution, pooled: false });

/** The sub-pixel upsampler of CSD's common.Upsampler: ×3 one conv to 9·nf, ×2/×4 one or two convs to 4·nf. */
export function upsamplerLayers(scale: SrScale, feats: number): ConvLayer[] {
  if (scale === 3) return [conv('up1', 3, feats, 9 * feats)];
  const stages = scale === 4 ? 2 : 1;
  // Stage k runs at 2^(k-1)× the LR side: each earlier stage has already doubled it.
  return Array.from({ length: stages }, (_, k) => conv(`up${k + 1}`, 3, feats, 4 * feats, 2 ** k));
}

/** Head + body + tail shared by all three nets: head conv, upsampler, tail conv at HR resolution. */
function wrapBody(scale: SrScale, feats: number, body: ConvLayer[]): ConvLayer[] {
  return [conv('head', 3, 3, feats), ...body, ...upsamplerLayers(scale, feats), conv('tail', 3, feats, 3, scale)];
}

function edsrLayers(a: EdsrArch, width: number): ConvLayer[] {
  const f = splitChannels(a.nFeats, width);
  const body: ConvLayer[] = [];
  for (let b = 1; b <= a.nResblocks; b++) body.push(conv(`rb${b}_conv1`, 3, f, f), conv(`rb${b}_conv2`, 3, f, f));
  body.push(conv('body_conv', 3, f, f));
  return wrapBody(a.scale, f, body);
}

function rcanLayers(a: RcanArch, width: number): ConvLayer[] {
  const f = splitChannels(a.nFeats, width);
  // CSD's SlimModule slices the squeeze conv to int((nf // r)·w) outputs, not int(nf·w) // r.
  const squeeze = splitChannels(Math.floor(a.nFeats / a.reduction), width);
  const body: ConvLayer[] = [];
  for (let g = 1; g <= a.nResgroups; g++) {
    for (let b = 1; b <= a.nResblocks; b++) {
      const p = `g${g}b${b}`;
      body.push(conv(`${p}_conv1`, 3, f, f), conv(`${p}_conv2`, 3, f, f));
      body.push({ ...conv(`${p}_ca1`, 1, f, squeeze), pooled: true }, { ...conv(`${p}_ca2`, 1, squeeze, f), pooled: true });
    }
    body.push(conv(`g${g}_conv`, 3, f, f));
  }
  body.push(conv('body_conv', 3, f, f));
  return wrapBody(a.scale, f, body);
}

/** One CARN cascade: 3 units (a residual block here, or a whole block at the outer level) + 1×1 fusions. */
function carnCascade(prefix: string, f: number, fused: (k: number) => number, unit: (u: string) => ConvLayer[]): ConvLayer[] {
  const out: ConvLayer[] = [];
  for (let k = 1; k <= 3; k++) out.push(...unit(`${prefix}b${k}`), conv(`${prefix}c${k}`, 1, fused(k + 1), f));
  return out;
}

function carnLayers(a: CarnArch, width: number): ConvLayer[] {
  const f = splitChannels(a.nFeats, width);
  // The 1×1 fusion after k concatenated maps keeps int(k·nf·w) inputs (CSD's SlimModule on k·nf).
  const fused = (k: number) => splitChannels(k * a.nFeats, width);
  const resBlock = (p: string) => [conv(`${p}_conv1`, 3, f, f), conv(`${p}_conv2`, 3, f, f)];
  const block = (p: string) => carnCascade(`${p}_`, f, fused, resBlock);
  return wrapBody(a.scale, f, carnCascade('', f, fused, block));
}

/** Every conv of `arch` at channel-splitting width `width` (1 = the teacher), in forward order. */
export function srConvLayers(arch: SrArch, width = 1): ConvLayer[] {
  checkArch(arch);
  if (arch.kind === 'edsr') return edsrLayers(arch, width);
  if (arch.kind === 'rcan') return rcanLayers(arch, width);
  return carnLayers(arch, width);
}

export function layerParams(l: ConvLayer): number {
  return l.kernel * l.kernel * l.cin * l.cout + (l.bias ? l.cout : 0);
}

/** MACs of one conv for an lrHeight×lrWidth input (bias adds and activations are not counted). */
export function layerMacs(l: ConvLayer, lrHeight: number, lrWidth: number): number {
  const positions = l.pooled ? 1 : l.resolution * lrHeight * l.resolution * lrWidth;
  return positions * l.kernel * l.kernel * l.cin * l.cout;
}

export function countParams(layers: readonly ConvLayer[]): number {
  return layers.reduce((n, l) => n + layerParams(l), 0);
}

export function countMacs(layers: readonly ConvLayer[], lrHeight: number, lrWidth: number): number {
  if (!Number.isInteger(lrHeight) || !Number.isInteger(lrWidth) || lrHeight < 1 || lrWidth < 1) bad('LR size', [lrHeight, lrWidth], 'two positive integers');
  return layers.reduce((n, l) => n + layerMacs(l, lrHeight, lrWidth), 0);
}

/** Parameters and MACs of `arch` at `width`, for one lrHeight×lrWidth input. */
export function srComplexity(arch: SrArch, width: number, lrHeight: number, lrWidth: number): { params: number; macs: number } {
  const layers = srConvLayers(arch, width);
  return { params: countParams(layers), macs: countMacs(layers, lrHeight, lrWidth) };
}
