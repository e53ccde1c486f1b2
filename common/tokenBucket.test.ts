import { describe, expect, it } from "vitest";
import { TokenBucket } from "./tokenBucket.js";

describe("TokenBucket", () => {
  it("serves a burst at once, then one token per 1/rate, with explicit timestamps", () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBeCloseTo(100); // the 6th token arrives 100 ms later
    expect(bucket.reserve(0)).toBeCloseTo(200); // and the 7th after it: debt accumulates
    expect(bucket.reserve(300)).toBe(0); // 3 tokens refilled, 2 owed, 1 taken
  });

  it("never holds more than the burst, however long it was idle", () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([1, 2, 3, 4].map(() => bucket.reserve(3_600_000))).toEqual([0, 0, 0, 100]);
  });

  it("a flood's wait grows without bound, so the caller can cut it off", () => {
    const bucket = new TokenBucket(20, 200, 0);
    let wait = 0;
    for (let i = 0; i < 2000; i++) wait = bucket.reserve(0);
    expect(wait).toBeCloseTo(90_000); // 1,800 tokens owed at 20/s
  });

  it("ignores a clock that steps backwards", () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.reserve(10_000)).toBe(0);
    expect(bucket.reserve(5_000)).toBe(1000);
  });
});
