import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ipv4Number } from "../../common/ipv4Number.js";
import type { DhcpPool } from "../../protocol/index.js";
import { parseDnsmasqDhcpRanges } from "./dnsmasq/parseDnsmasqDhcpRanges.js";
import { parseIscDhcpdRanges } from "./isc-dhcpd/parseIscDhcpdRanges.js";
import { parseKeaPools } from "./kea/parseKeaPools.js";
import type { ParseResult } from "./parseResult.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures");
const PARSERS: [string, (text: string) => ParseResult<DhcpPool>, string][] = [
  ["dnsmasq", parseDnsmasqDhcpRanges, "dnsmasq-conf/debian-hand-written.conf"],
  ["ISC dhcpd", parseIscDhcpdRanges, "isc-dhcpd-conf/debian-gateway.conf"],
  ["Kea", parseKeaPools, "kea4-conf/kea-2.2-debian.conf"],
];

describe.each(PARSERS)("%s pools", (_, parse, fixture) => {
  const real = readFileSync(join(FIXTURES, fixture), "utf8");

  it("never throws on any prefix of a real configuration or on byte soup, and every pool is a real IPv4 range", () => {
    let seed = 5;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const inputs = [
      ...Array.from({ length: real.length + 1 }, (_, cut) => real.slice(0, cut)),
      ...Array.from({ length: 100 }, () =>
        Array.from({ length: random(400) }, () => ' \n\t{};#/*"-.,:=0123456789abcdefrange'[random(36)]).join(
          "",
        ),
      ),
    ];
    for (const text of inputs) {
      const { records } = parse(text);
      for (const pool of records) {
        expect(pool.start).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(ipv4Number(pool.end)).toBeGreaterThanOrEqual(ipv4Number(pool.start));
      }
    }
  });
});
