/**
 * Source "router": what the router itself is and how it is doing. Identity from
 * `ubus call system board` (OpenWrt), /etc/openwrt_release and /etc/os-release (first that knows
 * a field wins); the WAN side from the default route (interface, its MAC, its global addresses
 * from `ip -j addr`); load and memory from procfs. Router data lives with the router's boot.
 */
import type { RouterInfo } from "../../../protocol/index.js";
import { normalizeMac } from "../../../protocol/index.js";
import type { SkippedLine } from "../parseResult.js";
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
  return mergeRouterIdentity(...parts);
}

export async function readRouterInfo(ctx: SourceContext, skipped: SkippedLine[]): Promise<RouterInfo> {
  const read = (path: string) => ctx.readSystemFile(path).catch(() => null);
  const [id, routeText, loadText, memText, hostnameText] = await Promise.all([
    identity(ctx, skipped),
    read("/proc/net/route"),
    read("/proc/loadavg"),
    read("/proc/meminfo"),
    read("/proc/sys/kernel/hostname"),
  ]);
  const route = routeText ? parseDefaultRoute(routeText) : null;
  let wanMac: string | null = null;
  let wanAddresses: string[] = [];
  if (route) {
    const [macText, addr] = await Promise.all([
      read(`/sys/class/net/${route.interface}/address`),
      ctx.runCommand("ip", ["-j", "addr", "show", "dev", route.interface]),
    ]);
    wanMac = macText ? normalizeMac(macText) : null;
    if (addr.status === "ok") wanAddresses = parseIpAddrJson(addr.stdout);
  }
  const mem = memText ? parseMeminfo(memText) : { totalBytes: null, availableBytes: null };
  return {
    model: id.model,
    board: id.board,
    firmware: id.firmware,
    kernel: id.kernel,
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
  return {
    name: "router",
    async detect(ctx) {
      return (await ctx.readSystemFile("/proc/loadavg").catch(() => null)) !== null;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const skipped: SkippedLine[] = [];
      return { status: "ok", records: { router: await readRouterInfo(ctx, skipped) }, skipped };
    },
  };
}
