import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureConsole } from '../testing';
import { writePngRgb } from '@reprolab/activities';
import { REFERENCE, referenceImages } from '@reprolab/methods/sr/testing';
import { metricsCommand } from './metrics';

const dir = mkdtempSync(join(tmpdir(), 'reprolab-metrics-'));

const capture = (args: string[]) => captureConsole(() => metricsCommand(args));

test('reprolab metrics sr: PNG files in, the scikit-image reference values out', async () => {
  const { hr, sr } = referenceImages();
  await writePngRgb(join(dir, 'hr.png'), { width: hr.width, height: hr.height, rgb: hr.data as Uint8Array });
  await writePngRgb(join(dir, 'sr.png'), { width: sr.width, height: sr.height, rgb: sr.data as Uint8Array });
  for (const ref of REFERENCE.byScale) {
    const r = await capture(['sr', '--hr', join(dir, 'hr.png'), '--sr', join(dir, 'sr.png'), '--scale', String(ref.scale), '--json']);
    assert.equal(r.code, 0, r.err);
    const got = JSON.parse(r.out) as { psnrY: number; ssimY: number };
    assert.ok(Math.abs(got.psnrY - ref.psnr) < 1e-9 && Math.abs(got.ssimY - ref.ssim) < 1e-9, JSON.stringify({ got, ref }));
  }
});

test('reprolab metrics sr: bad input is named', async () => {
  writeFileSync(join(dir, 'not.png'), 'hello');
  const hr = join(dir, 'hr.png');
  assert.match((await capture(['sr', '--hr', hr, '--sr', join(dir, 'missing.png'), '--scale', '2'])).err, /--sr .*missing\.png: no such file/);
  assert.match((await capture(['sr', '--hr', hr, '--sr', join(dir, 'not.png'), '--scale', '2'])).err, /not a readable PNG/);
  assert.match((await capture(['sr', '--hr', hr, '--sr', hr, '--scale', 'x'])).err, /--scale must be an integer/);
  assert.match((await capture(['sr', '--hr', hr])).err, /give --hr, --sr and --scale/);
  assert.match((await capture(['psnr'])).err, /unknown metrics kind "psnr"/);
});
