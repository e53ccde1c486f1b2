/**
 * The pending actions of one simulated gateway, ordered by simulated time and then by insertion,
 * so two runs with the same seed process simultaneous actions in the same order.
 */

export interface Timer<K> {
  at: number;
  seq: number;
  kind: K;
  /** Device index, or -1 for gateway-wide actions. */
  device: number;
  /** Generation the timer was scheduled in; a stale generation means the timer was cancelled. */
  gen: number;
  /** Optional payload (a scenario entry index, a lease MAC, ...). */
  arg: number;
}

/** A binary min-heap; cancelled timers are dropped lazily by the caller checking `gen`. */
export class TimerQueue<K> {
  private readonly heap: Timer<K>[] = [];
  /** Fired timers kept for reuse: a fleet pushes millions of timers and would otherwise churn the GC. */
  private readonly free: Timer<K>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, kind: K, device: number, gen: number, arg = 0): void {
    const reused = this.free.pop();
    let timer: Timer<K>;
    if (reused) {
      timer = reused;
      timer.at = at;
      timer.seq = this.seq++;
      timer.kind = kind;
      timer.device = device;
      timer.gen = gen;
      timer.arg = arg;
    } else timer = { at, seq: this.seq++, kind, device, gen, arg };
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Timer<K>;
      if (!before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  /** Time of the earliest timer, or Infinity. */
  peekAt(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  pop(): Timer<K> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r] as Timer<K>, heap[l] as Timer<K>) ? r : l;
      const c = heap[child] as Timer<K>;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Hands a popped timer back for reuse; the caller must not keep it. */
  recycle(timer: Timer<K>): void {
    this.free.push(timer);
  }

  clear(): void {
    this.heap.length = 0;
  }
}

function before<K>(a: Timer<K>, b: Timer<K>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
