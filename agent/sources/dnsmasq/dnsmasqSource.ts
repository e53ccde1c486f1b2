/**
 * dnsmasq lease source: finds the lease file where OpenWrt, Debian and RDK-B keep it and
 * parses it. dnsmasq truncates and rewrites the file in place on every change, so an empty
 * or half-written read is re-read before it is believed (an empty file would otherwise look
 * like every device leaving at once). Its configuration gives the IPv4 pools the leases come from
 * (parseDnsmasqDhcpRanges.ts), so support can see a full pool.
 */
import { rememberByText, rememberLastText } from "../../../common/rememberByText.js";
import type { DhcpPool } from "../../../protocol/index.js";
import type { SkippedLine } from "../parseResult.js";
import { readSettledFile } from "../readSettledFile.js";
import { RefreshCache } from "../refreshCache.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseDnsmasqDhcpRanges } from "./parseDnsmasqDhcpRanges.js";
import { parseDnsmasqLeases } from "./parseDnsmasqLeases.js";

export const DNSMASQ_LEASE_PATHS = [
  "/tmp/dhcp.leases",
  "/var/lib/misc/dnsmasq.leases",
  "/nvram/dnsmasq.leases",
];

/** OpenWrt generates /var/etc/dnsmasq.conf.<section> from /etc/config/dhcp (plain dnsmasq.conf before 19.07). */
const GENERATED_CONFIG_DIR = "/var/etc";
const CONFIG_FILE = "/etc/dnsmasq.conf";
/** Debian's conf-dir, without the package manager's leftovers (as its init script passes it). */
const CONFIG_DIR = "/etc/dnsmasq.d";
const NOT_CONFIG = /\.dpkg-(dist|old|new)$|~$/;

/** The configuration changes only when dnsmasq is restarted with a new one. */
export const DHCP_POOLS_REFRESH_MS = 60_000;

async function configFiles(ctx: SourceContext): Promise<string[]> {
  const generated = (await ctx.listSystemDir(GENERATED_CONFIG_DIR)) ?? [];
  const confDir = (await ctx.listSystemDir(CONFIG_DIR)) ?? [];
  return [
    ...generated
      .filter((n) => n.startsWith("dnsmasq.conf"))
      .sort()
      .map((n) => `${GENERATED_CONFIG_DIR}/${n}`),
    CONFIG_FILE,
    ...confDir
      .filter((n) => !NOT_CONFIG.test(n))
      .sort()
      .map((n) => `${CONFIG_DIR}/${n}`),
  ];
}

interface DhcpPools {
  /** Null when there is no configuration file to read: the pools are unknown, not none. */
  pools: DhcpPool[] | null;
  skipped: SkippedLine[];
}

/** The pools of every configuration file there is, each once. */
async function readDhcpPools(ctx: SourceContext, parse: typeof parseDnsmasqDhcpRanges): Promise<DhcpPools> {
  const pools = new Map<string, DhcpPool>();
  const skipped: SkippedLine[] = [];
  let found = false;
  for (const path of await configFiles(ctx)) {
    const text = await ctx.readSystemFile(path).catch(() => null);
    if (text === null) continue;
    found = true;
    const ranges = parse(text);
    for (const pool of ranges.records) pools.set(`${pool.start}-${pool.end}`, pool);
    for (const s of ranges.skipped) skipped.push({ ...s, text: `${path}: ${s.text}` });
  }
  return { pools: found ? [...pools.values()] : null, skipped };
}

export interface DnsmasqSourceOptions {
  /** An explicit lease file (under --root); otherwise the first of DNSMASQ_LEASE_PATHS that exists. */
  file?: string;
}

export function createDnsmasqSource(options: DnsmasqSourceOptions = {}): Source {
  const candidates = options.file ? [options.file] : DNSMASQ_LEASE_PATHS;
  // Read at every poll, the file changes only when a lease does.
  const parse = rememberLastText(parseDnsmasqLeases);
  const parseRanges = rememberByText(parseDnsmasqDhcpRanges, 16);
  const pools = new RefreshCache<DhcpPools>(DHCP_POOLS_REFRESH_MS);

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
        const now = ctx.now();
        let config = pools.get(now);
        if (config === null) {
          config = await readDhcpPools(ctx, parseRanges);
          pools.set(now, config);
        }
        if (config.pools === null) return { status: "ok", records: { leases: records }, skipped };
        return {
          status: "ok",
          records: { leases: records, dhcpPools: config.pools },
          skipped: config.skipped.length > 0 ? [...skipped, ...config.skipped] : skipped,
        };
      }
      return { status: "absent", reason: `no dnsmasq lease file at ${candidates.join(", ")}` };
    },
  };
}
