/**
 * Per-device traffic and line quality round trips: nlbw, conntrack and ping as the simulator
 * prints them, read back by the agent's own parsers and sources, give the model's figures; and
 * those figures are the byte rates that drive the station and port counters.
 */
import { describe, expect, it } from "vitest";
import { createConntrackSource } from "../agent/sources/conntrack/conntrackSource.js";
import { type ConntrackOptions, parseConntrack } from "../agent/sources/conntrack/parseConntrack.js";
import { conntrackOptionsFor, routerLan } from "../agent/sources/conntrack/routerLan.js";
import type { NlbwDeviceTotals } from "../agent/sources/nlbw/nlbwDevices.js";
import { createNlbwSource } from "../agent/sources/nlbw/nlbwSource.js";
import { parseNlbwCsv } from "../agent/sources/nlbw/parseNlbwCsv.js";
import { parseNlbwJson } from "../agent/sources/nlbw/parseNlbwJson.js";
import { createPingSource } from "../agent/sources/ping/pingSource.js";
import { detectSources } from "../agent/sources/registry.js";
import { parseDefaultRoute, parseIpAddrInterfaces } from "../agent/sources/router/parseProcRouterFiles.js";
import type { DeviceTraffic } from "../protocol/index.js";
import { deviceGlobalIpv6 } from "./addressing.js";
import type { SimulatedGateway } from "./gateway.js";
import { echoRun } from "./lineQuality.js";
import { simulatedGatewayContext } from "./memoryContext.js";
import type { LeaseFormat } from "./scenario.js";
import { manualGateway, scenario } from "./testSupport.js";

/** A wired TV and a Wi-Fi phone with scripted rates, the phone leaving silently, then a reboot. */
function household(leaseFormat: LeaseFormat) {
  const { gw } = householdWithEvents(leaseFormat);
  return gw;
}

function householdWithEvents(leaseFormat: LeaseFormat) {
  return manualGateway({
    seed: 9,
    scenario: scenario({
      gateway: { leaseFormat, leaseSeconds: 600, uptimeAtStartSeconds: 3600 },
      devices: [
        { id: "tv", kind: "tv", mac: "a8:23:fe:01:02:03", band: "ethernet" },
        { id: "phone", kind: "phone", mac: "3c:22:fb:8e:41:07", band: "5ghz" },
      ],
      timeline: [
        { at: 10, type: "join", device: "tv", downBps: 1_000_000, upBps: 20_000 },
        { at: 10, type: "join", device: "phone", downBps: 200_000, upBps: 10_000 },
        { at: 610, type: "traffic", device: "tv", downBps: 2_500_000, upBps: 30_000 },
        { at: 910, type: "silent", device: "phone" },
        { at: 1500, type: "reboot" },
      ],
    }),
  });
}

/** parseConntrack's options as the agent's conntrack source learns them from the gateway's `ip -j addr` and routes. */
function learnedOptions(gw: SimulatedGateway): ConntrackOptions {
  const files = gw.renderedFiles();
  const wan = parseDefaultRoute(files.get("proc/net/route") ?? "")?.interface ?? null;
  const lan = routerLan(parseIpAddrInterfaces(files.get(".sim/ip-addr.json") ?? "").records, wan);
  if (!lan) throw new Error("the simulated gateway has no LAN prefix");
  return conntrackOptionsFor(lan);
}

/** A device's IPv4 address and its SLAAC address in the LAN's delegated /64. */
function addressesOf(gw: SimulatedGateway, id: string): [string, string] {
  const dev = gw.device(id);
  if (!dev?.ip) throw new Error(`${id} has no address`);
  return [dev.ip, deviceGlobalIpv6(gw.sitePrefix, dev, dev.mac)];
}

const totalsByMac = (traffic: DeviceTraffic[] | undefined) =>
  Object.fromEntries((traffic ?? []).map((t) => [t.mac, [t.rxBytes, t.txBytes]]));

describe("nlbw on an OpenWrt gateway", () => {
  it("reports per MAC what the devices' byte rates carried, wired and Wi-Fi, until a reboot restarts it", async () => {
    const { gw, events } = householdWithEvents("dnsmasq");
    const ctx = simulatedGatewayContext(gw);
    gw.advance(600_000);
    // The phone's station counters and nlbwmon's totals come from the same rates.
    const phoneStation = gw.stationRecords().find((s) => s.mac === "3c:22:fb:8e:41:07");
    const source = createNlbwSource();
    let outcome = await source.collect(ctx);
    expect(outcome).toMatchObject({ status: "ok", skipped: [] });
    let byMac = totalsByMac(outcome.status === "ok" ? outcome.records.traffic : []);
    expect(byMac["a8:23:fe:01:02:03"]).toEqual([590 * 1_000_000, 590 * 20_000]);
    expect(byMac["3c:22:fb:8e:41:07"]).toEqual([phoneStation?.txBytes, phoneStation?.rxBytes]);
    expect(byMac["3c:22:fb:8e:41:07"]).toEqual([590 * 200_000, 590 * 10_000]);

    gw.advance(1200_000 - gw.t);
    outcome = await source.collect(ctx);
    byMac = totalsByMac(outcome.status === "ok" ? outcome.records.traffic : []);
    expect(byMac["a8:23:fe:01:02:03"]).toEqual([
      600 * 1_000_000 + 590 * 2_500_000,
      600 * 20_000 + 590 * 30_000,
    ]);
    // The phone left at 910 s: nlbwmon keeps what it used in the period.
    expect(byMac["3c:22:fb:8e:41:07"]).toEqual([900 * 200_000, 900 * 10_000]);
    // Both formats say the same, and every row is the model's.
    const files = gw.renderedFiles();
    const json = parseNlbwJson(files.get(".sim/nlbw.json") as string);
    const csv = parseNlbwCsv(files.get(".sim/nlbw.csv") as string);
    expect(json.skipped).toEqual([]);
    expect(csv.records).toEqual(json.records);
    const model = gw.traffic.deviceTotals(gw.t);
    expect(json.records.map((d) => [d.mac, d.rxBytes, d.txBytes, d.rxPackets, d.txPackets])).toEqual(
      model.map((d) => [d.mac, d.rxBytes, d.txBytes, d.rxPackets, d.txPackets]),
    );

    gw.advance(1500_000 - gw.t);
    outcome = await source.collect(ctx);
    expect(outcome.status === "ok" && outcome.records.traffic).toEqual([]);
    gw.advance(300_000);
    // The TV reconnects after the reboot and counts from zero again.
    const rejoin = events.find((e) => e.type === "join" && e.rejoin && e.device === "tv");
    expect(rejoin).toBeDefined();
    const since = gw.t - (rejoin?.t ?? 0);
    outcome = await source.collect(ctx);
    expect(totalsByMac(outcome.status === "ok" ? outcome.records.traffic : [])).toEqual({
      "a8:23:fe:01:02:03": [Math.floor((2_500_000 * since) / 1000), Math.floor((30_000 * since) / 1000)],
    });
  });

  it("shows IPv6 rows for the LAN's global addresses and names the services", () => {
    const { gw } = manualGateway({ seed: 3, devices: 20 });
    gw.advance(3600_000);
    const rows = gw.traffic.nlbwRows(gw.t);
    expect(rows.some((r) => r.family === 6 && r.ip.startsWith("2001:db8:"))).toBe(true);
    expect(new Set(rows.map((r) => r.layer7))).toContain("HTTPS");
    const parsed = parseNlbwJson(gw.renderedFiles().get(".sim/nlbw.json") as string);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.records.length).toBeGreaterThan(3);
    // Grouped by host, one row per MAC and address instead of one per host and service.
    const hosts = new Set(rows.map((r) => `${r.mac} ${r.ip}`));
    const byHost = gw.renderedFiles().get(".sim/nlbw-host.json") as string;
    expect(JSON.parse(byHost).data.length).toBe(hosts.size);
    expect(hosts.size).toBeLessThan(rows.length);
    // The same totals; devices and addresses come in the order of the rows (largest download first).
    const byMac = (records: NlbwDeviceTotals[]) =>
      new Map(records.map((d) => [d.mac, { ...d, ips: [...d.ips].sort() }]));
    const grouped = parseNlbwJson(byHost);
    expect(grouped.skipped).toEqual([]);
    expect(byMac(grouped.records)).toEqual(byMac(parsed.records));
  });

  it("restarts the count when NTP steps the clock into a new month", () => {
    const { gw } = manualGateway({ seed: 5, devices: 10, startClock: 0, uptimeAtStartSeconds: 0 });
    gw.advance(40_000);
    const before = gw.traffic.periodStart;
    gw.advance(20_000);
    // The clock jumped from 1970 to 2025 at 45 s: a new period began there.
    expect(gw.traffic.periodStart).toBe(45_000);
    expect(before === 0).toBe(true);
  });
});

describe("conntrack on a Debian-style gateway", () => {
  it("read every 30 s by the agent's conntrack source, gives the model's per-device totals over IPv4 and IPv6", async () => {
    const gw = household("isc-dhcpd");
    const ctx = simulatedGatewayContext(gw);
    const source = createConntrackSource();
    let outcome = await source.collect(ctx);
    expect(outcome.status).toBe("ok");
    for (let i = 0; i < 40; i++) {
      gw.advance(30_000);
      outcome = await source.collect(ctx);
      expect(outcome).toMatchObject({ status: "ok", skipped: [] });
    }
    const traffic = outcome.status === "ok" ? (outcome.records.traffic ?? []) : [];
    const byIp = new Map(traffic.map((t) => [t.ip, [t.rxBytes, t.txBytes]]));
    const ofDevice = (id: string) => {
      const [v4 = [0, 0], v6 = [0, 0]] = addressesOf(gw, id).map((ip) => byIp.get(ip));
      return [(v4[0] ?? 0) + (v6[0] ?? 0), (v4[1] ?? 0) + (v6[1] ?? 0)];
    };
    expect(ofDevice("tv")).toEqual([600 * 1_000_000 + 590 * 2_500_000, 600 * 20_000 + 590 * 30_000]);
    expect(ofDevice("phone")).toEqual([900 * 200_000, 900 * 10_000]);
    // Per address too: each family carried what the model put on it (nlbw's rows are per address).
    const model = new Map<string, number[]>();
    for (const row of gw.traffic.nlbwRows(gw.t)) {
      const [rx = 0, tx = 0] = model.get(row.ip) ?? [];
      model.set(row.ip, [rx + row.rxBytes, tx + row.txBytes]);
    }
    expect(byIp).toEqual(model);
    expect([...byIp.keys()].filter((ip) => ip?.startsWith("2001:db8:")).length).toBeGreaterThan(0);
    expect(traffic.every((t) => t.source === "conntrack" && t.mac === null)).toBe(true);
  });

  it("lists IPv4 and IPv6 entries, TCP states, UDP and unanswered ones; a departed device's flows vanish", () => {
    const gw = household("isc-dhcpd");
    gw.advance(900_000);
    const phone = gw.device("phone")?.ip as string;
    const proc = gw.renderedFiles().get("proc/net/nf_conntrack") as string;
    expect(proc).toMatch(/^ipv4 {5}2 tcp {6}6 43199\d ESTABLISHED src=/m);
    expect(proc).toMatch(/^ipv6 {5}10 udp {6}17 \d+ src=2001:0db8:/m);
    expect(proc).toMatch(/ \[UNREPLIED\] src=239\.255\.255\.250 /);
    expect(proc).toMatch(/ \[ASSURED\] mark=0 zone=0 use=2$/m);
    expect(proc).toContain(`src=${phone} `);
    // Devices ask the router for names over IPv6 too, at its address in the delegated /64.
    const [a = 0, b = 0, c = 0, d = 0] = gw.sitePrefix;
    const router6 = [a, b, c, d, 0, 0, 0, 1].map((g) => g.toString(16).padStart(4, "0")).join(":");
    expect(proc).toMatch(new RegExp(`dst=${router6} sport=\\d+ dport=53 `));
    gw.advance(60_000);
    // Left at 910 s: its connection is in TIME_WAIT with its final counters...
    expect(gw.renderedFiles().get("proc/net/nf_conntrack")).toMatch(new RegExp(`TIME_WAIT src=${phone} `));
    gw.advance(120_000);
    // ...and gone 120 s later.
    expect(gw.renderedFiles().get("proc/net/nf_conntrack")).not.toContain(`src=${phone} `);
    // The agent's parser keeps only device traffic (no DNS to the router, SSDP or the router's NTP).
    const extended = gw.renderedFiles().get(".sim/conntrack-extended.txt") as string;
    const parsed = parseConntrack(extended, learnedOptions(gw));
    expect(parsed.skipped).toEqual([]);
    const tv = addressesOf(gw, "tv");
    const lanIps = new Set(parsed.records.map((f) => f.lanIp));
    expect([...lanIps].every((ip) => tv.includes(ip))).toBe(true);
    expect(lanIps).toContain(tv[1]);
    // With private ranges only, the tv's IPv6 flows would be nobody's.
    expect(parseConntrack(extended).records.some((f) => f.lanIp === tv[1])).toBe(false);
    gw.advance(1500_000 - gw.t);
    expect(parseConntrack(gw.renderedFiles().get("proc/net/nf_conntrack") as string).records).toEqual([]);
  });

  it("over a busy random hour, the agent's totals are the model's traffic plus what flows carried before its first reading", async () => {
    const { gw } = manualGateway({ seed: 17, devices: 20, leaseFormat: "kea" });
    gw.advance(3600_000);
    const ctx = simulatedGatewayContext(gw);
    const source = createConntrackSource();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const first = parseConntrack(
      gw.renderedFiles().get("proc/net/nf_conntrack") as string,
      learnedOptions(gw),
    ).records;
    const before = gw.traffic.deviceTotals(gw.t);
    const bootId = gw.bootId;
    await source.collect(ctx);
    let outcome = await source.collect(ctx);
    for (let i = 0; i < 120; i++) {
      gw.advance(30_000);
      outcome = await source.collect(ctx);
    }
    expect(gw.bootId).toBe(bootId);
    const agent = outcome.status === "ok" ? (outcome.records.traffic ?? []) : [];
    const after = gw.traffic.deviceTotals(gw.t);
    const firstRx = sum(first.map((f) => (f.lanIsOriginator ? f.replyBytes : f.origBytes) ?? 0));
    const expectedRx = sum(after.map((d) => d.rxBytes)) - sum(before.map((d) => d.rxBytes)) + firstRx;
    expect(sum(agent.map((t) => t.rxBytes))).toBe(expectedRx);
    expect(expectedRx).toBeGreaterThan(100_000_000);
    const v6 = sum(agent.filter((t) => t.ip?.includes(":")).map((t) => t.rxBytes));
    expect(v6).toBeGreaterThan(expectedRx / 10);
  });
});

describe("ping", () => {
  for (const [leaseFormat, tool] of [
    ["dnsmasq", "busybox"],
    ["isc-dhcpd", "iputils"],
  ] as const) {
    it(`${tool} output read by the agent gives the model's round trips and loss (${leaseFormat})`, async () => {
      const { gw } = manualGateway({ seed: 23, devices: 6, leaseFormat });
      const ctx = simulatedGatewayContext(gw);
      const source = createPingSource({ targets: ["198.51.100.7"] });
      let lossy = 0;
      for (let i = 0; i < 60; i++) {
        gw.advance(61_000);
        const outcome = await source.collect(ctx);
        expect(outcome).toMatchObject({ status: "ok", skipped: [] });
        const [wan, far] = outcome.status === "ok" ? (outcome.records.lineQuality ?? []) : [];
        expect(wan?.target).toBe(gw.wanGatewayIp);
        expect(far?.address).toBe("198.51.100.7");
        const run = echoRun(gw, null, gw.t);
        const got = run.rttsUs.filter((x): x is number => x !== null);
        expect(wan).toMatchObject({ sent: 3, received: got.length, error: null });
        expect(wan?.lossPercent).toBeCloseTo(((3 - got.length) / 3) * 100, 2);
        if (got.length < 3) lossy++;
        if (got.length === 0) continue;
        const mean = got.reduce((a, b) => a + b, 0) / got.length / 1000;
        const sd = Math.sqrt(got.reduce((a, b) => a + (b / 1000 - mean) ** 2, 0) / got.length);
        expect(wan?.rttMinMs).toBe(Math.min(...got) / 1000);
        expect(wan?.rttMaxMs).toBe(Math.max(...got) / 1000);
        expect(wan?.rttAvgMs).toBeCloseTo(mean, 2);
        expect(wan?.jitterMs ?? -1).toBeCloseTo(sd, 2);
        expect(far?.rttAvgMs ?? 0).toBeGreaterThan(wan?.rttAvgMs ?? 0);
      }
      // Loss happens, but not often.
      expect(lossy).toBeLessThan(20);
    });
  }
});

describe("determinism", () => {
  it("gives the same tables however time is sliced and however often they are read", () => {
    for (const leaseFormat of ["dnsmasq", "isc-dhcpd"] as const) {
      const once = manualGateway({ seed: 41, devices: 15, leaseFormat }).gw;
      const sliced = manualGateway({ seed: 41, devices: 15, leaseFormat }).gw;
      once.advance(2 * 3600_000);
      for (let i = 0; i < 240; i++) {
        sliced.advance(30_000);
        if (i % 7 === 0) sliced.renderedFiles();
      }
      const pick = (gw: typeof once) =>
        [...gw.renderedFiles()].filter(([k]) => /nlbw|conntrack|ping/.test(k)).map(([k, v]) => `${k}\n${v}`);
      expect(pick(sliced)).toEqual(pick(once));
    }
  });
});

describe("--sources auto on a simulated gateway", () => {
  it("picks nlbw on OpenWrt and conntrack on Debian-style gateways, and ping on both", async () => {
    for (const [leaseFormat, traffic] of [
      ["dnsmasq", "nlbw"],
      ["kea", "conntrack"],
    ] as const) {
      const { gw } = manualGateway({ seed: 2, devices: 5, leaseFormat });
      gw.advance(60_000);
      const names = (await detectSources(simulatedGatewayContext(gw), {})).map((s) => s.name);
      expect(names).toContain(traffic);
      expect(names).toContain("ping");
      expect(names).not.toContain(traffic === "nlbw" ? "conntrack" : "nlbw");
    }
  });
});
