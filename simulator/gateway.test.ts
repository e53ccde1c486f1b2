import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseDnsmasqDhcpRanges } from "../agent/sources/dnsmasq/parseDnsmasqDhcpRanges.js";
import { parseDnsmasqLeases } from "../agent/sources/dnsmasq/parseDnsmasqLeases.js";
import { SimulatedGateway } from "./gateway.js";
import type { SimEvent } from "./model.js";
import {
  loadExampleScenario,
  manualGateway,
  readGatewayFile,
  scenario,
  tempRoot,
  WORLD_START,
} from "./testSupport.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function root(): string {
  const r = tempRoot();
  cleanups.push(r.cleanup);
  return r.root;
}

function procNetDev(gw: SimulatedGateway): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of readGatewayFile(gw, "proc/net/dev").split("\n").slice(2)) {
    const m = /^\s*([^:]+):(.*)$/.exec(line);
    if (m) rows.set(m[1] as string, (m[2] as string).trim().split(/\s+/).map(Number));
  }
  return rows;
}

describe("determinism", () => {
  function run(seed: number, slices: number[]): SimEvent[] {
    const { gw, events } = manualGateway({ seed, devices: 12 });
    for (const ms of slices) gw.advance(ms);
    return events;
  }

  it("the same seed gives the same event stream, however time is sliced", () => {
    const oneStep = run(42, [3 * 3600_000]);
    const manySteps = run(
      42,
      Array.from({ length: 3 * 360 }, () => 10_000),
    );
    expect(oneStep.length).toBeGreaterThan(50);
    expect(manySteps).toEqual(oneStep);
    const types = new Set(oneStep.map((e) => e.type));
    for (const type of ["join", "renew", "traffic", "leave"]) expect(types).toContain(type);
  });

  it("the same seed writes the same files", async () => {
    const rendered = async (slices: number[]) => {
      const { gw } = manualGateway({ root: root(), seed: 77, devices: 10 });
      await gw.start();
      for (const ms of slices) gw.advance(ms);
      const files = [
        "tmp/dhcp.leases",
        "proc/net/dev",
        "proc/net/arp",
        "proc/uptime",
        "proc/sys/kernel/random/boot_id",
        ".sim/iw-phy1-ap0-station-dump.txt",
        ".sim/ip-neigh.json",
        ".sim/bridge-fdb.json",
      ].map((f) => readGatewayFile(gw, f));
      await gw.stop();
      return files;
    };
    expect(await rendered([1800_000])).toEqual(await rendered(Array.from({ length: 60 }, () => 30_000)));
  });

  it("a different seed gives a different run", () => {
    expect(run(43, [3600_000])).not.toEqual(run(42, [3600_000]));
  });

  it("gateways in a fleet differ from each other with one seed", () => {
    const a = new SimulatedGateway({
      gatewayId: "gw-00001",
      seed: 5,
      startTime: WORLD_START,
      realtime: false,
    });
    const b = new SimulatedGateway({
      gatewayId: "gw-00002",
      seed: 5,
      startTime: WORLD_START,
      realtime: false,
    });
    a.advance(0);
    b.advance(0);
    expect(a.devices.map((d) => d.mac)).not.toEqual(b.devices.map((d) => d.mac));
    expect(a.bootId).not.toBe(b.bootId);
  });
});

describe("files", () => {
  it("writes the dnsmasq lease file, boot_id and uptime on start, following simulated time", async () => {
    const { gw } = manualGateway({ root: root(), seed: 3 });
    await gw.start();
    const bootId = readGatewayFile(gw, "proc/sys/kernel/random/boot_id");
    expect(bootId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
    const uptime0 = Number(readGatewayFile(gw, "proc/uptime").split(" ")[0]);
    gw.advance(90_000);
    const uptime1 = Number(readGatewayFile(gw, "proc/uptime").split(" ")[0]);
    expect(uptime1 - uptime0).toBeCloseTo(90, 1);
    const leases = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases"));
    expect(leases.skipped).toEqual([]);
    expect(leases.records.length).toBeGreaterThan(0);
    // Expiry is on the gateway's clock: within one lease time of its "now".
    for (const l of leases.records) {
      expect(l.expiresAt).toBeGreaterThan(gw.clockMs() - 1000);
      expect(l.expiresAt).toBeLessThanOrEqual(gw.clockMs() + gw.leaseSeconds * 1000);
    }
    await gw.stop();
  });

  it("lists the lease file newest first and drops expired leases", async () => {
    const { gw, events } = manualGateway({
      root: root(),
      scenario: scenario({
        gateway: { leaseSeconds: 120, uptimeAtStartSeconds: 3600 },
        devices: [{ id: "a" }, { id: "b" }, { id: "c" }],
        timeline: [
          { at: 1, type: "join", device: "a" },
          { at: 2, type: "join", device: "b" },
          { at: 3, type: "join", device: "c" },
          { at: 10, type: "silent", device: "b" },
        ],
      }),
    });
    await gw.start();
    gw.advance(5_000);
    const macs = (id: string) => gw.device(id)?.mac;
    let file = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records.map((l) => l.mac);
    expect(file).toEqual([macs("c"), macs("b"), macs("a")]);
    // b was granted a 120 s lease at 2 s and went silent at 10 s, before renewing: it expires at 122 s.
    gw.advance(130_000);
    file = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records.map((l) => l.mac);
    expect(file).toEqual([macs("c"), macs("a")]);
    expect(events.find((e) => e.type === "expire")).toMatchObject({
      device: "b",
      t: 122_000,
      reason: "expired",
    });
    await gw.stop();
  });

  it("names the Wi-Fi interfaces as the firmware does: phyN-ap0 on OpenWrt, wlanN with hostapd on Debian", async () => {
    for (const [leaseFormat, names] of [
      ["dnsmasq", ["phy0-ap0", "phy1-ap0"]],
      ["kea", ["wlan0", "wlan1"]],
    ] as const) {
      const { gw } = manualGateway({ root: root(), leaseFormat, devices: 20, seed: 5 });
      await gw.start();
      gw.advance(600_000);
      expect(gw.radios.map((r) => [r.iface, r.band])).toEqual([
        [names[0], "2.4ghz"],
        [names[1], "5ghz"],
      ]);
      const iwDev = spawnSync(join(gw.dir as string, "bin", "iw"), ["dev"], { encoding: "utf8" }).stdout;
      expect(iwDev).toContain(`\tInterface ${names[0]}\n`);
      expect(readGatewayFile(gw, "proc/net/dev")).toContain(`${names[1]}:`);
      // Devices are on them, and the bridge's ports are them.
      expect(readGatewayFile(gw, `.sim/iw-${names[1]}-station-dump.txt`)).toMatch(/^Station /);
      expect(readGatewayFile(gw, ".sim/bridge-fdb.json")).toContain(`"ifname":"${names[0]}"`);
      await gw.stop();
    }
  });

  it("writes every file atomically through a rename (no temporary files left next to them)", async () => {
    const { gw } = manualGateway({ root: root() });
    await gw.start();
    gw.advance(60_000);
    const tmpDir = join(gw.dir as string, ".sim", "tmp");
    expect(readdir(tmpDir)).toEqual([]);
    expect(readdir(join(gw.dir as string, "tmp"))).toEqual(["dhcp.leases"]);
    await gw.stop();
  });
});

function readdir(path: string): string[] {
  return readdirSync(path).sort();
}

describe("reboot", () => {
  const bootScenario = (kept: boolean) =>
    scenario({
      gateway: { leaseSeconds: 3600, uptimeAtStartSeconds: 7200 },
      devices: [
        { id: "phone", band: "5ghz" },
        { id: "tv", band: "ethernet" },
      ],
      timeline: [
        { at: 0, type: "join", device: "phone", downBps: 200_000, upBps: 20_000 },
        { at: 0, type: "join", device: "tv", downBps: 3_000_000, upBps: 50_000 },
        { at: 600, type: "reboot", leaseFileKept: kept },
      ],
    });

  it("gives a new boot id, uptime from 0, counters from 0 and loses a tmpfs lease file", async () => {
    const { gw, events } = manualGateway({ root: root(), scenario: bootScenario(false) });
    await gw.start();
    gw.advance(599_000);
    const bootBefore = readGatewayFile(gw, "proc/sys/kernel/random/boot_id");
    const brBefore = procNetDev(gw).get("br-lan") as number[];
    expect(brBefore[8]).toBeGreaterThan(600 * 3_000_000 * 0.9);
    expect(parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records).toHaveLength(2);

    gw.advance(2_000);
    const reboot = events.find((e) => e.type === "reboot");
    expect(reboot).toMatchObject({ t: 600_000, leaseFile: "lost" });
    expect(readGatewayFile(gw, "proc/sys/kernel/random/boot_id")).not.toBe(bootBefore);
    expect(readGatewayFile(gw, "proc/sys/kernel/random/boot_id")).toBe(`${gw.bootId}\n`);
    expect(readGatewayFile(gw, "proc/uptime")).toMatch(/^1\.00 /);
    const brAfter = procNetDev(gw).get("br-lan") as number[];
    // Only the gateway's own background traffic in the first second after boot.
    expect(brAfter[8]).toBeLessThan(10_000);
    expect(readGatewayFile(gw, "sys/class/net/br-lan/statistics/tx_bytes")).toBe(`${brAfter[8]}\n`);
    expect(readGatewayFile(gw, "tmp/dhcp.leases")).toBe("");
    expect(gw.stationRecords()).toEqual([]);

    // Devices come back by themselves and get their old addresses.
    gw.advance(120_000);
    const rejoins = events.flatMap((e) => (e.type === "join" && e.rejoin ? [e.device] : []));
    expect(rejoins.sort()).toEqual(["phone", "tv"]);
    const after = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records;
    expect(after.map((l) => l.ip).sort()).toEqual(gw.devices.map((d) => d.ip).sort());
    await gw.stop();
  });

  it("keeps the lease file when it is on flash", async () => {
    const { gw, events } = manualGateway({ root: root(), scenario: bootScenario(true) });
    await gw.start();
    gw.advance(599_000);
    const before = readGatewayFile(gw, "tmp/dhcp.leases");
    gw.advance(1_000);
    expect(events.find((e) => e.type === "reboot")).toMatchObject({ leaseFile: "kept", leasesLost: [] });
    expect(readGatewayFile(gw, "tmp/dhcp.leases")).toBe(before);
    await gw.stop();
  });
});

describe("32-bit counters", () => {
  it("wrap at 2^32 on the configured interfaces only, in /proc/net/dev and sysfs", async () => {
    const { gw } = manualGateway({
      root: root(),
      scenario: scenario({
        gateway: { wrap32: ["phy1-ap0"], uptimeAtStartSeconds: 0 },
        devices: [{ id: "nas", band: "5ghz" }],
        timeline: [{ at: 0, type: "join", device: "nas", downBps: 100_000_000, upBps: 1_000_000 }],
      }),
    });
    await gw.start();
    gw.advance(60_000);
    const radio = gw.iface("phy1-ap0");
    const trueTx = radio?.txBytes.value(gw.t) ?? 0;
    expect(trueTx).toBeGreaterThan(2 ** 32);
    const dev = procNetDev(gw);
    expect(dev.get("phy1-ap0")?.[8]).toBe(trueTx % 2 ** 32);
    expect(readGatewayFile(gw, "sys/class/net/phy1-ap0/statistics/tx_bytes")).toBe(`${trueTx % 2 ** 32}\n`);
    // The bridge carries the same traffic on a 64-bit counter.
    expect(dev.get("br-lan")?.[8]).toBeGreaterThan(2 ** 32);
    await gw.stop();
  });

  it("refuses an interface the gateway does not have, naming the ones it has", () => {
    expect(() =>
      manualGateway({
        root: root(),
        scenario: scenario({ gateway: { wrap32: ["wlan1"] }, devices: [], timeline: [] }),
      }),
    ).toThrow(
      "wrap32: this openwrt gateway has no interface wlan1; it has lo, eth0, eth1, br-lan, phy0-ap0, phy1-ap0",
    );
  });
});

describe("DHCP pool", () => {
  /** The lease file's addresses by MAC, and the IPv4 neighbours' MACs. */
  function leasesAndArp(gw: SimulatedGateway): { leases: Map<string, string>; arpMacs: string[] } {
    const leases = new Map(
      parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records.map((l) => [l.mac ?? "", l.ip]),
    );
    const arpMacs = readGatewayFile(gw, "proc/net/arp")
      .split("\n")
      .slice(1)
      .filter((line) => line.trim() !== "")
      .map((line) => line.trim().split(/\s+/)[3] as string);
    return { leases, arpMacs };
  }

  it("gives a client no lease while the pool is full, as dnsmasq, and a lease once an address is free", async () => {
    const { gw, events } = manualGateway({
      root: root(),
      scenario: scenario({
        gateway: { dhcpStart: 10, dhcpLimit: 2 },
        devices: [
          { id: "a", kind: "laptop", band: "5ghz" },
          { id: "b", kind: "laptop", band: "5ghz" },
          { id: "c", kind: "laptop", band: "5ghz" },
        ],
        timeline: [
          { at: 10, type: "join", device: "a" },
          { at: 20, type: "join", device: "b" },
          { at: 30, type: "join", device: "c" },
          { at: 40, type: "leave", device: "a", release: true },
        ],
      }),
    });
    await gw.start();
    gw.advance(35_000);
    const joins = events.filter((e) => e.type === "join");
    expect(joins.map((e) => e.ip)).toEqual([
      expect.stringMatching(/\.1[01]$/),
      expect.stringMatching(/\.1[01]$/),
      null,
    ]);
    const c = joins[2] as Extract<SimEvent, { type: "join" }>;
    expect(c.expiresAt).toBeNull();
    let { leases, arpMacs } = leasesAndArp(gw);
    // Nobody lost their lease to the newcomer, and the newcomer has no IPv4 neighbour entry.
    expect([...leases.keys()].sort()).toEqual([joins[0]?.mac, joins[1]?.mac].sort());
    expect(new Set(leases.values()).size).toBe(2);
    expect(arpMacs).not.toContain(c.mac);
    // IPv6 needs no lease: its link-local address is a neighbour all the same.
    expect(readGatewayFile(gw, ".sim/ip-6-neigh.txt")).toContain(`lladdr ${c.mac}`);
    // Still present on its radio.
    expect(readGatewayFile(gw, ".sim/iw-phy1-ap0-station-dump.txt")).toContain(`Station ${c.mac}`);

    // a releases at 40 s; c asks again a minute after it was refused and gets a's address.
    gw.advance(60_000);
    const renewed = events.find((e) => e.type === "renew" && e.device === "c");
    expect(renewed).toMatchObject({ t: 90_000, ip: joins[0]?.ip, recreated: true });
    ({ leases, arpMacs } = leasesAndArp(gw));
    expect(leases.get(c.mac)).toBe(joins[0]?.ip);
    expect(arpMacs).toContain(c.mac);
    await gw.stop();
  });

  it("never gives one address to two devices in a household far larger than the pool", () => {
    const { gw, events } = manualGateway({ seed: 5, devices: 300 });
    for (let minute = 0; minute < 120; minute++) {
      gw.advance(60_000);
      expect(gw.leases.length).toBeLessThanOrEqual(150);
      // Every device using an address holds the lease for it, so no address is used twice.
      const leaseOf = new Map(gw.leases.map((l) => [l.ip, l.mac]));
      const using = gw.devices.filter((d) => d.state === "connected" && d.ip !== null);
      for (const d of using) expect(leaseOf.get(d.ip as string)).toBe(d.mac);
    }
    expect(events.some((e) => e.type === "join" && e.ip === null)).toBe(true);
  });

  it("refuses a pool that does not fit the LAN, and a LAN it cannot simulate", () => {
    expect(() => manualGateway({ dhcpStart: 200, dhcpLimit: 100 })).toThrow(
      /the DHCP pool \(start 200, limit 100\) ends at host 299, past the LAN's last host 254/,
    );
    expect(() => manualGateway({ lanPrefix: 8 })).toThrow(/the LAN prefix \/8 is not from \/16 to \/24/);
  });

  it("a business LAN wider than a /24 gives every device a lease, and says so in its addresses and routes", async () => {
    const { gw, events } = manualGateway({
      root: root(),
      seed: 3,
      devices: 400,
      lanPrefix: 22,
      dhcpStart: 2,
      dhcpLimit: 1021,
    });
    await gw.start();
    gw.advance(10 * 60_000);
    expect(events.some((e) => e.type === "join" && e.ip === null)).toBe(false);
    const leases = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records;
    expect(leases.length).toBeGreaterThan(254);
    // Every address is a host of the /22: same first 22 bits as the gateway, neither network nor broadcast.
    const toNumber = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const gateway = toNumber(gw.lan.gatewayIp);
    expect(gateway % 1024).toBe(1);
    for (const l of leases) {
      const offset = toNumber(l.ip) - (gateway - 1);
      expect(offset).toBeGreaterThanOrEqual(2);
      expect(offset).toBeLessThanOrEqual(1022);
    }
    expect(new Set(leases.map((l) => l.ip.split(".")[2])).size).toBeGreaterThan(1);
    const brLan = JSON.parse(readGatewayFile(gw, ".sim/ip-addr-br-lan.json"))[0].addr_info[0];
    expect(brLan).toMatchObject({ local: gw.lan.gatewayIp, prefixlen: 22 });
    expect(toNumber(brLan.broadcast)).toBe(gateway - 1 + 1023);
    expect(readGatewayFile(gw, "proc/net/route")).toMatch(
      /^br-lan\t[0-9A-F]{8}\t00000000\t0001\t0\t0\t0\t00FCFFFF\t/m,
    );
    // dnsmasq's configuration, as OpenWrt generates it, names the same pool: hosts 2 to 1022.
    const pools = parseDnsmasqDhcpRanges(readGatewayFile(gw, "var/etc/dnsmasq.conf.cfg01411c"));
    expect(pools).toMatchObject({
      records: [{ name: "lan", start: gw.lan.host(2), end: gw.lan.host(1022) }],
      skipped: [],
    });
    expect(readGatewayFile(gw, "var/etc/dnsmasq.conf.cfg01411c")).toContain(",255.255.252.0,");
    await gw.stop();
  });
});

describe("clock", () => {
  it("writes lease expiry on a 1970 clock until NTP syncs, then leases written before the jump expire", async () => {
    const { gw, events } = manualGateway({
      root: root(),
      scenario: scenario({
        gateway: { startClock: 0, ntpSyncSeconds: null, leaseSeconds: 600 },
        devices: [{ id: "laptop", band: "5ghz" }],
        timeline: [
          { at: 10, type: "join", device: "laptop" },
          { at: 100, type: "ntp-sync" },
        ],
      }),
    });
    await gw.start();
    gw.advance(50_000);
    let lease = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records[0];
    expect(lease?.expiresAt).toBe((10 + 600) * 1000);
    expect(gw.clockMs()).toBe(50_000);

    gw.advance(60_000);
    expect(events.find((e) => e.type === "ntp-sync")).toMatchObject({
      t: 100_000,
      from: 100_000,
      to: WORLD_START + 100_000,
    });
    // dnsmasq compares the 1970 expiry with the new clock and drops the lease.
    expect(events.find((e) => e.type === "expire")).toMatchObject({ t: 100_000, reason: "clock-jump" });
    expect(readGatewayFile(gw, "tmp/dhcp.leases")).toBe("");

    // The client renews at half time (310 s) and the lease comes back with a 2025 expiry.
    gw.advance(250_000);
    expect(events.find((e) => e.type === "renew")).toMatchObject({ t: 310_000, recreated: true });
    lease = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases")).records[0];
    expect(lease?.expiresAt).toBe(WORLD_START + (310 + 600) * 1000);
    await gw.stop();
  });

  it("a gateway without RTC returns to its start clock after a reboot and syncs again", () => {
    const { gw, events } = manualGateway({ startClock: 0, ntpSyncSeconds: 30 });
    gw.advance(60_000);
    expect(gw.clockMs()).toBe(WORLD_START + 60_000);
    gw.reboot();
    expect(gw.clockMs()).toBe(0);
    gw.advance(30_000);
    expect(events.filter((e) => e.type === "ntp-sync")).toHaveLength(2);
    expect(gw.clockMs()).toBe(WORLD_START + 90_000);
  });
});

describe("example scenario", () => {
  it("runs the shipped household scenario to its documented end", () => {
    const { gw, events } = manualGateway({ scenario: loadExampleScenario() });
    gw.advance(1800_000);
    const types = events.map((e) => `${e.type}:${"device" in e ? e.device : ""}`);
    expect(types).toContain("release:work-laptop");
    expect(types).toContain("expire:living-tv");
    expect(types).toContain("reboot:");
    expect(types).toContain("leave:emma-phone");
    expect(events.filter((e) => e.type === "roam")).toHaveLength(2);
  });
});

describe("programmatic API", () => {
  it("rejects a negative advance and a zero speed", () => {
    const { gw } = manualGateway();
    expect(() => gw.advance(-1)).toThrow(/non-negative/);
    expect(() => new SimulatedGateway({ speed: 0 })).toThrow(/speed/);
  });

  it("runs on the wall clock at the given speed after start()", async () => {
    const gw = new SimulatedGateway({ startTime: WORLD_START, speed: 1000, tickMs: 20 });
    await gw.start();
    await new Promise((r) => setTimeout(r, 120));
    await gw.stop();
    // 120 ms of wall time at speed 1000 is about two simulated minutes.
    expect(gw.t).toBeGreaterThan(60_000);
    expect(gw.t).toBeLessThan(600_000);
  });

  it("stops reporting events to a listener that unsubscribed", () => {
    const { gw } = manualGateway();
    const seen: SimEvent[] = [];
    const off = gw.onEvent((e) => seen.push(e));
    gw.advance(600_000);
    const count = seen.length;
    off();
    gw.advance(600_000);
    expect(seen.length).toBe(count);
  });

  it("leaves the lease file readable by path for each format", async () => {
    for (const leaseFormat of ["dnsmasq", "isc-dhcpd", "kea"] as const) {
      const { gw } = manualGateway({ root: root(), leaseFormat });
      await gw.start();
      const paths = {
        dnsmasq: "tmp/dhcp.leases",
        "isc-dhcpd": "var/lib/dhcp/dhcpd.leases",
        kea: "var/lib/kea/kea-leases4.csv",
      };
      expect(readFileSync(join(gw.dir as string, paths[leaseFormat]), "utf8").length).toBeGreaterThan(0);
      await gw.stop();
    }
  });
});
