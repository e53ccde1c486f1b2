/**
 * Small procfs files that describe the router rather than its clients: `/proc/net/route` (the
 * default route's interface and gateway: the WAN side), `/proc/loadavg` and `/proc/meminfo`.
 * Pure parsers; a missing or garbled file gives nulls, never a throw. Also `ip -j addr`: the
 * WAN's global addresses, and every interface's addresses with their prefixes.
 */
import { isIP } from "node:net";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";

export interface DefaultRoute {
  interface: string;
  /** Next hop, dotted quad; null for a point-to-point default route (PPPoE) with no gateway. */
  gateway: string | null;
}

/** `/proc/net/route` stores addresses as host-order (little-endian) hex: 0101A8C0 is 192.168.1.1. */
function hexToIpv4(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join(".");
}

/** The default route with the lowest metric, or null. */
export function parseDefaultRoute(text: string): DefaultRoute | null {
  let best: (DefaultRoute & { metric: number }) | null = null;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, destination, gateway, flags, , , metric, mask] = f as string[];
    const up = (Number.parseInt(flags as string, 16) & 0x1) !== 0;
    if (destination !== "00000000" || mask !== "00000000" || !up || !iface) continue;
    const m = Number(metric);
    const gw = hexToIpv4(gateway as string);
    const route = {
      interface: iface,
      gateway: gw === "0.0.0.0" ? null : gw,
      metric: Number.isFinite(m) ? m : 0,
    };
    if (!best || route.metric < best.metric) best = route;
  }
  return best ? { interface: best.interface, gateway: best.gateway } : null;
}

/** One-minute load average from `/proc/loadavg` (`0.42 0.35 0.30 1/123 4567`). */
export function parseLoadavg(text: string): number | null {
  const value = Number(text.trim().split(/\s+/)[0]);
  return text.trim() !== "" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** MemTotal and MemAvailable from `/proc/meminfo`, in bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): { totalBytes: number | null; availableBytes: number | null } {
  const read = (key: string): number | null => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  return { totalBytes: read("MemTotal"), availableBytes: read("MemAvailable") };
}

/** Global addresses of an interface from `ip -j addr show dev IF` (link-local ones say nothing about the WAN). */
export function parseIpAddrJson(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(doc)) return [];
  const out: string[] = [];
  for (const link of doc) {
    const infos = (link as { addr_info?: unknown })?.addr_info;
    if (!Array.isArray(infos)) continue;
    for (const info of infos) {
      const { local, scope } = (info ?? {}) as { local?: unknown; scope?: unknown };
      if (typeof local === "string" && scope !== "link" && scope !== "host") out.push(local.toLowerCase());
    }
  }
  return out.slice(0, 16);
}

/** One address of one interface, from `ip -j addr`. */
export interface InterfaceAddress {
  interface: string;
  /** lo, or any link iproute2 flags LOOPBACK. */
  loopback: boolean;
  family: "ipv4" | "ipv6";
  /** As iproute2 prints it (inet_ntop: compressed), lower case. */
  address: string;
  prefixLength: number;
  /** The far end of a point-to-point link (`"address"` beside `"local"`: PPPoE, WireGuard), or null. */
  peer: string | null;
  /** `global`, `link`, `host`, ...; null when not printed. */
  scope: string | null;
}

function addressText(value: unknown, family: "ipv4" | "ipv6"): string | null {
  if (typeof value !== "string") return null;
  const text = value.toLowerCase();
  return isIP(text) === (family === "ipv4" ? 4 : 6) ? text : null;
}

/**
 * Every address with its prefix length on every link, from `ip -j addr [show]`: what the router
 * says its networks are. A link without addresses (a bridge port) gives nothing; the `{}`
 * entries older iproute2 prints for links a filter left out (`ip -j -4 addr`) are not complaints.
 * A skipped entry's `line` is the 1-based position of its link in the array (0: the whole text).
 */
export function parseIpAddrInterfaces(text: string): ParseResult<InterfaceAddress> {
  const records: InterfaceAddress[] = [];
  const skipped: SkippedLine[] = [];
  if (text.trim() === "") return { records, skipped };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { records, skipped: [skippedLine(0, "not valid JSON (output cut off, or ip without -j?)", text)] };
  }
  if (!Array.isArray(doc)) return { records, skipped: [skippedLine(0, "expected an array of links", text)] };
  doc.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) {
      skipped.push(skippedLine(i + 1, "a link is not an object", JSON.stringify(entry) ?? ""));
      return;
    }
    const link = entry as { ifname?: unknown; flags?: unknown; link_type?: unknown; addr_info?: unknown };
    if (link.ifname === undefined && link.addr_info === undefined) return;
    if (typeof link.ifname !== "string" || link.ifname === "" || !Array.isArray(link.addr_info)) {
      skipped.push(skippedLine(i + 1, "a link without ifname or addr_info", JSON.stringify(entry)));
      return;
    }
    const loopback =
      link.ifname === "lo" ||
      link.link_type === "loopback" ||
      (Array.isArray(link.flags) && link.flags.includes("LOOPBACK"));
    for (const info of link.addr_info) {
      const a = (info ?? {}) as {
        family?: unknown;
        local?: unknown;
        address?: unknown;
        prefixlen?: unknown;
        scope?: unknown;
      };
      // Links print other families too (AF_PACKET on some kernels): only inet and inet6 are networks.
      if (a.family !== "inet" && a.family !== "inet6") continue;
      const family = a.family === "inet" ? "ipv4" : "ipv6";
      const address = addressText(a.local, family);
      const bits = family === "ipv4" ? 32 : 128;
      const prefixLength = a.prefixlen;
      if (
        address === null ||
        typeof prefixLength !== "number" ||
        !Number.isInteger(prefixLength) ||
        prefixLength < 0 ||
        prefixLength > bits
      ) {
        skipped.push(
          skippedLine(i + 1, "an address without a valid local and prefixlen", JSON.stringify(info)),
        );
        continue;
      }
      records.push({
        interface: link.ifname,
        loopback,
        family,
        address,
        prefixLength,
        peer: addressText(a.address, family),
        scope: typeof a.scope === "string" ? a.scope : null,
      });
    }
  });
  return { records, skipped };
}
