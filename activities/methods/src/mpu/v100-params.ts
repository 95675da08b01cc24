import type { ParamTable } from './param-table';
import { defaultsOf } from './param-table';

// Public NVIDIA V100 figures. The MPU paper *measured* a real V100 (nvprof/nvidia-smi per MPU-Sim's
// benchmark README); this is a model built from public numbers, not the paper's setup.
const WP = 'NVIDIA Tesla V100 GPU Architecture whitepaper (2017)';
const JIA = 'Jia et al., "Dissecting the NVIDIA Volta GPU Architecture via Microbenchmarking", arXiv:1804.06826 (2018)';
const HBM = 'typical JEDEC HBM2 (JESD235) timing, approximate; exact V100 HBM2 timings are not public';
const OCONNOR = "O'Connor et al., \"Fine-Grained DRAM\", MICRO'17: HBM2 ~3.97 pJ/bit incl. activation at typical locality";
const MPUSIM = 'same per-op value as MPU-Sim config/README.md, which cites V100/TITAN V instruction-energy measurement papers (Arafa et al.)';
const ASSUMED = 'ASSUMPTION by reprolab (no public per-access figure found)';
const int = true;

export const V100_PARAMS = {
  sms: { value: 80, min: 1, max: 256, integer: int, unit: 'count', source: WP },
  clockMHz: { value: 1530, min: 100, max: 5000, unit: 'MHz (boost)', source: WP },
  subPartitions: { value: 4, min: 1, max: 8, integer: int, unit: 'warp schedulers per SM', source: WP },
  fp32LanesPerPartition: { value: 16, min: 1, max: 64, integer: int, unit: 'lanes', source: WP + ' (64 FP32 cores/SM)' },
  sfuLanesPerPartition: { value: 4, min: 1, max: 32, integer: int, unit: 'lanes', source: WP + ' (16 SFUs/SM)' },
  lsuLanesPerPartition: { value: 8, min: 1, max: 32, integer: int, unit: 'lanes', source: WP + ' (32 LD/ST units/SM)' },
  maxWarpsPerSm: { value: 64, min: 1, max: 128, integer: int, unit: 'warps', source: WP },
  maxBlocksPerSm: { value: 32, min: 1, max: 64, integer: int, unit: 'blocks', source: WP },
  smemPerSmBytes: { value: 98304, min: 0, max: 262144, integer: int, unit: 'B', source: WP + ' (up to 96 KB of the 128 KB L1/smem)' },
  l1Bytes: { value: 32768, min: 1024, max: 262144, integer: int, unit: 'B', source: WP + ' (128 KB L1+smem; 32 KB left as L1 when 96 KB smem is carved out; reprolab choice)' },
  l1Ways: { value: 4, min: 1, max: 64, integer: int, unit: 'ways', source: ASSUMED },
  l2Bytes: { value: 6291456, min: 65536, max: 67108864, integer: int, unit: 'B', source: WP },
  l2Ways: { value: 16, min: 1, max: 64, integer: int, unit: 'ways', source: ASSUMED },
  l2Slices: { value: 64, min: 1, max: 256, integer: int, unit: 'count', source: ASSUMED },
  l2BandwidthGBs: { value: 2155, min: 10, max: 100000, unit: 'GB/s', source: JIA + ' (measured L2 load throughput, approximate)' },
  l1HitLatency: { value: 28, min: 1, max: 1000, integer: int, unit: 'SM cycles', source: JIA },
  l2HitLatency: { value: 193, min: 1, max: 2000, integer: int, unit: 'SM cycles', source: JIA },
  dramExtraLatency: { value: 180, min: 0, max: 5000, integer: int, unit: 'SM cycles beyond L2 + DRAM timing', source: JIA + ' (global-memory latency ~400 cycles; split is reprolab approximation)' },
  smemLatency: { value: 19, min: 1, max: 1000, integer: int, unit: 'SM cycles', source: JIA },
  aluLatency: { value: 4, min: 1, max: 100, integer: int, unit: 'SM cycles', source: JIA + ' (FP32 FMA ~4 cycles)' },
  sfuLatency: { value: 18, min: 1, max: 1000, integer: int, unit: 'SM cycles', source: 'approximate, per public microbenchmarks of Volta MUFU' },
  fpDivLatency: { value: 120, min: 1, max: 2000, integer: int, unit: 'SM cycles', source: 'approximate (FP32 division is a software sequence on Volta)' },
  hbmChannels: { value: 32, min: 1, max: 256, integer: int, unit: 'channels', source: WP + ' (4 HBM2 stacks x 8 channels)' },
  hbmBusBitsPerChannel: { value: 128, min: 16, max: 1024, integer: int, unit: 'bit', source: WP + ' (4096-bit interface)' },
  hbmDataRateMTs: { value: 1752, min: 100, max: 20000, unit: 'MT/s', source: WP + ' (877 MHz DDR -> 900 GB/s)' },
  hbmBanksPerChannel: { value: 16, min: 1, max: 64, integer: int, unit: 'banks', source: HBM },
  hbmRowBytes: { value: 1024, min: 64, max: 16384, integer: int, unit: 'B', source: HBM },
  hbmTRCDns: { value: 14, min: 1, max: 200, unit: 'ns', source: HBM },
  hbmTRPns: { value: 14, min: 1, max: 200, unit: 'ns', source: HBM },
  hbmTRASns: { value: 33, min: 1, max: 400, unit: 'ns', source: HBM },
  hbmTCLns: { value: 14, min: 1, max: 200, unit: 'ns', source: HBM },
  hbmTREFIns: { value: 3900, min: 100, max: 1000000, unit: 'ns', source: HBM },
  hbmTRFCns: { value: 260, min: 1, max: 10000, unit: 'ns', source: HBM + ' (8 Gb die)' },
  eDramPerBit: { value: 0.00397, min: 0, max: 1, unit: 'nJ/bit', source: OCONNOR },
  eDramActPerRow: { value: 0, min: 0, max: 100, unit: 'nJ per activation', source: 'folded into eDramPerBit (see its source)' },
  eL2Sector: { value: 0.25, min: 0, max: 100, unit: 'nJ per 32 B sector', source: ASSUMED + ' (order of magnitude from Keckler et al., IEEE Micro 2011 on-chip wire/SRAM energies)' },
  eL1Sector: { value: 0.0056, min: 0, max: 100, unit: 'nJ per 32 B sector', source: 'MPU-Sim smem bank read 0.69 pJ x 8 banks, applied to V100 L1 (reprolab proxy)' },
  eSmemAccess: { value: 0.000694566, min: 0, max: 1, unit: 'nJ per bank access', source: 'MPU-Sim smem bank read energy, applied to V100 (reprolab proxy)' },
  eNocPerBit: { value: 0.000724228, min: 0, max: 1, unit: 'nJ/bit (SM<->L2 crossbar)', source: 'MPU-Sim on-chip NoC energy/bit applied to V100 crossbar (reprolab proxy)' },
  eRfRead: { value: 0.0402723, min: 0, max: 10, unit: 'nJ per warp register read', source: MPUSIM },
  eRfWrite: { value: 0.0438918, min: 0, max: 10, unit: 'nJ per warp register write', source: MPUSIM },
  eInstr: { value: 0.149604, min: 0, max: 10, unit: 'nJ per warp instruction (icache+fetch/decode+operand collector)', source: MPUSIM + ' (sum of 0.107244+0.00087+0.04149)' },
  eIntAdd: { value: 0.0064, min: 0, max: 10, unit: 'nJ per lane op', source: MPUSIM },
  eIntMul: { value: 0.0092, min: 0, max: 10, unit: 'nJ per lane op', source: MPUSIM },
  eFpAdd: { value: 0.0064, min: 0, max: 10, unit: 'nJ per lane op', source: MPUSIM },
  eFpFma: { value: 0.0021, min: 0, max: 10, unit: 'nJ per lane op', source: MPUSIM },
  eFpDiv: { value: 5.1096, min: 0, max: 100, unit: 'nJ per lane op', source: MPUSIM },
  eSfu: { value: 2.4349, min: 0, max: 100, unit: 'nJ per lane op', source: MPUSIM },
  l2WritebackAtEnd: { value: 1, min: 0, max: 1, integer: int, unit: 'policy', source: "0 = dirty L2 lines left when the last kernel ends cost write energy but no time (before issue 10); 1 = the run ends once they are written to HBM (a kernel timed over repeated runs, as nvprof timed the paper's, writes the previous run's dirty lines back during the next)" },
  staticPowerW: { value: 40, min: 0, max: 1000, unit: 'W', source: 'approximate idle/static power of a V100 as reported by nvidia-smi in public measurements; assumption (the paper measured total board power)' },
} satisfies ParamTable<string>;

/**
 * The range the V100's static power is judged over. The energy ratio rests on it more than on any
 * other parameter (geomean 1.2× at 0 W, 2.6× at 47 W, 3.5× at 80 W), and no source pins it for a
 * V100 under memory-bound load: idle draw is ~25–40 W in public nvidia-smi readings and leakage
 * rises with temperature under load. 20–80 W is reprolab's stated uncertainty, not a measurement.
 */
export const V100_STATIC_POWER_RANGE_W = Object.freeze({ lower: 20, upper: 80, source: 'reprolab assumption: public idle readings (~25–40 W) widened for leakage under load' });

/**
 * The paper's method: V100 energy = run time x board power read with nvidia-smi while the kernel runs
 * (MPU-Sim benchmark/README.md "Power Measurement", @db5cc64). No per-workload reading is public, so
 * the board power is bracketed by two published figures:
 * - lower: a V100 never draws less than idle while a kernel runs. An NVML dump of a Tesla
 *   V100-SXM2-32GB at P0, persistence mode, no process (https://pastebin.com/AaFUPNi5,
 *   nvml_device_power_usage 43955 mW) reads 44.0 W;
 * - upper: the board power limit, 300 W (NVIDIA Tesla V100 SXM2 datasheet TDP; the same dump's
 *   nvml_device_enforced_power_limit 300000 mW). nvidia-smi cannot report an average above it.
 * The bottom-up model (its dynamic energy plus staticPowerW) is a third estimate inside this range.
 */
export const V100_BOARD_POWER_W = Object.freeze({
  idle: 44,
  tdp: 300,
  source: 'idle: NVML reading of a Tesla V100-SXM2-32GB at P0, https://pastebin.com/AaFUPNi5 (43955 mW); TDP: NVIDIA Tesla V100 SXM2 datasheet, 300 W (enforced limit 300000 mW in the same dump)',
});

export type V100ParamName = keyof typeof V100_PARAMS;
export type V100Config = Record<V100ParamName, number>;
export const DEFAULT_V100: Readonly<V100Config> = Object.freeze(defaultsOf(V100_PARAMS));
