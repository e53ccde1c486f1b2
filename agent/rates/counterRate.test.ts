import { describe, expect, it } from "vitest";
import { counterChange, counterRate } from "./counterRate.js";

const TWO_32 = 4294967296;

describe("counterChange", () => {
  it("normal increase", () => {
    expect(counterChange(1_000, 31_000)).toEqual({ kind: "increase", delta: 30_000n });
    expect(counterChange(5, 5)).toEqual({ kind: "increase", delta: 0n });
  });

  it("32-bit wrap: previous in the upper half, small wrapped delta", () => {
    // 4294967000 -> wraps past 2^32 -> 704: 296 bytes to the wrap plus 704 after it.
    expect(counterChange(4_294_967_000, 704)).toEqual({ kind: "wrap32", delta: 1_000n });
    // Exactly half the range counted across the wrap is still a wrap.
    expect(counterChange(TWO_32 / 2, 0)).toEqual({ kind: "wrap32", delta: 2_147_483_648n });
  });

  it("64-bit wrap, computed exactly in BigInt", () => {
    const prev = 18_446_744_073_709_551_000n; // 2^64 - 616
    expect(counterChange(prev, 384n)).toEqual({ kind: "wrap64", delta: 1_000n });
    // The same numbers as doubles would round 2^64 - 616 to 2^64 and lose the 616.
    expect(Number(prev) === 2 ** 64).toBe(true);
  });

  it("reset: a decrease that no plausible wrap explains", () => {
    // Previous in the lower half of the 32-bit range: cannot have wrapped.
    expect(counterChange(1_000_000, 2_000)).toEqual({ kind: "reset", delta: null });
    // Previous in the upper half, but the wrapped delta (2^32 - 3e9 + 2.2e9 = 3.49e9) exceeds half the range.
    expect(counterChange(3_000_000_000, 2_200_000_000)).toEqual({ kind: "reset", delta: null });
    // A 64-bit counter that is past 2^32 but far from 2^64 went back to near zero: reboot.
    expect(counterChange(50_000_000_000, 1_234)).toEqual({ kind: "reset", delta: null });
  });

  it("rejects readings that are not counters", () => {
    expect(counterChange(-1, 5)).toEqual({ kind: "invalid", delta: null });
    expect(counterChange(1.5, 5)).toEqual({ kind: "invalid", delta: null });
    expect(counterChange(2 ** 53, 2 ** 53 + 2)).toEqual({ kind: "invalid", delta: null });
    expect(counterChange(0n, 1n << 64n)).toEqual({ kind: "invalid", delta: null });
  });
});

describe("counterRate", () => {
  it("normal: 30,000 bytes in 10 s is 3,000 bytes/s", () => {
    expect(counterRate(1_000, 31_000, 10_000)).toBe(3_000);
  });

  it("32-bit wrap: 1,000 bytes across the wrap in 500 ms is 2,000 bytes/s", () => {
    expect(counterRate(4_294_967_000, 704, 500)).toBe(2_000);
  });

  it("64-bit wrap: 1,000 bytes across 2^64 in 2 s is 500 bytes/s", () => {
    expect(counterRate(18_446_744_073_709_551_000n, 384n, 2_000)).toBe(500);
  });

  it("reset: no rate for the interval", () => {
    expect(counterRate(1_000_000, 2_000, 30_000)).toBeNull();
  });

  it("zero elapsed time: no rate", () => {
    expect(counterRate(1_000, 2_000, 0)).toBeNull();
  });

  it("negative elapsed time (clock stepped back): no rate", () => {
    expect(counterRate(1_000, 2_000, -5_000)).toBeNull();
    expect(counterRate(1_000, 2_000, Number.NaN)).toBeNull();
  });
});
