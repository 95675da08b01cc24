/**
 * MPU-Sim's own results at small sizes, for cross-checking this model (issue 10). Produced by
 * running github.com/GD06/mpu-sim_distribution @db5cc64 (its source stays out of this repository);
 * how, exactly, is in PROVENANCE. Cycles are MPU core cycles (MPU-Sim counts at its 2 GHz simulation
 * clock: its total_num_cycles / 2). Energies in nJ, grouped as energy_break_down.py groups them.
 */
import { runMpu } from './run-models';
import { resolveConfig } from './sim-config';
import type { SimConfigInput } from './sim-config';
import { workloadDef } from './workloads';

export interface EnergyGroups { dram: number; bus: number; alu: number; network: number; rest: number }

export interface MpuSimRun {
  workload: string;
  size: number;
  /** Blocks launched (MPU-Sim's --num_blocks / -b); our launch is given the same count. */
  gridDim: number;
  /** The *_sim.py command line (in benchmark/<kernel>/, PYTHONPATH at the checkout). */
  command: string;
  cycles: number;
  energyNJ: EnergyGroups;
}

export const PROVENANCE = {
  repository: 'github.com/GD06/mpu-sim_distribution',
  commit: 'db5cc64',
  ptx: "CUDA kernels compiled to PTX with NVRTC 10.2 (libnvrtc-08c4863f.so.10.2 from PyPI torch==1.9.0, cp39 manylinux1 wheel) through a 20-line ctypes stand-in for `nvcc --ptx` (default target sm_30, as nvcc 10.2), then program/ptx2exec_cli.py",
  python: 'Python 3.11.7, numpy 1.26.4, networkx 2.8.8, simpy 3.0.11 (the pinned numpy 1.17.3/networkx 2.4 do not install on 3.11)',
  energy: 'simulator/energy/hardware_energy.py -p <perf json> -e <energy json>; groups: dram = dram_{read,write,act,pre,refresh}, bus = subcore_pg_bus, alu = fb_alu + nb_alu + sfu, network = net_*, rest = everything else',
  patches: 'BLUR only: selp.b64 and shr.s32/u32 are missing from its latency/energy tables; a run-time wrapper gives selp.b64 the selp.b32 latency and energy and shr.s32/u32 alu_e_logic_shr (files unchanged)',
  hardware: 'default config/*.json (128 cores), default block mapping (block i -> core i mod 128); blocks as in each run (fewer than the default 512 so that no block is idle: MPU-Sim runs ~300 warp-instructions per second)',
} as const;

export const MPUSIM_REFERENCE: { provenance: typeof PROVENANCE; runs: MpuSimRun[] } = {
  provenance: PROVENANCE,
  runs: [
    {
      // simulated 328 cycles at the 2 GHz simulation clock; correctness check passed
      workload: 'AXPY', size: 4096, gridDim: 32,
      command: 'python vectoradd_sim.py vectoradd_kernel_0.prog -l 4096 -b 32 -t 128 --output_perf_file perf.json',
      cycles: 164,
      energyNJ: { dram: 911.841, bus: 296.878, alu: 2223.578, network: 0, rest: 1290.982 },
    },
    {
      // simulated 7784 cycles; correctness check passed. Shared memory: the per-row tree reduction.
      // 32 blocks on cores 0-31 while the 128 rows live on all 128 cores: most rows are remote
      workload: 'GEMV', size: 128, gridDim: 32,
      command: 'python gemv_sim.py gemv_kernel_0.prog --num_rows 128 --num_cols 128 --num_blocks 32 --output_perf_file perf.json',
      cycles: 3892,
      energyNJ: { dram: 1836.6, bus: 7240.462, alu: 15828.82, network: 153023.088, rest: 10223.161 },
    },
    {
      // simulated 11478 cycles; correctness check passed (through the run-time wrapper of PROVENANCE.patches).
      // Shared memory: each 32x32 tile staged in it; a tile's 8 slices live on 8 cores
      workload: 'BLUR', size: 64, gridDim: 4,
      command: 'python run_patched.py blur_sim.py blur_kernel_0.prog --num_rows 64 --num_cols 64 --num_blocks 4 --output_perf_file perf.json',
      cycles: 5739,
      energyNJ: { dram: 1295.471, bus: 6466.376, alu: 8338.408, network: 32545.222, rest: 3950.746 },
    },
  ],
};

/**
 * Where this model stands against MPU-Sim, per run (ours / MPU-Sim), and the tolerance each figure is
 * held to: `agrees` figures must match within it; `differs` figures are known disagreements, recorded
 * so a change that moves them is seen (held to ±20% of the recorded ratio), not claimed as agreement.
 */
export const MPUSIM_AGREEMENT: Record<string, { agrees: Partial<Record<keyof EnergyGroups | 'cycles', { ratio: number; tolerance: number }>>; differs: Partial<Record<keyof EnergyGroups | 'cycles' | 'total', number>> }> = {
  AXPY: {
    agrees: { dram: { ratio: 1, tolerance: 0.02 }, bus: { ratio: 1, tolerance: 0.5 } },
    // MPU-Sim runs the PTX nvcc emits (3456 warp instructions: 64-bit address arithmetic, moves,
    // predicates) where our kernel language issues fewer; its pipeline also takes longer per warp
    differs: { cycles: 0.262, alu: 0.332, rest: 0.397, total: 0.544 },
  },
  GEMV: {
    agrees: {},
    // MPU-Sim moves the remote rows over the mesh in 84k link cycles (74k of them on the off-chip links
    // between processors) and charges each router a packet crosses. With MPU-Sim's messages and router
    // energy (networkMessagePolicy/networkEnergyPolicy 1) ours is 24.6 uJ against its 153 uJ (was 1.2 uJ
    // before those rules). The rest of the gap is not explained yet: MPU-Sim's run also reads more
    // DRAM (1.6x our DRAM energy), so its PTX makes accesses our kernel does not. Cycles and ALU as for AXPY
    differs: { cycles: 0.213, dram: 0.629, bus: 0.168, alu: 0.203, network: 0.161, rest: 0.214, total: 0.172 },
  },
  BLUR: {
    // with MPU-Sim's messages and router energy the network agrees within 1% (it was 0.055x before)
    agrees: { dram: { ratio: 1, tolerance: 0.15 }, network: { ratio: 1, tolerance: 0.1 } },
    differs: { cycles: 0.548, bus: 0.541, alu: 0.67, rest: 0.745, total: 0.87 },
  },
};

export interface MpuSimComparison {
  ours: { cycles: number; totalNJ: number; byComponent: EnergyGroups };
  mpuSim: { cycles: number; totalNJ: number; byComponent: EnergyGroups };
  /** ours / MPU-Sim */
  ratio: { cycles: number; total: number };
}

const sum = (g: EnergyGroups) => g.dram + g.bus + g.alu + g.network + g.rest;

/** Runs our MPU model on the reference run's workload and size (default configuration unless given). */
export async function compareWithMpuSim(ref: MpuSimRun, config?: SimConfigInput): Promise<MpuSimComparison> {
  const def = workloadDef(ref.workload);
  const cfg = resolveConfig(config);
  const inst = def.build(ref.size, cfg.seed);
  // the same number of blocks as MPU-Sim launched: every kernel here strides by at least the work
  // (a grid-stride loop of NUM_BLOCKS x threads), so fewer blocks leave each thread the same work
  inst.launches = inst.launches.map((l) => ({ ...l, gridDim: ref.gridDim }));
  const r = await runMpu(inst, cfg, { maxCycles: 1e10 });
  const e = r.energyNJ;
  const ours: EnergyGroups = {
    dram: e.dramActivate + e.dramPrecharge + e.dramRead + e.dramWrite + e.dramRefresh,
    bus: e.bus, alu: e.alu, network: e.network, rest: e.sram + e.static,
  };
  return {
    ours: { cycles: r.cycles, totalNJ: sum(ours), byComponent: ours },
    mpuSim: { cycles: ref.cycles, totalNJ: sum(ref.energyNJ), byComponent: ref.energyNJ },
    ratio: { cycles: r.cycles / ref.cycles, total: sum(ours) / sum(ref.energyNJ) },
  };
}
