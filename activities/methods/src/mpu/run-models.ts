/** Runs one workload instance through the MPU or the V100 model and accounts energy. */
import { allocate } from './address-map';
import type { EnergyBreakdown } from './energy';
import { totalEnergy, zeroEnergy } from './energy';
import { MpuMachine } from './mpu-machine';
import type { MpuConfig } from './mpu-params';
import { policyByName } from './offload-policy';
import type { SimConfig } from './sim-config';
import { SimtEngine } from './simt-engine';
import { OP_FADD, OP_FDIV, OP_FFMA, OP_IADD, OP_IMUL, OP_SFU } from './trace';
import { V100Machine } from './v100-machine';
import type { WorkloadInstance } from './workload-types';

export interface ModelResult {
  cycles: number;
  clockMHz: number;
  timeS: number;
  warpInstructions: number;
  energyNJ: EnergyBreakdown;
  totalEnergyNJ: number;
  /** Model-specific counters (row-buffer hits, bus bytes, cache hit rates, ...). */
  stats: Record<string, number>;
}

export interface ModelRunOptions {
  onProgress?: (simCycles: number) => void;
  maxCycles: number;
}

function aluEnergy(laneOps: Float64Array, e: { eIntAdd: number; eIntMul: number; eFpAdd: number; eFpFma: number; eFpDiv: number; eSfu: number }): number {
  return laneOps[OP_IADD]! * e.eIntAdd + laneOps[OP_IMUL]! * e.eIntMul + laneOps[OP_FADD]! * e.eFpAdd
    + laneOps[OP_FFMA]! * e.eFpFma + laneOps[OP_FDIV]! * e.eFpDiv + laneOps[OP_SFU]! * e.eSfu;
}

/** MPU-Sim's ALU/SFU accounting: one energy per warp instruction (simulator/alu.py:86, energy/subcore_energy.py:292-310). */
function warpAluEnergy(warpOps: Float64Array, c: MpuConfig): number {
  return warpOps[OP_IADD]! * c.eWarpIntAdd + warpOps[OP_IMUL]! * c.eWarpIntMul + warpOps[OP_FADD]! * c.eWarpFpAdd
    + warpOps[OP_FFMA]! * c.eWarpFpFma + warpOps[OP_FDIV]! * c.eWarpFpDiv + warpOps[OP_SFU]! * c.eWarpSfu;
}

/**
 * MPU energy by component from the machine's event counts and the run's length (in MPU core cycles),
 * priced with `c` (the machine's own config unless another is given: energy rules re-priced on one run).
 */
export function mpuEnergy(machine: MpuMachine, cycles: number, c: MpuConfig = machine.c): EnergyBreakdown {
  const k = machine.counters;
  const d = machine.dram.counters;
  const r = machine.remoteDramEvents;
  const e = zeroEnergy();
  e.dramActivate = (d.act + r.act) * c.eBankAct;
  e.dramPrecharge = (d.pre + r.pre) * c.eBankPre;
  e.dramRead = (d.read + r.read) * c.eBankRead;
  e.dramWrite = (d.write + r.write) * c.eBankWrite;
  e.dramRefresh = machine.dram.refreshesUpTo(cycles * (c.dramClockMHz / c.coreClockMHz)) * c.eBankRefresh;
  // busEnergyPolicy 1: MPU-Sim charges every whole bus cycle at the full width (energy/core_energy.py:70-72)
  e.bus = (c.busEnergyPolicy === 1 ? k.busCycles * c.busWidthBytes : k.busBytes) * 8 * c.eBusPerBit;
  const links = k.networkBitHopsOn * c.eNocOnchipPerBit + k.networkBitHopsOff * c.eNocOffchipPerBit;
  // networkEnergyPolicy 1: MPU-Sim's routers, each forwarded packet busying a crossbar and an output
  // port for packet/flit cycles, and its buffer accesses (energy/network_energy.py)
  e.network = c.networkEnergyPolicy === 1
    ? links + k.networkPacketRouterHops * Math.ceil(c.packetBytes / c.flitBytes) * (c.eRouterOutputPerCycle + c.eRouterCrossbarPerCycle) + k.networkBufferAccesses * c.eNocBufAccess
    : links + k.networkFlitHops * c.eNocBufAccess;
  e.alu = c.aluEnergyPolicy === 1 ? warpAluEnergy(k.warpOps, c) : aluEnergy(k.laneOps, c);
  const pipeline = c.pipelineEnergyPolicy === 1
    // operand collector read + write per source operand (register reads stand for the operands), PRT read + write per memory instruction, writeback/commit per instruction
    ? k.instr * (c.eIcacheRead + c.eFetchDecode + c.eWbCommit) + k.rfReads * (c.eOpcRead + c.eOpcWrite) + k.memInstr * (c.ePrtRead + c.ePrtWrite)
    : k.instr * (c.eIcacheRead + c.eFetchDecode + c.eOpcRead);
  e.sram = pipeline + k.rfReads * c.eRfRead + k.rfWrites * c.eRfWrite + k.smemReads * c.eSmemRead + k.smemWrites * c.eSmemWrite;
  e.static = c.staticPowerW * (cycles / (c.coreClockMHz * 1e6)) * 1e9;
  return e;
}

/** Runs `inst` on a fresh MPU machine; returns the machine (its counters) and the run's length in core cycles. */
export async function runMpuMachine(inst: WorkloadInstance, cfg: SimConfig, opts: ModelRunOptions): Promise<{ machine: MpuMachine; engine: SimtEngine; cycles: number }> {
  const machine = new MpuMachine(cfg.mpu, policyByName(cfg.offloadPolicy));
  const engine = new SimtEngine(machine);
  machine.engine = engine;
  allocate(inst.buffers, machine.map.period);
  let t = 0;
  for (const launch of inst.launches) t = await engine.runKernel(launch, t, { onProgress: opts.onProgress, maxCycles: opts.maxCycles });
  return { machine, engine, cycles: Math.ceil(t) };
}

export async function runMpu(inst: WorkloadInstance, cfg: SimConfig, opts: ModelRunOptions): Promise<ModelResult> {
  const c = cfg.mpu;
  const { machine, engine, cycles } = await runMpuMachine(inst, cfg, opts);
  const timeS = cycles / (c.coreClockMHz * 1e6);
  const k = machine.counters;
  const d = machine.dram.counters;
  const e = mpuEnergy(machine, cycles);
  return {
    cycles, clockMHz: c.coreClockMHz, timeS, warpInstructions: engine.warpInstructions, energyNJ: e, totalEnergyNJ: totalEnergy(e),
    stats: {
      rowHitRate: d.rowHits / Math.max(1, d.rowHits + d.rowMisses),
      dramColumnReads: d.read, dramColumnWrites: d.write, activations: d.act,
      busBytes: k.busBytes, remoteLaneAccesses: k.remoteAccesses,
      nearAluInstructions: k.nearAluInstr, farAluInstructions: k.farAluInstr, transferInstructions: k.xferInstr,
    },
  };
}

export async function runV100(inst: WorkloadInstance, cfg: SimConfig, opts: ModelRunOptions): Promise<ModelResult> {
  const c = cfg.v100;
  const machine = new V100Machine(c);
  const engine = new SimtEngine(machine);
  machine.engine = engine;
  allocate(inst.buffers, 4096);
  let t = 0;
  for (const launch of inst.launches) t = await engine.runKernel(launch, t, { onProgress: opts.onProgress, maxCycles: opts.maxCycles });
  if (c.l2WritebackAtEnd === 1) t = machine.writeBackL2(t);
  const cycles = Math.ceil(t);
  const timeS = cycles / (c.clockMHz * 1e6);
  const k = machine.counters;
  const e = zeroEnergy();
  const bitsPerSector = 256;
  // dirty L2 lines still have to reach DRAM: their write energy is charged (none are left under l2WritebackAtEnd)
  const pendingWriteSectors = machine.l2.dirtyLines() * 4;
  e.dramRead = k.dramReadSectors * bitsPerSector * c.eDramPerBit;
  e.dramWrite = (k.dramWriteSectors + pendingWriteSectors) * bitsPerSector * c.eDramPerBit;
  e.dramActivate = k.dramActs * c.eDramActPerRow;
  e.network = k.l2Sectors * bitsPerSector * c.eNocPerBit;
  e.alu = aluEnergy(k.laneOps, c);
  e.sram = k.instr * c.eInstr + k.rfReads * c.eRfRead + k.rfWrites * c.eRfWrite + k.l1Sectors * c.eL1Sector
    + k.l2Sectors * c.eL2Sector + k.smemAccesses * c.eSmemAccess;
  e.static = c.staticPowerW * timeS * 1e9;
  let l1h = 0, l1m = 0;
  for (const l1 of machine.l1) { l1h += l1.hits; l1m += l1.misses; }
  return {
    cycles, clockMHz: c.clockMHz, timeS, warpInstructions: engine.warpInstructions, energyNJ: e, totalEnergyNJ: totalEnergy(e),
    stats: {
      l1HitRate: l1h / Math.max(1, l1h + l1m),
      l2HitRate: machine.l2.hits / Math.max(1, machine.l2.hits + machine.l2.misses),
      dramReadBytes: k.dramReadSectors * 32, dramWriteBytes: (k.dramWriteSectors + pendingWriteSectors) * 32, dramActivations: k.dramActs,
      // every byte the run must move, the write-backs still due included
      achievedDramGBs: ((k.dramReadSectors + k.dramWriteSectors + pendingWriteSectors) * 32) / Math.max(1e-12, timeS) / 1e9,
    },
  };
}
