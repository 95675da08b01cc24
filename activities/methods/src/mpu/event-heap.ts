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
 *
 * Events live in one pool of typed arrays (time, key, next) with a free list; each bucket is a
 * singly linked list (head/tail node ids), so a push or pop touches a few array slots and never
 * copies. The current bucket is found lazily: only a pop that empties it marks it stale, and the
 * next query moves on (pushes in between still land relative to the old cycle, as they always did).
 */
/** CalendarQueue.reg slots: the time given to pushAt/dueBy, the time of the event popNext removed. */
export const Q_IN = 0;
export const Q_OUT = 1;

/** Whole cycles covered by the bucket ring; events further out wait in a heap. */
const RING = 1024;

export class CalendarQueue {
  private time = new Float64Array(1024);
  private key = new Int32Array(1024);
  private next = new Int32Array(1024);
  private free = -1; // free-list head
  private used = 0; // pool slots ever handed out
  private readonly head = new Int32Array(RING).fill(-1);
  private readonly tail = new Int32Array(RING).fill(-1);
  private readonly far = new EventHeap();
  private cur = 0; // whole cycle of the current bucket
  private inRing = 0;
  /** Bucket of `cur` when it is known to be non-empty, else -1 (settle() must run first). */
  private curBucket = -1;
  size = 0;

  /**
   * Time registers of the engine's hot path (pushAt, dueBy, popNext): the engine pops and re-queues a
   * warp once per instruction, and when V8 does not inline such a call (the event loop exhausts its
   * inlining budget) a fractional time argument or result is boxed in a new heap number each time.
   */
  readonly reg = new Float64Array(2);

  push(time: number, key: number): void {
    this.reg[Q_IN] = time;
    this.pushAt(key);
  }

  /** push(reg[Q_IN], key). */
  pushAt(key: number): void {
    const time = this.reg[Q_IN]!;
    this.size++;
    let c = Math.floor(time);
    if (c < this.cur) c = this.cur;
    if (c - this.cur >= RING) { this.pushFar(time, key); return; }
    let e = this.free;
    if (e >= 0) this.free = this.next[e]!;
    else e = this.fresh();
    this.link(c & (RING - 1), e, time, key);
  }

  private pushFar(time: number, key: number): void {
    this.far.push(time, key);
  }

  /** Appends node e (time, key) to bucket b. */
  private link(b: number, e: number, time: number, key: number): void {
    this.time[e] = time;
    this.key[e] = key;
    this.next[e] = -1;
    const t = this.tail[b]!;
    if (t < 0) this.head[b] = e; else this.next[t] = e;
    this.tail[b] = e;
    this.inRing++;
  }

  private alloc(): number {
    const f = this.free;
    if (f >= 0) { this.free = this.next[f]!; return f; }
    return this.fresh();
  }

  /** A never-used node, growing the pool when it is full. */
  private fresh(): number {
    if (this.used === this.time.length) {
      const n = this.used * 2;
      const t = new Float64Array(n); t.set(this.time); this.time = t;
      const k = new Int32Array(n); k.set(this.key); this.key = k;
      const x = new Int32Array(n); x.set(this.next); this.next = x;
    }
    return this.used++;
  }

  private put(b: number, time: number, key: number): void {
    this.link(b, this.alloc(), time, key);
  }

  /** Moves `cur` to the first non-empty bucket, pulling far events that came into range. */
  private settle(): number {
    const R = RING;
    for (;;) {
      const b = this.cur & (R - 1);
      if (this.head[b]! >= 0) { this.curBucket = b; return b; }
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
    const b = this.curBucket >= 0 ? this.curBucket : this.settle();
    return this.time[this.head[b]!]!;
  }

  topKey(): number {
    const b = this.curBucket >= 0 ? this.curBucket : this.settle();
    return this.key[this.head[b]!]!;
  }

  /** True when the next event is due at or before reg[Q_IN] (topTime() <= reg[Q_IN]). */
  dueBy(): boolean {
    if (this.size === 0) return false;
    const b = this.curBucket >= 0 ? this.curBucket : this.settle();
    return this.time[this.head[b]!]! <= this.reg[Q_IN]!;
  }

  /** pop() that returns the event's key and leaves its time in reg[Q_OUT] (queue not empty). */
  popNext(): number {
    const b = this.curBucket >= 0 ? this.curBucket : this.settle();
    const e = this.head[b]!;
    this.reg[Q_OUT] = this.time[e]!;
    const key = this.key[e]!;
    this.pop();
    return key;
  }

  pop(): void {
    const b = this.curBucket >= 0 ? this.curBucket : this.settle();
    const e = this.head[b]!;
    const nx = this.next[e]!;
    this.head[b] = nx;
    if (nx < 0) { this.tail[b] = -1; this.curBucket = -1; }
    this.next[e] = this.free;
    this.free = e;
    this.inRing--;
    this.size--;
  }
}
