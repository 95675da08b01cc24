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

/**
 * Calendar queue of (time, key) events: one FIFO bucket per whole cycle in a ring, a heap for events
 * beyond the ring. Pushes and pops are O(1) (the heap was one log-depth sift per warp instruction).
 * Order: by whole cycle, and in insertion (FIFO) order within a cycle — fractional times inside one
 * cycle are not sorted. Deterministic; `topTime()` is the time of the event `pop()` removes next.
 */
export class CalendarQueue {
  private static readonly RING = 1024;
  private readonly bt: Float64Array[] = [];
  private readonly bk: Int32Array[] = [];
  private readonly head = new Int32Array(CalendarQueue.RING);
  private readonly tail = new Int32Array(CalendarQueue.RING);
  private readonly far = new EventHeap();
  private cur = 0; // whole cycle of the current bucket
  private inRing = 0;
  size = 0;

  constructor() {
    for (let i = 0; i < CalendarQueue.RING; i++) { this.bt.push(new Float64Array(16)); this.bk.push(new Int32Array(16)); }
  }

  push(time: number, key: number): void {
    this.size++;
    let c = Math.floor(time);
    if (c < this.cur) c = this.cur;
    if (c - this.cur >= CalendarQueue.RING) { this.far.push(time, key); return; }
    this.put(c & (CalendarQueue.RING - 1), time, key);
  }

  private put(b: number, time: number, key: number): void {
    let n = this.tail[b]!;
    if (n === this.bt[b]!.length) {
      const h = this.head[b]!;
      if (h > 0 && h * 2 >= n) {
        // compact: drop the consumed prefix
        this.bt[b]!.copyWithin(0, h, n); this.bk[b]!.copyWithin(0, h, n);
        n -= h; this.head[b] = 0;
      } else {
        const t = new Float64Array(n * 2); t.set(this.bt[b]!); this.bt[b] = t;
        const k = new Int32Array(n * 2); k.set(this.bk[b]!); this.bk[b] = k;
      }
    }
    this.bt[b]![n] = time;
    this.bk[b]![n] = key;
    this.tail[b] = n + 1;
    this.inRing++;
  }

  /** Moves `cur` to the first non-empty bucket, pulling far events that came into range. */
  private settle(): number {
    const R = CalendarQueue.RING;
    for (;;) {
      const b = this.cur & (R - 1);
      if (this.head[b]! < this.tail[b]!) return b;
      this.head[b] = 0; this.tail[b] = 0;
      if (this.inRing === 0) {
        if (this.far.size === 0) return -1;
        this.cur = Math.max(this.cur + 1, Math.floor(this.far.topTime()));
      } else this.cur++;
      while (this.far.size > 0 && Math.floor(this.far.topTime()) - this.cur < R) {
        const t = this.far.topTime();
        const c = Math.max(this.cur, Math.floor(t));
        this.put(c & (R - 1), t, this.far.topKey());
        this.far.pop();
      }
    }
  }

  topTime(): number {
    if (this.size === 0) return Infinity;
    const b = this.settle();
    return this.bt[b]![this.head[b]!]!;
  }

  topKey(): number {
    const b = this.settle();
    return this.bk[b]![this.head[b]!]!;
  }

  pop(): void {
    const b = this.settle();
    this.head[b]!++;
    this.inRing--;
    this.size--;
  }
}
