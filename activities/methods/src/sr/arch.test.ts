import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carnPaper, countMacs, countParams, edsrBaseline, edsrPaper, rcanPaper, splitChannels, srComplexity, srConvLayers, type SrArch } from './arch';

/**
 * The paper prints parameters in millions with one decimal (Table 1 caption; Fig. 4 axis readings
 * in db/data/claims.json), so a count agrees when it rounds to the printed figure: |count − claim| ≤
 * 0.05 M, i.e. ≤ 1.9 % at 2.7 M and ≤ 0.12 % at 43.1 M. All figures are for ×4 (Fig. 4 is Urban100
 * ×4; see the ×2 test below for why the 2.7 M caption is ×4 too).
 */
const millionsAtOneDecimal = (n: number) => Math.round(n / 1e5) / 10;

const params = (arch: SrArch, width: number) => countParams(srConvLayers(arch, width));

test('[CSD]: EDSR+ ×4 counts round to the paper: 43.1 M, 10.8 M at 0.5×, 2.7 M at 0.25× (16× smaller)', () => {
  const full = params(edsrPaper(4), 1);
  const half = params(edsrPaper(4), 0.5);
  const quarter = params(edsrPaper(4), 0.25);
  // Exact counts: kept here so a change to the layer list shows up as a changed number.
  assert.equal(full, 43_089_923);
  assert.equal(half, 10_780_675);
  assert.equal(quarter, 2_699_267);
  assert.equal(millionsAtOneDecimal(full), 43.1); // csd-fig4-edsr-b-1x-params
  assert.equal(millionsAtOneDecimal(half), 10.8); // csd-fig4-edsr-b-0.5x-params
  assert.equal(millionsAtOneDecimal(quarter), 2.7); // csd-edsrplus-w0.25-params
  assert.equal(Math.round(full / quarter), 16); // csd-edsrplus-w0.25-compression (15.96×)
  assert.equal(Math.round(full / half), 4); // csd-edsr-0.5x-urban100-x4-compression (4.00×)
});

test('[CSD]: the ×2 EDSR+ has one upsampler stage fewer: 40.7 M and 2.6 M, so the 2.7 M caption is the ×4 model', () => {
  assert.equal(params(edsrPaper(2), 1), 40_729_603);
  assert.equal(millionsAtOneDecimal(params(edsrPaper(2), 0.25)), 2.6);
  assert.equal(millionsAtOneDecimal(params(edsrPaper(3), 0.25)), 2.7);
});

test('[CSD]: RCAN+ ×4 15.6 M and 3.9 M at 0.5×; CARN+ ×4 1.1 M', () => {
  assert.equal(params(rcanPaper(4), 1), 15_592_355);
  assert.equal(millionsAtOneDecimal(params(rcanPaper(4), 1)), 15.6); // csd-fig4-rcan-b-1x-params
  assert.equal(params(rcanPaper(4), 0.5), 3_909_075);
  assert.equal(millionsAtOneDecimal(params(rcanPaper(4), 0.5)), 3.9); // csd-fig4-rcan-b-0.5x-params
  assert.equal(params(carnPaper(4), 1), 1_111_875);
  assert.equal(millionsAtOneDecimal(params(carnPaper(4), 1)), 1.1); // csd-fig4-carn-b-1x-params
});

test('CARN: adding the ×2 and ×3 upsamplers gives the multi-scale CARN of Ahn et al. (1,592K)', () => {
  // CARN's published model shares one body between three upsamplers; CSD trains one scale at a time.
  const upsampler = (s: 2 | 3 | 4) => countParams(srConvLayers(carnPaper(s)).filter((l) => l.name.startsWith('up')));
  const multiScale = params(carnPaper(4), 1) + upsampler(2) + upsampler(3);
  assert.equal(multiScale, 1_591_939);
  assert.equal(Math.round(multiScale / 1000), 1592);
});

test('EDSR-baseline ×4 is the 1.5 M model of Lim et al.', () => {
  assert.equal(params(edsrBaseline(4), 1), 1_517_571);
});

test('MACs: every conv costs out-pixels × k² × cin × cout; upsampler stages and the tail run at higher resolution', () => {
  // EDSR+ ×4 teacher on one LR pixel, written out by hand from the architecture:
  const head = 9 * 3 * 256;
  const body = (2 * 32 + 1) * 9 * 256 * 256;
  const up = 9 * 256 * 1024 * (1 + 4); // stage 1 at 1×1, stage 2 at 2×2 output positions
  const tail = 9 * 256 * 3 * 16; // 4×4 HR pixels
  assert.equal(countMacs(srConvLayers(edsrPaper(4)), 1, 1), head + body + up + tail);
  // Spatial convs scale with the LR area; a 320×180 LR input makes a 1280×720 HR output.
  const { macs } = srComplexity(edsrPaper(4), 1, 180, 320);
  assert.equal(macs, 57_600 * (head + body + up + tail));
  assert.equal(macs, 2_894_546_534_400);
  // RCAN's channel-attention convs act on a pooled 1×1 map, so their cost does not grow with area.
  const rcan = srConvLayers(rcanPaper(4));
  const ca = rcan.filter((l) => l.pooled);
  assert.equal(ca.length, 2 * 10 * 20);
  assert.equal(countMacs(ca, 10, 10), countMacs(ca, 1, 1));
  assert.equal(countMacs(ca, 1, 1), 200 * (64 * 4 + 4 * 64));
});

test('[CSD]: channel splitting keeps int(c·w) channels and leaves the RGB sides whole', () => {
  const layers = srConvLayers(edsrPaper(4), 0.25);
  const byName = new Map(layers.map((l) => [l.name, l]));
  assert.deepEqual([byName.get('head')!.cin, byName.get('head')!.cout], [3, 64]);
  assert.deepEqual([byName.get('tail')!.cin, byName.get('tail')!.cout], [64, 3]);
  assert.deepEqual([byName.get('up1')!.cin, byName.get('up1')!.cout], [64, 256]);
  assert.deepEqual([byName.get('rb32_conv2')!.cin, byName.get('rb32_conv2')!.cout], [64, 64]);
  // RCAN's squeeze conv: int((64 // 16) · 0.5) = 2 channels.
  const rcan = new Map(srConvLayers(rcanPaper(4), 0.5).map((l) => [l.name, l]));
  assert.deepEqual([rcan.get('g1b1_ca1')!.cin, rcan.get('g1b1_ca1')!.cout], [32, 2]);
  // CARN's 1×1 fusion after 3 concatenated maps keeps int(192 · 0.5) = 96 inputs.
  const carn = new Map(srConvLayers(carnPaper(4), 0.5).map((l) => [l.name, l]));
  assert.deepEqual([carn.get('b1_c2')!.cin, carn.get('b1_c2')!.cout], [96, 32]);
  assert.deepEqual([carn.get('c3')!.cin, carn.get('c3')!.cout], [128, 32]);
  assert.equal(splitChannels(64, 0.3), 19, 'truncates like Python int(), does not round');
  // ×3 upsampler: 9·f outputs for one pixel shuffle by 3.
  assert.deepEqual(srConvLayers(edsrPaper(3), 0.5).filter((l) => l.name.startsWith('up')).map((l) => [l.cin, l.cout]), [[128, 1152]]);
});

test('bad specs and widths are rejected naming the argument', () => {
  assert.throws(() => srConvLayers(edsrPaper(4), 0), /width must be in \(0, 1\]/);
  assert.throws(() => srConvLayers(edsrPaper(4), 1.5), /width/);
  assert.throws(() => srConvLayers(rcanPaper(4), 0.2), /width must be large enough to keep at least one of 4 channels/);
  assert.throws(() => srConvLayers({ ...edsrPaper(4), scale: 8 as 4 }), /scale must be 2, 3 or 4/);
  assert.throws(() => srConvLayers({ ...rcanPaper(4), reduction: 5 }), /reduction must be a divisor of nFeats/);
  assert.throws(() => srConvLayers({ ...edsrPaper(4), nResblocks: 0 }), /nResblocks/);
  assert.throws(() => countMacs(srConvLayers(edsrPaper(4)), 0, 4), /LR size/);
});
