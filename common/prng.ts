/**
 * Seeded randomness, for whatever must be reproducible from a seed: the simulator's runs, test
 * data generators, benchmark rounds that a failure must be able to replay (never Math.random).
 */

/** mulberry32: 32 bits of state, fast, good enough for simulation (not for cryptography). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** Exponentially distributed with the given mean (memoryless arrivals and departures). */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `count` random bytes as lower-case hex pairs. */
  bytes(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(Math.floor(this.next() * 256));
    return out;
  }
}
