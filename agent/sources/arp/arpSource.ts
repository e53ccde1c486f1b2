/** Source "arp": the kernel's IPv4 neighbour table from /proc/net/arp (present on every Linux gateway). */
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseProcNetArp } from "./parseProcNetArp.js";

export const PROC_NET_ARP = "/proc/net/arp";

export function createArpSource(): Source {
  return {
    name: "arp",
    async detect(ctx: SourceContext): Promise<boolean> {
      try {
        return (await ctx.readSystemFile(PROC_NET_ARP)) !== null;
      } catch {
        return false;
      }
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      let text: string | null;
      try {
        text = await ctx.readSystemFile(PROC_NET_ARP);
      } catch (error) {
        return { status: "error", error: `cannot read ${PROC_NET_ARP}: ${(error as Error).message}` };
      }
      if (text === null) return { status: "absent", reason: `${PROC_NET_ARP} does not exist` };
      const { records, skipped } = parseProcNetArp(text);
      return { status: "ok", records: { neighbors: records }, skipped };
    },
  };
}
