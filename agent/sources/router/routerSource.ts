/**
 * Source "router": what the router itself is and how it is doing. Identity from
 * `ubus call system board` (OpenWrt), /etc/openwrt_release, /etc/os-release and, on x86 boards,
 * the DMI model in /sys/class/dmi/id (first that knows a field wins); the WAN side from the default route (interface, its MAC, its global addresses
 * from `ip -j addr`); load and memory from procfs. Router data lives with the router's boot.
 * Identity and WAN addresses change rarely and cost a process each, so they are refreshed on
 * their own intervals; load and memory are read every cycle (plain files).
 */
import type { RouterInfo } from "../../../protocol/index.js";
import { normalizeMac } from "../../../protocol/index.js";
import type { SkippedLine } from "../parseResult.js";
import { RefreshCache } from "../refreshCache.js";
import { parseDmiIdentity } from "../release/parseDmiIdentity.js";
import {
  mergeRouterIdentity,
  parseOpenwrtRelease,
  parseOsRelease,
  parseUbusSystemBoard,
  type RouterIdentity,
} from "../release/parseReleaseFiles.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseDefaultRoute, parseIpAddrJson, parseLoadavg, parseMeminfo } from "./parseProcRouterFiles.js";

async function identity(ctx: SourceContext, skipped: SkippedLine[]): Promise<RouterIdentity> {
  const parts: (RouterIdentity | undefined)[] = [];
  const board = await ctx.runCommand("ubus", ["call", "system", "board"]);
  if (board.status === "ok") {
    const r = parseUbusSystemBoard(board.stdout);
    parts.push(r.records[0]);
    skipped.push(...r.skipped);
  }
  for (const [path, parse] of [
    ["/etc/openwrt_release", parseOpenwrtRelease],
    ["/etc/os-release", parseOsRelease],
  ] as const) {
    const text = await ctx.readSystemFile(path).catch(() => null);
    if (text === null) continue;
    const r = parse(text);
    parts.push(r.records[0]);
    skipped.push(...r.skipped);
  }
  const dmi = (name: string) => ctx.readSystemFile(`/sys/class/dmi/id/${name}`).catch(() => null);
  const [sysVendor, productName] = await Promise.all([dmi("sys_vendor"), dmi("product_name")]);
  parts.push(parseDmiIdentity(sysVendor, productName));
  return mergeRouterIdentity(...parts);
}

/** Firmware and model change with an upgrade, which reboots the router: ten minutes is plenty. */
export const ROUTER_IDENTITY_REFRESH_MS = 10 * 60_000;
/** WAN addresses change on a reconnect (PPPoE, DHCP renew); a minute late is acceptable. */
export const WAN_ADDRESSES_REFRESH_MS = 60_000;

interface RouterCaches {
  identity: RefreshCache<RouterIdentity>;
  wanAddresses: RefreshCache<{ wanInterface: string; addresses: string[] }>;
}

export function routerCaches(): RouterCaches {
  return {
    identity: new RefreshCache(ROUTER_IDENTITY_REFRESH_MS),
    wanAddresses: new RefreshCache(WAN_ADDRESSES_REFRESH_MS),
  };
}

async function cachedIdentity(
  ctx: SourceContext,
  skipped: SkippedLine[],
  caches: RouterCaches,
): Promise<RouterIdentity> {
  const cached = caches.identity.get(ctx.now());
  if (cached) return cached;
  const fresh = await identity(ctx, skipped);
  caches.identity.set(ctx.now(), fresh);
  return fresh;
}

async function cachedWanAddresses(
  ctx: SourceContext,
  wanInterface: string,
  caches: RouterCaches,
): Promise<string[]> {
  const cached = caches.wanAddresses.get(ctx.now());
  if (cached && cached.wanInterface === wanInterface) return cached.addresses;
  const result = await ctx.runCommand("ip", ["-j", "addr", "show", "dev", wanInterface]);
  // Remembered even when `ip` cannot say (BusyBox has no -j): asking every cycle would not change that.
  const addresses = result.status === "ok" ? parseIpAddrJson(result.stdout) : [];
  caches.wanAddresses.set(ctx.now(), { wanInterface, addresses });
  return addresses;
}

export async function readRouterInfo(
  ctx: SourceContext,
  skipped: SkippedLine[],
  caches: RouterCaches = routerCaches(),
): Promise<RouterInfo> {
  const read = (path: string) => ctx.readSystemFile(path).catch(() => null);
  const [id, routeText, loadText, memText, hostnameText, osreleaseText] = await Promise.all([
    cachedIdentity(ctx, skipped, caches),
    read("/proc/net/route"),
    read("/proc/loadavg"),
    read("/proc/meminfo"),
    read("/proc/sys/kernel/hostname"),
    // Only ubus names the kernel; elsewhere (Debian-style gateways) procfs is the one that knows.
    read("/proc/sys/kernel/osrelease"),
  ]);
  const route = routeText ? parseDefaultRoute(routeText) : null;
  let wanMac: string | null = null;
  let wanAddresses: string[] = [];
  if (route) {
    const [macText, addresses] = await Promise.all([
      read(`/sys/class/net/${route.interface}/address`),
      cachedWanAddresses(ctx, route.interface, caches),
    ]);
    wanMac = macText ? normalizeMac(macText) : null;
    wanAddresses = addresses;
  }
  const mem = memText ? parseMeminfo(memText) : { totalBytes: null, availableBytes: null };
  return {
    model: id.model,
    board: id.board,
    firmware: id.firmware,
    kernel: id.kernel ?? (osreleaseText?.trim() || null),
    hostname: id.hostname ?? (hostnameText?.trim() || null),
    wanInterface: route?.interface ?? null,
    wanMac: wanMac === "00:00:00:00:00:00" ? null : wanMac,
    wanAddresses,
    load1: loadText ? parseLoadavg(loadText) : null,
    memTotalBytes: mem.totalBytes,
    memAvailableBytes: mem.availableBytes,
  };
}

export function createRouterSource(): Source {
  const caches = routerCaches();
  return {
    name: "router",
    async detect(ctx) {
      return (await ctx.readSystemFile("/proc/loadavg").catch(() => null)) !== null;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const skipped: SkippedLine[] = [];
      return { status: "ok", records: { router: await readRouterInfo(ctx, skipped, caches) }, skipped };
    },
  };
}
