/**
 * Small procfs files that describe the router rather than its clients: `/proc/net/route` (the
 * default route's interface and gateway: the WAN side), `/proc/loadavg` and `/proc/meminfo`.
 * Pure parsers; a missing or garbled file gives nulls, never a throw.
 */

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
