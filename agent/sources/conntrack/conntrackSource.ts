/**
 * Source "conntrack": traffic per LAN address from connection tracking accounting, read from
 * /proc/net/nf_conntrack (or `conntrack -L -o extended` where procfs lacks it). Flows come and
 * go, so totals are accumulated across cycles by ConntrackAccounting (a vanished flow keeps the
 * bytes it had). Without `net.netfilter.nf_conntrack_acct=1` there are no byte counts: the source
 * then says so instead of reporting zero traffic.
 */
import type { DeviceTraffic } from "../../../protocol/index.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { ConntrackAccounting } from "./conntrackAccounting.js";
import { parseConntrack } from "./parseConntrack.js";

const PROC_CONNTRACK = "/proc/net/nf_conntrack";

async function readTable(ctx: SourceContext): Promise<{ text: string } | SourceOutcome> {
  const proc = await ctx.readSystemFile(PROC_CONNTRACK).catch(() => null);
  if (proc !== null) return { text: proc };
  const result = await ctx.runCommand("conntrack", ["-L", "-o", "extended"]);
  if (result.status === "absent")
    return { status: "absent", reason: `no ${PROC_CONNTRACK} and ${result.reason}` };
  if (result.status === "error") return { status: "error", error: result.error };
  return { text: result.stdout };
}

export function createConntrackSource(): Source {
  const accounting = new ConntrackAccounting();
  return {
    name: "conntrack",
    async detect(ctx) {
      return (await ctx.readSystemFile(PROC_CONNTRACK).catch(() => null)) !== null;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const table = await readTable(ctx);
      if (!("text" in table)) return table;
      const { records, skipped } = parseConntrack(table.text);
      if (accounting.update(records, ctx.now()) === "off") {
        return {
          status: "absent",
          reason: "conntrack accounting is off (sysctl net.netfilter.nf_conntrack_acct=1)",
        };
      }
      const traffic: DeviceTraffic[] = accounting.totals().map((t) => ({
        mac: null,
        ip: t.ip,
        rxBytes: t.rxBytes,
        txBytes: t.txBytes,
        rxPackets: t.rxPackets,
        txPackets: t.txPackets,
        source: "conntrack",
      }));
      return { status: "ok", records: { traffic }, skipped };
    },
  };
}
