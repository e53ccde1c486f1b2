/**
 * Round trips: every file and command output the simulator writes goes through the agent's own
 * parsers (and, at the end, through the agent's sources with the real command runner and the
 * bin scripts) and must come back as the state the simulator holds.
 */
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProcNetArp } from "../agent/sources/arp/parseProcNetArp.js";
import { routerLan } from "../agent/sources/conntrack/routerLan.js";
import { parseDnsmasqLeases } from "../agent/sources/dnsmasq/parseDnsmasqLeases.js";
import { parseBrforward } from "../agent/sources/fdb/parseBrforward.js";
import { parseBridgeFdbJson } from "../agent/sources/fdb/parseBridgeFdbJson.js";
import { parseIscDhcpdLeases } from "../agent/sources/isc-dhcpd/parseIscDhcpdLeases.js";
import { parseIwDev } from "../agent/sources/iw/parseIwDev.js";
import { parseIwStationDump } from "../agent/sources/iw/parseIwStationDump.js";
import { parseIwSurveyDump, surveyInUse } from "../agent/sources/iw/parseIwSurveyDump.js";
import { parseKeaLeases4 } from "../agent/sources/kea/parseKeaLeases.js";
import { parseIpNeighJson } from "../agent/sources/neigh/parseIpNeighJson.js";
import { parseIpNeighText } from "../agent/sources/neigh/parseIpNeighText.js";
import { parseProcNetDev } from "../agent/sources/netdev/parseProcNetDev.js";
import {
  parseOpenwrtRelease,
  parseOsRelease,
  parseUbusSystemBoard,
} from "../agent/sources/release/parseReleaseFiles.js";
import { parseIpAddrInterfaces, parseIpAddrJson } from "../agent/sources/router/parseProcRouterFiles.js";
import { ipv6FromGroups } from "../common/ipv6Text.js";
import type { Lease, Neighbor } from "../protocol/index.js";
import type { SimulatedGateway } from "./gateway.js";
import { routerHardwareFor } from "./routerModels.js";
import { manualGateway, readGatewayFile, tempRoot } from "./testSupport.js";

const byIp = <T extends { ip: string }>(rows: T[]) => [...rows].sort((a, b) => a.ip.localeCompare(b.ip));

interface Setup {
  gw: SimulatedGateway;
  cleanup: () => void;
}

/** A busy household after two simulated hours: departures, lingering stations, failed neighbours. */
async function busyGateway(options: Parameters<typeof manualGateway>[0], ms = 2 * 3600_000): Promise<Setup> {
  const { root, cleanup } = tempRoot();
  const { gw } = manualGateway({ root, devices: 20, ...options });
  await gw.start();
  gw.advance(ms);
  return { gw, cleanup };
}

const variants = [
  { name: "iw 6.9", seed: 11, iwVersion: "6.9" as const },
  { name: "iw 6.17", seed: 12, iwVersion: "6.17" as const },
];

for (const variant of variants) {
  describe(`round trip through the agent's parsers (seed ${variant.seed}, ${variant.name})`, () => {
    let setup: Setup;
    beforeAll(async () => {
      setup = await busyGateway({ seed: variant.seed, iwVersion: variant.iwVersion });
    });
    afterAll(async () => {
      await setup.gw.stop();
      setup.cleanup();
    });

    it("dnsmasq lease file", () => {
      const { gw } = setup;
      const parsed = parseDnsmasqLeases(readGatewayFile(gw, "tmp/dhcp.leases"));
      expect(parsed.skipped).toEqual([]);
      expect(parsed.records.length).toBeGreaterThan(3);
      expect(parsed.records).toEqual(gw.leaseRecords());
    });

    it("/proc/net/arp", () => {
      const { gw } = setup;
      const parsed = parseProcNetArp(readGatewayFile(gw, "proc/net/arp"));
      expect(parsed.skipped).toEqual([]);
      // The file says only "resolved" (0x2, read as stale) or "unresolved" (0x0, no address).
      const expected: Neighbor[] = gw
        .neighborRecords()
        .filter((n) => !n.ip.includes(":"))
        .map((n) => (n.state === "failed" ? { ...n, state: "incomplete" } : { ...n, state: "stale" }));
      expect(byIp(parsed.records)).toEqual(byIp(expected));
    });

    it("ip -j neigh show and ip neigh show", () => {
      const { gw } = setup;
      const json = parseIpNeighJson(readGatewayFile(gw, ".sim/ip-neigh.json"));
      const text = parseIpNeighText(readGatewayFile(gw, ".sim/ip-neigh.txt"));
      expect(json.skipped).toEqual([]);
      expect(text.skipped).toEqual([]);
      const expected = gw.neighborRecords();
      expect(expected.some((n) => n.state === "stale")).toBe(true);
      expect(json.records).toEqual(expected);
      expect(text.records).toEqual(expected);
    });

    it("bridge -j fdb show", () => {
      const { gw } = setup;
      const parsed = parseBridgeFdbJson(readGatewayFile(gw, ".sim/bridge-fdb.json"));
      expect(parsed.skipped).toEqual([]);
      expect(parsed.records).toEqual(
        gw.fdbEntries().map((e) => ({
          mac: e.mac,
          interface: e.ifname,
          bridge: e.master,
          vlan: null,
          permanent: e.state === "permanent",
          self: e.flags.includes("self"),
        })),
      );
    });

    it("sysfs brforward", () => {
      const { gw } = setup;
      const bytes = readFileSync(join(gw.dir as string, "sys/class/net/br-lan/brforward"));
      const parsed = parseBrforward(bytes);
      expect(parsed.skipped).toEqual([]);
      const ports = new Map(gw.interfaces.map((i) => [i.name, i.bridgePort]));
      const table = gw.fdbEntries().filter((e) => e.master === "br-lan" && e.ifname !== "br-lan");
      expect(parsed.records).toEqual(
        table.map((e) => ({ mac: e.mac, port: ports.get(e.ifname), local: e.state === "permanent" })),
      );
      // The ageing timer (clock ticks, host order): a departed device's counts from its departure.
      const ageing = table.map((_, i) =>
        endianness() === "LE" ? bytes.readUInt32LE(i * 16 + 8) : bytes.readUInt32BE(i * 16 + 8),
      );
      const departed = table.findIndex((e) =>
        gw.devices.some((d) => d.mac === e.mac && d.state !== "connected"),
      );
      expect(departed).toBeGreaterThanOrEqual(0);
      expect(ageing[departed]).toBe(Math.floor((table[departed] as { idleMs: number }).idleMs / 10));
      expect(ageing[departed]).toBeGreaterThan(0);
      for (const [i, e] of table.entries()) if (e.state === "permanent") expect(ageing[i]).toBe(0);
      expect(readGatewayFile(gw, "sys/class/net/br-lan/brif/phy0-ap0/port_no")).toBe("0x2\n");
    });

    it("/proc/net/dev", () => {
      const { gw } = setup;
      const parsed = parseProcNetDev(readGatewayFile(gw, "proc/net/dev"));
      expect(parsed.skipped).toEqual([]);
      expect(parsed.records).toEqual(gw.interfaceRecords());
    });

    it("iw dev", () => {
      const { gw } = setup;
      const parsed = parseIwDev(readGatewayFile(gw, ".sim/iw-dev.txt"));
      expect(parsed.skipped).toEqual([]);
      const expected = gw.radioRecords().map((r) => ({
        ...r,
        noiseDbm: null,
        channelActiveMs: null,
        channelBusyMs: null,
        channelRxMs: null,
        channelTxMs: null,
      }));
      expect(parsed.records).toEqual(expected);
    });

    it("iw dev IF station dump", () => {
      const { gw } = setup;
      const stations = gw.stationRecords();
      expect(stations.length).toBeGreaterThan(2);
      for (const radio of gw.radios) {
        const parsed = parseIwStationDump(readGatewayFile(gw, `.sim/iw-${radio.iface}-station-dump.txt`));
        expect(parsed.skipped).toEqual([]);
        expect(parsed.records).toEqual(stations.filter((s) => s.interface === radio.iface));
      }
    });

    it("iw dev IF survey dump", () => {
      const { gw } = setup;
      for (const radio of gw.radioRecords()) {
        const parsed = parseIwSurveyDump(readGatewayFile(gw, `.sim/iw-${radio.interface}-survey-dump.txt`));
        expect(parsed.skipped).toEqual([]);
        expect(parsed.records.length).toBeGreaterThan(3);
        expect(surveyInUse(parsed.records, radio.frequencyMhz ?? undefined)).toEqual({
          noiseDbm: radio.noiseDbm,
          channelActiveMs: radio.channelActiveMs,
          channelBusyMs: radio.channelBusyMs,
          channelRxMs: radio.channelRxMs,
          channelTxMs: radio.channelTxMs,
        });
      }
    });
  });
}

describe.each(["isc-dhcpd", "kea"] as const)("round trip of the %s lease log", (leaseFormat) => {
  let setup: Setup;
  beforeAll(async () => {
    // Past the hourly rewrite, with releases and expiries appended after it.
    setup = await busyGateway({ seed: 21, leaseFormat }, 2.5 * 3600_000);
  });
  afterAll(async () => {
    await setup.gw.stop();
    setup.cleanup();
  });

  it("the last record per address wins and equals the server's leases", () => {
    const { gw } = setup;
    const text = gw.renderLeaseFile();
    const parsed = leaseFormat === "kea" ? parseKeaLeases4(text) : parseIscDhcpdLeases(text);
    expect(parsed.skipped).toEqual([]);
    const expected: Lease[] = gw.leaseRecords();
    expect(expected.length).toBeGreaterThan(3);
    expect(byIp(parsed.records)).toEqual(byIp(expected));
    // The log really holds history: more records than leases.
    const records = leaseFormat === "kea" ? text.split("\n").length - 2 : text.split("lease ").length - 1;
    expect(records).toBeGreaterThan(expected.length);
  });

  it("is the file written under the gateway's directory", () => {
    const { gw } = setup;
    const path = leaseFormat === "kea" ? "var/lib/kea/kea-leases4.csv" : "var/lib/dhcp/dhcpd.leases";
    expect(readGatewayFile(gw, path)).toBe(gw.renderLeaseFile());
    expect(join(gw.dir as string, path)).toContain(gw.gatewayId);
  });
});

describe("round trip of the router's identity through the agent's release and address parsers", () => {
  // Enough gateways to meet every model and release of both flavours.
  const gateways = Array.from(
    { length: 48 },
    (_, i) =>
      manualGateway({
        gatewayId: `gw-${i}`,
        seed: 100 + i,
        devices: 2,
        leaseFormat: i % 3 === 2 ? "kea" : "dnsmasq",
      }).gw,
  );
  for (const gw of gateways) gw.advance(120_000);

  it("covers every model and both OpenWrt releases", () => {
    const models = new Set(gateways.map((gw) => gw.hardware.model));
    for (const hw of [...routerHardwareFor("openwrt"), ...routerHardwareFor("debian")]) {
      expect(models, hw.model).toContain(hw.model);
    }
    const releases = new Set(gateways.map((gw) => gw.firmware.version));
    expect([...releases].sort()).toEqual(["12", "23.05.5", "24.10.5"]);
  });

  it("release files and ubus say what the gateway is", () => {
    for (const gw of gateways) {
      const files = gw.renderedFiles();
      const { hardware: hw, firmware: fw } = gw;
      const os = parseOsRelease(files.get("etc/os-release") ?? "");
      expect(os.skipped).toEqual([]);
      if (fw.distribution !== "OpenWrt") {
        expect(os.records[0]).toMatchObject({ distribution: "Debian GNU/Linux", version: "12" });
        expect(files.has("etc/openwrt_release") || files.has(".sim/ubus-system-board.json")).toBe(false);
        continue;
      }
      const release = {
        distribution: "OpenWrt",
        version: fw.version,
        revision: fw.revision,
        target: hw.target,
      };
      expect(os.records[0]).toMatchObject(release);
      const distrib = parseOpenwrtRelease(files.get("etc/openwrt_release") ?? "");
      expect(distrib).toMatchObject({ records: [release], skipped: [] });
      const boardText = files.get(".sim/ubus-system-board.json") ?? "";
      const board = parseUbusSystemBoard(boardText);
      expect(board).toMatchObject({
        records: [
          {
            ...release,
            model: hw.model,
            board: hw.boardName,
            kernel: fw.kernel,
            hostname: "OpenWrt",
            system: hw.system,
          },
        ],
        skipped: [],
      });
      // ubus escapes the slash of the target; 24.10 adds the build date to the release table.
      expect(boardText).toContain(`"target": "${hw.target?.replace("/", "\\/")}"`);
      expect(JSON.parse(boardText).release.builddate).toBe(
        fw.announcesBuildDate ? String(fw.buildDate) : undefined,
      );
    }
  });

  it("`ip -j addr` holds the WAN, LAN and loopback addresses", () => {
    for (const gw of gateways) {
      const files = gw.renderedFiles();
      expect(parseIpAddrJson(files.get(".sim/ip-addr-eth1.json") ?? "")).toEqual([gw.wanIp, gw.wanIpv6]);
      const all = JSON.parse(files.get(".sim/ip-addr.json") ?? "") as { ifname: string; address: string }[];
      expect(all.map((l) => l.ifname)).toEqual(gw.interfaces.map((i) => i.name));
      expect(all.map((l) => l.address)).toEqual(gw.interfaces.map((i) => i.mac));
      const lan = parseIpAddrJson(files.get(".sim/ip-addr-br-lan.json") ?? "");
      expect(lan[0]).toBe(gw.lan.gatewayIp);
      // OpenWrt hands the LAN a /60 of the delegated prefix and of its ULA; the Debian boxes a /64 of it.
      expect(lan.length).toBe(gw.leaseFormat === "dnsmasq" ? 3 : 2);
      // What the agent's conntrack source learns from it: the LAN bridge's prefixes, not the WAN's.
      const [a = 0, b = 0, c = 0, d = 0] = gw.sitePrefix;
      const v6 = ipv6FromGroups([a, b, c, d, 0, 0, 0, 1]);
      const learned = routerLan(parseIpAddrInterfaces(files.get(".sim/ip-addr.json") ?? "").records, "eth1");
      expect(learned?.lanCidrs).toEqual(
        gw.leaseFormat === "dnsmasq"
          ? [`${gw.lan.gatewayIp}/24`, `${v6}/60`, `${lan[2]}/60`, "fe80::/10"]
          : [`${gw.lan.gatewayIp}/24`, `${v6}/64`, "fe80::/10"],
      );
      expect(learned?.routerAddresses).toEqual(expect.arrayContaining([gw.wanIp, gw.wanIpv6, v6]));
      expect(parseIpAddrJson(files.get(`.sim/ip-addr-${gw.radios[0]?.iface}.json`) ?? "")).toEqual([]);
    }
  });

  it("has no WAN address before DHCP answered after a boot", () => {
    const gw = gateways[0] as SimulatedGateway;
    gw.reboot();
    expect(parseIpAddrJson(gw.renderedFiles().get(".sim/ip-addr-eth1.json") ?? "")).toEqual([]);
    gw.advance(10_000);
    expect(parseIpAddrJson(gw.renderedFiles().get(".sim/ip-addr-eth1.json") ?? "")).toEqual([
      gw.wanIp,
      gw.wanIpv6,
    ]);
  });
});
