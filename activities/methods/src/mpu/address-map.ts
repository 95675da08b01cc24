/**
 * MPU global address map, following MPU-Sim's `dram_addr_map_1` (simulator/sim_api.py
 * `Hardware.addr_hashing`, github.com/GD06/mpu-sim_distribution @db5cc64), read for its layout only:
 * from the least significant end, a 16 B bank-interface granule, then PE (8), PG (4), core x, core y,
 * processor x, processor y, and the rest is the bank-local address (column = low bits, row = high).
 * So a 128 B coalesced warp access covers the 8 banks of one PG at one row/column, 512 B
 * (4 PGs x 128 B) stay on one core, and consecutive 512 B chunks go to consecutive cores.
 * The core index here is core x + coresX*(core y + coresY*(proc x + processorsX*proc y)), the same
 * order as MPU-Sim's, and the same numbering the timing model uses for mesh coordinates.
 * Buffers are aligned to a full interleave period (cores x 512 B) as MPU-Sim's `Memory` allocator
 * does (`mem_alignment` in sim_api.py), so equal indices of different arrays share core, PG and bank.
 */
export interface BankAddress { core: number; pg: number; pe: number; row: number; col: number }

export class AddressMap {
  readonly pesPerCore: number;
  /** Bytes per core before the map moves to the next core (512 B with the defaults). */
  readonly chunkBytes: number;
  /** Bytes of one full pass over every core (the allocation alignment). */
  readonly period: number;
  /** All geometry is integral, so int32 arithmetic decodes addresses below 2^31 exactly (see decode). */
  private readonly intGeometry: boolean;

  constructor(
    readonly cores: number,
    readonly pgs: number,
    readonly pesPerPg: number,
    readonly cols: number,
    readonly rows: number,
    readonly ioBytes: number,
  ) {
    this.pesPerCore = pgs * pesPerPg;
    this.chunkBytes = this.pesPerCore * ioBytes;
    this.period = this.chunkBytes * cores;
    this.intGeometry = [ioBytes, pgs, pesPerPg, cores, cols, rows].every((x) => Number.isInteger(x) && x > 0);
  }

  /** Writes the decoded fields of `addr` into `out`. */
  decode(addr: number, out: BankAddress): void {
    if (this.intGeometry && (addr | 0) === addr && addr >= 0) {
      // same arithmetic on non-negative int32 values (floor = truncation); double % was a slow library call
      const g = (addr / this.ioBytes) | 0;
      const pe = g % this.pesPerCore;
      const pePg = pe % this.pesPerPg;
      out.pe = pePg;
      out.pg = ((pe - pePg) / this.pesPerPg) | 0;
      const chunk = ((g - pe) / this.pesPerCore) | 0;
      const core = chunk % this.cores;
      out.core = core;
      const bank = ((chunk - core) / this.cores) | 0;
      out.col = bank % this.cols;
      out.row = ((bank / this.cols) | 0) % this.rows;
      return;
    }
    const g = Math.floor(addr / this.ioBytes);
    const pe = g % this.pesPerCore;
    out.pe = pe % this.pesPerPg;
    out.pg = (pe - out.pe) / this.pesPerPg;
    const chunk = (g - pe) / this.pesPerCore;
    out.core = chunk % this.cores;
    const bank = (chunk - out.core) / this.cores;
    out.col = bank % this.cols;
    out.row = Math.floor(bank / this.cols) % this.rows;
  }

  pgOf(addr: number): number {
    if (this.intGeometry && (addr | 0) === addr && addr >= 0) return ((((addr / this.ioBytes) | 0) % this.pesPerCore) / this.pesPerPg) | 0;
    return Math.floor((Math.floor(addr / this.ioBytes) % this.pesPerCore) / this.pesPerPg);
  }

  coreOf(addr: number): number {
    return Math.floor(addr / this.chunkBytes) % this.cores;
  }
}

/** Assigns base addresses back to back, each buffer aligned to `alignment` bytes (MPU-Sim `Memory.allocate`). */
export function allocate(buffers: { base: number; data: { length: number } }[], alignment: number): number {
  let next = 0;
  for (const b of buffers) {
    b.base = next;
    next += Math.max(1, Math.ceil((b.data.length * 4) / alignment)) * alignment;
  }
  return next;
}
