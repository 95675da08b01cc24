/**
 * MPU global address map (ASSUMPTION by reprolab; MPU-Sim's map was not recorded): 16 B column
 * granules interleave over the 32 banks (8 PEs x 4 PGs) of a core, so one coalesced 128 B warp access
 * hits the 8 banks of one PG at the same row/column; 64 columns make a 32 KB core-row chunk; chunks
 * interleave over cores, then rows. Buffers start on a full interleave period so equal indices of
 * different arrays share core, PG and bank. Replicated (read-only, small) buffers live at
 * REPLICA_BASE and resolve to the requesting core.
 */
export const REPLICA_BASE = 2 ** 42;

export interface BankAddress { core: number; pg: number; pe: number; row: number; col: number }

export class AddressMap {
  readonly pesPerCore: number;
  readonly chunkBytes: number;
  readonly period: number;

  constructor(
    readonly cores: number,
    readonly pgs: number,
    readonly pesPerPg: number,
    readonly cols: number,
    readonly rows: number,
    readonly ioBytes: number,
  ) {
    this.pesPerCore = pgs * pesPerPg;
    this.chunkBytes = this.pesPerCore * cols * ioBytes;
    this.period = this.chunkBytes * cores;
  }

  /** Writes the decoded fields of `addr` into `out` (requesting core used for replicas). */
  decode(addr: number, requester: number, out: BankAddress): void {
    let a = addr;
    let replica = false;
    if (a >= REPLICA_BASE) { a -= REPLICA_BASE; replica = true; }
    const g = Math.floor(a / this.ioBytes);
    const pe = g % this.pesPerCore;
    const rest = Math.floor(g / this.pesPerCore);
    out.pe = pe % this.pesPerPg;
    out.pg = Math.floor(pe / this.pesPerPg);
    out.col = rest % this.cols;
    const chunk = Math.floor(rest / this.cols);
    out.core = replica ? requester : chunk % this.cores;
    out.row = Math.floor(replica ? chunk : chunk / this.cores) % this.rows;
  }

  pgOf(addr: number): number {
    const a = addr >= REPLICA_BASE ? addr - REPLICA_BASE : addr;
    return Math.floor(Math.floor(a / this.ioBytes) % this.pesPerCore / this.pesPerPg);
  }

  coreOf(addr: number): number {
    if (addr >= REPLICA_BASE) return -1;
    return Math.floor(addr / this.chunkBytes) % this.cores;
  }
}

/** Assigns base addresses: normal buffers on period boundaries, replicas in the replica region. */
export function allocate(buffers: { base: number; data: { length: number }; replicated: boolean }[], period: number): number {
  let next = 0;
  let nextReplica = REPLICA_BASE;
  for (const b of buffers) {
    const bytes = b.data.length * 4;
    if (b.replicated) {
      b.base = nextReplica;
      nextReplica += Math.ceil(bytes / period + 1e-9) * period;
    } else {
      b.base = next;
      next += Math.max(1, Math.ceil(bytes / period)) * period;
    }
  }
  return next;
}
