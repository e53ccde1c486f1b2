/**
 * The device-insight parsers (traffic per device, line quality, router identity) for the golden
 * fixture harness; spread into agent/sources/goldenParsers.ts.
 */
import { parseConntrack } from "../conntrack/parseConntrack.js";
import { parseNlbwCsv } from "../nlbw/parseNlbwCsv.js";
import { parseNlbwJson } from "../nlbw/parseNlbwJson.js";
import type { ParseResult } from "../parseResult.js";
import { parsePing } from "../ping/parsePing.js";
import { parseOpenwrtRelease, parseOsRelease, parseUbusSystemBoard } from "../release/parseReleaseFiles.js";

export const insightGoldenParsers: Record<string, (text: string) => ParseResult<unknown>> = {
  "nlbw-json": parseNlbwJson,
  "nlbw-csv": parseNlbwCsv,
  // Default LAN ranges (RFC 1918 and ULA): the fixtures' LANs are 192.168.1.0/24 and fd00::/8.
  conntrack: (text) => parseConntrack(text),
  ping: parsePing,
  "openwrt-release": parseOpenwrtRelease,
  "os-release": parseOsRelease,
  "ubus-system-board": parseUbusSystemBoard,
};
