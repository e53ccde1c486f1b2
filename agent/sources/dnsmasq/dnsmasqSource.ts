/**
 * dnsmasq lease source: finds the lease file where OpenWrt, Debian and RDK-B keep it and
 * parses it. dnsmasq truncates and rewrites the file in place on every change, so an empty
 * or half-written read is re-read before it is believed (an empty file would otherwise look
 * like every device leaving at once). Its configuration gives the IPv4 pools the leases come from
 * (parseDnsmasqDhcpRanges.ts), so support can see a full pool.
 */
import { rememberLastText, rememberLinesOfLastText } from "../../../common/rememberByText.js";
import { DhcpPoolConfig, filesIn } from "../dhcpPoolConfig.js";
import { readSettledFile } from "../readSettledFile.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseDnsmasqDhcpRanges } from "./parseDnsmasqDhcpRanges.js";
import { parseDnsmasqLeases, readLeaseLine } from "./parseDnsmasqLeases.js";

export const DNSMASQ_LEASE_PATHS = [
  "/tmp/dhcp.leases",
  "/var/lib/misc/dnsmasq.leases",
  "/nvram/dnsmasq.leases",
];

/** OpenWrt generates /var/etc/dnsmasq.conf.<section> from /etc/config/dhcp (plain dnsmasq.conf before 19.07). */
const GENERATED_CONFIG_DIR = "/var/etc";
/** Debian's conf-dir, without the package manager's leftovers (as its init script passes it). */
const CONFIG_DIR = "/etc/dnsmasq.d";
const NOT_CONFIG = /\.dpkg-(dist|old|new)$|~$/;

async function configFiles(ctx: SourceContext): Promise<string[]> {
  const generated = (await filesIn(ctx, GENERATED_CONFIG_DIR)).filter((p) => p.includes("/dnsmasq.conf"));
  return [...generated, "/etc/dnsmasq.conf", ...(await filesIn(ctx, CONFIG_DIR, NOT_CONFIG))];
}

export interface DnsmasqSourceOptions {
  /** An explicit lease file (under --root); otherwise the first of DNSMASQ_LEASE_PATHS that exists. */
  file?: string;
}

export function createDnsmasqSource(options: DnsmasqSourceOptions = {}): Source {
  const candidates = options.file ? [options.file] : DNSMASQ_LEASE_PATHS;
  // Read at every poll, the file changes only when a lease does, and then mostly in one line.
  const readLines = rememberLinesOfLastText(readLeaseLine);
  const parse = rememberLastText((text: string) => parseDnsmasqLeases(text, readLines));
  const pools = new DhcpPoolConfig(configFiles, parseDnsmasqDhcpRanges);

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
          text = await readSettledFile(ctx, path, { emptyMayBeTransient: true });
        } catch (error) {
          return { status: "error", error: `${path}: ${(error as Error).message}` };
        }
        if (text === null) continue;
        const { records, skipped } = parse(text);
        return pools.addTo(ctx, { status: "ok", records: { leases: records }, skipped });
      }
      return { status: "absent", reason: `no dnsmasq lease file at ${candidates.join(", ")}` };
    },
  };
}
