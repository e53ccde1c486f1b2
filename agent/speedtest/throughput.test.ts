import { describe, expect, it } from "vitest";
import { bitsPerSecond, median, nextUploadBytes } from "./throughput.js";

describe("speed test arithmetic", () => {
  it("bits per second from bytes and seconds", () => {
    expect(bitsPerSecond(5_000_000, 1)).toBe(40_000_000);
    expect(bitsPerSecond(1_250_000, 0.25)).toBe(40_000_000);
    expect(bitsPerSecond(0, 2)).toBe(0);
  });

  it("no rate without elapsed time", () => {
    expect(bitsPerSecond(65_536, 0)).toBeNull();
    expect(bitsPerSecond(65_536, null)).toBeNull();
    expect(bitsPerSecond(65_536, -1)).toBeNull();
    expect(bitsPerSecond(65_536, Number.NaN)).toBeNull();
  });

  it("median of odd and even counts, unsorted input left alone", () => {
    const samples = [12, 3.5, 7, 250, 6];
    expect(median(samples)).toBe(7);
    expect(samples).toEqual([12, 3.5, 7, 250, 6]);
    expect(median([4, 2, 10, 8])).toBe(6);
    expect(median([9])).toBe(9);
    expect(median([])).toBeNull();
  });

  it("each upload request takes about a quarter of the time bound at the rate so far", () => {
    // 5 MB/s so far, 10 s bound: 12.5 MB next, unless less is left.
    expect(nextUploadBytes(5_000_000, 1, 10, 100_000_000, 65_536)).toBe(12_500_000);
    expect(nextUploadBytes(5_000_000, 1, 10, 3_000_000, 65_536)).toBe(3_000_000);
    // A slow start never goes below the minimum request.
    expect(nextUploadBytes(1000, 1, 2, 100_000_000, 65_536)).toBe(65_536);
    expect(nextUploadBytes(0, 0, 2, 100_000_000, 65_536)).toBe(65_536);
    expect(nextUploadBytes(5_000_000, 1, 10, 0, 65_536)).toBe(0);
  });
});
