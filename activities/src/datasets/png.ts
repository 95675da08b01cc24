/** PNG bytes ⇄ interleaved 8-bit RGB (pngjs), with errors that name the file. */
import { PNG } from 'pngjs';

/**
 * Decodes a PNG to 8-bit RGB: greyscale is replicated to three channels, alpha dropped, 16-bit
 * samples rescaled (pngjs does all three). `label` names the file when the bytes are not a PNG.
 */
export function decodePngRgb(bytes: Uint8Array, label: string): { width: number; height: number; rgb: Uint8Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${label}: not a readable PNG (${(e as Error).message}); replace it with an intact 8-bit RGB PNG`);
  }
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = png.data[j]!;
    rgb[i + 1] = png.data[j + 1]!;
    rgb[i + 2] = png.data[j + 2]!;
  }
  return { width: png.width, height: png.height, rgb };
}

/** Encodes interleaved 8-bit RGB as an opaque 8-bit RGB PNG (deterministic bytes for the same pixels). */
export function encodePngRgb(img: { width: number; height: number; rgb: Uint8Array }): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(img.rgb.buffer, img.rgb.byteOffset, img.rgb.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}
