/**
 * The agent's own sources read a simulated gateway the way they read a real one: files under
 * --root, and iw/ip/bridge run without a shell from the gateway's bin directory.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBridgeFdbSource } from "../agent/sources/fdb/bridgeFdbSource.js";
import { attachBridgePorts } from "../agent/sources/fdb/parseBridgeFdbJson.js";
import { createSysfsFdbSource } from "../agent/sources/fdb/sysfsFdbSource.js";
import { createSysClassNetSource } from "../agent/sources/netdev/sysClassNetSource.js";
import { detectSources } from "../agent/sources/registry.js";
import { createRouterSource } from "../agent/sources/router/routerSource.js";
import type { Source, SourceRecords } from "../agent/sources/source.js";
import { createSystemContext, fileClock } from "../agent/sources/systemContext.js";
import type { SimulatedGateway } from "./gateway.js";
import { simulatedGatewayContext } from "./memoryContext.js";
import { manualGateway, tempRoot } from "./testSupport.js";

describe("the agent's sources on a simulated gateway", () => {
  let gw: SimulatedGateway;
  let cleanup: () => void;
  beforeAll(async () => {
    const tmp = tempRoot();
    cleanup = tmp.cleanup;
    gw = manualGateway({ root: tmp.root, seed: 31, devices: 12 }).gw;
    await gw.start();
    gw.advance(3600_000);
  });
  afterAll(async () => {
    await gw.stop();
    cleanup();
  });

  const context = () =>
    createSystemContext({
      root: gw.dir as string,
      commandTimeoutMs: 5000,
      commandDirs: [join(gw.dir as string, "bin")],
      clock: fileClock(join(gw.dir as string, ".sim", "clock")),
    });

  it("detects the sources a dnsmasq gateway with iproute2 and iw has", async () => {
    const names = (await detectSources(context(), {})).map((s) => s.name).sort();
    // An OpenWrt gateway (dnsmasq): nlbw for traffic, BusyBox ping; no conntrack tools.
    expect(names).toEqual([
      "dnsmasq",
      "ip-neigh",
      "iw",
      "nlbw",
      "ping",
      "proc-net-dev",
      "router",
      "sysfs-fdb",
    ]);
  });

  it("collects exactly the simulated state", async () => {
    const ctx = context();
    expect(ctx.now()).toBe(gw.clockMs());
    const records: SourceRecords = {};
    for (const source of await detectSources(ctx, {})) {
      const outcome = await source.collect(ctx);
      expect(outcome, source.name).toMatchObject({ status: "ok", skipped: [] });
      if (outcome.status === "ok") Object.assign(records, outcome.records);
    }
    expect(records.leases).toEqual(gw.leaseRecords());
    expect(records.dhcpPools).toEqual([{ name: "lan", ...gw.dhcp.pool }]);
    expect(records.neighbors).toEqual(gw.neighborRecords());
    expect(records.interfaces).toEqual(gw.interfaceRecords());
    expect(records.stations).toEqual(gw.stationRecords());
    expect(records.radios).toEqual(gw.radioRecords());
    // sysfs holds the bridge's own table: learned and local rows on its ports.
    const bridgeTable = gw.fdbEntries().filter((e) => e.master === "br-lan" && e.ifname !== "br-lan");
    expect(bridgeTable.length).toBeGreaterThan(12);
    expect(records.bridgeFdb).toEqual(
      bridgeTable.map((e) => ({
        mac: e.mac,
        interface: e.ifname,
        bridge: "br-lan",
        vlan: null,
        permanent: e.state === "permanent",
        self: false,
      })),
    );
  });

  it("places every neighbour on the same bridge port from sysfs as from `bridge fdb`", async () => {
    const ctx = context();
    const tableOf = async (source: Source) => {
      const outcome = await source.collect(ctx);
      return outcome.status === "ok" ? (outcome.records.bridgeFdb ?? []) : [];
    };
    const fromSysfs = attachBridgePorts(gw.neighborRecords(), await tableOf(createSysfsFdbSource()));
    const fromCommand = attachBridgePorts(gw.neighborRecords(), await tableOf(createBridgeFdbSource()));
    expect(fromSysfs.filter((n) => n.bridgePort !== null).length).toBeGreaterThan(10);
    expect(fromSysfs).toEqual(fromCommand);
  });

  it("reads the same counters from sysfs as from /proc/net/dev", async () => {
    const outcome = await createSysClassNetSource().collect(context());
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    const byName = (rows: { name: string }[]) => [...rows].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(outcome.records.interfaces ?? [])).toEqual(byName(gw.interfaceRecords()));
  });

  it("bin scripts fail like the real tools on what they do not support", () => {
    const bin = (name: string, ...args: string[]) =>
      spawnSync(join(gw.dir as string, "bin", name), args, { encoding: "utf8" });
    let r = bin("iw", "dev", "wlan9", "station", "dump");
    expect([r.status, r.stderr]).toEqual([237, "command failed: No such device (-19)\n"]);
    r = bin("iw", "phy");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Usage:\tiw /);
    r = bin("ip", "route");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Usage: ip /);
    r = bin("bridge", "link");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Usage: bridge /);
    expect(bin("iw", "phy0-ap0", "info").stdout).toMatch(/^Interface phy0-ap0\n\tifindex 5\n/);
    expect(bin("ip", "-6", "neigh").stdout).not.toMatch(/^\d+\.\d+/m);
    expect(bin("ip", "-j", "-4", "neigh", "show").stdout).toMatch(/^\[\{"dst":"\d/);
    expect(bin("bridge", "fdb", "show").stdout).toMatch(/ dev br-lan self permanent\n/);
    r = bin("nlbw", "-c", "show");
    expect([r.status, r.stderr]).toEqual([1, "Usage: nlbw [-c {json|csv}] [-g host]\n"]);
    r = bin("ping", "-c", "3", "-W", "1", "nosuchhost.invalid");
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", "ping: bad address 'nosuchhost.invalid'\n"]);
    expect(bin("ping", "-c", "3", "-W", "1", "192.0.2.1").stdout).toMatch(
      /^PING 192\.0\.2\.1 \(192\.0\.2\.1\): 56 data bytes\n/,
    );
  });
});

describe.each(["dnsmasq", "isc-dhcpd"] as const)(
  "the agent's router source on a simulated %s gateway",
  (leaseFormat) => {
    let gw: SimulatedGateway;
    let cleanup: () => void;
    beforeAll(async () => {
      const tmp = tempRoot();
      cleanup = tmp.cleanup;
      gw = manualGateway({ root: tmp.root, seed: 41, devices: 6, leaseFormat }).gw;
      await gw.start();
      gw.advance(20 * 60_000);
    });
    afterAll(async () => {
      await gw.stop();
      cleanup();
    });

    it("reads back the router's identity and WAN addresses, from files and scripts and from memory alike", async () => {
      const onDisk = createSystemContext({
        root: gw.dir as string,
        commandTimeoutMs: 5000,
        commandDirs: [join(gw.dir as string, "bin")],
        clock: fileClock(join(gw.dir as string, ".sim", "clock")),
      });
      const openwrt = leaseFormat === "dnsmasq";
      const { hardware, firmware } = gw;
      const expected = {
        // ubus names the model on OpenWrt; DMI (vendor and product) on the x86 Debian boxes.
        model: openwrt ? hardware.model : `${hardware.dmiVendor} ${hardware.model}`,
        board: openwrt ? hardware.boardName : null,
        firmware: openwrt ? `OpenWrt ${firmware.version} ${firmware.revision}` : "Debian GNU/Linux 12",
        kernel: firmware.kernel,
        hostname: openwrt ? "OpenWrt" : gw.gatewayId,
        wanInterface: "eth1",
        wanMac: gw.iface("eth1")?.mac,
        wanAddresses: [gw.wanIp, gw.wanIpv6],
      };
      for (const ctx of [onDisk, simulatedGatewayContext(gw)]) {
        const outcome = await createRouterSource().collect(ctx);
        expect(outcome).toMatchObject({ status: "ok", skipped: [], records: { router: expected } });
      }
      expect(gw.wanIp).toMatch(/^192\.0\.2\.\d+$/);
      expect(gw.wanIpv6).toMatch(/^2001:db8:/);
    });

    it("keeps the WAN addresses across a reboot and presents a model of the gateway's flavour", async () => {
      const before = { v4: gw.wanIp, v6: gw.wanIpv6 };
      gw.reboot();
      gw.advance(60_000);
      const router = await createRouterSource().collect(simulatedGatewayContext(gw));
      expect(router.status === "ok" && router.records.router?.wanAddresses).toEqual([before.v4, before.v6]);
      const ssid = gw.radios[0]?.ssid ?? "";
      expect(gw.iface("eth1")?.mac.startsWith(gw.hardware.oui)).toBe(true);
      expect(gw.hardware.ssidPrefixes.some((p) => ssid.startsWith(p))).toBe(true);
      expect(gw.hardware.boardName !== null).toBe(leaseFormat === "dnsmasq");
    });
  },
);

describe.each(["dnsmasq", "isc-dhcpd", "kea"] as const)(
  "the DHCP pool of a simulated %s gateway",
  (leaseFormat) => {
    it("is read from the server's configuration by its lease source", async () => {
      const tmp = tempRoot();
      const { gw } = manualGateway({ root: tmp.root, seed: 43, devices: 4, leaseFormat });
      try {
        await gw.start();
        gw.advance(60_000);
        const ctx = createSystemContext({ root: gw.dir as string, commandTimeoutMs: 5000 });
        const [source] = (await detectSources(ctx, {})).filter((s) => s.name === leaseFormat);
        const outcome = await (source as Source).collect(ctx);
        expect(outcome).toMatchObject({ status: "ok", skipped: [] });
        if (outcome.status !== "ok") return;
        // dnsmasq's pool carries OpenWrt's interface name; dhcpd and Kea do not name theirs.
        expect(outcome.records.dhcpPools).toEqual([
          { name: leaseFormat === "dnsmasq" ? "lan" : null, ...gw.dhcp.pool },
        ]);
      } finally {
        await gw.stop();
        tmp.cleanup();
      }
    });
  },
);
