/**
 * The simulator's SNMP agent queried over UDP on 127.0.0.1 with net-snmp's client, through the
 * agent's own SNMP collector (v2c and v3), must give back the gateway's state.
 */
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { createSnmpCollector } from "../agent/snmp/snmpSource.js";
import type { Neighbor } from "../protocol/index.js";
import type { SimulatedGateway } from "./gateway.js";
import { manualGateway } from "./testSupport.js";

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

const USER = { name: "leaseline", authKey: "auth-pass-123", privKey: "priv-pass-456" };
const running: SimulatedGateway[] = [];
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop();
});

async function snmpGateway(seed: number): Promise<SimulatedGateway> {
  const port = await freeUdpPort();
  const { gw } = manualGateway({ seed, devices: 10, snmp: { port, user: USER } });
  running.push(gw);
  await gw.start();
  gw.advance(3600_000);
  return gw;
}

/** Neighbours as SNMP shows them: the bridge port the FDB learned each MAC on is filled in. */
function expectedNeighbors(gw: SimulatedGateway): Neighbor[] {
  const learned = new Map(
    gw
      .fdbEntries()
      .filter((e) => e.master !== null && e.state === "")
      .map((e) => [e.mac, e.ifname]),
  );
  return gw
    .neighborRecords()
    .map((n) => ({ ...n, bridgePort: n.mac ? (learned.get(n.mac) ?? null) : null }))
    .sort(byKey);
}
const byKey = (a: Neighbor, b: Neighbor) => `${a.interface}|${a.ip}`.localeCompare(`${b.interface}|${b.ip}`);

const collect = (port: number, version: "2c" | "3") =>
  createSnmpCollector({
    target: `udp://127.0.0.1:${port}`,
    version,
    ...(version === "2c"
      ? { community: "public" }
      : {
          v3: {
            user: USER.name,
            level: "authPriv" as const,
            authProtocol: "sha" as const,
            authKey: USER.authKey,
            privProtocol: "aes" as const,
            privKey: USER.privKey,
          },
        }),
    timeoutMs: 2000,
    retries: 0,
  });

describe("SNMP agent", () => {
  it.each(["2c", "3"] as const)(
    "serves the gateway's interfaces, neighbours and identity over v%s",
    async (version) => {
      const gw = await snmpGateway(version === "2c" ? 41 : 42);
      const result = await collect(gw.snmpPort as number, version).collect();
      for (const [table, report] of Object.entries(result.tables)) {
        if (table !== "dot1qTpFdbTable") expect(report, table).toMatchObject({ status: "ok", skipped: 0 });
      }
      expect(result.skipped).toEqual([]);
      expect(result.interfaces).toEqual(gw.interfaceRecords());
      expect([...result.neighbors].sort(byKey)).toEqual(expectedNeighbors(gw));
      expect(result.neighbors.some((n) => n.bridgePort !== null)).toBe(true);
      expect(result.identity).toMatchObject({
        sysName: gw.gatewayId,
        hrSystemUptime: Math.floor(gw.uptimeMs() / 10) % 2 ** 32,
        engineBoots: 1,
      });
    },
  );

  it("follows simulated time and shows a reboot as the agent's reset detector expects", async () => {
    const gw = await snmpGateway(43);
    const collector = collect(gw.snmpPort as number, "2c");
    const first = await collector.collect();
    gw.advance(60_000);
    const second = await collector.collect();
    expect((second.identity?.hrSystemUptime ?? 0) - (first.identity?.hrSystemUptime ?? 0)).toBe(6000);
    const bootBefore = second.bootId;
    gw.reboot();
    gw.advance(30_000);
    const third = await collector.collect();
    expect(third.identity).toMatchObject({ engineBoots: 2, hrSystemUptime: 3000 });
    expect(third.reset?.verdict).toBe("reset");
    expect(third.bootId).not.toBe(bootBefore);
    // Counters start again from zero after the reboot.
    const wanBefore = second.interfaces.find((i) => i.name === "eth1")?.rxBytes ?? 0;
    const wanAfter = third.interfaces.find((i) => i.name === "eth1")?.rxBytes ?? 0;
    expect(wanAfter).toBeLessThan(wanBefore);
    expect(third.interfaces).toEqual(gw.interfaceRecords());
  });

  it("refuses a wrong community and a wrong v3 key", async () => {
    const gw = await snmpGateway(44);
    const bad = createSnmpCollector({
      target: `udp://127.0.0.1:${gw.snmpPort}`,
      version: "2c",
      community: "private",
      timeoutMs: 300,
      retries: 0,
    });
    const result = await bad.collect();
    expect(result.tables.system?.status).toBe("timeout");
    const wrongKey = createSnmpCollector({
      target: `udp://127.0.0.1:${gw.snmpPort}`,
      version: "3",
      v3: {
        user: USER.name,
        level: "authPriv",
        authProtocol: "sha",
        authKey: "wrong-pass-1",
        privProtocol: "aes",
        privKey: USER.privKey,
      },
      timeoutMs: 300,
      retries: 0,
    });
    expect((await wrongKey.collect()).tables.system?.status).not.toBe("ok");
  });
});
