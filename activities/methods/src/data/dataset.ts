/**
 * The in-memory image-classification dataset and its on-disk encoding ("RLDS1"): a JSON header
 * followed by raw uint8 pixels and labels. Stored once per content digest in the object store.
 */
export interface ImageDataset {
  name: string;
  /** [height, width, channels] of every image. */
  shape: [number, number, number];
  classes: number;
  train: { images: Uint8Array; labels: Uint8Array };
  test: { images: Uint8Array; labels: Uint8Array };
  /** Where the data came from. Provenance, kept in the metadata database, not in the stored bytes. */
  source: string;
}

const MAGIC = 'RLDS1\n';

interface Header {
  name: string;
  shape: [number, number, number];
  classes: number;
  trainCount: number;
  testCount: number;
}

export function datasetCounts(d: ImageDataset): { train: number; test: number } {
  return { train: d.train.labels.length, test: d.test.labels.length };
}

export function validateDataset(d: ImageDataset): void {
  const [h, w, c] = d.shape;
  const px = h * w * c;
  if (![h, w, c].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`dataset ${d.name}: bad shape ${JSON.stringify(d.shape)}`);
  for (const split of ['train', 'test'] as const) {
    const { images, labels } = d[split];
    if (images.length !== labels.length * px) {
      throw new Error(`dataset ${d.name}: ${split} has ${labels.length} labels but ${images.length} pixel bytes (expected ${labels.length * px})`);
    }
    for (const l of labels) if (l >= d.classes) throw new Error(`dataset ${d.name}: ${split} label ${l} ≥ classes ${d.classes}`);
  }
}

export function encodeDataset(d: ImageDataset): Uint8Array {
  validateDataset(d);
  const header: Header = {
    name: d.name,
    shape: d.shape,
    classes: d.classes,
    trainCount: d.train.labels.length,
    testCount: d.test.labels.length,
  };
  // The source is left out so the same data imported from two places has one digest.
  const head = new TextEncoder().encode(MAGIC + JSON.stringify(header) + '\n');
  const parts = [head, d.train.images, d.train.labels, d.test.images, d.test.labels];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function decodeDataset(bytes: Uint8Array): ImageDataset {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('not a reprolab dataset (missing RLDS1 header); import raw data with `reprolab data import`');
  const nl = bytes.indexOf(10, MAGIC.length);
  if (nl < 0) throw new Error('corrupt dataset: unterminated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, nl))) as Header;
  const px = header.shape[0] * header.shape[1] * header.shape[2];
  let o = nl + 1;
  const take = (n: number): Uint8Array => {
    if (o + n > bytes.length) throw new Error(`corrupt dataset ${header.name}: truncated (need ${o + n} bytes, have ${bytes.length})`);
    const v = bytes.subarray(o, o + n);
    o += n;
    return v;
  };
  const d: ImageDataset = {
    name: header.name,
    shape: header.shape,
    classes: header.classes,
    source: '',
    train: { images: take(header.trainCount * px), labels: take(header.trainCount) },
    test: { images: take(header.testCount * px), labels: take(header.testCount) },
  };
  validateDataset(d);
  return d;
}
