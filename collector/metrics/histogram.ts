/**
 * A cumulative histogram with fixed bucket bounds, as Prometheus exposes it: per-bucket
 * counts, a sum and a count. Also answers quantiles (bucket upper bound) for benchmarks.
 */
export class Histogram {
  readonly bounds: readonly number[];
  /** counts[i] observations ≤ bounds[i] and > bounds[i-1]; the last slot is +Inf. */
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    this.#counts = new Array(this.bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sum += value;
    this.#count++;
  }

  get sum(): number {
    return this.#sum;
  }

  get count(): number {
    return this.#count;
  }

  /** Cumulative counts per bound, then +Inf (Prometheus `le` buckets). */
  cumulative(): Array<{ le: number; count: number }> {
    let running = 0;
    return this.#counts.map((c, i) => {
      running += c;
      return { le: this.bounds[i] ?? Number.POSITIVE_INFINITY, count: running };
    });
  }

  /** The upper bound of the bucket holding quantile q (0..1); Infinity past the last bound. */
  quantileUpperBound(q: number): number {
    const target = Math.ceil(q * this.#count);
    for (const { le, count } of this.cumulative()) if (count >= target && count > 0) return le;
    return 0;
  }
}

/** Receive-to-commit latency bounds, seconds: group commit is sub-millisecond to a few ms when healthy. */
export const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
