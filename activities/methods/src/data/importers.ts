/**
 * Parsers for the formats users bring: MNIST idx and CIFAR-10 binary. Bytes in, dataset out;
 * reading files or S3 objects is the caller's job.
 */
import type { ImageDataset } from './dataset';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ') || 'nothing';

/**
 * Parses an idx file (ubyte data only, as MNIST ships). Returns dims and the payload. `what` names
 * the file in errors; `dims`, when given, is the number of dimensions the caller expects. Every
 * malformed input gives an error saying what was expected and what was found (never a RangeError).
 */
export function parseIdx(bytes: Uint8Array, what: string, dims?: number): { dims: number[]; data: Uint8Array } {
  const magic = `00 00 08 ${dims === undefined ? '<number of dimensions>' : dims.toString(16).padStart(2, '0')}`;
  if (bytes.length < 4) throw new Error(`${what}: truncated idx file: expected the 4-byte magic number ${magic}, found ${bytes.length} byte(s) (${hex(bytes)})`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${what}: not an idx file (bad magic): expected ${magic}, found ${hex(bytes.subarray(0, 4))}`);
  if (bytes[2] !== 0x08) throw new Error(`${what}: idx type 0x${bytes[2]!.toString(16)} unsupported; only unsigned byte (0x08) data is (expected magic ${magic}, found ${hex(bytes.subarray(0, 4))})`);
  const ndim = bytes[3]!;
  if (dims !== undefined && ndim !== dims) throw new Error(`${what}: expected ${dims} dimension(s) (magic ${magic}), found ${ndim} (${hex(bytes.subarray(0, 4))})`);
  const start = 4 + 4 * ndim;
  if (bytes.length < start) throw new Error(`${what}: truncated idx header: ${ndim} dimension(s) need ${start} header bytes, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + size) {
    throw new Error(`${what}: header says ${shape.join('×')} = ${size} bytes of data but the file has ${bytes.length - start}${bytes.length < start + size ? ' (truncated?)' : ''}`);
  }
  return { dims: shape, data: bytes.subarray(start) };
}

/** The largest value, by a loop: spreading a large array into Math.max overflows the call stack. */
export function maxOf(values: Uint8Array, start = 0): number {
  let max = start;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

export interface IdxFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** `fileNames` (e.g. the paths read) name each file in errors; without them, its role does. */
export function mnistFromIdx(files: IdxFiles, name = 'mnist', source = 'idx', fileNames: Partial<Record<keyof IdxFiles, string>> = {}): ImageDataset {
  const split = (imgs: Uint8Array, lbls: Uint8Array, which: 'train' | 'test') => {
    const im = parseIdx(imgs, fileNames[`${which}Images`] ?? `${which} images`, 3);
    const lb = parseIdx(lbls, fileNames[`${which}Labels`] ?? `${which} labels`, 1);
    if (im.dims[0] !== lb.dims[0]) throw new Error(`${which}: ${im.dims[0]} images but ${lb.dims[0]} labels`);
    return { images: im.data, labels: lb.data, rows: im.dims[1]!, cols: im.dims[2]! };
  };
  const train = split(files.trainImages, files.trainLabels, 'train');
  const test = split(files.testImages, files.testLabels, 'test');
  if (train.rows !== test.rows || train.cols !== test.cols) throw new Error('train and test images differ in size');
  const classes = maxOf(test.labels, maxOf(train.labels)) + 1;
  return {
    name,
    shape: [train.rows, train.cols, 1],
    classes,
    source,
    train: { images: train.images, labels: train.labels },
    test: { images: test.images, labels: test.labels },
  };
}

const CIFAR_RECORD = 1 + 32 * 32 * 3;

/**
 * CIFAR-10 binary batches: records of <1 label byte><1024 R><1024 G><1024 B>. Converted to HWC.
 */
export function cifar10FromBinary(trainBatches: Uint8Array[], testBatch: Uint8Array, name = 'cifar10', source = 'cifar-10-binary'): ImageDataset {
  const convert = (batches: Uint8Array[], which: string) => {
    const total = batches.reduce((n, b) => {
      if (b.length % CIFAR_RECORD !== 0) throw new Error(`${which}: ${b.length} bytes is not a whole number of ${CIFAR_RECORD}-byte CIFAR-10 records`);
      return n + b.length / CIFAR_RECORD;
    }, 0);
    const images = new Uint8Array(total * 3072);
    const labels = new Uint8Array(total);
    let n = 0;
    for (const b of batches) {
      for (let r = 0; r < b.length; r += CIFAR_RECORD, n++) {
        const label = b[r]!;
        if (label > 9) throw new Error(`${which}: record ${n} has label ${label}; CIFAR-10 labels are 0..9`);
        labels[n] = label;
        const base = n * 3072;
        for (let p = 0; p < 1024; p++) {
          images[base + p * 3] = b[r + 1 + p]!;
          images[base + p * 3 + 1] = b[r + 1 + 1024 + p]!;
          images[base + p * 3 + 2] = b[r + 1 + 2048 + p]!;
        }
      }
    }
    return { images, labels };
  };
  return { name, shape: [32, 32, 3], classes: 10, source, train: convert(trainBatches, 'train'), test: convert([testBatch], 'test') };
}
