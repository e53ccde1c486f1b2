/**
 * Kea memfile lease source: reads `kea-leases4.csv` and `kea-leases6.csv` with the `.2`, `.1` and
 * `.completed` files lease-file cleanup (kea-lfc) leaves beside them, and replays them in Kea's order.
 *
 * Cleanup renames files while we read, so they are read in the order that cannot lose a lease: the
 * live file before `.1` (the server renames live to `.1`; reading `.1` first could see neither the
 * old nor the new copy), and `.completed` and `.1` before `.2` (kea-lfc renames `.completed` to `.2`
 * and then deletes `.1`). A lease seen twice is harmless: replay keeps the last row per address.
 * The DHCPv4 server's configuration gives its pools (parseKeaPools.ts, dhcpPoolConfig.ts).
 */
import type { Lease } from "../../../protocol/index.js";
import { DhcpPoolConfig } from "../dhcpPoolConfig.js";
import type { SkippedLine } from "../parseResult.js";
import { readSettledFile } from "../readSettledFile.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { type KeaFamily, type KeaLeaseFileSet, mergeKeaLeaseFiles } from "./parseKeaLeases.js";
import { keaIncludes, parseKeaPools } from "./parseKeaPools.js";

export const KEA_LEASE4_PATHS = ["/var/lib/kea/kea-leases4.csv"];
export const KEA_LEASE6_PATHS = ["/var/lib/kea/kea-leases6.csv"];
/** The DHCPv4 server's configuration, for its pools: Debian's and the BSDs' place. */
export const KEA_DHCP4_CONFIG_PATHS = ["/etc/kea/kea-dhcp4.conf", "/usr/local/etc/kea/kea-dhcp4.conf"];

export interface KeaSourceOptions {
  /** Candidate DHCPv4 lease files (under --root); the first with any file of its set is used. */
  paths4?: string[];
  /** Candidate DHCPv6 lease files, likewise. */
  paths6?: string[];
}

async function readFileSet(ctx: SourceContext, path: string): Promise<KeaLeaseFileSet | null> {
  const current = await readSettledFile(ctx, path, { emptyMayBeTransient: false });
  const completed = await ctx.readSystemFile(`${path}.completed`);
  const input = await ctx.readSystemFile(`${path}.1`);
  const previous = await ctx.readSystemFile(`${path}.2`);
  if (current === null && completed === null && input === null && previous === null) return null;
  return { current, completed, input, previous };
}

export function createKeaSource(options: KeaSourceOptions = {}): Source {
  const families: [KeaFamily, string[]][] = [
    ["ipv4", options.paths4 ?? KEA_LEASE4_PATHS],
    ["ipv6", options.paths6 ?? KEA_LEASE6_PATHS],
  ];
  const allPaths = families.flatMap(([, paths]) => paths);
  const pools = new DhcpPoolConfig(async () => KEA_DHCP4_CONFIG_PATHS, parseKeaPools, keaIncludes);

  return {
    name: "kea",
    async detect(ctx) {
      for (const path of allPaths) if ((await readFileSet(ctx, path)) !== null) return true;
      return false;
    },
    async collect(ctx): Promise<SourceOutcome> {
      const leases: Lease[] = [];
      const skipped: SkippedLine[] = [];
      let found = 0;
      for (const [family, paths] of families) {
        for (const path of paths) {
          let files: KeaLeaseFileSet | null;
          try {
            files = await readFileSet(ctx, path);
          } catch (error) {
            return { status: "error", error: `${path}: ${(error as Error).message}` };
          }
          if (files === null) continue;
          found++;
          const result = mergeKeaLeaseFiles(family, files);
          // A file that is not a lease file at all would otherwise read as "every lease ended".
          const unreadable = result.skipped.find((s) => s.line === 0);
          if (unreadable) return { status: "error", error: `${path}: ${unreadable.reason}` };
          leases.push(...result.records);
          for (const s of result.skipped) skipped.push({ ...s, reason: `${path}: ${s.reason}` });
          break;
        }
      }
      if (found === 0) return { status: "absent", reason: `no Kea lease file at ${allPaths.join(", ")}` };
      return pools.addTo(ctx, { status: "ok", records: { leases }, skipped });
    },
  };
}
