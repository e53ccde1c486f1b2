import { describe, expect, it } from "vitest";
import { cPrintf } from "../netdev/cPrintf.js";
import { compressIpv6, conntrackAccountingOff, lanMatcher, parseConntrack } from "./parseConntrack.js";

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
