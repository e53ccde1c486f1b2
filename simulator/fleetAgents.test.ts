import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCollector } from "../collector/runCollector.js";
import { listGateways } from "../collector/store/queries.js";
import { silentLogger } from "../common/logger.js";
import { tempDir, waitFor } from "../test/helpers.js";
import { SimulatedFleet } from "./fleet.js";
import { FleetAgents } from "./fleetAgents.js";

describe("simulator --agents: one real agent per simulated gateway", () => {
  const dir = tempDir("fleet-agents");
  afterAll(() => dir.remove());

  it("every gateway's leases reach the collector through its own MQTT connection", async () => {
    const log = silentLogger();
    const collector = await startCollector({ db: join(dir.path, "c.db"), listen: "mqtt://127.0.0.1:0", log });
    const fleet = new SimulatedFleet({ gateways: 8, devices: 6, seed: 11, speed: 1 });
    const agents = new FleetAgents(fleet, {
      broker: `mqtt://127.0.0.1:${collector.broker.port}`,
      intervalMs: 300,
      log,
    });
    try {
      await fleet.start();
      agents.start();
      await waitFor("all gateways online", () => {
        const gateways = listGateways(collector.store.db);
        return gateways.length === 8 && gateways.every((g) => g.online);
      });
      await waitFor("every simulated lease stored", () =>
        fleet.gateways.every((g) => {
          const stored = listGateways(collector.store.db).find((s) => s.gatewayId === g.gatewayId);
          return stored?.deviceCount === g.leaseRecords().filter((l) => l.mac !== null).length;
        }),
      );
      expect(agents.counters()).toMatchObject({ agents: 8, connected: 8, failed: 0 });
      expect(agents.counters().published).toBeGreaterThanOrEqual(8);
    } finally {
      await agents.stop();
      await fleet.stop();
      await collector.close();
    }
  });
});
