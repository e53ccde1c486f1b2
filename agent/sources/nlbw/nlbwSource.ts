/**
 * Source "nlbw": traffic per device on any port from OpenWrt's nlbwmon (`nlbw -c json -g host`),
 * per MAC over nlbwmon's accounting period. Where nlbwmon runs it is the better traffic source:
 * it zeroes the conntrack counters it reads, so conntrack accounting would undercount.
 *
 * `-g host` (in every nlbw since its first release) has nlbw sum its rows per MAC and address
 * itself: a device's per-protocol rows (three per host in a simulated household) are never
 * printed, so the agent reads and parses a third of the rows. Output by any other grouping parses
 * the same (parseNlbwJson.ts finds its columns by name).
 */
import type { DeviceTraffic } from "../../../protocol/index.js";
import type { Source, SourceOutcome } from "../source.js";
import { parseNlbwJson } from "./parseNlbwJson.js";

/** nlbw's arguments: its JSON, one row per host (MAC and address). */
export const NLBW_ARGS = ["-c", "json", "-g", "host"];

export function createNlbwSource(): Source {
  return {
    name: "nlbw",
    async detect(ctx) {
      return (await ctx.runCommand("nlbw", NLBW_ARGS)).status === "ok";
    },
    async collect(ctx): Promise<SourceOutcome> {
      const result = await ctx.runCommand("nlbw", NLBW_ARGS);
      if (result.status === "absent") return { status: "absent", reason: result.reason };
      if (result.status === "error") return { status: "error", error: result.error };
      const { records, skipped } = parseNlbwJson(result.stdout);
      const whole = skipped.find((s) => s.line === 0);
      if (whole && records.length === 0) return { status: "error", error: `nlbw output: ${whole.reason}` };
      const traffic: DeviceTraffic[] = records.map((d) => ({
        mac: d.mac,
        ip: d.ips[0] ?? null,
        rxBytes: d.rxBytes,
        txBytes: d.txBytes,
        rxPackets: d.rxPackets,
        txPackets: d.txPackets,
        source: "nlbwmon",
      }));
      return { status: "ok", records: { traffic }, skipped };
    },
  };
}
