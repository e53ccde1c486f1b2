import { describe, expect, it } from "vitest";
import { countTraffic, type DeviceReadings } from "./deviceTraffic.js";

const nlbw = (down: number, up: number): DeviceReadings => ({
  source: "nlbwmon",
  readings: [{ key: "mac", counts: [down, up, down / 1000, up / 1000] }],
});

describe("countTraffic", () => {
  it("rates the difference between readings and adds it to the lease total", () => {
    const first = countTraffic(undefined, nlbw(1_000_000, 50_000), null);
    expect(first).toMatchObject({ downRate: null, upRate: null, lease: [0, 0, 0, 0] });
    const second = countTraffic(first, nlbw(3_000_000, 70_000), 10_000);
    expect(second).toMatchObject({ downRate: 200_000, upRate: 2_000, lease: [2_000_000, 20_000, 2_000, 20] });
  });

  it("keeps the rate for the same reading taken again with no time between (a requested snapshot)", () => {
    const first = countTraffic(undefined, nlbw(1_000_000, 50_000), null);
    const second = countTraffic(first, nlbw(3_000_000, 70_000), 10_000);
    const again = countTraffic(second, nlbw(3_000_000, 70_000), 0);
    expect(again).toMatchObject({ downRate: 200_000, upRate: 2_000, lease: second.lease });
  });

  it("gives no rate across a counter restart, and counts what the counter shows since", () => {
    const first = countTraffic(undefined, nlbw(5_000_000, 50_000), null);
    const restarted = countTraffic(first, nlbw(400_000, 1_000), 10_000);
    expect(restarted).toMatchObject({ downRate: null, upRate: null, lease: [400_000, 1_000, 400, 1] });
  });
});
