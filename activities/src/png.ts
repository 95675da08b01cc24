/** 8-bit RGB ⇄ PNG bytes (pngjs), for datasets, SR imports and the crops a `distill` step stores; errors name the file. */
import { PNG } from 'pngjs';

export interface RgbPixels {
  width: number;
  height: number;
  /** Interleaved RGB, row-major. */
  rgb: Uint8Array;
}

/**
 * An 8-bit RGB PNG of interleaved RGB. zlib's default strategy, not pngjs's run-length default:
 * photographs come out about a third smaller.
 */
export function encodePngRgb(img: RgbPixels): Uint8Array {
  if (img.rgb.length !== img.width * img.height * 3) throw new Error(`${img.width}×${img.height} RGB needs ${img.width * img.height * 3} bytes, got ${img.rgb.length}`);
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, deflateStrategy: 0 });
  for (let i = 0, j = 0; i < img.rgb.length; i += 3, j += 4) {
    png.data[j] = img.rgb[i]!;
    png.data[j + 1] = img.rgb[i + 1]!;
    png.data[j + 2] = img.rgb[i + 2]!;
    png.data[j + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, deflateStrategy: 0 }));
}

/**
 * A PNG as interleaved 8-bit RGB: greyscale is replicated to three channels, alpha dropped, 16-bit
 * samples rescaled (pngjs does all three). `label` names the file when the bytes are not a PNG.
 */
export function decodePngRgb(bytes: Uint8Array, label = 'PNG'): RgbPixels {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${label}: not a readable PNG (${(e as Error).message}); replace it with an intact 8-bit RGB PNG`);
  }
  const rgb = new Uint8Array(png.width * png.height * 3);
  // pngjs always decodes to RGBA (grey → R = G = B); keep RGB.
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = png.data[j]!;
    rgb[i + 1] = png.data[j + 1]!;
    rgb[i + 2] = png.data[j + 2]!;
  }
  return { width: png.width, height: png.height, rgb };
}
