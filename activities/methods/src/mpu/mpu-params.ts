import type { ParamTable } from './param-table';
import { defaultsOf } from './param-table';

// Values copied from reprolab's references.json (paper 2103.06653 entries); never read at run time.
const SIM = "MPU-Sim default (github.com/GD06/mpu-sim_distribution @db5cc64 config/*.json); NOT confirmed to be the TACO'23 paper's configuration";
const SIM_README = "MPU-Sim config/README.md table (@db5cc64; README says from TITAN V/V100 measurement papers); the JSON the simulator loads holds ~180x larger ALU/SFU energies without unit, unresolved";
const ASSUMED = 'ASSUMPTION by reprolab: paper/MPU-Sim value unknown';
/** MPU-Sim source file:line at the mirror's commit (github.com/GD06/mpu-sim_distribution @db5cc64). */
const MS = (where: string) => `MPU-Sim simulator/${where} @db5cc64`;
const JSON_E = "MPU-Sim config/execution_unit_config.json @db5cc64 (per warp instruction: simulator/alu.py:86 counts one per instruction, energy/subcore_energy.py:216-228 and pg_energy.py:43 multiply by this value, 'unit is nJ' per energy/subcore_energy.py:209)";
/** Policy switches: 0 = reprolab's earlier rule (kept selectable for what-if), 1 = MPU-Sim's rule. */
const POLICY = (old: string, mpuSim: string) => `0 = ${old} (reprolab before issue 10); 1 = ${mpuSim}`;

const int = true;

export const MPU_PARAMS = {
  processorsX: { value: 4, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  processorsY: { value: 2, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  coresX: { value: 4, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  coresY: { value: 4, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  subcoresPerCore: { value: 4, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  maxWarpsPerSubcore: { value: 4, min: 1, max: 64, integer: int, unit: 'warps', source: SIM },
  fbAlusPerSubcore: { value: 4, min: 1, max: 16, integer: int, unit: 'count', source: SIM },
  fbAluLanes: { value: 8, min: 1, max: 32, integer: int, unit: 'lanes/cycle per ALU', source: ASSUMED + ' (4 ALUs x 8 lanes = one warp instruction per cycle per subcore)' },
  pgsPerCore: { value: 4, min: 1, max: 4, integer: int, unit: 'count', source: SIM + ' (max 4: a 128 B warp access spans <=4 PGs in the address map)' },
  pesPerPg: { value: 8, min: 8, max: 8, integer: int, unit: 'count', source: SIM + ' (fixed here: the address map puts one 128 B warp access on the 8 PEs of a PG)' },
  nbAluLanes: { value: 32, min: 1, max: 32, integer: int, unit: 'lanes/cycle per PG', source: SIM + ' (num_nb_alu 1 per PG; simulator/alu.py accepts one whole warp instruction per cycle, i.e. 32 lanes/cycle; was 8, an unsourced reprolab assumption)' },
  coreClockMHz: { value: 1000, min: 100, max: 5000, unit: 'MHz', source: SIM },
  busClockMHz: { value: 2000, min: 100, max: 10000, unit: 'MHz', source: SIM + ' (subcore<->PG shared bus)' },
  busWidthBytes: { value: 8, min: 1, max: 1024, integer: int, unit: 'B per core', source: SIM + " processor_config.json processor_shared_bus_io_width 128 B, which config/config_api.py:73-79 divides among a processor's 16 cores (core_shared_bus_io_width = 8 B): what the simulator's bus and its energy use (was 128 B here, the processor-wide figure)" },
  busLatencyCycles: { value: 2, min: 0, max: 100, integer: int, unit: 'core cycles', source: ASSUMED },
  instrPacketBytes: { value: 8, min: 0, max: 64, integer: int, unit: 'B per offloaded instruction', source: MS('subcore_pg_bus.py:120-131') + ' (instruction 4 B + SIMT mask 4 B)' },
  busPacketPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('one continuous byte stream per core shared by both directions', 'each packet takes whole bus cycles, ceil(payload/width) and at least one (command bus), one packet at a time towards the PGs and one towards the subcores (' + MS('subcore_pg_bus.py:38-39,134,137-161,200-260') + ')') },
  commitPackets: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('no commit packet', 'a near-bank instruction sends its instruction entry back to the subcore to commit, one downstream packet (' + MS('processing_group.py:308-309') + ', ' + MS('load_store_unit_extension.py:346-347') + ')') },
  networkMessagePolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('a remote load sends a 16 B request and gets 4 B a lane back; a remote store sends 4 B a lane + 16 B and gets nothing back', 'the messages MPU-Sim encodes: ld_req carries a 4 B address a lane + data width, SIMT mask, request and message ids (16 B), ld_resp 4 B a lane + 12 B, st_req addresses and data (8 B a lane) + 16 B, st_resp 12 B, each cut into 64 B packets (' + MS('network_message.py:145-230') + ')') },
  networkEnergyPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('link bits per hop + one buffer access per flit per hop; no router energy', 'link bits per hop as before, plus per packet and router crossed: crossbar, its control and the output port (wire, control, clock) for crossbarDelay cycles, and 4 buffer accesses at each router it enters and each output it leaves (' + MS('network_router.py:254-285') + ', ' + MS('energy/network_energy.py:56-217') + ')') },
  busEnergyPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('payload bits x eBusPerBit', 'whole bus cycles x bus width x 8 x eBusPerBit (' + MS('energy/core_energy.py:_update_subcore_pg_bus_energy') + ', counted at ' + MS('subcore_pg_bus.py:161') + ')') },
  smemBytes: { value: 65536, min: 1024, max: 1048576, integer: int, unit: 'B per core', source: SIM },
  smemBanks: { value: 32, min: 1, max: 64, integer: int, unit: 'count', source: SIM },
  smemLatencyCycles: { value: 2, min: 1, max: 100, integer: int, unit: 'core cycles', source: ASSUMED },
  bankIoBytes: { value: 16, min: 4, max: 64, integer: int, unit: 'B', source: SIM },
  bankRows: { value: 16384, min: 16, max: 1048576, integer: int, unit: 'rows', source: SIM },
  bankCols: { value: 64, min: 8, max: 1024, integer: int, unit: 'columns', source: SIM },
  rowBuffers: { value: 4, min: 1, max: 16, integer: int, unit: 'per bank', source: SIM },
  dramClockMHz: { value: 1000, min: 100, max: 5000, unit: 'MHz', source: SIM },
  tRCDR: { value: 14, min: 1, max: 200, integer: int, unit: 'DRAM cycles', source: SIM },
  tRCDW: { value: 10, min: 1, max: 200, integer: int, unit: 'DRAM cycles', source: SIM },
  tCL: { value: 2, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tCWL: { value: 2, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tRAS: { value: 33, min: 1, max: 400, integer: int, unit: 'DRAM cycles', source: SIM },
  tRP: { value: 14, min: 1, max: 200, integer: int, unit: 'DRAM cycles', source: SIM },
  tRRDL: { value: 6, min: 1, max: 100, integer: int, unit: 'DRAM cycles (same PG)', source: SIM },
  tRRDS: { value: 4, min: 1, max: 100, integer: int, unit: 'DRAM cycles (other PG)', source: SIM },
  tCCDL: { value: 4, min: 1, max: 100, integer: int, unit: 'DRAM cycles (same PG)', source: SIM },
  tCCDS: { value: 2, min: 1, max: 100, integer: int, unit: 'DRAM cycles (other PG)', source: SIM },
  tRTPL: { value: 5, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tRTPS: { value: 4, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tWTRL: { value: 8, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tWTRS: { value: 3, min: 1, max: 100, integer: int, unit: 'DRAM cycles', source: SIM },
  tWR: { value: 15, min: 1, max: 200, integer: int, unit: 'DRAM cycles', source: SIM },
  tFAW: { value: 16, min: 1, max: 400, integer: int, unit: 'DRAM cycles (per core)', source: SIM },
  tRFC: { value: 350, min: 1, max: 10000, integer: int, unit: 'DRAM cycles', source: SIM + ' (all-bank refresh)' },
  tREFI: { value: 3900, min: 100, max: 1000000, integer: int, unit: 'DRAM cycles', source: SIM + ' (all-bank refresh)' },
  refreshEnabled: { value: 1, min: 0, max: 1, integer: int, unit: 'bool', source: 'reprolab switch (1 = model refresh)' },
  refreshPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('all banks of a core refresh together every tREFI, cores staggered', 'each bank refreshes once tREFI has passed since its previous refresh ended, all banks starting together (' + MS('bank.py:151-165,452-463') + ')') },
  dramTimingPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('per-core tCCDS/tRRDS/tFAW/tWTRS and per-PG tRRDL on top of the per-bank rules', 'per-bank rules only: tRCD/CL/CWL/tRAS/tRP/tCCDL/tRTPL/tWTRL/tFAW per bank, no tRRD/tCCDS anywhere (' + MS('bank.py:145-392') + '; tFAW per bank never binds)') },
  storeReadModifyWrite: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('a store is one column write', 'every 16 B store transaction is read, merged, then written (' + MS('load_store_unit_extension.py:376-415') + ')') },
  routerClockMHz: { value: 2000, min: 100, max: 10000, unit: 'MHz', source: SIM },
  onchipLinkBytes: { value: 32, min: 1, max: 1024, integer: int, unit: 'B/router cycle', source: SIM },
  offchipLinkBytes: { value: 16, min: 1, max: 1024, integer: int, unit: 'B/router cycle', source: SIM },
  routerLatencyCycles: { value: 4, min: 0, max: 100, integer: int, unit: 'router cycles per hop', source: ASSUMED },
  flitBytes: { value: 16, min: 1, max: 256, integer: int, unit: 'B', source: SIM },
  packetBytes: { value: 64, min: 1, max: 4096, integer: int, unit: 'B', source: SIM },
  // energies in nJ per event
  eBankRead: { value: 0.15302, min: 0, max: 100, unit: 'nJ per bank column read', source: SIM },
  eBankWrite: { value: 0.15304, min: 0, max: 100, unit: 'nJ per bank column write', source: SIM },
  eBankAct: { value: 0.27837, min: 0, max: 100, unit: 'nJ per bank activate', source: SIM },
  eBankPre: { value: 0.25604, min: 0, max: 100, unit: 'nJ per bank precharge', source: SIM },
  eBankRefresh: { value: 1.12872, min: 0, max: 100, unit: 'nJ per bank refresh', source: SIM },
  eBusPerBit: { value: 0.00453, min: 0, max: 1, unit: 'nJ/bit (subcore<->PG "TSV" bus)', source: SIM },
  eNocOnchipPerBit: { value: 0.000724228, min: 0, max: 1, unit: 'nJ/bit per hop', source: SIM },
  eNocOffchipPerBit: { value: 0.004501563, min: 0, max: 1, unit: 'nJ/bit per hop', source: SIM },
  eNocBufAccess: { value: 0.0035923, min: 0, max: 1, unit: 'nJ per flit buffer access', source: SIM },
  // MPU-Sim's router power model (Orion-style, energy/network_energy.py) evaluated at its default
  // interconnect_network_config.json (4 channels of 128 bit, 0.9 V, 2 GHz): energy per busy cycle
  eRouterOutputPerCycle: { value: 1.3159816, min: 0, max: 100, unit: 'nJ per busy output-port cycle', source: MS('energy/network_energy.py:115-135,185-217') + ' at the default config: output clock 0.287655 + output wire (dff, alpha 1) 0.701292 + output control 0.327035' },
  eRouterCrossbarPerCycle: { value: 0.0152699, min: 0, max: 100, unit: 'nJ per crossbar traversal cycle', source: MS('energy/network_energy.py:78-113,137-183') + ' at the default config: crossbar 0.010970 (mean over the 16 input/output pairs; 0.00794-0.01400) + crossbar control 0.004300' },
  eSmemRead: { value: 0.000694566, min: 0, max: 1, unit: 'nJ per smem bank read', source: SIM },
  eSmemWrite: { value: 0.000753546, min: 0, max: 1, unit: 'nJ per smem bank write', source: SIM },
  eRfRead: { value: 0.0402723, min: 0, max: 10, unit: 'nJ per warp register read', source: SIM + ' (per-warp-access unit is a reprolab reading)' },
  eRfWrite: { value: 0.0438918, min: 0, max: 10, unit: 'nJ per warp register write', source: SIM },
  eIcacheRead: { value: 0.107244, min: 0, max: 10, unit: 'nJ per warp instruction', source: SIM },
  eFetchDecode: { value: 0.00087, min: 0, max: 10, unit: 'nJ per warp instruction', source: SIM },
  eOpcRead: { value: 0.04149, min: 0, max: 10, unit: 'nJ per operand-collector read (per warp instruction under pipelineEnergyPolicy 0)', source: SIM },
  eIntAdd: { value: 0.0064, min: 0, max: 10, unit: 'nJ per lane op', source: SIM_README },
  eIntMul: { value: 0.0092, min: 0, max: 10, unit: 'nJ per lane op', source: SIM_README },
  eFpAdd: { value: 0.0064, min: 0, max: 10, unit: 'nJ per lane op', source: SIM_README },
  eFpFma: { value: 0.0021, min: 0, max: 10, unit: 'nJ per lane op', source: SIM_README },
  eFpDiv: { value: 5.1096, min: 0, max: 100, unit: 'nJ per lane op', source: SIM_README },
  eSfu: { value: 2.4349, min: 0, max: 100, unit: 'nJ per lane op (sqrt)', source: SIM_README },
  aluEnergyPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('active lanes x README per-op energies (eIntAdd..eSfu)', 'warp instructions x config JSON energies (eWarpIntAdd..eWarpSfu)') },
  eWarpIntAdd: { value: 1.15468, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' alu_e_int_add' },
  eWarpIntMul: { value: 1.65986, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' alu_e_int_mul' },
  eWarpFpAdd: { value: 1.15468, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' alu_e_fp32_add' },
  eWarpFpFma: { value: 0.37888, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' alu_e_fp32_fma' },
  eWarpFpDiv: { value: 921.86917, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' alu_e_fp32_div' },
  eWarpSfu: { value: 439.30234, min: 0, max: 10000, unit: 'nJ per warp instruction', source: JSON_E + ' sfu_e_sqrt' },
  pipelineEnergyPolicy: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: POLICY('eOpcRead once per warp instruction; no PRT or writeback/commit energy', 'operand collector read + write per source operand (' + MS('operand_collector.py:190-191,259-260') + '), pending-request table read + write per memory instruction (' + MS('load_store_unit.py:367-368') + ', ' + MS('load_store_unit_extension.py:368-369') + '), writeback/commit per instruction (' + MS('subcore.py:306') + ')') },
  eOpcWrite: { value: 0.04991, min: 0, max: 10, unit: 'nJ per operand-collector write', source: SIM + ' core_config.json opc_write_energy' },
  ePrtRead: { value: 0.03967, min: 0, max: 10, unit: 'nJ per PRT read', source: SIM + ' core_config.json lsu_prt_read_energy' },
  ePrtWrite: { value: 0.0409, min: 0, max: 10, unit: 'nJ per PRT write', source: SIM + ' core_config.json lsu_prt_write_energy' },
  eWbCommit: { value: 0.0003, min: 0, max: 10, unit: 'nJ per warp instruction', source: SIM + ' core_config.json instr_wb_commit_energy' },
  // latencies in core cycles
  latAlu: { value: 1, min: 1, max: 100, integer: int, unit: 'core cycles', source: SIM + ' (alu_t_fp32_add/fma, int_mul)' },
  latFpDiv: { value: 198, min: 1, max: 1000, integer: int, unit: 'core cycles', source: SIM },
  latSfu: { value: 57, min: 1, max: 1000, integer: int, unit: 'core cycles', source: SIM + ' (sfu_t_sqrt)' },
  staticPowerW: { value: 0, min: 0, max: 1000, unit: 'W', source: ASSUMED + ' (event energy only; MPU static/background power not recorded)' },
} satisfies ParamTable<string>;

export type MpuParamName = keyof typeof MPU_PARAMS;
export type MpuConfig = Record<MpuParamName, number>;
export const DEFAULT_MPU: Readonly<MpuConfig> = Object.freeze(defaultsOf(MPU_PARAMS));
