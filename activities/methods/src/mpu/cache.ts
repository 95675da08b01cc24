/** Set-associative LRU cache of line tags (no data), with dirty bits for write-back. */
export class TagCache {
  private readonly sets: number;
  private readonly tags: Float64Array;
  private readonly stamp: Float64Array;
  private readonly dirty: Uint8Array;
  private clock = 0;
  hits = 0;
  misses = 0;

  constructor(bytes: number, readonly lineBytes: number, readonly ways: number) {
    this.sets = Math.max(1, Math.floor(bytes / lineBytes / ways));
    this.tags = new Float64Array(this.sets * ways).fill(-1);
    this.stamp = new Float64Array(this.sets * ways);
    this.dirty = new Uint8Array(this.sets * ways);
  }

  private setOf(line: number): number {
    return (line % this.sets) * this.ways;
  }

  /** True on hit (and marks dirty when writing). */
  access(line: number, write: boolean): boolean {
    const base = this.setOf(line);
    for (let w = 0; w < this.ways; w++) {
      if (this.tags[base + w] === line) {
        this.stamp[base + w] = ++this.clock;
        if (write) this.dirty[base + w] = 1;
        this.hits++;
        return true;
      }
    }
    this.misses++;
    return false;
  }

  /** Inserts a line; returns the evicted dirty line or -1. */
  fill(line: number, dirty: boolean): number {
    const base = this.setOf(line);
    let victim = 0;
    for (let w = 0; w < this.ways; w++) {
      if (this.tags[base + w] === -1) { victim = w; break; }
      if (this.stamp[base + w]! < this.stamp[base + victim]!) victim = w;
    }
    const old = this.tags[base + victim]!;
    const wasDirty = this.dirty[base + victim] === 1;
    this.tags[base + victim] = line;
    this.stamp[base + victim] = ++this.clock;
    this.dirty[base + victim] = dirty ? 1 : 0;
    return wasDirty && old >= 0 ? old : -1;
  }

  invalidate(line: number): void {
    const base = this.setOf(line);
    for (let w = 0; w < this.ways; w++) if (this.tags[base + w] === line) this.tags[base + w] = -1;
  }

  /** Writes back every dirty line: calls `write(line)` for each (in set order) and marks it clean. */
  cleanDirty(write: (line: number) => void): void {
    for (let i = 0; i < this.dirty.length; i++) {
      if (this.dirty[i] && this.tags[i]! >= 0) { this.dirty[i] = 0; write(this.tags[i]!); }
    }
  }

  dirtyLines(): number {
    let n = 0;
    for (let i = 0; i < this.dirty.length; i++) if (this.dirty[i] && this.tags[i]! >= 0) n++;
    return n;
  }
}
