import { describe, expect, it } from "vitest";
import { parseDefaultRoute, parseIpAddrJson, parseLoadavg, parseMeminfo } from "./parseProcRouterFiles.js";

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
