import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIpAddrInterfaces } from "../router/parseProcRouterFiles.js";
import { conntrackOptionsFor, routerLan } from "./routerLan.js";

const addresses = (name: string) =>
  parseIpAddrInterfaces(
    readFileSync(join(import.meta.dirname, "../../../fixtures/ip-addr-json", name), "utf8"),
  ).records;

describe("routerLan", () => {
  it("takes every prefix but the WAN's and loopback's, and fe80::/10; knows all of the router's addresses", () => {
    const lan = routerLan(addresses("openwrt-23.05-pppoe.json"), "pppoe-wan");
    expect(lan).toEqual({
      lanCidrs: [
        "192.168.1.1/24",
        "2001:db8:4:1f00::1/60",
        "fd12:3456:789a::1/60",
        "192.168.3.1/24",
        "2001:db8:4:1f10::1/64",
        "fe80::/10",
      ],
      routerAddresses: [
        "127.0.0.1",
        "::1",
        "fe80::9683:c4ff:fe12:3457",
        "192.168.1.1",
        "2001:db8:4:1f00::1",
        "fd12:3456:789a::1",
        "fe80::9683:c4ff:fe12:3456",
        "192.168.3.1",
        "2001:db8:4:1f10::1",
        "fe80::9483:c4ff:fe12:3458",
        "100.64.23.45",
        "2001:db8:4:ff::2",
        "fe80::5d2c:3e4f:5a6b:7c8d",
      ],
    });
  });

  it("leaves the WAN's own prefix out (a Debian box whose WAN has a SLAAC /64)", () => {
    const lan = routerLan(addresses("debian-12-gateway-pretty.json"), "enp1s0");
    expect(lan?.lanCidrs).toEqual(["192.168.10.1/24", "2001:db8:77:4a00::1/64", "10.8.0.1/24", "fe80::/10"]);
    const { isLan, isRouter } = conntrackOptionsFor(lan as NonNullable<typeof lan>);
    expect(
      [
        "192.168.10.23",
        "2001:db8:77:4a00:1c2b:3a4d:5e6f:7081",
        "10.8.0.5",
        "fe80::1",
        "2001:db8:77::99",
        "198.51.100.1",
        "10.9.0.1",
        "172.16.0.1",
      ].map(isLan),
    ).toEqual([true, true, true, true, false, false, false, false]);
    expect(
      ["2001:db8:77:0:20d:b9ff:fe5a:1b2c", "198.51.100.77", "192.168.10.1", "192.168.10.2"].map(isRouter),
    ).toEqual([true, true, true, false]);
  });

  it("cannot tell the LAN when only the WAN and loopback have addresses", () => {
    const all = addresses("debian-12-gateway-pretty.json");
    expect(
      routerLan(
        all.filter((a) => a.interface === "lo" || a.interface === "enp1s0"),
        "enp1s0",
      ),
    ).toBeNull();
    expect(routerLan([], null)).toBeNull();
  });
});
