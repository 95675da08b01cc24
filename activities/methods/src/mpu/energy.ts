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
