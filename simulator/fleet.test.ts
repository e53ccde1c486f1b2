import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gatewayIdFor, SimulatedFleet } from "./fleet.js";
import { tempRoot, WORLD_START } from "./testSupport.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("fleet", () => {
  it("names gateways gw-00001... and gives each its own household", () => {
    expect([0, 1, 99998].map(gatewayIdFor)).toEqual(["gw-00001", "gw-00002", "gw-99999"]);
    const fleet = new SimulatedFleet({ gateways: 3, seed: 4, startTime: WORLD_START });
    expect(fleet.gateways.map((g) => g.gatewayId)).toEqual(["gw-00001", "gw-00002", "gw-00003"]);
    fleet.advanceTo(0);
    const macs = fleet.gateways.map((g) => g.devices[0]?.mac);
    expect(new Set(macs).size).toBe(3);
  });

  it("writes gateways round-robin when a tick's write budget runs out", async () => {
    const { root, cleanup } = tempRoot();
    cleanups.push(cleanup);
    const fleet = new SimulatedFleet({ gateways: 3, root, startTime: WORLD_START, tickMs: 60_000 });
    await fleet.start();
    const clockOf = (i: number) => Number(readFileSync(join(root, gatewayIdFor(i), ".sim", "clock"), "utf8"));
    const clocks = () => [0, 1, 2].map(clockOf);
    const start = clocks();
    // A zero budget still writes one gateway per call, each call the next one.
    fleet.advanceTo(10_000, 0);
    expect(clocks().map((c, i) => c - (start[i] ?? 0))).toEqual([10_000, 0, 0]);
    fleet.advanceTo(20_000, 0);
    expect(clocks().map((c, i) => c - (start[i] ?? 0))).toEqual([10_000, 20_000, 0]);
    fleet.advanceTo(30_000);
    expect(clocks().map((c, i) => c - (start[i] ?? 0))).toEqual([30_000, 30_000, 30_000]);
    await fleet.stop();
    await fleet.done;
  });

  it("stops by itself after the simulated duration", async () => {
    const fleet = new SimulatedFleet({
      gateways: 2,
      startTime: WORLD_START,
      speed: 100_000,
      tickMs: 10,
      durationSeconds: 3600,
    });
    await fleet.start();
    await fleet.done;
    expect(fleet.t).toBe(3600_000);
    for (const g of fleet.gateways) expect(g.t).toBe(3600_000);
  });
});
