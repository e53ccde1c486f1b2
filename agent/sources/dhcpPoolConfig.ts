/**
 * The IPv4 pools a DHCP server hands addresses out of, read from its configuration files by the
 * lease source of that server (dnsmasq, ISC dhcpd, Kea), so that support can tell a full pool from
 * a device that never asked. A configuration changes only when the server is restarted with it,
 * so it is read once a minute; no file at all means the pools are unknown (null), not none.
 *
 * The files a configuration includes (dnsmasq's conf-file and conf-dir, ISC dhcpd's include) are
 * read too, each once however often it is named, right after the file naming it and at most
 * MAX_CONFIG_FILES in all, so a loop of includes or a huge directory costs a bounded read. Kea's
 * `<?include "file"?>` is a piece of text, not a configuration of its own: the file's text is put
 * in its place before the whole is parsed, at most MAX_TEXT_INCLUDE_DEPTH deep, as Kea does.
 */
import { type DhcpPool, MAX_DHCP_POOLS, MAX_STRING_LENGTH } from "../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "./parseResult.js";
import { RefreshCache } from "./refreshCache.js";
import type { SourceContext, SourceOutcome } from "./source.js";

export const DHCP_POOLS_REFRESH_MS = 60_000;

/** Configuration files read per server and minute, includes and directories' files counted. */
export const MAX_CONFIG_FILES = 64;

/** Kea refuses a configuration whose includes nest deeper than this; a loop of them ends here too. */
export const MAX_TEXT_INCLUDE_DEPTH = 10;

/**
 * Another configuration a file includes: one file, or the files of a directory (dnsmasq's
 * conf-dir) in name order, those with a name ending in one of `only` if it has any, and none
 * ending in one of `skip`. Paths are absolute.
 */
export type ConfigInclude = { file: string } | { dir: string; only: string[]; skip: string[] };

/** A directive in a file's text[start, end) that stands for the text of `file` (Kea's `<?include "file"?>`). */
export interface TextInclude {
  start: number;
  end: number;
  file: string;
}

/** One configuration file's pools, and what it includes. */
export interface ConfigPools extends ParseResult<DhcpPool> {
  includes?: ConfigInclude[];
}

export interface DhcpPools {
  /** Null when there is no configuration file to read. */
  pools: DhcpPool[] | null;
  skipped: SkippedLine[];
}

/** dnsmasq (and editors) leave these in configuration directories; dnsmasq never reads them. */
const NOT_A_CONFIG_NAME = /^\.|~$|^#.*#$/;

export class DhcpPoolConfig {
  readonly #files: (ctx: SourceContext) => Promise<string[]>;
  readonly #parse: (text: string) => ConfigPools;
  readonly #textIncludes: ((text: string) => TextInclude[]) | undefined;
  readonly #cache = new RefreshCache<DhcpPools>(DHCP_POOLS_REFRESH_MS);

  /**
   * `files`: the configuration files to read, in the server's order; `parse`: one file's pools;
   * `textIncludes`: the directives of a file's text to replace with other files' text before parsing.
   */
  constructor(
    files: (ctx: SourceContext) => Promise<string[]>,
    parse: (text: string) => ConfigPools,
    textIncludes?: (text: string) => TextInclude[],
  ) {
    this.#files = files;
    this.#parse = parse;
    this.#textIncludes = textIncludes;
  }

  /** The pools of every file there is and every file they include, each range once, remembered for a minute. */
  async read(ctx: SourceContext): Promise<DhcpPools> {
    const now = ctx.now();
    const cached = this.#cache.get(now);
    if (cached) return cached;
    const pools = new Map<string, DhcpPool>();
    const skipped: SkippedLine[] = [];
    let found = false;
    /** Files still to read, next first. */
    const queue: ConfigFile[] = (await this.#files(ctx)).map((path) => ({
      path,
      includedBy: null,
      inDirectory: false,
    }));
    const seen = new Set<string>();
    const reads = { count: 0 };
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { path, includedBy, inDirectory } = next;
      if (seen.has(path)) continue;
      seen.add(path);
      const read = await readConfigFile(ctx, path, includedBy, inDirectory, reads, skipped);
      if (read === "over the limit") break;
      if (read === null) continue;
      found = true;
      const text = this.#textIncludes ? await this.#spliced(ctx, read, path, 1, reads, skipped) : read;
      const config = this.#parse(text);
      for (const pool of config.records) pools.set(`${pool.start}-${pool.end}`, pool);
      for (const s of config.skipped) skipped.push({ ...s, text: `${path}: ${s.text}` });
      queue.unshift(...(await includedFiles(ctx, config.includes ?? [], path)));
    }
    const fresh = { pools: found ? withinLimits([...pools.values()], skipped) : null, skipped };
    this.#cache.set(now, fresh);
    return fresh;
  }

  /** `text` (of `path`) with each text include replaced by its file's text, itself spliced, `depth` files deep. */
  async #spliced(
    ctx: SourceContext,
    text: string,
    path: string,
    depth: number,
    reads: { count: number },
    skipped: SkippedLine[],
  ): Promise<string> {
    const includes = (this.#textIncludes as (text: string) => TextInclude[])(text);
    let out = "";
    let at = 0;
    for (const { start, end, file } of includes) {
      out += text.slice(at, start);
      at = end;
      if (!file.startsWith("/")) {
        skipped.push(skippedLine(0, `${path}: include path is not absolute: not followed`, file));
      } else if (depth >= MAX_TEXT_INCLUDE_DEPTH) {
        skipped.push(
          skippedLine(0, `${path}: includes nested more than ${MAX_TEXT_INCLUDE_DEPTH} deep: not read`, file),
        );
      } else {
        const read = await readConfigFile(ctx, file, path, false, reads, skipped);
        if (read === "over the limit") break;
        if (read !== null) out += await this.#spliced(ctx, read, file, depth + 1, reads, skipped);
      }
    }
    return out + text.slice(at);
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

/**
 * A configuration file's text; null when it is missing or unreadable (said in `skipped` unless it
 * is one of the server's own candidate places); "over the limit" once MAX_CONFIG_FILES were read.
 */
async function readConfigFile(
  ctx: SourceContext,
  path: string,
  includedBy: string | null,
  inDirectory: boolean,
  reads: { count: number },
  skipped: SkippedLine[],
): Promise<string | null | "over the limit"> {
  if (reads.count >= MAX_CONFIG_FILES) {
    skipped.push(
      skippedLine(0, `more than ${MAX_CONFIG_FILES} configuration files: the rest are not read`, path),
    );
    return "over the limit";
  }
  reads.count++;
  let text: string | null;
  try {
    text = await ctx.readSystemFile(path);
  } catch (error) {
    // A directory in a configuration directory: the server passes over it too.
    if (inDirectory && (error as NodeJS.ErrnoException).code === "EISDIR") return null;
    // Present but unreadable (a root-only file under a dynamic user): said, and no pools guessed.
    skipped.push(skippedLine(0, `cannot read the configuration: ${(error as Error).message}`, path));
    return null;
  }
  // The server would not have started without it: removed since, or named wrongly.
  if (text === null && includedBy) skipped.push(skippedLine(0, `included by ${includedBy}, not found`, path));
  return text;
}

/** A configuration file to read, and where it was named. */
interface ConfigFile {
  path: string;
  /** The file that includes it; null for one of the server's own places. */
  includedBy: string | null;
  /** Listed from an included directory. */
  inDirectory: boolean;
}

/** The files the includes of `includedBy` name, in order: a directory's as dnsmasq picks them (none if it is missing). */
async function includedFiles(
  ctx: SourceContext,
  includes: readonly ConfigInclude[],
  includedBy: string,
): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  for (const include of includes) {
    if ("file" in include) {
      files.push({ path: include.file, includedBy, inDirectory: false });
      continue;
    }
    const { dir, only, skip } = include;
    // As dnsmasq compares suffixes: a name that is only the suffix does not end in it.
    const endsIn = (path: string, suffix: string) => path.endsWith(suffix) && !path.endsWith(`/${suffix}`);
    for (const path of await filesIn(ctx, dir, NOT_A_CONFIG_NAME)) {
      if (only.length > 0 && !only.some((suffix) => endsIn(path, suffix))) continue;
      if (skip.some((suffix) => endsIn(path, suffix))) continue;
      files.push({ path, includedBy, inDirectory: true });
    }
  }
  return files;
}

/** A directory's files in name order, as `dir/name`, without those `exclude` matches; none if it is missing. */
export async function filesIn(ctx: SourceContext, dir: string, exclude?: RegExp): Promise<string[]> {
  const names = (await ctx.listSystemDir(dir)) ?? [];
  // `/etc/dnsmasq.d/` and `/etc/dnsmasq.d` name the same files, which must compare equal.
  const base = dir.replace(/\/+$/, "");
  return names
    .filter((n) => !exclude?.test(n))
    .sort()
    .map((n) => `${base}/${n}`);
}
