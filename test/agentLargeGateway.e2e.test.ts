/**
 * A business gateway's snapshot through the real agent, embedded broker and collector: 5,000
 * leases are about 1.2 MB of JSON, over the 1-MiB payload limit. The agent sends it compressed
 * (protocol/payload.ts) and the collector stores all of it.
 */
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { describe, expect, it } from "vitest";
import { Agent } from "../agent/agent.js";
import type { Source } from "../agent/sources/source.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import { type Lease, MAX_ARRAY_ITEMS, MAX_PAYLOAD_BYTES, topicFor } from "../protocol/index.js";
import { cleanupsAfterEach, tempDir, waitFor, writeBootId } from "./helpers.js";

const GATEWAY = "gw-business";
const log = silentLogger();

function lease(i: number): Lease {
  const byte = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
  return {
    mac: `02:00:00:01:${byte(i >> 8)}:${byte(i)}`,
    ip: `10.20.${(i >> 8) & 0xff}.${i & 0xff}`,
    family: "ipv4",
    hostname: `desk-${i}-floor-${i % 7}-west-wing-${(i * 2654435761) % 1000003}`,
    expiresAt: 1_900_000_000_000 + i * 1000,
    clientId: `01:02:00:00:01:${byte(i >> 8)}:${byte(i)}`,
    duid: null,
    iaid: null,
    source: "dnsmasq",
  };
}

describe("agent on a business gateway", () => {
  const cleanups = cleanupsAfterEach();

  it("delivers a snapshot over the payload limit as JSON, compressed, and the collector stores it whole", async () => {
    const dir = tempDir("business");
    cleanups.push(dir.remove);
    const leases = Array.from({ length: MAX_ARRAY_ITEMS }, (_, i) => lease(i));
    const source: Source = {
      name: "dnsmasq",
      detect: async () => true,
      collect: async () => ({ status: "ok", records: { leases }, skipped: [] }),
    };
    const root = join(dir.path, "gateway");
    writeBootId(root, "6f1c2d3e-0000-4000-8000-00000000b15e");
    const collector = await startCollector({
      db: join(dir.path, "collector.db"),
      listen: "mqtt://127.0.0.1:0",
      log,
    });
    cleanups.push(() => collector.close());
    const watcher = await connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`);
    cleanups.push(() => watcher.endAsync());
    const payloads: Buffer[] = [];
    watcher.on("message", (_topic, payload) => payloads.push(payload));
    await watcher.subscribeAsync(topicFor(GATEWAY, "snapshot"), { qos: 1 });
    const agent = new Agent({
      gatewayId: GATEWAY,
      ctx: createSystemContext({ root, commandTimeoutMs: 1000 }),
      sources: { current: async () => [source], snmpOnly: () => null },
      bootIdFile: "/proc/sys/kernel/random/boot_id",
      log,
      version: "test",
      stateDir: join(dir.path, "state"),
      broker: `mqtt://127.0.0.1:${collector.broker.port}`,
      intervalMs: 3_600_000,
      pollMs: 1000,
    });
    cleanups.push(() => agent.stop());
    await agent.start();

    const stored = () =>
      (
        collector.store.db.prepare("SELECT count(*) AS n FROM leases WHERE gateway_id = ?").get(GATEWAY) as {
          n: number;
        }
      ).n;
    await waitFor("all leases stored", () => stored() === MAX_ARRAY_ITEMS, 15_000);
    // Over the limit as JSON; on the wire, gzip and well under it.
    expect(JSON.stringify(leases).length).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    await waitFor("the snapshot seen on the broker", () => payloads.length > 0);
    const wire = payloads[0] as Buffer;
    expect([wire[0], wire[1]]).toEqual([0x1f, 0x8b]);
    expect(wire.length).toBeLessThan(MAX_PAYLOAD_BYTES / 4);
    expect(collector.ingest.metrics.rejected["too-large"]).toBe(0);
    expect(agent.outbox?.stats.dropped).toBe(0);
    const row = collector.store.db
      .prepare("SELECT hostname FROM leases WHERE gateway_id = ? AND ip = ?")
      .get(GATEWAY, "10.20.19.135") as { hostname: string };
    expect(row.hostname).toBe(lease(19 * 256 + 135).hostname);
  });
});
