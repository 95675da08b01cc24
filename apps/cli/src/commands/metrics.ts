/**
 * `reprolab metrics sr --hr HR.png --sr SR.png --scale N [--json]`: PSNR and SSIM on the Y channel
 * as the super-resolution literature reports them (BT.601 luma, `scale` pixels shaved at every
 * border, peak 255; SSIM with an 11×11 Gaussian window, σ 1.5) — the same code the distill step
 * evaluates with. Needs no running stack.
 */
import { parseArgs } from 'node:util';
import { readPngRgb } from '@reprolab/activities';
import { psnr, ssim } from '@reprolab/methods/sr/index';

const USAGE = 'usage: reprolab metrics sr --hr HR.png --sr SR.png --scale N [--json]';

async function load(path: string, what: string) {
  try {
    const img = await readPngRgb(path);
    return { height: img.height, width: img.width, data: img.rgb };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `--${what} ${path}: no such file` : `--${what} ${path}: not a readable PNG (${(e as Error).message}); convert it to PNG first`);
  }
}

export async function metricsCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'sr') {
    console.error(what ? `unknown metrics kind "${what}"; known: sr\n${USAGE}` : USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { hr: { type: 'string' }, sr: { type: 'string' }, scale: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.hr || !values.sr || !values.scale) {
    console.error(`give --hr, --sr and --scale\n${USAGE}`);
    return 2;
  }
  const scale = Number(values.scale);
  if (!Number.isInteger(scale) || scale < 1 || scale > 8) {
    console.error(`--scale must be an integer in 1..8 (the upscaling factor; its pixels are shaved at each border), got ${values.scale}`);
    return 2;
  }
  let hr: Awaited<ReturnType<typeof load>>;
  let sr: Awaited<ReturnType<typeof load>>;
  try {
    [hr, sr] = [await load(values.hr, 'hr'), await load(values.sr, 'sr')];
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (hr.height !== sr.height || hr.width !== sr.width) {
    console.error(`--hr is ${hr.width}×${hr.height} but --sr is ${sr.width}×${sr.height}: compare images of the same size`);
    return 2;
  }
  const out = { psnrY: psnr(sr, hr, scale), ssimY: ssim(sr, hr, scale) };
  console.log(values.json ? JSON.stringify(out) : `PSNR (Y) ${out.psnrY.toFixed(4)} dB   SSIM (Y) ${out.ssimY.toFixed(6)}   (scale ${scale}, ${hr.width}×${hr.height})`);
  return 0;
}
