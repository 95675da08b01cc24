/**
 * Constants of the 2D-vs-3D accelerator model, each with its source. Kurshan, Li, Seok & Xie
 * (arXiv 2103.04852) is a position paper with no quantitative statements readable here
 * (shared/papers/NOTES.md §10): none of these comes from it.
 */
import { defaultsOf, type ParamTable } from '../mpu/param-table';

const USER = 'user-chosen (reprolab), not from any paper';
const INTEL = 'Intel Architecture Day 2020 packaging roadmap, as reported in the press (e.g. AnandTech, Aug 2020): Foveros micro-bumps 50 µm pitch ≈ 400/mm², 0.15 pJ/bit; hybrid bonding ≤ 10 µm pitch ≈ 10,000/mm², < 0.05 pJ/bit (approximate, secondary)';

export const I3D_PARAMS = {
  logicAreaMm2: { value: 400, min: 1, max: 10000, unit: 'mm² of logic (all tiers together)', source: `${USER}: a large accelerator die` },
  wireCapPfPerMm: { value: 0.2, min: 0.01, max: 2, unit: 'pF/mm', source: 'Ho, Mai & Horowitz, "The Future of Wires", Proc. IEEE 89(4), 2001: on-chip wire capacitance ≈ 0.2 fF/µm, roughly constant across nodes' },
  supplyV: { value: 0.9, min: 0.3, max: 2, unit: 'V', source: 'Horowitz, "Computing\'s energy problem", ISSCC 2014 (45 nm, 0.9 V)' },
  activity: { value: 0.5, min: 0, max: 1, unit: 'transitions per bit', source: `${USER}: random data toggles half the time` },
  macPj: { value: 0.23, min: 0, max: 100, unit: 'pJ per 8-bit MAC', source: 'Horowitz, ISSCC 2014: 8-bit integer multiply 0.2 pJ + add 0.03 pJ (45 nm)' },
  bitsPerOpOnChip: { value: 16, min: 0, max: 1024, unit: 'bits moved over an average-length wire per MAC', source: `${USER}: an 8-bit activation in and an 8-bit partial sum out` },
  memEnergy2dPjPerBit: { value: 3.97, min: 0, max: 100, unit: 'pJ/bit', source: 'O\'Connor et al., "Fine-Grained DRAM", MICRO 2017: HBM2 ≈ 3.97 pJ/bit including activation (the 2D/2.5D design reads weights from HBM2 stacks)' },
  memArrayFraction: { value: 0.4, min: 0, max: 1, unit: 'fraction of the HBM2 energy spent in the DRAM array (kept in 3D)', source: `${USER}: assumed split; the rest (interposer I/O, DRAM-die data movement) is replaced by the vertical bond in 3D` },
  bytesPerOpFromMemory: { value: 0.05, min: 0, max: 8, unit: 'bytes read from memory per MAC', source: `${USER}: weight reuse of 20 MACs per byte` },
  microbumpPitchUm: { value: 50, min: 0.5, max: 200, unit: 'µm (anchor 1)', source: INTEL },
  microbumpPjPerBit: { value: 0.15, min: 0, max: 10, unit: 'pJ/bit (anchor 1)', source: INTEL },
  hybridPitchUm: { value: 10, min: 0.5, max: 200, unit: 'µm (anchor 2)', source: INTEL },
  hybridPjPerBit: { value: 0.05, min: 0, max: 10, unit: 'pJ/bit (anchor 2)', source: INTEL },
  bondPitchUm: { value: 9, min: 0.5, max: 200, unit: 'µm (the 3D design\'s bond pitch)', source: 'AMD 3D V-Cache (TSMC SoIC hybrid bonding), 9 µm pitch: AMD, Computex 2021 / Hot Chips 33 (2021)' },
  signalFraction: { value: 0.5, min: 0.01, max: 1, unit: 'fraction of bonds carrying data', source: `${USER}: the rest are power/ground` },
  pinGbps: { value: 2, min: 0.1, max: 50, unit: 'Gb/s per signal connection', source: 'JEDEC JESD235A (HBM2): up to 2 Gb/s per pin; used for the 3D bonds too, for a like-for-like comparison (reprolab)' },
  hbmStacks: { value: 4, min: 1, max: 16, integer: true, unit: 'HBM2 stacks beside the 2D die', source: 'NVIDIA Tesla V100 whitepaper (2017): 4 HBM2 stacks' },
  hbmPinsPerStack: { value: 1024, min: 1, max: 4096, integer: true, unit: 'data pins per stack', source: 'JEDEC JESD235A (HBM2): 1024-bit interface per stack' },
  memoryFootprintFraction: { value: 0.5, min: 0.01, max: 1, unit: 'fraction of a tier\'s footprint bonded to the memory tier', source: `${USER}` },
  tiers: { value: 4, min: 1, max: 64, integer: true, unit: 'logic tiers in the 3D design', source: USER },
  rentExponent: { value: 0.6, min: 0.5, max: 0.9, unit: 'Rent exponent p', source: 'Landman & Russo, IEEE Trans. Computers C-20 (1971): logic p ≈ 0.5–0.75; 0.6 user-chosen within that range' },
} satisfies ParamTable<string>;

export type I3dParamName = keyof typeof I3D_PARAMS;
export const DEFAULT_I3D = defaultsOf(I3D_PARAMS);
