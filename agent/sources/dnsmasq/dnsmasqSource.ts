/**
 * dnsmasq lease source: finds the lease file where OpenWrt, Debian and RDK-B keep it and
 * parses it. dnsmasq truncates and rewrites the file in place on every change, so an empty
 * or half-written read is re-read before it is believed (an empty file would otherwise look
 * like every device leaving at once).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseDnsmasqLeases } from "./parseDnsmasqLeases.js";

export const DNSMASQ_LEASE_PATHS = [
  "/tmp/dhcp.leases",
  "/var/lib/misc/dnsmasq.leases",
  "/nvram/dnsmasq.leases",
];

/** A rewrite takes dnsmasq microseconds; three looks over ~150 ms outlast it. */
const REREAD_ATTEMPTS = 3;
const REREAD_DELAY_MS = 50;

export interface DnsmasqSourceOptions {
  /** An explicit lease file (under --root); otherwise the first of DNSMASQ_LEASE_PATHS that exists. */
  file?: string;
}

export function createDnsmasqSource(options: DnsmasqSourceOptions = {}): Source {
  const candidates = options.file ? [options.file] : DNSMASQ_LEASE_PATHS;

  async function readStable(ctx: SourceContext, path: string): Promise<string | null> {
    let text = await ctx.readSystemFile(path);
    for (let attempt = 1; attempt < REREAD_ATTEMPTS && text !== null; attempt++) {
      if (text.length > 0 && text.endsWith("\n")) break;
      await sleep(REREAD_DELAY_MS);
      text = await ctx.readSystemFile(path);
    }
    return text;
  }

  return {
    name: "dnsmasq",
    async detect(ctx) {
      for (const path of candidates) if ((await ctx.readSystemFile(path)) !== null) return true;
      return false;
    },
    async collect(ctx): Promise<SourceOutcome> {
      for (const path of candidates) {
        let text: string | null;
        try {
          text = await readStable(ctx, path);
        } catch (error) {
          return { status: "error", error: `${path}: ${(error as Error).message}` };
        }
        if (text === null) continue;
        const { records, skipped } = parseDnsmasqLeases(text);
        return { status: "ok", records: { leases: records }, skipped };
      }
      return { status: "absent", reason: `no dnsmasq lease file at ${candidates.join(", ")}` };
    },
  };
}
