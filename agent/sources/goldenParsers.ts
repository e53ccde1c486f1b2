/**
 * Registry of pure parsers with golden fixtures: `fixtures/<name>/<case>.<ext>` is parsed by
 * the parser registered under <name> and compared with `fixtures/<name>/<case>.expected.json`.
 * A parser added here is covered by agent/sources/golden.test.ts without further code; a binary
 * format's parser goes in goldenBinaryParsers and is given the fixture's bytes.
 */
import {
  interfaceSchema,
  leaseSchema,
  neighborSchema,
  radioSchema,
  type Schema,
  stationSchema,
} from "../../protocol/index.js";
import { parseProcNetArp } from "./arp/parseProcNetArp.js";
import { parseDnsmasqDhcpRanges } from "./dnsmasq/parseDnsmasqDhcpRanges.js";
import { parseDnsmasqLeases } from "./dnsmasq/parseDnsmasqLeases.js";
import { parseBrforward } from "./fdb/parseBrforward.js";
import { parseBridgeFdbJson } from "./fdb/parseBridgeFdbJson.js";
import { insightGoldenParsers } from "./insightParsers/goldenParsers.js";
import { parseIscDhcpdLeases } from "./isc-dhcpd/parseIscDhcpdLeases.js";
import { parseIscDhcpdRanges } from "./isc-dhcpd/parseIscDhcpdRanges.js";
import { parseIwDev } from "./iw/parseIwDev.js";
import { parseIwStationDump } from "./iw/parseIwStationDump.js";
import { parseIwSurveyDump } from "./iw/parseIwSurveyDump.js";
import { parseKeaLeases4, parseKeaLeases6 } from "./kea/parseKeaLeases.js";
import { parseKeaPools } from "./kea/parseKeaPools.js";
import { parseIpNeighJson } from "./neigh/parseIpNeighJson.js";
import { parseIpNeighText } from "./neigh/parseIpNeighText.js";
import { parseProcNetDev } from "./netdev/parseProcNetDev.js";
import { parseOdhcpdIpv4Leases, parseOdhcpdIpv6Leases } from "./odhcpd/parseOdhcpdLeases.js";
import type { ParseResult } from "./parseResult.js";

export const goldenParsers: Record<string, (text: string) => ParseResult<unknown>> = {
  dnsmasq: parseDnsmasqLeases,
  "dnsmasq-conf": parseDnsmasqDhcpRanges,
  "proc-net-arp": parseProcNetArp,
  "ip-neigh-json": parseIpNeighJson,
  "ip-neigh-text": parseIpNeighText,
  "bridge-fdb-json": parseBridgeFdbJson,
  "proc-net-dev": parseProcNetDev,
  "iw-dev": parseIwDev,
  "iw-station-dump": parseIwStationDump,
  "iw-survey-dump": parseIwSurveyDump,
  "isc-dhcpd": (text) => parseIscDhcpdLeases(text),
  "isc-dhcpd-conf": parseIscDhcpdRanges,
  kea4: parseKeaLeases4,
  kea6: parseKeaLeases6,
  "kea4-conf": parseKeaPools,
  // ubus prints seconds remaining, so the odhcpd fixtures are read at a fixed gateway clock:
  // now = 1732360000000 ms (2024-11-23T11:06:40Z), as the folders' .golden files also say.
  "odhcpd-ipv4": (text) => parseOdhcpdIpv4Leases(text, 1_732_360_000_000),
  "odhcpd-ipv6": (text) => parseOdhcpdIpv6Leases(text, 1_732_360_000_000),
  ...insightGoldenParsers,
};

export const goldenBinaryParsers: Record<string, (bytes: Uint8Array) => ParseResult<unknown>> = {
  // Captured from kernel bridges (Debian 12's kernel) in a network namespace: veth ports, entries
  // learned from the peers' IPv6 frames and added with `bridge fdb add ... master static`; 300
  // static entries on one port make the file longer than the page sysfs returns per read.
  // damaged.bin and truncated.bin are made from the capture by hand.
  brforward: parseBrforward,
};

/**
 * The golden parsers whose records go into a snapshot as they are, by the protocol record they
 * make: each must keep what it returns within the protocol's limits, or the collector refuses the
 * whole snapshot. (The pool parsers' records pass through DhcpPoolConfig, which keeps them within.)
 */
export const protocolRecordSchemas: Record<string, Schema<unknown>> = {
  dnsmasq: leaseSchema,
  "isc-dhcpd": leaseSchema,
  kea4: leaseSchema,
  kea6: leaseSchema,
  "odhcpd-ipv4": leaseSchema,
  "odhcpd-ipv6": leaseSchema,
  "proc-net-arp": neighborSchema,
  "ip-neigh-json": neighborSchema,
  "ip-neigh-text": neighborSchema,
  "proc-net-dev": interfaceSchema,
  "iw-dev": radioSchema,
  "iw-station-dump": stationSchema,
};
