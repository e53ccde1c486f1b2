/**
 * ISC dhcpd lease source: reads every lease database present (DHCPv4 and DHCPv6 servers keep
 * separate files) where Debian, RHEL and the BSDs keep them. dhcpd rewrites the file through a
 * temporary file and rename, but appends to it between rewrites, so a read can end inside a block:
 * such a read is retried briefly before the parser is left to skip the cut-off block. The server's
 * configuration gives its IPv4 pools (parseIscDhcpdRanges.ts, dhcpPoolConfig.ts).
 */
import { endianness } from "node:os";
import { rememberLastText } from "../../../common/rememberByText.js";
import type { Lease } from "../../../protocol/index.js";
import { DhcpPoolConfig } from "../dhcpPoolConfig.js";
import type { SkippedLine } from "../parseResult.js";
import { readSettledFile } from "../readSettledFile.js";
import type { Source, SourceOutcome } from "../source.js";
import { parseIscDhcpdLeases } from "./parseIscDhcpdLeases.js";
import { parseIscDhcpdRanges } from "./parseIscDhcpdRanges.js";

export const ISC_DHCPD_LEASE_PATHS = [
  "/var/lib/dhcp/dhcpd.leases",
  "/var/lib/dhcp/dhcpd6.leases",
  "/var/lib/dhcpd/dhcpd.leases",
  "/var/lib/dhcpd/dhcpd6.leases",
  "/var/db/dhcpd.leases",
  "/var/db/dhcpd6.leases",
];

/** The DHCPv4 server's configuration, for its pools: Debian's, RHEL's and the BSDs' place. */
export const ISC_DHCPD_CONFIG_PATHS = [
  "/etc/dhcp/dhcpd.conf",
  "/etc/dhcpd.conf",
  "/usr/local/etc/dhcpd.conf",
];

export interface IscDhcpdSourceOptions {
  /** Lease files to read (under --root); every one that exists is read. Default ISC_DHCPD_LEASE_PATHS. */
  paths?: string[];
}

export function createIscDhcpdSource(options: IscDhcpdSourceOptions = {}): Source {
  const paths = options.paths ?? ISC_DHCPD_LEASE_PATHS;
  // Files without `authoring-byte-order` carry IAIDs in the byte order of the host that wrote them,
  // which is this gateway.
  const defaultByteOrder = endianness() === "BE" ? "big-endian" : "little-endian";
  const pools = new DhcpPoolConfig(async () => ISC_DHCPD_CONFIG_PATHS, parseIscDhcpdRanges);
  // Read at every poll, a file changes only when a lease does: its last parse is kept, per path.
  const files = paths.map((path) => ({
    path,
    parse: rememberLastText((text) => parseIscDhcpdLeases(text, { defaultByteOrder })),
  }));

  return {
    name: "isc-dhcpd",
    async detect(ctx) {
      for (const path of paths) if ((await ctx.readSystemFile(path)) !== null) return true;
      return false;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const leases: Lease[] = [];
      const skipped: SkippedLine[] = [];
      const seen = new Set<string>();
      let found = 0;
      for (const { path, parse } of files) {
        let text: string | null;
        try {
          text = await readSettledFile(ctx, path, { emptyMayBeTransient: false });
        } catch (error) {
          return { status: "error", error: `${path}: ${(error as Error).message}` };
        }
        if (text === null) continue;
        found++;
        const result = parse(text);
        // A file that is not a lease database would otherwise read as "every lease ended".
        const unreadable = result.skipped.find((s) => s.line === 0);
        if (unreadable) return { status: "error", error: `${path}: ${unreadable.reason}` };
        // Two files naming the same address (a stale copy from another distribution's path): the first wins.
        for (const lease of result.records) {
          if (seen.has(lease.ip)) continue;
          seen.add(lease.ip);
          leases.push(lease);
        }
        for (const s of result.skipped) skipped.push({ ...s, reason: `${path}: ${s.reason}` });
      }
      if (found === 0) return { status: "absent", reason: `no dhcpd lease file at ${paths.join(", ")}` };
      return pools.addTo(ctx, { status: "ok", records: { leases }, skipped });
    },
  };
}
