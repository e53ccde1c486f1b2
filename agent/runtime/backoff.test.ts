import { afterEach, describe, expect, it, vi } from "vitest";
import { Backoff, backoffDelay } from "./backoff.js";

const options = { baseMs: 1000, capMs: 60_000 };

describe("reconnect backoff", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("doubles the window each attempt up to the cap", () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 5, 6, 7, 40].map((a) => backoffDelay(a, options, top))).toEqual([
      999, 1999, 3999, 7999, 31_999, 59_999, 59_999, 59_999,
    ]);
    expect(backoffDelay(4, options, () => 0)).toBe(0);
  });

  it("full jitter: a fleet reconnecting after the same outage spreads over the whole window", () => {
    // 1,000 gateways at their 4th attempt (16 s window): no second gets more than a few percent of them.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const perSecond = new Array(16).fill(0);
    for (let i = 0; i < 1000; i++) perSecond[Math.floor(backoffDelay(4, options, random) / 1000)]++;
    expect(Math.max(...perSecond)).toBeLessThan(100);
    expect(Math.min(...perSecond)).toBeGreaterThan(30);
  });

  it("counts attempts until reset, driving timers without sleeping", () => {
    vi.useFakeTimers();
    const backoff = new Backoff({ baseMs: 100, capMs: 1000 }, () => 0.5);
    const fired: number[] = [];
    const schedule = () => setTimeout(() => fired.push(Date.now()), backoff.next());
    const start = Date.now();
    for (let i = 0; i < 5; i++) {
      schedule();
      vi.runAllTimers();
    }
    expect(fired.map((t) => t - start)).toEqual([50, 150, 350, 750, 1250]);
    expect(backoff.attempt).toBe(5);
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it("rejects a cap below the base", () => {
    expect(() => new Backoff({ baseMs: 1000, capMs: 10 })).toThrow(RangeError);
  });
});
