/**
 * Source "bridge-fdb": the bridge forwarding database from `bridge -j fdb show`. Its rows are not
 * protocol records: they are returned as `bridgeFdb` and the collection cycle passes them to
 * attachBridgePorts to fill Neighbor.bridgePort. BusyBox has no `bridge` applet (only brctl,
 * whose port numbers are not interface names), so there the source is absent.
 */
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseBridgeFdbJson } from "./parseBridgeFdbJson.js";

export async function collectBridgeFdb(ctx: SourceContext): Promise<SourceOutcome> {
  const result = await ctx.runCommand("bridge", ["-j", "fdb", "show"]);
  if (result.status === "absent") return { status: "absent", reason: result.reason };
  if (result.status === "error") return { status: "error", error: result.error };
  const { records, skipped } = parseBridgeFdbJson(result.stdout);
  const whole = skipped.find((s) => s.line === 0);
  if (whole && records.length === 0) return { status: "error", error: `bridge fdb output: ${whole.reason}` };
  return { status: "ok", records: { bridgeFdb: records }, skipped };
}

export function createBridgeFdbSource(): Source {
  return {
    name: "bridge-fdb",
    async detect(ctx: SourceContext): Promise<boolean> {
      const result = await ctx.runCommand("bridge", ["-V"]);
      return result.status !== "absent";
    },
    collect: collectBridgeFdb,
  };
}
