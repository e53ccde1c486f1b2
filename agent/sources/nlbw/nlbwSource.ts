/**
 * Source "nlbw": traffic per device on any port from OpenWrt's nlbwmon (`nlbw -c json`), per MAC
 * over nlbwmon's accounting period. Where nlbwmon runs it is the better traffic source: it
 * zeroes the conntrack counters it reads, so conntrack accounting would undercount.
 */
import type { DeviceTraffic } from "../../../protocol/index.js";
import type { Source, SourceOutcome } from "../source.js";
import { parseNlbwJson } from "./parseNlbwJson.js";

export function createNlbwSource(): Source {
  return {
    name: "nlbw",
    async detect(ctx) {
      return (await ctx.runCommand("nlbw", ["-c", "json"])).status === "ok";
    },
    async collect(ctx): Promise<SourceOutcome> {
      const result = await ctx.runCommand("nlbw", ["-c", "json"]);
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
