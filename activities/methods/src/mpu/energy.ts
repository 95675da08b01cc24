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
 * How the V100's energy is priced from one uncertain power: `bottom-up-static` keeps the model's
 * dynamic energy and re-prices its static part at `powerW` (static power x run time); `board-power` is
 * the paper's method (MPU-Sim benchmark/README.md: V100 run time x the board power nvidia-smi reads).
 */
export type V100PowerModel = 'bottom-up-static' | 'board-power';

/** The geomean energy ratio (V100 / MPU) over the workloads with the V100 priced at `powerW`. */
export function energyRatioAtPower(rows: readonly (Pick<EnergySplit, 'mpuEnergyNJ' | 'gpuSeconds'> & Partial<EnergySplit>)[], model: V100PowerModel, powerW: number): number {
  if (!rows.length) throw new Error('an energy ratio needs at least one workload');
  if (model === 'board-power' ? !(powerW > 0) : !(powerW >= 0)) throw new Error(`V100 power must be ${model === 'board-power' ? 'positive' : 'non-negative'}, got ${powerW} W`);
  const dynamic = (r: Partial<EnergySplit>) => {
    if (model === 'board-power') return 0;
    if (r.gpuEnergyNJ === undefined || r.gpuStaticNJ === undefined) throw new Error('bottom-up-static pricing needs each workload\'s V100 energy and its static part');
    return r.gpuEnergyNJ - r.gpuStaticNJ;
  };
  const logs = rows.map((r) => Math.log((dynamic(r) + powerW * r.gpuSeconds * 1e9) / r.mpuEnergyNJ));
  return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
}

/**
 * The geomean energy ratio (V100 / MPU) with the V100's static power re-priced at each end of a
 * range: static energy is power × time, so the ratio is monotone in the power and the two ends
 * bound it.
 */
export function energyRatioBand(rows: readonly EnergySplit[], staticPowerW: { lower: number; upper: number }): { lower: number; upper: number } {
  if (!rows.length) throw new Error('energyRatioBand needs at least one workload');
  if (!(staticPowerW.lower >= 0 && staticPowerW.upper >= staticPowerW.lower)) throw new Error(`static power range must satisfy 0 ≤ lower ≤ upper, got ${staticPowerW.lower}–${staticPowerW.upper} W`);
  return { lower: energyRatioAtPower(rows, 'bottom-up-static', staticPowerW.lower), upper: energyRatioAtPower(rows, 'bottom-up-static', staticPowerW.upper) };
}

/**
 * The paper's method (MPU-Sim benchmark/README.md: V100 run time x board power from nvidia-smi):
 * the geomean energy ratio with the V100 drawing a constant board power `powerW` for its run time.
 */
export function boardPowerEnergyRatio(rows: readonly Pick<EnergySplit, 'mpuEnergyNJ' | 'gpuSeconds'>[], powerW: number): number {
  if (!rows.length) throw new Error('boardPowerEnergyRatio needs at least one workload');
  if (!(powerW > 0)) throw new Error(`board power must be positive, got ${powerW} W`);
  return energyRatioAtPower(rows, 'board-power', powerW);
}

/** The geomean energy ratio under the paper's method over a board-power range (monotone in the power, so the ends bound it). */
export function boardPowerEnergyBand(rows: readonly Pick<EnergySplit, 'mpuEnergyNJ' | 'gpuSeconds'>[], powerW: { lower: number; upper: number }): { lower: number; upper: number } {
  if (!(powerW.lower > 0 && powerW.upper >= powerW.lower)) throw new Error(`board power range must satisfy 0 < lower ≤ upper, got ${powerW.lower}–${powerW.upper} W`);
  return { lower: boardPowerEnergyRatio(rows, powerW.lower), upper: boardPowerEnergyRatio(rows, powerW.upper) };
}

/**
 * The V100 power at which the geomean energy ratio equals `target`, searched in [0, maxW] (the ratio
 * rises with the power); null when even `maxW` stays below the target or the lowest power is above it.
 */
export function powerForEnergyRatio(rows: readonly EnergySplit[], model: V100PowerModel, target: number, maxW: number): number | null {
  let lo = model === 'board-power' ? 1e-9 : 0;
  let hi = maxW;
  if (energyRatioAtPower(rows, model, hi) < target || energyRatioAtPower(rows, model, lo) > target) return null;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (energyRatioAtPower(rows, model, mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** One curve of the energy ratio against the V100's power, with the range the model's sources allow. */
export interface EnergySensitivityCurve {
  model: V100PowerModel;
  /** The power range this pricing's sources support (static 20–80 W assumed; board 44 W idle … 300 W TDP). */
  band: { lowerW: number; upperW: number };
  /** The ratio at the band's ends. */
  bandRatio: { lower: number; upper: number };
  points: [powerW: number, ratio: number][];
  /** The power at which the ratio meets the paper's value, if any within 0…maxW. */
  powerForPaperW: number | null;
}

/**
 * The headline energy ratio's sensitivity to its least certain parameter, the V100's power: the ratio
 * every `stepW` from 0 to `maxW` under both pricings, and where each meets the paper's value.
 */
export function energyRatioSensitivity(
  rows: readonly EnergySplit[],
  o: { paper: number | null; staticBandW: { lower: number; upper: number }; boardBandW: { lower: number; upper: number }; maxW?: number; stepW?: number },
): EnergySensitivityCurve[] {
  const maxW = o.maxW ?? 300;
  const stepW = o.stepW ?? 10;
  if (!(stepW > 0 && maxW >= stepW)) throw new Error(`need 0 < stepW ≤ maxW, got stepW ${stepW}, maxW ${maxW}`);
  const watts = Array.from({ length: Math.floor(maxW / stepW) + 1 }, (_, i) => i * stepW);
  const curve = (model: V100PowerModel, band: { lower: number; upper: number }): EnergySensitivityCurve => ({
    model,
    band: { lowerW: band.lower, upperW: band.upper },
    bandRatio: { lower: energyRatioAtPower(rows, model, band.lower), upper: energyRatioAtPower(rows, model, band.upper) },
    points: watts.filter((w) => model !== 'board-power' || w > 0).map((w) => [w, energyRatioAtPower(rows, model, w)]),
    powerForPaperW: o.paper === null ? null : powerForEnergyRatio(rows, model, o.paper, maxW),
  });
  return [curve('bottom-up-static', o.staticBandW), curve('board-power', o.boardBandW)];
}
