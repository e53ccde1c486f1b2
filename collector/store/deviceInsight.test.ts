/**
 * Device insight in the store: traffic per device (rates, lease totals across counter restarts,
 * conntrack by address, station counters as the fallback), the device type and when it is
 * classified, lease fingerprints across snapshots, router identity and line quality under the
 * router-data rules, and the agent's health refreshes.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentHealth, DeviceTraffic, LineQuality, RouterInfo, Station } from "../../protocol/index.js";
import { tempDir } from "../../test/helpers.js";
import { lease, snapshot, state } from "../../test/messages.js";
import { listGateways } from "./queries.js";
import { SqliteStore } from "./sqliteStore.js";
import { deviceHistory, devicesOf, gatewayDetail } from "./supportQueries.js";
import { storedLeases } from "./testSupport.js";

const T0 = 1_800_000_000_000;
const C0 = 1_700_000_000_000;
const MAC = "d2:5f:3a:91:0c:7e";
const IP = "192.168.1.142";
const ANDROID_PRL = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108];

function nlbw(rxBytes: number, txBytes: number, overrides: Partial<DeviceTraffic> = {}): DeviceTraffic {
  return {
    mac: MAC,
    ip: IP,
    rxBytes,
    txBytes,
    rxPackets: rxBytes / 1000,
    txPackets: txBytes / 1000,
    source: "nlbwmon",
    ...overrides,
  };
}

function station(rxBytes: number, txBytes: number): Station {
  return {
    mac: MAC,
    interface: "wlan1",
    signalDbm: -60,
    signalAvgDbm: -61,
    rxBytes,
    txBytes,
    rxPackets: 10,
    txPackets: 20,
    txRetries: null,
    txFailed: null,
    rxBitrateMbps: null,
    txBitrateMbps: null,
    rxBitrate: null,
    txBitrate: null,
    connectedSeconds: null,
    inactiveMs: null,
    authorized: true,
    associated: true,
    suspect: [],
  };
}

const ROUTER: RouterInfo = {
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

function ping(target: string, rttAvgMs: number): LineQuality {
  return {
    target,
    address: "198.51.100.1",
    sent: 5,
    received: 5,
    lossPercent: 0,
    rttMinMs: rttAvgMs - 1,
    rttAvgMs,
    rttMaxMs: rttAvgMs + 1,
    jitterMs: 0.5,
    error: null,
  };
}

function health(published: number): AgentHealth {
  return {
    agentUptimeSeconds: 60,
    outboxMessages: 0,
    outboxBytes: 0,
    outboxLimitBytes: 16_000_000,
    published,
    dropped: 0,
    failed: 0,
    connections: 1,
    sources: [{ source: "dnsmasq", status: "ok", records: 1, skipped: 0, error: null }],
  };
}

describe("device insight in the store", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let seq = 0;

  beforeEach(() => {
    dir = tempDir("insight");
    store = new SqliteStore(join(dir.path, "c.db"));
    seq = 0;
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  /** One snapshot `s` seconds into the boot (uptime and clocks advance together). */
  const at = (s: number, overrides: Parameters<typeof snapshot>[0] = {}) => {
    const [result] = store.applyBatch([
      {
        receivedAt: T0 + s * 1000,
        message: snapshot({
          seq: ++seq,
          collectedAt: C0 + s * 1000,
          uptimeSeconds: 100 + s,
          leases: [lease()],
          ...overrides,
        }),
      },
    ]);
    return result;
  };
  const device = () => devicesOf(store.db, "gw-1").find((d) => d.mac === MAC);

  describe("traffic", () => {
    it("nlbwmon by MAC: rate between readings and this lease's total, from the device's point of view", () => {
      at(0, { traffic: [nlbw(5_000_000, 1_000_000)] });
      // The first reading is a baseline: nlbwmon counts over its whole accounting period.
      expect(device()).toMatchObject({
        trafficSource: "nlbwmon",
        downloadBytesThisLease: 0,
        downloadBytesPerSecond: null,
      });
      at(10, { traffic: [nlbw(6_000_000, 1_200_000)] });
      expect(device()).toMatchObject({
        downloadBytesPerSecond: 100_000,
        uploadBytesPerSecond: 20_000,
        downloadBytesThisLease: 1_000_000,
        uploadBytesThisLease: 200_000,
        downloadPacketsThisLease: 1000,
        uploadPacketsThisLease: 200,
      });
    });

    it("a counter that goes down (source restarted) adds what it shows since, with no rate for that interval", () => {
      at(0, { traffic: [nlbw(5_000_000, 1_000_000)] });
      at(10, { traffic: [nlbw(6_000_000, 1_100_000)] });
      at(20, { traffic: [nlbw(300_000, 50_000)] });
      expect(device()).toMatchObject({
        downloadBytesThisLease: 1_300_000,
        uploadBytesThisLease: 150_000,
        downloadBytesPerSecond: null,
      });
      at(30, { traffic: [nlbw(800_000, 60_000)] });
      expect(device()).toMatchObject({
        downloadBytesThisLease: 1_800_000,
        downloadBytesPerSecond: 50_000,
        uploadBytesPerSecond: 1000,
      });
    });

    it("a row that vanished and came back is a new baseline, never a jump or a negative", () => {
      at(0, { traffic: [nlbw(5_000_000, 1_000_000)] });
      at(10, { traffic: [nlbw(6_000_000, 1_000_000)] });
      at(20, { traffic: [] });
      expect(device()).toMatchObject({ trafficSource: null, downloadBytesThisLease: 1_000_000 });
      at(30, { traffic: [nlbw(900_000_000, 1_000_000)] });
      expect(device()).toMatchObject({
        trafficSource: "nlbwmon",
        downloadBytesThisLease: 1_000_000,
        downloadBytesPerSecond: null,
      });
      at(40, { traffic: [nlbw(900_500_000, 1_000_000)] });
      expect(device()?.downloadBytesThisLease).toBe(1_500_000);
    });

    it("conntrack rows (no MAC) go to the device holding the address; other addresses are ignored", () => {
      const v6 = "2001:db8::142";
      const neighbors = [
        { ip: v6, mac: MAC, interface: "br-lan", state: "reachable" as const, bridgePort: "eth0" },
      ];
      const rows = (n: number): DeviceTraffic[] => [
        {
          mac: null,
          ip: IP,
          rxBytes: 1000 * n,
          txBytes: 100 * n,
          rxPackets: n,
          txPackets: n,
          source: "conntrack",
        },
        {
          mac: null,
          ip: v6,
          rxBytes: 500 * n,
          txBytes: 50 * n,
          rxPackets: n,
          txPackets: n,
          source: "conntrack",
        },
        {
          mac: null,
          ip: "192.168.1.250",
          rxBytes: 9e9 * n,
          txBytes: 9e9 * n,
          rxPackets: 1,
          txPackets: 1,
          source: "conntrack",
        },
      ];
      at(0, { neighbors, traffic: rows(1) });
      at(10, { neighbors, traffic: rows(11) });
      expect(devicesOf(store.db, "gw-1").map((d) => d.mac)).toEqual([MAC]);
      expect(device()).toMatchObject({
        trafficSource: "conntrack",
        downloadBytesThisLease: 15_000,
        uploadBytesThisLease: 1500,
        downloadBytesPerSecond: 1500,
        uploadBytesPerSecond: 150,
      });
    });

    it("only the Wi-Fi station counters: download is what the access point transmitted", () => {
      at(0, { stations: [station(1000, 50_000)] });
      // Station counters count since the association, this lease's: the first reading counts.
      expect(device()).toMatchObject({
        trafficSource: "wifi-station",
        downloadBytesThisLease: 50_000,
        uploadBytesThisLease: 1000,
      });
      at(10, { stations: [station(2000, 150_000)] });
      expect(device()).toMatchObject({ downloadBytesPerSecond: 10_000, uploadBytesPerSecond: 100 });
      // nlbwmon appears: it becomes the source, from a baseline (no double count of the same bytes).
      at(20, { stations: [station(3000, 250_000)], traffic: [nlbw(7e9, 1e9)] });
      expect(device()).toMatchObject({ trafficSource: "nlbwmon", downloadBytesThisLease: 150_000 });
    });

    it("history samples carry the traffic rates and totals", () => {
      at(0, { traffic: [nlbw(5_000_000, 1_000_000)] });
      at(60, { traffic: [nlbw(11_000_000, 1_600_000)] });
      const history = deviceHistory(store.db, "gw-1", MAC);
      expect(history.at(-1)).toMatchObject({
        downloadBytesPerSecond: 100_000,
        uploadBytesPerSecond: 10_000,
        downloadBytesThisLease: 6_000_000,
      });
    });

    it("writes nothing when nothing changed, and once when a rate falls to zero", () => {
      at(0, { traffic: [nlbw(5_000_000, 1_000_000)] });
      at(10, { traffic: [nlbw(6_000_000, 1_000_000)] });
      expect(at(20, { traffic: [nlbw(6_000_000, 1_000_000)] })?.written).toBe(1);
      expect(device()?.downloadBytesPerSecond).toBe(0);
      expect(at(30, { traffic: [nlbw(6_000_000, 1_000_000)] })?.written).toBe(0);
    });
  });

  describe("device type", () => {
    it("is classified when the fingerprint arrives, with the signals that decided it", () => {
      at(0, { leases: [lease({ hostname: null, mac: "00:11:22:33:44:55" })] });
      expect(devicesOf(store.db, "gw-1")[0]).toMatchObject({ deviceType: "unknown", typeConfidence: 0 });
      at(10, {
        leases: [
          lease({
            hostname: null,
            mac: "00:11:22:33:44:55",
            vendorClass: "android-dhcp-13",
            requestedOptions: ANDROID_PRL,
          }),
        ],
      });
      const d = devicesOf(store.db, "gw-1")[0];
      expect(d).toMatchObject({
        deviceType: "phone",
        vendorClass: "android-dhcp-13",
        requestedOptions: ANDROID_PRL.join(","),
      });
      expect(d?.typeConfidence).toBeGreaterThan(0.35);
      expect(d?.typeSignals.map((s) => s.rule)).toContain("prl-android");
      expect(d?.typeSignals.every((s) => s.on.length > 0 && s.weight > 0)).toBe(true);
    });

    it("is classified again only when an input changed", () => {
      const tv = "a8:23:fe:01:02:03";
      const type = () => devicesOf(store.db, "gw-1")[0]?.deviceType;
      at(0, { leases: [lease({ mac: tv, hostname: "LGwebOSTV" })] });
      expect(type()).toBe("tv");
      // Mark the stored answer: an unchanged device must not be classified again.
      store.db.prepare("UPDATE devices SET device_type = 'printer'").run();
      at(10, { leases: [lease({ mac: tv, hostname: "LGwebOSTV" })] });
      expect(type()).toBe("printer");
      at(20, {
        leases: [lease({ mac: tv, hostname: "LGwebOSTV", requestedOptions: [1, 3, 6, 12, 15, 28, 42] })],
      });
      expect(type()).toBe("tv");
    });
  });

  describe("lease fingerprint", () => {
    const fingerprinted = lease({ vendorClass: "android-dhcp-13", requestedOptions: ANDROID_PRL });

    it("is kept when a later snapshot of the same lease lacks it, and replaced by a new one", () => {
      at(0, { leases: [fingerprinted] });
      at(10, { leases: [lease()] });
      at(20, { leases: [lease({ vendorClass: null, requestedOptions: null })] });
      expect(storedLeases(store.db, "gw-1")[0]).toMatchObject({
        vendorClass: "android-dhcp-13",
        requestedOptions: ANDROID_PRL.join(","),
      });
      expect(device()?.deviceType).toBe("phone");
      at(30, { leases: [lease({ vendorClass: "dhcpcd-10.0.6:Linux-6.1.0:armv7l:Raspberry Pi" })] });
      expect(storedLeases(store.db, "gw-1")[0]).toMatchObject({
        vendorClass: "dhcpcd-10.0.6:Linux-6.1.0:armv7l:Raspberry Pi",
        requestedOptions: ANDROID_PRL.join(","),
      });
    });

    it("ends with the lease: another device on the address does not inherit it", () => {
      at(0, { leases: [fingerprinted] });
      at(10, { leases: [lease({ mac: "00:11:22:33:44:55" })] });
      expect(storedLeases(store.db, "gw-1")[0]).toMatchObject({
        mac: "00:11:22:33:44:55",
        vendorClass: null,
        requestedOptions: null,
      });
    });

    it("an unchanged fingerprint writes nothing", () => {
      at(0, { leases: [fingerprinted] });
      expect(at(10, { leases: [fingerprinted] })?.written).toBe(0);
      expect(at(20, { leases: [lease()] })?.written).toBe(0);
    });
  });

  describe("router identity and line quality", () => {
    const count = (table: string) =>
      (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

    it("router_info is written only when it changed and removed when the router reports none", () => {
      expect(at(0, { leases: [], router: ROUTER })?.written).toBe(1);
      expect(at(10, { leases: [], router: ROUTER })?.written).toBe(0);
      expect(at(20, { leases: [], router: { ...ROUTER, load1: 0.5 } })?.written).toBe(1);
      expect(gatewayDetail(store.db, "gw-1")?.router).toMatchObject({
        model: "GL.iNet GL-MT6000",
        wanMac: "94:83:c4:00:11:22",
        wanIpv4: ["203.0.113.7"],
        wanIpv6: ["2001:db8::7"],
        load1: 0.5,
      });
      at(30, { leases: [] });
      expect(count("router_info")).toBe(1);
      at(40, { leases: [], router: null });
      expect(count("router_info")).toBe(0);
    });

    it("line quality: a target no longer reported is deleted", () => {
      at(0, { leases: [], lineQuality: [ping("wan-gateway", 4), ping("example.net", 20)] });
      expect(count("line_quality")).toBe(2);
      expect(
        at(10, { leases: [], lineQuality: [ping("wan-gateway", 4), ping("example.net", 20)] })?.written,
      ).toBe(0);
      at(20, { leases: [], lineQuality: [ping("wan-gateway", 6)] });
      expect(gatewayDetail(store.db, "gw-1")?.lineQuality).toMatchObject([
        { target: "wan-gateway", rttAvgMs: 6, lossPercent: 0, jitterMs: 0.5 },
      ]);
    });

    it("both are deleted at reset and with the gateway at the maximum age", () => {
      at(0, { leases: [], router: ROUTER, lineQuality: [ping("wan-gateway", 4)] });
      store.applyBatch([{ receivedAt: T0 + 10_000, message: snapshot({ bootId: "boot-b", seq: 1 }) }]);
      expect([count("router_info"), count("line_quality")]).toEqual([0, 0]);
      store.applyBatch([
        {
          receivedAt: T0 + 20_000,
          message: snapshot({
            bootId: "boot-b",
            seq: 2,
            router: ROUTER,
            lineQuality: [ping("wan-gateway", 4)],
          }),
        },
      ]);
      expect([count("router_info"), count("line_quality")]).toEqual([1, 1]);
      expect(store.deleteSilentGateways(T0 + 20_000).gateways).toBe(1);
      expect([count("router_info"), count("line_quality")]).toEqual([0, 0]);
    });
  });

  describe("agent health", () => {
    const detail = () => gatewayDetail(store.db, "gw-1");
    const send = (s: number, overrides: Parameters<typeof state>[0]) =>
      store.applyBatch([{ receivedAt: T0 + s * 1000, message: state(overrides) }])[0];

    it("a refresh with the connection's own sequence number updates the health and nothing else", () => {
      send(0, { seq: 5, online: true, health: health(1) });
      expect(detail()?.agentHealth).toMatchObject({ published: 1, reportedAt: new Date(T0).toISOString() });
      const refresh = send(30, { seq: 5, online: true, health: health(40), agentVersion: "9.9.9" });
      expect(refresh).toMatchObject({ outcome: "stored", written: 1 });
      expect(detail()).toMatchObject({
        online: true,
        agentVersion: "0.1.0",
        lastSeen: new Date(T0 + 30_000).toISOString(),
        agentHealth: { published: 40, reportedAt: new Date(T0 + 30_000).toISOString() },
      });
    });

    it("the will still wins, keeps the last health, and a late refresh of that connection changes nothing", () => {
      send(0, { seq: 5, online: true, health: health(1) });
      send(30, { seq: 5, online: true, health: health(40) });
      send(40, { seq: 6, online: false, health: health(0) });
      expect(detail()).toMatchObject({ online: false, agentHealth: { published: 40 } });
      expect(send(50, { seq: 5, online: true, health: health(99) })?.outcome).toBe("duplicate");
      expect(send(50, { seq: 6, online: false, health: health(99) })?.outcome).toBe("duplicate");
      expect(detail()).toMatchObject({ online: false, agentHealth: { published: 40 } });
      expect(listGateways(store.db)[0]?.lastSeen).toBe(new Date(T0 + 40_000).toISOString());
    });

    it("is cleared at reset", () => {
      send(0, { seq: 5, online: true, health: health(1) });
      store.applyBatch([{ receivedAt: T0 + 1000, message: snapshot({ bootId: "boot-b", seq: 1 }) }]);
      expect(detail()?.agentHealth).toBeNull();
    });
  });
});
