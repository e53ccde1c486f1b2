/**
 * The IPv4 pools a DHCP server hands addresses out of, read from its configuration files by the
 * lease source of that server (dnsmasq, ISC dhcpd, Kea), so that support can tell a full pool from
 * a device that never asked. A configuration changes only when the server is restarted with it,
 * so it is read once a minute; no file at all means the pools are unknown (null), not none.
 */
import { type DhcpPool, MAX_DHCP_POOLS, MAX_STRING_LENGTH } from "../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "./parseResult.js";
import { RefreshCache } from "./refreshCache.js";
import type { SourceContext, SourceOutcome } from "./source.js";

export const DHCP_POOLS_REFRESH_MS = 60_000;

export interface DhcpPools {
  /** Null when there is no configuration file to read. */
  pools: DhcpPool[] | null;
  skipped: SkippedLine[];
}

export class DhcpPoolConfig {
  readonly #files: (ctx: SourceContext) => Promise<string[]>;
  readonly #parse: (text: string) => ParseResult<DhcpPool>;
  readonly #cache = new RefreshCache<DhcpPools>(DHCP_POOLS_REFRESH_MS);

  /** `files`: the configuration files to read, in the server's order; `parse`: one file's pools. */
  constructor(
    files: (ctx: SourceContext) => Promise<string[]>,
    parse: (text: string) => ParseResult<DhcpPool>,
  ) {
    this.#files = files;
    this.#parse = parse;
  }

  /** The pools of every file there is, each range once, remembered for a minute. */
  async read(ctx: SourceContext): Promise<DhcpPools> {
    const now = ctx.now();
    const cached = this.#cache.get(now);
    if (cached) return cached;
    const pools = new Map<string, DhcpPool>();
    const skipped: SkippedLine[] = [];
    let found = false;
    for (const path of await this.#files(ctx)) {
      let text: string | null;
      try {
        text = await ctx.readSystemFile(path);
      } catch (error) {
        // Present but unreadable (a root-only file under a dynamic user): said, and no pools guessed.
        skipped.push(skippedLine(0, `cannot read the configuration: ${(error as Error).message}`, path));
        continue;
      }
      if (text === null) continue;
      found = true;
      const ranges = this.#parse(text);
      for (const pool of ranges.records) pools.set(`${pool.start}-${pool.end}`, pool);
      for (const s of ranges.skipped) skipped.push({ ...s, text: `${path}: ${s.text}` });
    }
    const fresh = { pools: found ? withinLimits([...pools.values()], skipped) : null, skipped };
    this.#cache.set(now, fresh);
    return fresh;
  }

  /** A lease source's outcome with the pools added to it (unchanged when they are unknown). */
  async addTo(ctx: SourceContext, outcome: SourceOutcome): Promise<SourceOutcome> {
    if (outcome.status !== "ok") return outcome;
    const { pools, skipped } = await this.read(ctx);
    if (pools === null && skipped.length === 0) return outcome;
    return {
      status: "ok",
      records: pools === null ? outcome.records : { ...outcome.records, dhcpPools: pools },
      skipped: skipped.length > 0 ? [...outcome.skipped, ...skipped] : outcome.skipped,
    };
  }
}

/**
 * The pools as the protocol takes them: a snapshot with one pool over its limits would be refused
 * whole by the collector, so a name too long is dropped and pools past the limit are left out, each
 * said in `skipped`.
 */
function withinLimits(pools: DhcpPool[], skipped: SkippedLine[]): DhcpPool[] {
  if (pools.length > MAX_DHCP_POOLS) {
    skipped.push(skippedLine(0, `more than ${MAX_DHCP_POOLS} pools: the rest are not reported`, ""));
  }
  return pools.slice(0, MAX_DHCP_POOLS).map((pool) => {
    if (pool.name === null || pool.name.length <= MAX_STRING_LENGTH) return pool;
    skipped.push(
      skippedLine(0, `pool name longer than ${MAX_STRING_LENGTH} characters: left out`, pool.name),
    );
    return { ...pool, name: null };
  });
}

/** A directory's files in name order, as `dir/name`, without those `exclude` matches; none if it is missing. */
export async function filesIn(ctx: SourceContext, dir: string, exclude?: RegExp): Promise<string[]> {
  const names = (await ctx.listSystemDir(dir)) ?? [];
  return names
    .filter((n) => !exclude?.test(n))
    .sort()
    .map((n) => `${dir}/${n}`);
}
