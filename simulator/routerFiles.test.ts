import { describe, expect, it } from "vitest";
import type { SkippedLine } from "../agent/sources/parseResult.js";
import { readRouterInfo } from "../agent/sources/router/routerSource.js";
import { SimulatedGateway } from "./gateway.js";
import { simulatedGatewayContext } from "./memoryContext.js";

describe("simulated router files", () => {
  it("give the agent's router source the WAN port, its gateway, load and memory", async () => {
    const gateway = new SimulatedGateway({ gatewayId: "gw-route", devices: 5, seed: 4, realtime: false });
    await gateway.start();
    gateway.advance(60_000);
    const skipped: SkippedLine[] = [];
    const router = await readRouterInfo(simulatedGatewayContext(gateway), skipped);
    expect(router).toMatchObject({ wanInterface: "eth1", wanMac: gateway.iface("eth1")?.mac });
    expect(router.load1).toBeGreaterThan(0);
    expect(router.memTotalBytes).toBe(250_000 * 1024);
    expect(skipped).toEqual([]);
    await gateway.stop();
  });
});
