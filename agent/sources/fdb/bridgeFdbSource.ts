/**
 * Source "bridge-fdb": the bridge forwarding database from `bridge -j fdb show`. Its rows are not
 * protocol records: they are returned as `bridgeFdb` and the collection cycle passes them to
 * attachBridgePorts to fill Neighbor.bridgePort. BusyBox has no `bridge` applet (only brctl,
 * whose port numbers are not interface names), so there the source is absent.
 */
import { rememberLastText } from "../../../common/rememberByText.js";
import { RefreshCache } from "../refreshCache.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseBridgeFdbJson } from "./parseBridgeFdbJson.js";

/**
 * Which port a MAC is on changes only when a device moves between ports (or from cable to Wi-Fi),
 * and a bridge port is support's hint, not a counter: a table up to this old is good enough, and
 * saves the agent a process on most cycles.
 */
export const BRIDGE_FDB_REFRESH_MS = 30_000;

/**
 * The first table is read again after half the interval, so later reads fall between the Wi-Fi
 * source's refreshes (every 60 s, from the same first cycle) instead of on top of them.
 */
const BRIDGE_FDB_FIRST_REFRESH_MS = BRIDGE_FDB_REFRESH_MS / 2;

type Ok = Extract<SourceOutcome, { status: "ok" }>;

export async function collectBridgeFdb(
  ctx: SourceContext,
  parse: typeof parseBridgeFdbJson = parseBridgeFdbJson,
): Promise<SourceOutcome> {
  const result = await ctx.runCommand("bridge", ["-j", "fdb", "show"]);
  if (result.status === "absent") return { status: "absent", reason: result.reason };
  if (result.status === "error") return { status: "error", error: result.error };
  const { records, skipped } = parse(result.stdout);
  const whole = skipped.find((s) => s.line === 0);
  if (whole && records.length === 0) return { status: "error", error: `bridge fdb output: ${whole.reason}` };
  return { status: "ok", records: { bridgeFdb: records }, skipped };
}

export function createBridgeFdbSource(): Source {
  const cache = new RefreshCache<Ok>(BRIDGE_FDB_REFRESH_MS, BRIDGE_FDB_FIRST_REFRESH_MS);
  // The table has no timers or counters: it reads the same until a device comes, goes or moves.
  const parse = rememberLastText(parseBridgeFdbJson);
  return {
    name: "bridge-fdb",
    async detect(ctx: SourceContext): Promise<boolean> {
      const result = await ctx.runCommand("bridge", ["-V"]);
      return result.status !== "absent";
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      const now = ctx.now();
      let outcome = cache.get(now);
      if (!outcome) {
        const fresh = await collectBridgeFdb(ctx, parse);
        if (fresh.status !== "ok") {
          cache.clear();
          return fresh;
        }
        outcome = fresh;
        cache.set(now, outcome);
      }
      // New arrays each time: the cycle owns what a source returns.
      return {
        status: "ok",
        records: { bridgeFdb: [...(outcome.records.bridgeFdb ?? [])] },
        skipped: [...outcome.skipped],
      };
    },
  };
}
