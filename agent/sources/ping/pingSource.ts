/**
 * Source "ping": latency, jitter and loss from the router to its WAN gateway and to configured
 * hosts, by running the system `ping` (iputils or BusyBox; both understand -c and -W) once per
 * target per cycle, all targets at once. A target that does not answer is a result (100% loss),
 * not an error.
 */
import type { LineQuality } from "../../../protocol/index.js";
import type { SkippedLine } from "../parseResult.js";
import { parseDefaultRoute } from "../router/parseProcRouterFiles.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parsePing } from "./parsePing.js";

/** Three echoes a cycle: enough for jitter, about two seconds of a cycle's wall time. */
export const PINGS_PER_TARGET = 3;
/** Seconds to wait for the last reply. */
const REPLY_WAIT_SECONDS = 1;

export interface PingSourceOptions {
  /** Hosts to measure besides the WAN gateway. */
  targets?: readonly string[];
}

async function targetsOf(ctx: SourceContext, configured: readonly string[]): Promise<string[]> {
  const route = await ctx.readSystemFile("/proc/net/route").catch(() => null);
  const gateway = route ? parseDefaultRoute(route)?.gateway : null;
  return [...new Set([...(gateway ? [gateway] : []), ...configured])].slice(0, 8);
}

export async function pingOnce(
  ctx: SourceContext,
  target: string,
  skipped: SkippedLine[],
): Promise<LineQuality> {
  const args = ["-c", String(PINGS_PER_TARGET), "-W", String(REPLY_WAIT_SECONDS), target];
  const result = await ctx.runCommand("ping", args);
  // ping exits 1 when nothing answered and 2 on other failures, printing its summary all the same.
  const text = result.status === "absent" ? "" : (result.stdout ?? "");
  const parsed = text ? parsePing(text) : { records: [], skipped: [] };
  skipped.push(...parsed.skipped);
  const r = parsed.records[0];
  if (!r) {
    const error =
      result.status === "error" ? result.error : result.status === "absent" ? result.reason : "no summary";
    return {
      target,
      address: null,
      sent: 0,
      received: 0,
      lossPercent: null,
      rttMinMs: null,
      rttAvgMs: null,
      rttMaxMs: null,
      jitterMs: null,
      error: error.slice(0, 255),
    };
  }
  return {
    target,
    address: r.address,
    sent: r.sent,
    received: r.received,
    lossPercent: r.lossPercent,
    rttMinMs: r.rttMinMs,
    rttAvgMs: r.rttAvgMs,
    rttMaxMs: r.rttMaxMs,
    jitterMs: r.jitterMs,
    error: r.error,
  };
}

export function createPingSource(options: PingSourceOptions = {}): Source {
  const configured = options.targets ?? [];
  return {
    name: "ping",
    async detect(ctx) {
      const probe = await ctx.runCommand("ping", ["-V"]);
      return probe.status !== "absent" && (await targetsOf(ctx, configured)).length > 0;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const targets = await targetsOf(ctx, configured);
      if (targets.length === 0) return { status: "absent", reason: "no default route and no --ping-target" };
      const skipped: SkippedLine[] = [];
      const lineQuality = await Promise.all(targets.map((t) => pingOnce(ctx, t, skipped)));
      if (lineQuality.every((q) => q.error?.includes("not installed"))) {
        return { status: "absent", reason: "ping is not installed" };
      }
      return { status: "ok", records: { lineQuality }, skipped };
    },
  };
}
