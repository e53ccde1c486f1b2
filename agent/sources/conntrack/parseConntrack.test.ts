import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cPrintf } from "../netdev/cPrintf.js";
import { parseIpAddrInterfaces } from "../router/parseProcRouterFiles.js";
import { compressIpv6, conntrackAccountingOff, lanMatcher, parseConntrack } from "./parseConntrack.js";
import { conntrackOptionsFor, routerLan } from "./routerLan.js";

/** One TCP line as the kernel prints it (nf_conntrack_standalone.c ct_seq_show). */
function procLine(
  src: string,
  sport: number,
  orig: [number, number] | null,
  reply: [number, number] | null,
): string {
  const acct = (c: [number, number] | null) => (c ? `packets=${c[0]} bytes=${c[1]} ` : "");
  return (
    cPrintf("%-8s %u %-8s %u %d ", "ipv4", 2, "tcp", 6, 431999) +
    `ESTABLISHED src=${src} dst=93.184.216.34 sport=${sport} dport=443 ${acct(orig)}` +
    `src=93.184.216.34 dst=198.51.100.7 sport=443 dport=${sport} ${acct(reply)}[ASSURED] mark=0 zone=0 use=2\n`
  );
}

describe("parseConntrack", () => {
  it("reads the example line from the kernel", () => {
    const line = procLine("192.168.1.23", 51234, [12, 2345], [10, 8910]);
    expect(line).toBe(
      "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.1.23 dst=93.184.216.34 sport=51234 dport=443 packets=12 bytes=2345 src=93.184.216.34 dst=198.51.100.7 sport=443 dport=51234 packets=10 bytes=8910 [ASSURED] mark=0 zone=0 use=2\n",
    );
    expect(parseConntrack(line)).toEqual({
      records: [
        {
          id: "tcp src=192.168.1.23 dst=93.184.216.34 sport=51234 dport=443",
          ctId: null,
          family: "ipv4",
          protocol: "tcp",
          lanIp: "192.168.1.23",
          lanIsOriginator: true,
          origPackets: 12,
          origBytes: 2345,
          replyPackets: 10,
          replyBytes: 8910,
        },
      ],
      skipped: [],
    });
  });

  it("reports accounting off, not zero traffic, when no line has counters", () => {
    const off = parseConntrack(
      procLine("192.168.1.23", 1, null, null) + procLine("192.168.1.24", 2, null, null),
    );
    expect(off.records.map((r) => r.origBytes)).toEqual([null, null]);
    expect(conntrackAccountingOff(off.records)).toBe(true);
    expect(
      conntrackAccountingOff(parseConntrack(procLine("192.168.1.23", 1, [1, 60], [1, 60])).records),
    ).toBe(false);
    expect(conntrackAccountingOff([])).toBe(false);
  });

  it("parses 5,000 flows", () => {
    let text = "";
    for (let i = 0; i < 5000; i++)
      text += procLine(`192.168.${(i >> 8) & 0xff}.${i & 0xff}`, 10000 + i, [i, i * 100], [i, i * 1000]);
    const result = parseConntrack(text);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toMatchObject({
      lanIp: "192.168.19.135",
      origBytes: 499_900,
      replyBytes: 4_999_000,
    });
  });

  it("uses the caller's LAN prefixes, so global IPv6 hosts count", () => {
    const line =
      "ipv6     10 tcp      6 300 ESTABLISHED src=2001:0db8:0004:1f00:0000:0000:0000:0023 dst=2a00:1450:4001:082f:0000:0000:0000:200e sport=50522 dport=443 packets=3 bytes=300 src=2a00:1450:4001:082f:0000:0000:0000:200e dst=2001:0db8:0004:1f00:0000:0000:0000:0023 sport=443 dport=50522 packets=4 bytes=4000 [ASSURED] mark=0 zone=0 use=2\n";
    expect(parseConntrack(line).records).toEqual([]);
    const isLan = lanMatcher(["192.168.1.0/24", "2001:db8:4:1f00::/56"]);
    expect(parseConntrack(line, { isLan }).records).toMatchObject([
      {
        lanIp: "2001:db8:4:1f00::23",
        id: "tcp src=2001:db8:4:1f00::23 dst=2a00:1450:4001:82f::200e sport=50522 dport=443",
      },
    ]);
  });

  describe("with the LAN the router's interfaces say (OpenWrt, PPPoE WAN 100.64.23.45, br-lan and br-guest)", () => {
    const lan = routerLan(
      parseIpAddrInterfaces(
        readFileSync(
          join(import.meta.dirname, "../../../fixtures/ip-addr-json/openwrt-23.05-pppoe.json"),
          "utf8",
        ),
      ).records,
      "pppoe-wan",
    );
    const options = conntrackOptionsFor(lan as NonNullable<typeof lan>);
    /** One `conntrack -L -o extended` line: original tuple, reply tuple, 100 bytes each way. */
    const ct = (l3: "ipv4" | "ipv6", o: [string, string], r: [string, string]) =>
      `${l3}     ${l3 === "ipv4" ? 2 : 10} udp      17 29 src=${o[0]} dst=${o[1]} sport=40000 dport=443 packets=1 bytes=100 src=${r[0]} dst=${r[1]} sport=443 dport=40000 packets=2 bytes=900 mark=0 use=1\n`;
    const parse = (line: string) =>
      parseConntrack(line, options).records.map((f) => [f.lanIp, f.lanIsOriginator]);

    it("counts hosts with global IPv6 addresses, either direction, on every LAN bridge", () => {
      const phone = "2001:db8:4:1f00:1c2b:3a4d:5e6f:7081";
      const remote = "2a00:1450:4001:82f::200e";
      expect(parse(ct("ipv6", [phone, remote], [remote, phone]))).toEqual([[phone, true]]);
      // A server in the guest network answering a connection from outside (routed, no NAT).
      const guest = "2001:db8:4:1f10::80";
      expect(parse(ct("ipv6", [remote, guest], [guest, remote]))).toEqual([[guest, false]]);
      // The ULA and IPv4 still count; a port forward through the WAN address still goes to its host.
      expect(parse(ct("ipv4", ["192.168.1.23", "93.184.216.34"], ["93.184.216.34", "100.64.23.45"]))).toEqual(
        [["192.168.1.23", true]],
      );
      expect(parse(ct("ipv4", ["198.51.100.9", "100.64.23.45"], ["192.168.3.7", "198.51.100.9"]))).toEqual([
        ["192.168.3.7", false],
      ]);
      // The default (private ranges) misses the global host entirely.
      expect(parseConntrack(ct("ipv6", [phone, remote], [remote, phone])).records).toEqual([]);
    });

    it("counts a flow between two LAN hosts for neither (routed between VLANs, or hairpin NAT)", () => {
      const a = "2001:db8:4:1f00::23";
      const b = "2001:db8:4:1f10::80";
      expect(parse(ct("ipv6", [a, b], [b, a]))).toEqual([]);
      expect(parse(ct("ipv4", ["192.168.1.23", "192.168.3.7"], ["192.168.3.7", "192.168.1.23"]))).toEqual([]);
      // LAN host to the router's public address, forwarded back in to another LAN host.
      expect(parse(ct("ipv4", ["192.168.1.23", "100.64.23.45"], ["192.168.3.7", "192.168.1.23"]))).toEqual(
        [],
      );
    });

    it("drops flows with the router itself at either end, its WAN and LAN addresses alike", () => {
      const phone = "2001:db8:4:1f00::23";
      // A device reaching the router's WAN address (web UI by its public name).
      expect(parse(ct("ipv6", [phone, "2001:db8:4:ff::2"], ["2001:db8:4:ff::2", phone]))).toEqual([]);
      expect(parse(ct("ipv4", ["192.168.1.23", "100.64.23.45"], ["100.64.23.45", "192.168.1.23"]))).toEqual(
        [],
      );
      // The router's own traffic sourced from its LAN address (no global address on the WAN side).
      const ntp = "2001:db8:f123::123";
      expect(parse(ct("ipv6", ["2001:db8:4:1f00::1", ntp], [ntp, "2001:db8:4:1f00::1"]))).toEqual([]);
      // DNS over link-local, and the router's WAN talking to its provider.
      expect(
        parse(
          ct(
            "ipv6",
            ["fe80::1c2b:3a4d:5e6f:7081", "fe80::9683:c4ff:fe12:3456"],
            ["fe80::9683:c4ff:fe12:3456", "fe80::1c2b:3a4d:5e6f:7081"],
          ),
        ),
      ).toEqual([]);
      expect(parse(ct("ipv4", ["100.64.23.45", "10.64.0.1"], ["10.64.0.1", "100.64.23.45"]))).toEqual([]);
    });

    it("matches the router's addresses whichever way /proc spells them", () => {
      const full = "2001:0db8:0004:00ff:0000:0000:0000:0002";
      const line = `ipv6     10 tcp      6 300 ESTABLISHED src=2001:0db8:0004:1f00:0000:0000:0000:0023 dst=${full} sport=50522 dport=443 packets=3 bytes=300 src=${full} dst=2001:0db8:0004:1f00:0000:0000:0000:0023 sport=443 dport=50522 packets=4 bytes=4000 [ASSURED] mark=0 zone=0 use=2\n`;
      expect(parseConntrack(line, options).records).toEqual([]);
    });
  });

  it("never throws on garbage", () => {
    for (const text of [
      "src=",
      "ipv4 2",
      "ipv4     2 tcp      6 1 ESTABLISHED src=1.2.3.4 dst=",
      "[ASSURED]\n",
      "\u0000\n",
    ]) {
      expect(() => parseConntrack(`${text}\n`)).not.toThrow();
    }
  });
});

describe("lanMatcher", () => {
  it("matches IPv4 and IPv6 prefixes and rejects a bad CIDR", () => {
    const isLan = lanMatcher(["192.168.1.0/24", "fd00::/8", "10.0.0.1"]);
    expect(
      ["192.168.1.7", "192.168.2.7", "fd12::1", "fe80::1", "10.0.0.1", "10.0.0.2", "junk"].map(isLan),
    ).toEqual([true, false, true, false, true, false, false]);
    expect(() => lanMatcher(["192.168.1.0/33"])).toThrow("not a CIDR: 192.168.1.0/33");
  });
});

describe("compressIpv6", () => {
  it.each([
    ["fd00:0001:0000:0000:0000:0000:0000:0023", "fd00:1::23"],
    ["2001:0db8:0000:0001:0000:0000:0000:0001", "2001:db8:0:1::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["2001:0db8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2:3:4:5:6"],
    ["2001:DB8::1", "2001:db8::1"],
    ["::ffff:192.0.2.1", "::ffff:c000:201"],
  ])("%s → %s", (input, expected) => {
    expect(compressIpv6(input)).toBe(expected);
  });
});
