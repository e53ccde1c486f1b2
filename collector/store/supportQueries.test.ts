/**
 * The support queries over a database filled by the household scenario (simulator/scenarios/
 * household.json), checked against the scenario's own events, and the device lifetime rules
 * of docs/lifecycle.md on the device view, its history and the events.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimEvent } from "../../simulator/index.js";
import { tempDir } from "../../test/helpers.js";
import { lease, snapshot, state } from "../../test/messages.js";
import { FEED_START, Feed, householdGateway } from "../../test/simulatedFeed.js";
import { SAMPLE_INTERVAL_MS } from "./deviceState.js";
import { SqliteStore } from "./sqliteStore.js";
import { bandwidth, deviceHistory, devicesOf, gatewayDetail, gatewayEvents } from "./supportQueries.js";

const GW = "gw-00001";
const PHONE = "da:a1:19:5c:2e:01";
const LAPTOP = "3c:a9:f4:12:34:56";
const TV = "a8:23:fe:01:02:03";
const PLUG = "24:0a:c4:aa:bb:cc";

describe("support queries over the household scenario", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let feed: Feed;
  let sim: SimEvent[];

  beforeEach(() => {
    dir = tempDir("queries");
    store = new SqliteStore(join(dir.path, "c.db"));
    const { gw, events } = householdGateway(GW);
    sim = events;
    feed = new Feed(gw, store);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const device = (mac: string) => devicesOf(store.db, GW).find((d) => d.mac === mac);

  it("devices: band, signal, rates and bytes this lease; wired by bridge port", async () => {
    await feed.runUntil(100);
    const leased = devicesOf(store.db, GW).filter((d) => d.hasLease);
    expect(leased.map((d) => d.mac)).toEqual([PLUG, LAPTOP, TV, PHONE].sort());
    // The provider's router on the WAN port is a neighbour, not a device on the customer's network.
    expect(devicesOf(store.db, GW).filter((d) => !d.hasLease)).toEqual([]);
    expect(device(PHONE)).toMatchObject({ band: "5GHz", connection: "wifi", randomized: true, vendor: null });
    expect(device(PHONE)?.signalDbm).toBeLessThan(-20);
    expect(device(PLUG)).toMatchObject({ band: "2.4GHz", hostname: null });
    expect(device(TV)).toMatchObject({
      connection: "wired",
      hostname: "LGwebOSTV",
      band: null,
      bridgePort: "eth0",
    });
    const laptop = device(LAPTOP);
    expect(laptop?.vendor).not.toBeNull();
    expect(laptop?.hasLease).toBe(true);
    expect(Date.parse(laptop?.expiresAt ?? "")).toBeGreaterThan(feed.now);
    // 90 MB/s down from t=60: the AP transmits it, the laptop receives it (its download).
    expect(laptop?.deviceType).toBe("computer");
    // nlbwmon where the gateway runs it, else the access point's station counters: the same figures.
    expect(["nlbwmon", "wifi-station"]).toContain(laptop?.trafficSource);
    expect(laptop?.downloadBytesPerSecond).toBeGreaterThan(80_000_000);
    expect(laptop?.uploadBytesPerSecond).toBeLessThan(1_000_000);
    expect(laptop?.downloadBytesThisLease).toBeGreaterThan(80_000_000 * 30);
    expect(laptop?.downloadPacketsThisLease).toBeGreaterThan(0);
  });

  it("devices: a type with the signals that decided it, from hostname, vendor and MAC", async () => {
    await feed.runUntil(30);
    expect(device(PHONE)).toMatchObject({ deviceType: "phone", randomized: true });
    expect(device(PHONE)?.typeSignals.map((s) => s.rule)).toContain("randomized-mac");
    expect(device(TV)).toMatchObject({ deviceType: "tv" });
    expect(device(TV)?.typeConfidence).toBeGreaterThan(0.35);
    expect(device(TV)?.typeSignals.length).toBeGreaterThan(0);
    expect(device(PLUG)?.deviceType).toBe("iot");
  });

  it("devices: a roam shows the new band", async () => {
    await feed.runUntil(150);
    expect(device(PHONE)?.band).toBe("2.4GHz");
    await feed.runUntil(320);
    expect(device(PHONE)?.band).toBe("5GHz");
  });

  it("history: samples of the current lease, at most one per minute", async () => {
    await feed.runUntil(600);
    const history = deviceHistory(store.db, GW, PHONE);
    expect(history.length).toBeGreaterThanOrEqual(9);
    const times = history.map((h) => Date.parse(h.at));
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(SAMPLE_INTERVAL_MS);
    expect(history.every((h) => typeof h.signalDbm === "number")).toBe(true);
  });

  it("gateway: radios with channel, noise and utilisation; interfaces with rates", async () => {
    await feed.runUntil(120);
    const detail = gatewayDetail(store.db, GW);
    expect(detail?.radios.map((r) => r.interface)).toEqual(["phy0-ap0", "phy1-ap0"]);
    expect(detail?.radios[1]).toMatchObject({ channel: expect.any(Number), noiseDbm: expect.any(Number) });
    expect(detail?.radios[1]?.utilisation).toBeGreaterThanOrEqual(0);
    const radio5 = detail?.interfaces.find((i) => i.name === "phy1-ap0");
    expect(radio5?.txBytesPerSecond).toBeGreaterThan(80_000_000);
    expect(gatewayDetail(store.db, "gw-nope")).toBeNull();
  });

  it("bandwidth: interface samples at most one per interface per minute, --since filters", async () => {
    await feed.runUntil(300);
    const all = bandwidth(store.db, GW).filter((s) => s.interface === "br-lan");
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.length).toBeLessThanOrEqual(5);
    const since = FEED_START + 200_000;
    expect(bandwidth(store.db, GW, { since }).every((s) => Date.parse(s.at) >= since)).toBe(true);
  });

  it("release: the device goes at once, its events lose MAC, IP and hostname", async () => {
    await feed.runUntil(590);
    expect(gatewayEvents(store.db, GW).filter((e) => e.mac === LAPTOP)).toHaveLength(1);
    await feed.runUntil(620);
    expect(sim.some((e) => e.type === "release" && e.mac === LAPTOP)).toBe(true);
    // Still in the ARP table for a while: seen without a lease, a new record with no history.
    expect(device(LAPTOP)?.hasLease ?? false).toBe(false);
    expect(device(LAPTOP)?.hostname ?? null).toBeNull();
    expect(deviceHistory(store.db, GW, LAPTOP)).toEqual([]);
    const events = gatewayEvents(store.db, GW);
    expect(events.filter((e) => e.type === "release")).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(LAPTOP);
    expect(JSON.stringify(events)).not.toContain("LAPTOP-7K3M2QXA");
    // The TV (expired at 450 s) and the laptop: both joins are now anonymous.
    expect(events.filter((e) => e.type === "join" && e.mac === null)).toHaveLength(2);
  });

  it("expiry: a device that went silent is kept until its lease expires, then goes", async () => {
    await feed.runUntil(200);
    expect(device(TV)?.present).toBe(true);
    while (!sim.some((e) => e.type === "expire" && e.mac === TV)) {
      expect(device(TV)?.hasLease).toBe(true);
      await feed.runUntil(feed.simMs / 1000 + 10);
    }
    await feed.runUntil(feed.simMs / 1000 + 10);
    // Still in the ARP table (stale): seen without a lease, a new record without history.
    expect(device(TV)?.hasLease ?? false).toBe(false);
    expect(device(TV)?.hostname ?? null).toBeNull();
    expect(deviceHistory(store.db, GW, TV)).toEqual([]);
    expect(gatewayEvents(store.db, GW).some((e) => e.type === "expiry" && e.mac === null)).toBe(true);
    expect(JSON.stringify(gatewayEvents(store.db, GW))).not.toContain(TV);
  });

  it("reset: a new boot deletes the old boot's devices, history, router data and events", async () => {
    await feed.runUntil(890);
    expect(bandwidth(store.db, GW).length).toBeGreaterThan(0);
    await feed.runUntil(905);
    expect(sim.some((e) => e.type === "reboot")).toBe(true);
    const events = gatewayEvents(store.db, GW);
    expect(events[0]?.type).toBe("reset");
    expect(events.every((e) => Date.parse(e.at) >= FEED_START + 900_000)).toBe(true);
    expect(deviceHistory(store.db, GW, PHONE).every((h) => Date.parse(h.at) >= FEED_START + 900_000)).toBe(
      true,
    );
    expect(bandwidth(store.db, GW).every((s) => Date.parse(s.at) >= FEED_START + 900_000)).toBe(true);
  });
});

describe("device without a lease", () => {
  it("is kept only while it is in the latest snapshot", () => {
    const dir = tempDir("static");
    const store = new SqliteStore(join(dir.path, "c.db"));
    try {
      const neighbor = {
        ip: "192.168.1.50",
        mac: "00:11:22:33:44:55",
        interface: "br-lan",
        state: "reachable" as const,
        bridgePort: "eth0",
      };
      const T = 1_800_000_000_000;
      store.applyBatch([
        { receivedAt: T, message: snapshot({ seq: 1, leases: [lease()], neighbors: [neighbor] }) },
      ]);
      expect(devicesOf(store.db, "gw-1").map((d) => [d.mac, d.hasLease])).toEqual([
        ["00:11:22:33:44:55", false],
        ["d2:5f:3a:91:0c:7e", true],
      ]);
      store.applyBatch([{ receivedAt: T + 10_000, message: snapshot({ seq: 2, leases: [lease()] }) }]);
      expect(devicesOf(store.db, "gw-1").map((d) => d.mac)).toEqual(["d2:5f:3a:91:0c:7e"]);
      expect(gatewayEvents(store.db, "gw-1").map((e) => e.type)).toEqual(["join"]);
    } finally {
      store.close();
      dir.remove();
    }
  });
});

describe("router-data maximum age", () => {
  it("deletes history and events older than the maximum age while the gateway keeps talking", async () => {
    const dir = tempDir("maxage");
    const store = new SqliteStore(join(dir.path, "c.db"));
    try {
      await new Feed(householdGateway(GW).gw, store).runUntil(300);
      const cutoff = FEED_START + 150_000;
      const result = store.deleteSilentGateways(cutoff);
      expect(result.gateways).toBe(0);
      expect(result.historyRows).toBeGreaterThan(0);
      expect(bandwidth(store.db, GW).every((s) => Date.parse(s.at) > cutoff)).toBe(true);
      expect(gatewayEvents(store.db, GW).every((e) => Date.parse(e.at) > cutoff)).toBe(true);
      expect(deviceHistory(store.db, GW, PHONE).every((h) => Date.parse(h.at) > cutoff)).toBe(true);
      expect(devicesOf(store.db, GW).length).toBeGreaterThan(0);
    } finally {
      store.close();
      dir.remove();
    }
  });
});

describe("gateway detail: router identity, line quality, agent health, speed tests", () => {
  it("shows what the gateway reported and its latest speed tests, newest first", () => {
    const dir = tempDir("detail");
    const store = new SqliteStore(join(dir.path, "c.db"));
    try {
      const T = 1_800_000_000_000;
      const router = {
        model: "GL.iNet GL-MT6000",
        board: "glinet,gl-mt6000",
        firmware: "OpenWrt 23.05.3 r23809-234f1a2efa",
        kernel: "5.15.150",
        hostname: "OpenWrt",
        wanInterface: "eth1",
        wanMac: "94:83:c4:00:11:22",
        wanAddresses: ["203.0.113.7", "2001:db8::7"],
        load1: 0.12,
        memTotalBytes: 1_000_000_000,
        memAvailableBytes: 800_000_000,
      };
      const lineQuality = [
        {
          target: "wan-gateway",
          address: "203.0.113.1",
          sent: 5,
          received: 4,
          lossPercent: 20,
          rttMinMs: 3,
          rttAvgMs: 4,
          rttMaxMs: 6,
          jitterMs: 1,
          error: null,
        },
      ];
      const health = {
        agentUptimeSeconds: 30,
        outboxMessages: 2,
        outboxBytes: 4096,
        outboxLimitBytes: 16_000_000,
        published: 7,
        dropped: 0,
        failed: 1,
        connections: 1,
        sources: [{ source: "ping", status: "error" as const, records: 0, skipped: 0, error: "timed out" }],
      };
      store.applyBatch([
        { receivedAt: T, message: state({ seq: 1, health }) },
        { receivedAt: T + 1, message: snapshot({ seq: 2, router, lineQuality }) },
      ]);
      const insert = store.db.prepare(
        `INSERT INTO speed_tests (gateway_id, test_id, at, status, finished_at, download_bits_per_second,
           upload_bits_per_second, rtt_ms, download_bytes, upload_bytes, server, error)
         VALUES ('gw-1', ?, ?, 'done', ?, 9.4e8, 4.1e7, 3.5, 50000000, 5000000, 'collector:9464', NULL)`,
      );
      for (let i = 0; i < 7; i++) insert.run(`t${i}`, T + i * 1000, T + i * 1000 + 500);
      const detail = gatewayDetail(store.db, "gw-1");
      expect(detail?.router).toMatchObject({
        model: "GL.iNet GL-MT6000",
        firmware: "OpenWrt 23.05.3 r23809-234f1a2efa",
        wanMac: "94:83:c4:00:11:22",
        wanIpv4: ["203.0.113.7"],
        wanIpv6: ["2001:db8::7"],
      });
      expect(detail?.lineQuality).toMatchObject([{ target: "wan-gateway", lossPercent: 20, rttAvgMs: 4 }]);
      expect(detail?.agentHealth).toMatchObject({ published: 7, outboxMessages: 2, failed: 1 });
      expect(detail?.agentHealth?.reportedAt).toBe(new Date(T).toISOString());
      expect(detail?.speedTests.map((t) => t.testId)).toEqual(["t6", "t5", "t4", "t3", "t2"]);
      expect(detail?.speedTests[0]).toMatchObject({
        status: "done",
        downloadBitsPerSecond: 9.4e8,
        rttMs: 3.5,
        server: "collector:9464",
        finishedAt: new Date(T + 6500).toISOString(),
      });
    } finally {
      store.close();
      dir.remove();
    }
  });

  it("shows each DHCP pool with the IPv4 leases inside it now, and none when the agent could not read them", () => {
    const dir = tempDir("pools");
    const store = new SqliteStore(join(dir.path, "c.db"));
    try {
      const T = 1_800_000_000_000;
      const router = {
        model: null,
        board: null,
        firmware: null,
        kernel: null,
        hostname: null,
        wanInterface: null,
        wanMac: null,
        wanAddresses: [],
        load1: null,
        memTotalBytes: null,
        memAvailableBytes: null,
      };
      const dhcpPools = [
        { name: "lan", start: "192.168.1.100", end: "192.168.1.101" },
        { name: null, start: "10.0.0.10", end: "10.0.1.9" },
      ];
      const leases = [
        lease({ mac: "02:00:00:00:00:01", ip: "192.168.1.100" }),
        lease({ mac: "02:00:00:00:00:02", ip: "192.168.1.101" }),
        lease({ mac: "02:00:00:00:00:03", ip: "192.168.1.7" }),
        lease({ mac: "02:00:00:00:00:04", ip: "10.0.0.255" }),
        lease({ mac: null, ip: "fd00::101", family: "ipv6", duid: "00:01", iaid: 1 }),
      ];
      const pools = () => gatewayDetail(store.db, "gw-1")?.router?.dhcpPools;
      store.applyBatch([
        { receivedAt: T, message: snapshot({ seq: 1, leases, router: { ...router, dhcpPools } }) },
      ]);
      expect(pools()).toEqual([
        { name: "lan", start: "192.168.1.100", end: "192.168.1.101", size: 2, leased: 2, full: true },
        { name: null, start: "10.0.0.10", end: "10.0.1.9", size: 256, leased: 1, full: false },
      ]);
      // A device leaves: one address of the LAN pool is free again.
      store.applyBatch([
        {
          receivedAt: T + 1,
          message: snapshot({ seq: 2, leases: leases.slice(1), router: { ...router, dhcpPools } }),
        },
      ]);
      expect(pools()?.[0]).toMatchObject({ leased: 1, full: false });
      // An agent that could not read its DHCP server's configuration says nothing about pools.
      store.applyBatch([{ receivedAt: T + 2, message: snapshot({ seq: 3, leases, router }) }]);
      expect(pools()).toBeNull();
    } finally {
      store.close();
      dir.remove();
    }
  });
});
