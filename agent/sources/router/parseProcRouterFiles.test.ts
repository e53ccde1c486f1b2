import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseDefaultRoute,
  parseIpAddrInterfaces,
  parseIpAddrJson,
  parseLoadavg,
  parseMeminfo,
} from "./parseProcRouterFiles.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/ip-addr-json", name), "utf8");

const ROUTE = [
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
  "wan\t00000000\t0101640A\t0003\t0\t0\t10\t00000000\t0\t0\t0",
  "pppoe-wan\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0",
  "br-lan\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
  "",
].join("\n");

describe("router procfs parsers", () => {
  it("finds the default route with the lowest metric, decoding host-order hex", () => {
    expect(parseDefaultRoute(ROUTE)).toEqual({ interface: "pppoe-wan", gateway: null });
    const single = ROUTE.split("\n")
      .filter((l) => !l.startsWith("pppoe"))
      .join("\n");
    expect(parseDefaultRoute(single)).toEqual({ interface: "wan", gateway: "10.100.1.1" });
    expect(parseDefaultRoute("Iface\tDestination\n")).toBeNull();
    expect(parseDefaultRoute("")).toBeNull();
  });

  it("reads load and memory, and gives nulls for garbage", () => {
    expect(parseLoadavg("0.42 0.35 0.30 1/123 4567\n")).toBe(0.42);
    expect(parseLoadavg("")).toBeNull();
    expect(
      parseMeminfo("MemTotal:         245760 kB\nMemFree:  1 kB\nMemAvailable:     131072 kB\n"),
    ).toEqual({
      totalBytes: 245760 * 1024,
      availableBytes: 131072 * 1024,
    });
    expect(parseMeminfo("truncat")).toEqual({ totalBytes: null, availableBytes: null });
  });

  it("lists global addresses only", () => {
    const json = JSON.stringify([
      {
        ifname: "wan",
        addr_info: [
          { family: "inet", local: "203.0.113.7", prefixlen: 24, scope: "global" },
          { family: "inet6", local: "2001:DB8::7", prefixlen: 64, scope: "global" },
          { family: "inet6", local: "fe80::1", prefixlen: 64, scope: "link" },
        ],
      },
    ]);
    expect(parseIpAddrJson(json)).toEqual(["203.0.113.7", "2001:db8::7"]);
    expect(parseIpAddrJson("[{")).toEqual([]);
  });
});

describe("parseIpAddrInterfaces", () => {
  it("lists every address with its prefix, link by link (OpenWrt, PPPoE WAN, guest bridge)", () => {
    const { records, skipped } = parseIpAddrInterfaces(fixture("openwrt-23.05-pppoe.json"));
    expect(skipped).toEqual([]);
    const brief = records.map(
      (r) => `${r.interface}${r.loopback ? "(lo)" : ""} ${r.address}/${r.prefixLength}`,
    );
    expect(brief).toEqual([
      "lo(lo) 127.0.0.1/8",
      "lo(lo) ::1/128",
      "eth1 fe80::9683:c4ff:fe12:3457/64",
      "br-lan 192.168.1.1/24",
      "br-lan 2001:db8:4:1f00::1/60",
      "br-lan fd12:3456:789a::1/60",
      "br-lan fe80::9683:c4ff:fe12:3456/64",
      "br-guest 192.168.3.1/24",
      "br-guest 2001:db8:4:1f10::1/64",
      "br-guest fe80::9483:c4ff:fe12:3458/64",
      "pppoe-wan 100.64.23.45/32",
      "pppoe-wan 2001:db8:4:ff::2/128",
      "pppoe-wan fe80::5d2c:3e4f:5a6b:7c8d/128",
    ]);
    expect(records.find((r) => r.interface === "pppoe-wan" && r.family === "ipv4")).toEqual({
      interface: "pppoe-wan",
      loopback: false,
      family: "ipv4",
      address: "100.64.23.45",
      prefixLength: 32,
      peer: "10.64.0.1",
      scope: "global",
    });
  });

  it("reads iproute2's pretty form and lower-cases addresses (Debian gateway with a WireGuard server)", () => {
    const { records, skipped } = parseIpAddrInterfaces(fixture("debian-12-gateway-pretty.json"));
    expect(skipped).toEqual([]);
    expect(records.filter((r) => r.interface === "enp1s0").map((r) => [r.address, r.scope])).toEqual([
      ["198.51.100.77", "global"],
      ["2001:db8:77:0:20d:b9ff:fe5a:1b2c", "global"],
      ["fe80::20d:b9ff:fe5a:1b2c", "link"],
    ]);
    expect(records.filter((r) => r.interface === "enp2s0")).toEqual([]);
    expect(records.find((r) => r.interface === "wg0")).toMatchObject({
      family: "ipv4",
      address: "10.8.0.1",
      prefixLength: 24,
      peer: null,
      loopback: false,
    });
  });

  it("skips what it cannot use, keeps the rest, and never throws", () => {
    const { records, skipped } = parseIpAddrInterfaces(fixture("filtered-and-malformed.json"));
    expect(records.map((r) => `${r.interface} ${r.address}/${r.prefixLength}`)).toEqual([
      "br-lan 2001:db8:4:1f00::1/60",
      "eth1 203.0.113.7/24",
    ]);
    // The `{}` of a filtered-out link is not a complaint; a string prefixlen, a bad address, /33,
    // an IPv6 address labelled inet, null and a link without a name are.
    expect(skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, "an address without a valid local and prefixlen"],
      [2, "an address without a valid local and prefixlen"],
      [2, "an address without a valid local and prefixlen"],
      [2, "an address without a valid local and prefixlen"],
      [3, "a link is not an object"],
      [4, "a link without ifname or addr_info"],
    ]);
    const truncated = fixture("openwrt-23.05-pppoe.json").slice(0, 700);
    expect(parseIpAddrInterfaces(truncated)).toMatchObject({ records: [], skipped: [{ line: 0 }] });
    expect(parseIpAddrInterfaces("")).toEqual({ records: [], skipped: [] });
    expect(parseIpAddrInterfaces('{"ifname":"lo"}').skipped[0]?.reason).toBe("expected an array of links");
    // BusyBox ip has no -j: it prints its text form.
    expect(parseIpAddrInterfaces("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n").skipped).toHaveLength(1);
  });
});
