/** Energy by component, in nanojoules. */
export interface EnergyBreakdown {
  dramActivate: number;
  dramPrecharge: number;
  dramRead: number;
  dramWrite: number;
  dramRefresh: number;
  bus: number; // MPU subcore<->PG bus ("TSV"); unused on V100
  network: number; // MPU inter-core/processor network; V100 SM<->L2 crossbar
  alu: number; // ALU + SFU lane operations
  sram: number; // register file, shared memory, L1/L2, icache/fetch/decode
  static: number;
}

export function zeroEnergy(): EnergyBreakdown {
  return { dramActivate: 0, dramPrecharge: 0, dramRead: 0, dramWrite: 0, dramRefresh: 0, bus: 0, network: 0, alu: 0, sram: 0, static: 0 };
}

export function totalEnergy(e: EnergyBreakdown): number {
  return e.dramActivate + e.dramPrecharge + e.dramRead + e.dramWrite + e.dramRefresh + e.bus + e.network + e.alu + e.sram + e.static;
}

/** One workload's energies, as far as re-pricing the V100's static power needs them. */
export interface EnergySplit {
  mpuEnergyNJ: number;
  gpuEnergyNJ: number;
  /** The V100's static energy inside gpuEnergyNJ, and its run time. */
  gpuStaticNJ: number;
  gpuSeconds: number;
}

/**
 * The geomean energy ratio (V100 / MPU) with the V100's static power re-priced at each end of a
 * range: static energy is power × time, so the ratio is monotone in the power and the two ends
 * bound it.
 */
export function energyRatioBand(rows: readonly EnergySplit[], staticPowerW: { lower: number; upper: number }): { lower: number; upper: number } {
  if (!rows.length) throw new Error('energyRatioBand needs at least one workload');
  if (!(staticPowerW.lower >= 0 && staticPowerW.upper >= staticPowerW.lower)) throw new Error(`static power range must satisfy 0 ≤ lower ≤ upper, got ${staticPowerW.lower}–${staticPowerW.upper} W`);
  const at = (w: number) => {
    const logs = rows.map((r) => Math.log((r.gpuEnergyNJ - r.gpuStaticNJ + w * r.gpuSeconds * 1e9) / r.mpuEnergyNJ));
    return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  };
  return { lower: at(staticPowerW.lower), upper: at(staticPowerW.upper) };
}

/**
 * The paper's method (MPU-Sim benchmark/README.md: V100 run time x board power from nvidia-smi):
 * the geomean energy ratio with the V100 drawing a constant board power `powerW` for its run time.
 */
export function boardPowerEnergyRatio(rows: readonly Pick<EnergySplit, 'mpuEnergyNJ' | 'gpuSeconds'>[], powerW: number): number {
  if (!rows.length) throw new Error('boardPowerEnergyRatio needs at least one workload');
  if (!(powerW > 0)) throw new Error(`board power must be positive, got ${powerW} W`);
  const logs = rows.map((r) => Math.log((powerW * r.gpuSeconds * 1e9) / r.mpuEnergyNJ));
  return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
}

/** The geomean energy ratio under the paper's method over a board-power range (monotone in the power, so the ends bound it). */
export function boardPowerEnergyBand(rows: readonly Pick<EnergySplit, 'mpuEnergyNJ' | 'gpuSeconds'>[], powerW: { lower: number; upper: number }): { lower: number; upper: number } {
  if (!(powerW.lower > 0 && powerW.upper >= powerW.lower)) throw new Error(`board power range must satisfy 0 < lower ≤ upper, got ${powerW.lower}–${powerW.upper} W`);
  return { lower: boardPowerEnergyRatio(rows, powerW.lower), upper: boardPowerEnergyRatio(rows, powerW.upper) };
}
