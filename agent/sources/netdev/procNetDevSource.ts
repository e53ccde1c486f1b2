/** Source "proc-net-dev": interface counters from /proc/net/dev. */
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseProcNetDev } from "./parseProcNetDev.js";

export const PROC_NET_DEV = "/proc/net/dev";

export function createProcNetDevSource(): Source {
  return {
    name: "proc-net-dev",
    async detect(ctx: SourceContext): Promise<boolean> {
      try {
        return (await ctx.readSystemFile(PROC_NET_DEV)) !== null;
      } catch {
        return false;
      }
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      let text: string | null;
      try {
        text = await ctx.readSystemFile(PROC_NET_DEV);
      } catch (error) {
        return { status: "error", error: `cannot read ${PROC_NET_DEV}: ${(error as Error).message}` };
      }
      if (text === null) return { status: "absent", reason: `${PROC_NET_DEV} does not exist` };
      const { records, skipped } = parseProcNetDev(text);
      return { status: "ok", records: { interfaces: records }, skipped };
    },
  };
}
