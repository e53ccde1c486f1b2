/**
 * Source "conntrack": traffic per LAN address from connection tracking accounting, read from
 * /proc/net/nf_conntrack (or `conntrack -L -o extended` where procfs lacks it). Flows come and
 * go, so totals are accumulated across cycles by ConntrackAccounting (a vanished flow keeps the
 * bytes it had). Without `net.netfilter.nf_conntrack_acct=1` there are no byte counts: the source
 * then says so instead of reporting zero traffic.
 *
 * Which end of a flow is the LAN host is decided with the router's own prefixes (routerLan.ts:
 * every interface but the default route's and loopback, from `ip -j addr`), so hosts with global
 * addresses from a delegated IPv6 prefix count. They change only with a reconnect or a
 * reconfiguration: they are learned again once a minute, not every cycle. Where `ip` cannot say
 * (BusyBox has no -j), the private ranges are taken as the LAN, and the source says so once.
 */
import type { DeviceTraffic } from "../../../protocol/index.js";
import { type SkippedLine, skippedLine } from "../parseResult.js";
import { RefreshCache } from "../refreshCache.js";
import { parseDefaultRoute, parseIpAddrInterfaces } from "../router/parseProcRouterFiles.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { ConntrackAccounting } from "./conntrackAccounting.js";
import { type ConntrackOptions, parseConntrack } from "./parseConntrack.js";
import { conntrackOptionsFor, routerLan } from "./routerLan.js";

const PROC_CONNTRACK = "/proc/net/nf_conntrack";

/** LAN prefixes change with a reconnect (a new delegated prefix) or a reconfiguration: a minute late is fine. */
export const LAN_PREFIXES_REFRESH_MS = 60_000;
/** The first is learned again after half the interval, so later refreshes fall between the router source's `ip`. */
const LAN_PREFIXES_FIRST_REFRESH_MS = LAN_PREFIXES_REFRESH_MS / 2;

/** How flows are told apart: learned from the router, or private ranges because `ip` could not say (and why). */
interface LanKnowledge {
  options: ConntrackOptions;
  fallbackReason: string | null;
}

async function readTable(ctx: SourceContext): Promise<{ text: string } | SourceOutcome> {
  const proc = await ctx.readSystemFile(PROC_CONNTRACK).catch(() => null);
  if (proc !== null) return { text: proc };
  const result = await ctx.runCommand("conntrack", ["-L", "-o", "extended"]);
  if (result.status === "absent")
    return { status: "absent", reason: `no ${PROC_CONNTRACK} and ${result.reason}` };
  if (result.status === "error") return { status: "error", error: result.error };
  return { text: result.stdout };
}

async function learnLan(ctx: SourceContext): Promise<LanKnowledge> {
  const routeText = await ctx.readSystemFile("/proc/net/route").catch(() => null);
  const wan = routeText ? (parseDefaultRoute(routeText)?.interface ?? null) : null;
  const result = await ctx.runCommand("ip", ["-j", "addr", "show"]);
  const fallback = (reason: string): LanKnowledge => ({ options: {}, fallbackReason: reason });
  if (result.status !== "ok") return fallback(result.status === "absent" ? result.reason : result.error);
  const parsed = parseIpAddrInterfaces(result.stdout);
  const lan = routerLan(parsed.records, wan);
  if (!lan) {
    const why = parsed.skipped[0]?.reason ?? "no address on any interface but the WAN and loopback";
    return fallback(`ip -j addr: ${why}`);
  }
  try {
    return { options: conntrackOptionsFor(lan), fallbackReason: null };
  } catch (err) {
    return fallback(`ip -j addr: ${(err as Error).message}`);
  }
}

export function createConntrackSource(): Source {
  const accounting = new ConntrackAccounting();
  // Remembered even when `ip` cannot say: asking every cycle would not change that.
  const lanCache = new RefreshCache<LanKnowledge>(LAN_PREFIXES_REFRESH_MS, LAN_PREFIXES_FIRST_REFRESH_MS);
  let fallbackAnnounced = false;
  return {
    name: "conntrack",
    async detect(ctx) {
      return (await ctx.readSystemFile(PROC_CONNTRACK).catch(() => null)) !== null;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const table = await readTable(ctx);
      if (!("text" in table)) return table;
      let lan = lanCache.get(ctx.now());
      if (!lan) {
        lan = await learnLan(ctx);
        lanCache.set(ctx.now(), lan);
      }
      const { records, skipped } = parseConntrack(table.text, lan.options);
      if (accounting.update(records, ctx.now()) === "off") {
        return {
          status: "absent",
          reason: "conntrack accounting is off (sysctl net.netfilter.nf_conntrack_acct=1)",
        };
      }
      const notes: SkippedLine[] = [];
      // Said once (the agent logs a source's skipped lines when they appear), again only after `ip` recovered.
      if (lan.fallbackReason !== null && !fallbackAnnounced) {
        notes.push(
          skippedLine(
            0,
            "LAN prefixes unknown: private ranges taken as the LAN, so hosts with global IPv6 addresses are not counted",
            lan.fallbackReason,
          ),
        );
      }
      fallbackAnnounced = lan.fallbackReason !== null;
      const traffic: DeviceTraffic[] = accounting.totals().map((t) => ({
        mac: null,
        ip: t.ip,
        rxBytes: t.rxBytes,
        txBytes: t.txBytes,
        rxPackets: t.rxPackets,
        txPackets: t.txPackets,
        source: "conntrack",
      }));
      return { status: "ok", records: { traffic }, skipped: [...notes, ...skipped] };
    },
  };
}
