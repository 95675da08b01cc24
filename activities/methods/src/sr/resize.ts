/**
 * Bicubic downsampling as MATLAB's imresize(img, 1/s, 'bicubic') does it, which is how DIV2K's and
 * the SR benchmarks' LR images are made (EDSR/CSD train and test on those files):
 *  - cubic kernel with a = −0.5 (MATLAB's, not PyTorch's −0.75), widened by s as an antialiasing
 *    filter (weights s⁻¹·cubic(x/s), 4·s taps), weights normalised to sum 1 per output pixel;
 *  - output pixel u (1-based) centred at u·s + 0.5·(1 − s) in input coordinates;
 *  - symmetric (mirror) padding at the borders.
 * Pure TS in float64; the caller rounds to uint8 when it wants stored-PNG inputs.
 */

function cubicMatlab(x: number): number {
  const a = Math.abs(x);
  if (a <= 1) return 1.5 * a ** 3 - 2.5 * a ** 2 + 1;
  if (a <= 2) return -0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2;
  return 0;
}

/** [outSize × inSize] row-major weights for one axis, downscaling by the integer factor s. */
export function bicubicDownMatrix(inSize: number, s: number): Float64Array {
  if (!Number.isInteger(s) || s < 1) throw new Error(`downscale factor must be a positive integer, got ${s}`);
  if (inSize % s !== 0) throw new Error(`size ${inSize} is not a multiple of the factor ${s}`);
  const outSize = inSize / s;
  const m = new Float64Array(outSize * inSize);
  const width = 4 * s;
  const taps = Math.ceil(width) + 2;
  const mirror = (i: number) => {
    // MATLAB's symmetric padding on 0-based indices: −1 → 0, inSize → inSize − 1.
    const p = 2 * inSize;
    const k = ((i % p) + p) % p;
    return k < inSize ? k : p - 1 - k;
  };
  for (let u = 1; u <= outSize; u++) {
    const x = u * s + 0.5 * (1 - s);
    const left = Math.floor(x - width / 2);
    const w: number[] = [];
    for (let j = 0; j < taps; j++) w.push(cubicMatlab((x - (left + j)) / s) / s);
    const sum = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < taps; j++) {
      if (w[j] === 0) continue;
      const i = mirror(left + j - 1); // 1-based → 0-based
      m[(u - 1) * inSize + i] = m[(u - 1) * inSize + i]! + w[j]! / sum;
    }
  }
  return m;
}

/** Downscales an interleaved H×W×C image by s along both axes (rows first, then columns). */
export function bicubicDownsample(img: { height: number; width: number; channels: number; data: ArrayLike<number> }, s: number): { height: number; width: number; channels: number; data: Float64Array } {
  const { height: h, width: w, channels: c } = img;
  if (img.data.length !== h * w * c) throw new Error(`image data has ${img.data.length} values, expected ${h}·${w}·${c}`);
  const mh = bicubicDownMatrix(h, s);
  const mw = bicubicDownMatrix(w, s);
  const oh = h / s;
  const ow = w / s;
  const rows = new Float64Array(oh * w * c);
  for (let u = 0; u < oh; u++) {
    for (let i = 0; i < h; i++) {
      const k = mh[u * h + i]!;
      if (k === 0) continue;
      for (let x = 0; x < w * c; x++) rows[u * w * c + x] = rows[u * w * c + x]! + k * img.data[i * w * c + x]!;
    }
  }
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    for (let v = 0; v < ow; v++) {
      for (let j = 0; j < w; j++) {
        const k = mw[v * w + j]!;
        if (k === 0) continue;
        for (let ch = 0; ch < c; ch++) out[(y * ow + v) * c + ch] = out[(y * ow + v) * c + ch]! + k * rows[(y * w + j) * c + ch]!;
      }
    }
  }
  return { height: oh, width: ow, channels: c, data: out };
}
