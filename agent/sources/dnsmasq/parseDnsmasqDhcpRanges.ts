/**
 * The IPv4 address pools in a dnsmasq configuration file: its `dhcp-range` lines, so that support
 * can tell "the pool is full" from "the device never asked". On OpenWrt the file is generated
 * from /etc/config/dhcp into /var/etc/dnsmasq.conf.<section>
 * (`dhcp-range=set:lan,192.168.1.100,192.168.1.249,255.255.255.0,12h`); on Debian it is
 * /etc/dnsmasq.conf and the files of /etc/dnsmasq.d.
 *
 * Format (dnsmasq(8), --dhcp-range): `[tag:<tag>,...][set:<tag>,]<start>[,<end>|<mode>][,<netmask>
 * [,<broadcast>]][,<lease time>]`, one option per line, `#` starting a comment line, spaces
 * around `=` tolerated. Traps: older files name the pool with a bare first word (`red,192.168...`)
 * or `net:`; `tag:` only selects clients and does not name the pool; `static` and `proxy` ranges
 * hand out no dynamic addresses, and IPv6 ranges (`::100,::1ff,constructor:br-lan`, `ra-only`)
 * are DHCPv6's: neither is an IPv4 pool, so both are passed over without complaint. A range whose
 * end comes before its start is refused by dnsmasq itself, and skipped here.
 *
 * Includes: `conf-file=<file>` and `conf-dir=<dir>[,<suffix>...]`, whose suffixes skip files
 * ending so and `*<suffix>` reads only files ending so (`conf-dir=/etc/dnsmasq.d/,*.conf`).
 * OpenWrt's generated file names /etc/dnsmasq.conf and a per-instance directory in /tmp this way.
 * A relative path depends on dnsmasq's working directory: it is not followed, and said.
 */
import { isIP } from "node:net";
import { ipv4Number } from "../../../common/ipv4Number.js";
import type { DhcpPool } from "../../../protocol/index.js";
import type { ConfigInclude, ConfigPools } from "../dhcpPoolConfig.js";
import { type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

const OPTION = /^\s*(?:--)?(dhcp-range|conf-file|conf-dir)\s*=\s*(.*?)\s*$/;

/** One `dhcp-range` value: its pool, null for a range that is not an IPv4 pool, or why it is unreadable. */
function readRange(value: string): DhcpPool | null | string {
  const fields = value.split(",").map((f) => f.trim());
  let name: string | null = null;
  // Tags come first; a bare word where an address should be is the old way of naming the pool.
  while (fields.length > 0 && fields[0] !== "" && isIP(fields[0] as string) === 0) {
    const field = fields.shift() as string;
    const tag = /^(tag|set|net):(\S+)$/.exec(field);
    if (tag) {
      if (tag[1] !== "tag") name = tag[2] as string;
    } else if (/^[\w.-]+$/.test(field) && name === null) name = field;
    else return `"${field}" is neither a tag nor an address`;
  }
  const [start, end] = fields;
  if (start === undefined || start === "") return "dhcp-range without a start address";
  if (isIP(start) === 6) return null;
  // A static or proxy range: dnsmasq hands out no address of its own from it.
  if (end === "static" || end === "proxy") return null;
  if (end === undefined || isIP(end) !== 4) return "dhcp-range without an IPv4 end address";
  if (ipv4Number(end) < ipv4Number(start)) return "the range ends before it starts";
  return { name, start, end };
}

/** A `conf-file` or `conf-dir` value, or why it is not followed. */
function readInclude(option: string, value: string): ConfigInclude | string {
  const [path = "", ...suffixes] = value.split(",").map((f) => f.trim());
  if (!path.startsWith("/")) return `${option} path is not absolute: not followed`;
  if (option === "conf-file") return { file: path };
  const only = suffixes.filter((x) => x.startsWith("*") && x.length > 1).map((x) => x.slice(1));
  const skip = suffixes.filter((x) => x !== "" && !x.startsWith("*"));
  return { dir: path, only, skip };
}

export function parseDnsmasqDhcpRanges(text: string): ConfigPools {
  const records: DhcpPool[] = [];
  const skipped: SkippedLine[] = [];
  const includes: ConfigInclude[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = OPTION.exec(line);
    if (!m) continue;
    const [, option, value] = m as unknown as [string, string, string];
    const found = option === "dhcp-range" ? readRange(value) : readInclude(option, value);
    if (typeof found === "string") skipped.push(skippedLine(i + 1, found, line));
    else if (found === null) continue;
    else if ("start" in found) records.push(found);
    else includes.push(found);
  }
  return { records, skipped, includes };
}
