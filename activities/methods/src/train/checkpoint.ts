/**
 * Training state ⇄ bytes. A checkpoint holds the model weights, the optimizer's slots and the
 * position in the data stream, so a resumed run continues bit-for-bit where it stopped.
 */
export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TrainPosition {
  /** Optimizer steps taken so far. */
  step: number;
  epoch: number;
  /** Index of the next batch within `epoch`. */
  batchInEpoch: number;
}

export interface TrainCheckpoint {
  position: TrainPosition;
  weights: NamedArray[];
  optimizer: NamedArray[];
  /** Free-form extras a method needs to resume (masks, schedule position …). */
  meta: Record<string, unknown>;
}

const MAGIC = 'RLCK1\n';

export function encodeCheckpoint(ck: TrainCheckpoint): Uint8Array {
  const describe = (arrs: NamedArray[]) => arrs.map((a) => ({ name: a.name, shape: a.shape, length: a.values.length }));
  const header = JSON.stringify({ position: ck.position, meta: ck.meta, weights: describe(ck.weights), optimizer: describe(ck.optimizer) });
  const head = new TextEncoder().encode(MAGIC + header + '\n');
  // Pad so the float payload starts 4-byte aligned and can be viewed without copying.
  const pad = (4 - (head.length % 4)) % 4;
  const arrays = [...ck.weights, ...ck.optimizer];
  const floats = arrays.reduce((n, a) => n + a.values.length, 0);
  const out = new Uint8Array(head.length + pad + floats * 4);
  out.set(head, 0);
  const f = new Float32Array(out.buffer, head.length + pad, floats);
  let o = 0;
  for (const a of arrays) {
    f.set(a.values, o);
    o += a.values.length;
  }
  return out;
}

/**
 * The meta of a checkpoint from a prefix of its bytes (the JSON header comes first), so a caller
 * can tell what a large artifact holds without reading its weights. Undefined when the prefix
 * is not an RLCK1 header or ends before the header does.
 */
export function checkpointMeta(prefix: Uint8Array): Record<string, unknown> | undefined {
  if (new TextDecoder().decode(prefix.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  const nl = prefix.indexOf(10, MAGIC.length);
  if (nl < 0) return undefined;
  return (JSON.parse(new TextDecoder().decode(prefix.subarray(MAGIC.length, nl))) as { meta: Record<string, unknown> }).meta;
}

export function decodeCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('not a reprolab checkpoint (missing RLCK1 header)');
  const nl = bytes.indexOf(10, MAGIC.length);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, nl))) as {
    position: TrainPosition;
    meta: Record<string, unknown>;
    weights: { name: string; shape: number[]; length: number }[];
    optimizer: { name: string; shape: number[]; length: number }[];
  };
  const headLen = nl + 1;
  const start = headLen + ((4 - (headLen % 4)) % 4);
  const copy = bytes.slice(start); // aligned copy, independent of the caller's buffer
  const floats = new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  let o = 0;
  const read = (list: { name: string; shape: number[]; length: number }[]): NamedArray[] =>
    list.map((d) => {
      const values = floats.subarray(o, o + d.length);
      if (values.length !== d.length) throw new Error(`corrupt checkpoint: ${d.name} truncated`);
      o += d.length;
      return { name: d.name, shape: d.shape, values };
    });
  const weights = read(header.weights);
  const optimizer = read(header.optimizer);
  return { position: header.position, meta: header.meta, weights, optimizer };
}
