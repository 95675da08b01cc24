/** Binary min-heap of (time, key) pairs in typed arrays; ties break by insertion order for determinism. */
export class EventHeap {
  private t = new Float64Array(1024);
  private k = new Int32Array(1024);
  private s = new Float64Array(1024);
  private serial = 0;
  size = 0;

  push(time: number, key: number): void {
    if (this.size === this.t.length) this.grow();
    let i = this.size++;
    const ser = this.serial++;
    const t = this.t, k = this.k, s = this.s;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! < time || (t[p] === time && s[p]! < ser)) break;
      t[i] = t[p]!; k[i] = k[p]!; s[i] = s[p]!;
      i = p;
    }
    t[i] = time; k[i] = key; s[i] = ser;
  }

  topTime(): number {
    return this.size > 0 ? this.t[0]! : Infinity;
  }

  topKey(): number {
    return this.k[0]!;
  }

  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const t = this.t, k = this.k, s = this.s;
    const lt = t[n]!, lk = k[n]!, ls = s[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (t[c + 1]! < t[c]! || (t[c + 1] === t[c] && s[c + 1]! < s[c]!))) c++;
      if (lt < t[c]! || (lt === t[c] && ls < s[c]!)) break;
      t[i] = t[c]!; k[i] = k[c]!; s[i] = s[c]!;
      i = c;
    }
    t[i] = lt; k[i] = lk; s[i] = ls;
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n); t.set(this.t); this.t = t;
    const k = new Int32Array(n); k.set(this.k); this.k = k;
    const s = new Float64Array(n); s.set(this.s); this.s = s;
  }
}
