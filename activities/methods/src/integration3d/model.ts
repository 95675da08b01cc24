/**
 * Analytical 2D-vs-3D model of a neuromorphic / AI accelerator (the qualitative case of
 * arXiv 2103.04852, with constants from other sources: see params.ts).
 *
 * - Average on-chip wire length. `footprint` (default): logic of total area A on T tiers has a
 *   footprint side s = √(A/T); the mean Manhattan distance between two uniform random points of a
 *   square of side s is 2s/3, so L̄(T) = (2/3)√(A/T) = L̄(1)/√T, plus vertical crossings
 *   (mean |Δtier| = (T² − 1)/(3T) for two uniform random tiers), each costing one bond's energy per bit.
 *   `rent`: Donath-style scaling L̄ ∝ N^(p−½) of the per-tier gate count N/T, anchored at the 2D
 *   footprint value: L̄(T) = L̄(1)·T^−(p−½) (an approximation, stated as such).
 * - Wire energy per bit: α·C′·V²·L̄ (C′ pF/mm, V volts → pJ).
 * - Vertical bonds (TSV / micro-bump / hybrid bond) on a square grid of pitch P µm:
 *   density (1000/P)² per mm²; energy per bit on the power law through two cited anchors
 *   (E ∝ P^γ, γ = ln(E1/E2)/ln(P1/P2)); bandwidth density = density · signal fraction · rate.
 * - Memory: 2D reads weights from HBM2 stacks beside the die (bandwidth = stacks · pins · rate);
 *   3D bonds a memory tier over part of the footprint (bandwidth = bonded area · bandwidth density)
 *   and keeps only the DRAM-array share of the HBM2 energy per bit, plus one bond crossing.
 * - Energy per MAC = E_MAC + bits moved on chip · E_wire(L̄) + memory bytes per MAC · 8 · E_mem.
 */
import { checkParamOverrides, describeParams } from '../mpu/param-table';
import { DEFAULT_I3D, I3D_PARAMS, type I3dParamName } from './params';

export type WireModel = 'footprint' | 'rent';
export type I3dParams = Record<I3dParamName, number>;

/** Mean Manhattan distance between two uniform random points in a square of side s: 2s/3. */
export function meanManhattan(side: number): number {
  return (2 * side) / 3;
}

/** Mean |i − j| of two independent uniform random tiers among T: (T² − 1)/(3T). */
export function meanTierDistance(tiers: number): number {
  return (tiers * tiers - 1) / (3 * tiers);
}

/** Average in-plane wire length (mm) on T tiers. */
export function averageWireLengthMm(p: I3dParams, tiers: number, model: WireModel): number {
  const l2d = meanManhattan(Math.sqrt(p.logicAreaMm2));
  return model === 'footprint' ? meanManhattan(Math.sqrt(p.logicAreaMm2 / tiers)) : l2d * Math.pow(tiers, -(p.rentExponent - 0.5));
}

/** Connections per mm² on a square grid of pitch `pitchUm`. */
export function bondDensityPerMm2(pitchUm: number): number {
  return (1000 / pitchUm) ** 2;
}

/** Energy per bit (pJ) of a vertical bond at `pitchUm`, on the power law through the two anchors. */
export function bondEnergyPjPerBit(p: I3dParams, pitchUm: number): number {
  const gamma = Math.log(p.microbumpPjPerBit / p.hybridPjPerBit) / Math.log(p.microbumpPitchUm / p.hybridPitchUm);
  return p.hybridPjPerBit * Math.pow(pitchUm / p.hybridPitchUm, gamma);
}

/** Vertical bandwidth density, Gb/s per mm². */
export function bandwidthDensityGbpsPerMm2(p: I3dParams, pitchUm: number): number {
  return bondDensityPerMm2(pitchUm) * p.signalFraction * p.pinGbps;
}

export function wireEnergyPjPerBit(p: I3dParams, lengthMm: number): number {
  return p.activity * p.wireCapPfPerMm * p.supplyV * p.supplyV * lengthMm;
}

export interface DesignPoint {
  tiers: number;
  pitchUm: number;
  wireLengthMm: number;
  /** Energy to move one bit over the average wire, including vertical crossings (pJ). */
  energyPerBitMovedPj: number;
  memoryBandwidthGBs: number;
  memoryEnergyPjPerBit: number;
  energyPerMacPj: number;
}

/** tiers = 1: the 2D design (HBM2 beside the die); tiers ≥ 1 with `stacked`: memory bonded on top. */
export function designPoint(p: I3dParams, tiers: number, pitchUm: number, model: WireModel, stacked: boolean): DesignPoint {
  const wireLengthMm = averageWireLengthMm(p, tiers, model);
  const vertical = meanTierDistance(tiers) * bondEnergyPjPerBit(p, pitchUm);
  const energyPerBitMovedPj = wireEnergyPjPerBit(p, wireLengthMm) + vertical;
  const memoryBandwidthGBs = stacked
    ? ((p.logicAreaMm2 / tiers) * p.memoryFootprintFraction * bandwidthDensityGbpsPerMm2(p, pitchUm)) / 8
    : (p.hbmStacks * p.hbmPinsPerStack * p.pinGbps) / 8;
  const memoryEnergyPjPerBit = stacked ? p.memEnergy2dPjPerBit * p.memArrayFraction + bondEnergyPjPerBit(p, pitchUm) : p.memEnergy2dPjPerBit;
  const energyPerMacPj = p.macPj + p.bitsPerOpOnChip * energyPerBitMovedPj + p.bytesPerOpFromMemory * 8 * memoryEnergyPjPerBit;
  return { tiers, pitchUm, wireLengthMm, energyPerBitMovedPj, memoryBandwidthGBs, memoryEnergyPjPerBit, energyPerMacPj };
}

export interface I3dOptions {
  params?: Partial<Record<I3dParamName, number>>;
  wireModel?: WireModel;
  tierSweep?: number[];
  pitchSweepUm?: number[];
}

export interface I3dCheck {
  id: string;
  statement: string;
  holds: boolean;
  values: Record<string, number>;
}

export interface I3dResult {
  params: Record<string, { value: number; unit: string; source: string }>;
  metrics: Record<string, number>;
  checks: I3dCheck[];
  series: { name: string; x: number[]; y: number[][]; xLabel: string; yLabel: string }[];
  twoD: DesignPoint;
  threeD: DesignPoint;
}

export const DEFAULT_TIER_SWEEP = [1, 2, 3, 4, 6, 8];
export const DEFAULT_PITCH_SWEEP_UM = [55, 40, 25, 10, 9, 5, 3, 1];

export function validateI3dParams(p: Record<string, unknown>): string[] {
  return checkParamOverrides(I3D_PARAMS, p);
}

const strictlyIncreasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
const strictlyDecreasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]!);

export function runIntegration3d(opts: I3dOptions = {}): I3dResult {
  const bad = validateI3dParams(opts.params ?? {});
  if (bad.length) throw new Error(`3D-integration parameters: ${bad.join('; ')}`);
  const p = { ...DEFAULT_I3D, ...opts.params } as I3dParams;
  const model = opts.wireModel ?? 'footprint';
  const tiersList = opts.tierSweep ?? DEFAULT_TIER_SWEEP;
  const pitches = opts.pitchSweepUm ?? DEFAULT_PITCH_SWEEP_UM;
  const twoD = designPoint(p, 1, p.bondPitchUm, model, false);
  const threeD = designPoint(p, p.tiers, p.bondPitchUm, model, true);
  const tierPoints = tiersList.map((t) => designPoint(p, t, p.bondPitchUm, model, true));
  const pitchPoints = pitches.map((q) => ({ pitch: q, density: bondDensityPerMm2(q), energy: bondEnergyPjPerBit(p, q), bw: bandwidthDensityGbpsPerMm2(p, q) }));
  const sortedByPitch = [...pitchPoints].sort((a, b) => b.pitch - a.pitch); // coarse → fine
  const metrics: Record<string, number> = {
    wire_length_2d_mm: twoD.wireLengthMm,
    wire_length_3d_mm: threeD.wireLengthMm,
    wire_length_ratio_3d_2d: threeD.wireLengthMm / twoD.wireLengthMm,
    energy_per_bit_moved_2d_pj: twoD.energyPerBitMovedPj,
    energy_per_bit_moved_3d_pj: threeD.energyPerBitMovedPj,
    energy_per_bit_moved_ratio_3d_2d: threeD.energyPerBitMovedPj / twoD.energyPerBitMovedPj,
    memory_bandwidth_2d_gbs: twoD.memoryBandwidthGBs,
    memory_bandwidth_3d_gbs: threeD.memoryBandwidthGBs,
    memory_bandwidth_ratio_3d_2d: threeD.memoryBandwidthGBs / twoD.memoryBandwidthGBs,
    memory_energy_2d_pj_per_bit: twoD.memoryEnergyPjPerBit,
    memory_energy_3d_pj_per_bit: threeD.memoryEnergyPjPerBit,
    energy_per_mac_2d_pj: twoD.energyPerMacPj,
    energy_per_mac_3d_pj: threeD.energyPerMacPj,
    energy_per_mac_ratio_3d_2d: threeD.energyPerMacPj / twoD.energyPerMacPj,
    bond_density_per_mm2: bondDensityPerMm2(p.bondPitchUm),
    bond_energy_pj_per_bit: bondEnergyPjPerBit(p, p.bondPitchUm),
    bandwidth_density_gbps_per_mm2: bandwidthDensityGbpsPerMm2(p, p.bondPitchUm),
    tiers: p.tiers,
  };
  const checks: I3dCheck[] = [
    {
      id: 'shorter-wires',
      statement: `3D (${p.tiers} tiers) shortens the average on-chip wire vs 2D (${model} model: ratio ${model === 'footprint' ? '1/√T' : 'T^−(p−½)'})`,
      holds: p.tiers > 1 && threeD.wireLengthMm < twoD.wireLengthMm,
      values: { ratio: metrics.wire_length_ratio_3d_2d!, expected: model === 'footprint' ? 1 / Math.sqrt(p.tiers) : Math.pow(p.tiers, -(p.rentExponent - 0.5)) },
    },
    {
      id: 'less-energy-per-bit-moved',
      statement: '3D moves a bit over the average wire (vertical crossings included) for less energy than 2D',
      holds: threeD.energyPerBitMovedPj < twoD.energyPerBitMovedPj,
      values: { twoD: twoD.energyPerBitMovedPj, threeD: threeD.energyPerBitMovedPj },
    },
    {
      id: 'more-memory-bandwidth',
      statement: 'memory bonded on the logic (3D) gives more bandwidth than HBM2 stacks beside the die (2D)',
      holds: threeD.memoryBandwidthGBs > twoD.memoryBandwidthGBs,
      values: { twoD: twoD.memoryBandwidthGBs, threeD: threeD.memoryBandwidthGBs },
    },
    {
      id: 'less-energy-per-mac',
      statement: '3D needs less energy per MAC (synaptic operation) than 2D',
      holds: threeD.energyPerMacPj < twoD.energyPerMacPj,
      values: { twoD: twoD.energyPerMacPj, threeD: threeD.energyPerMacPj },
    },
    {
      id: 'finer-pitch-more-bandwidth',
      statement: 'a finer bond pitch gives a higher vertical bandwidth density and a lower energy per bit (strictly, over the pitch sweep)',
      holds: strictlyIncreasing(sortedByPitch.map((x) => x.bw)) && strictlyDecreasing(sortedByPitch.map((x) => x.energy)),
      values: { coarsestPitch: sortedByPitch[0]!.pitch, finestPitch: sortedByPitch[sortedByPitch.length - 1]!.pitch, bwRatioFineCoarse: sortedByPitch[sortedByPitch.length - 1]!.bw / sortedByPitch[0]!.bw },
    },
    {
      id: 'more-tiers-shorter-wires',
      statement: 'over the tier sweep, the average wire length decreases strictly with the number of tiers',
      holds: strictlyDecreasing(tierPoints.map((d) => d.wireLengthMm)),
      values: { first: tierPoints[0]!.wireLengthMm, last: tierPoints[tierPoints.length - 1]!.wireLengthMm },
    },
  ];
  // Signed margins of the orderings (positive when 3D / the finer pitch is better), for the claims.
  Object.assign(metrics, {
    wire_length_reduction: 1 - metrics.wire_length_ratio_3d_2d!,
    energy_per_bit_moved_saving: 1 - metrics.energy_per_bit_moved_ratio_3d_2d!,
    memory_bandwidth_gain: metrics.memory_bandwidth_ratio_3d_2d! - 1,
    energy_per_mac_saving: 1 - metrics.energy_per_mac_ratio_3d_2d!,
    bandwidth_density_gain_fine_vs_coarse: sortedByPitch[sortedByPitch.length - 1]!.bw / sortedByPitch[0]!.bw - 1,
  });
  for (const c of checks) metrics[`check_${c.id.replace(/-/g, '_')}`] = c.holds ? 1 : 0;
  const series = [
    { name: 'tier_sweep', x: tiersList, y: [tierPoints.map((d) => d.wireLengthMm / twoD.wireLengthMm), tierPoints.map((d) => d.energyPerMacPj / twoD.energyPerMacPj), tierPoints.map((d) => d.memoryBandwidthGBs / twoD.memoryBandwidthGBs)], xLabel: 'tiers', yLabel: '3D ÷ 2D: wire length, energy per MAC, memory bandwidth' },
    { name: 'pitch_sweep', x: pitches, y: [pitchPoints.map((x) => x.density), pitchPoints.map((x) => x.energy), pitchPoints.map((x) => x.bw)], xLabel: 'bond pitch (µm)', yLabel: 'bonds/mm², pJ/bit, Gb/s/mm²' },
  ];
  return { params: describeParams(I3D_PARAMS, p, opts.params ?? {}), metrics, checks, series, twoD, threeD };
}
