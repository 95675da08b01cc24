/**
 * Sparse checkpoint encoding ("RLSP1"): each mask is stored once as a bitmask (1 bit/weight), and
 * every array that is zero wherever some mask of the same length is 0 (a pruned kernel, its
 * momentum / Adam moments) stores only its kept values. Everything else is stored densely.
 * Lossless: decodeSparseCheckpoint(encodeSparseCheckpoint(ck)) equals ck, masks included. At 90%
 * sparsity a kernel costs 0.1·4 + 1/8 bytes per weight instead of 4.
 *
 * Layout: MAGIC, JSON header line, mask bits (in header order), zero pad to 4 bytes, float32 values.
 */
import { encodeCheckpoint, decodeCheckpoint, type NamedArray, type TrainCheckpoint } from '../train/checkpoint';
import { decodeMaskSet, packMask, unpackMask, type Mask, type MaskSet } from './masks';
import { readGapState, withGapState } from './state';

const MAGIC = 'RLSP1\n';

interface ArrayHeader {
  name: string;
  shape: number[];
  length: number;
  /** Index into header.masks when only the kept values are stored. */
  mask?: number;
}

interface Header {
  position: TrainCheckpoint['position'];
  /** meta without gap.masks (those are the bit section). */
  meta: Record<string, unknown>;
  masks: { layer: string; n: number }[];
  weights: ArrayHeader[];
  optimizer: ArrayHeader[];
}

function zeroOffMask(values: Float32Array, mask: Mask): boolean {
  // Object.is: a -0 off the mask must be stored densely to stay bit-exact.
  for (let i = 0; i < values.length; i++) if (!mask[i] && !Object.is(values[i], 0)) return false;
  return true;
}

export function encodeSparseCheckpoint(ck: TrainCheckpoint): Uint8Array {
  const state = readGapState(ck);
  const maskSet: MaskSet = state ? decodeMaskSet(state.masks) : {};
  const maskList = Object.entries(maskSet);
  const floats: Float32Array[] = [];
  const describe = (a: NamedArray, preferLayer?: string): ArrayHeader => {
    const candidates = maskList.map(([layer, m], i) => ({ layer, m, i })).filter((c) => c.m.length === a.values.length);
    candidates.sort((x, y) => Number(y.layer === preferLayer) - Number(x.layer === preferLayer));
    const hit = candidates.find((c) => zeroOffMask(a.values, c.m));
    if (!hit) {
      floats.push(a.values);
      return { name: a.name, shape: a.shape, length: a.values.length };
    }
    const kept = new Float32Array(a.values.length);
    let k = 0;
    for (let i = 0; i < a.values.length; i++) if (hit.m[i]) kept[k++] = a.values[i]!;
    floats.push(kept.subarray(0, k));
    return { name: a.name, shape: a.shape, length: a.values.length, mask: hit.i };
  };
  const weights = ck.weights.map((w) => describe(w, w.name.split('/')[0]));
  const optimizer = ck.optimizer.map((o) => describe(o));
  const meta = state ? { ...ck.meta, gap: { ...state, masks: {} } } : ck.meta;
  const header: Header = { position: ck.position, meta, masks: maskList.map(([layer, m]) => ({ layer, n: m.length })), weights, optimizer };
  const head = new TextEncoder().encode(MAGIC + JSON.stringify(header) + '\n');
  const bits = maskList.map(([, m]) => packMask(m));
  const bitBytes = bits.reduce((n, b) => n + b.length, 0);
  const pad = (4 - ((head.length + bitBytes) % 4)) % 4;
  const floatCount = floats.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(head.length + bitBytes + pad + floatCount * 4);
  out.set(head, 0);
  let o = head.length;
  for (const b of bits) {
    out.set(b, o);
    o += b.length;
  }
  const f = new Float32Array(out.buffer, o + pad, floatCount);
  let fo = 0;
  for (const v of floats) {
    f.set(v, fo);
    fo += v.length;
  }
  return out;
}

export function decodeSparseCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw new Error('not a sparse reprolab checkpoint (missing RLSP1 header)');
  const nl = bytes.indexOf(10, MAGIC.length);
  if (nl < 0) throw new Error('corrupt sparse checkpoint: unterminated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, nl))) as Header;
  let o = nl + 1;
  const masks: Mask[] = header.masks.map(({ n }) => {
    const len = Math.ceil(n / 8);
    if (o + len > bytes.length) throw new Error('corrupt sparse checkpoint: mask bits truncated');
    const m = unpackMask(bytes.subarray(o, o + len), n);
    o += len;
    return m;
  });
  o += (4 - (o % 4)) % 4;
  const payload = bytes.slice(o); // aligned copy, independent of the caller's buffer
  const floats = new Float32Array(payload.buffer, payload.byteOffset, Math.floor(payload.byteLength / 4));
  let fo = 0;
  const take = (k: number, name: string) => {
    if (fo + k > floats.length) throw new Error(`corrupt sparse checkpoint: ${name} truncated`);
    const v = floats.subarray(fo, fo + k);
    fo += k;
    return v;
  };
  const read = (list: ArrayHeader[]): NamedArray[] =>
    list.map((d) => {
      if (d.mask === undefined) return { name: d.name, shape: d.shape, values: take(d.length, d.name) };
      const m = masks[d.mask]!;
      let kept = 0;
      for (let i = 0; i < m.length; i++) kept += m[i]!;
      const src = take(kept, d.name);
      const values = new Float32Array(d.length);
      for (let i = 0, k = 0; i < d.length; i++) if (m[i]) values[i] = src[k++]!;
      return { name: d.name, shape: d.shape, values };
    });
  const weights = read(header.weights);
  const optimizer = read(header.optimizer);
  const ck: TrainCheckpoint = { position: header.position, weights, optimizer, meta: header.meta };
  const state = readGapState(ck);
  if (!state) return ck;
  const maskSet = Object.fromEntries(header.masks.map(({ layer }, i) => [layer, masks[i]!]));
  return withGapState(ck, { ...state, masks: maskSet });
}

/** Decodes either encoding (RLCK1 dense or RLSP1 sparse) by its magic. */
export function decodeAnyCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  return new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) === MAGIC ? decodeSparseCheckpoint(bytes) : decodeCheckpoint(bytes);
}

/** Size of the sparse encoding relative to the dense RLCK1 encoding of the same checkpoint. */
export function checkpointSizeRatio(ck: TrainCheckpoint): { sparseBytes: number; denseBytes: number; ratio: number } {
  const sparseBytes = encodeSparseCheckpoint(ck).length;
  const denseBytes = encodeCheckpoint(ck).length;
  return { sparseBytes, denseBytes, ratio: sparseBytes / denseBytes };
}
