/**
 * Source "sysfs-net": interface counters from /sys/class/net/<if>/statistics/, one decimal value
 * per file. An alternative to /proc/net/dev where procfs is restricted; every file holds the whole
 * u64 without column padding. Unlike /proc/net/dev, `rx_dropped` here excludes rx_missed_errors.
 * Entries of /sys/class/net without a statistics directory (`bonding_masters`) are not interfaces.
 */
import type { InterfaceCounters } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { readCounter } from "./parseProcNetDev.js";

export const SYS_CLASS_NET = "/sys/class/net";

const FILES = {
  rxBytes: "rx_bytes",
  txBytes: "tx_bytes",
  rxPackets: "rx_packets",
  txPackets: "tx_packets",
  rxErrors: "rx_errors",
  txErrors: "tx_errors",
  rxDropped: "rx_dropped",
  txDropped: "tx_dropped",
} as const;

type Field = keyof typeof FILES;

async function readOrError(ctx: SourceContext, path: string): Promise<string | null | Error> {
  try {
    return await ctx.readSystemFile(path);
  } catch (error) {
    return error as Error;
  }
}

/**
 * Reads the counters of every interface, or returns null when /sys/class/net does not exist.
 * A counter that is missing, unreadable or not exact as a JS number skips its interface.
 */
export async function readSysClassNetStatistics(
  ctx: SourceContext,
): Promise<ParseResult<InterfaceCounters> | null> {
  const names = await ctx.listSystemDir(SYS_CLASS_NET);
  if (names === null) return null;
  const records: InterfaceCounters[] = [];
  const skipped: SkippedLine[] = [];
  for (const name of [...names].sort()) {
    const fields = Object.entries(FILES) as [Field, string][];
    const texts = await Promise.all(
      fields.map(([, file]) => readOrError(ctx, `${SYS_CLASS_NET}/${name}/statistics/${file}`)),
    );
    if (texts.every((t) => t === null)) continue;
    const values: Partial<Record<Field, number>> = {};
    let problem: string | null = null;
    for (let f = 0; f < fields.length && !problem; f++) {
      const [field, file] = fields[f] as [Field, string];
      const text = texts[f];
      if (text === null || text === undefined) problem = `${file} is missing`;
      else if (text instanceof Error) problem = `${file} cannot be read: ${text.message}`;
      else {
        const counter = readCounter(text.trim());
        if (counter.ok) values[field] = counter.value;
        else problem = `${file}: ${counter.reason}`;
      }
    }
    if (problem) {
      skipped.push(skippedLine(1, `${name}: ${problem}`, `${SYS_CLASS_NET}/${name}/statistics`));
      continue;
    }
    records.push({ name, ...(values as Record<Field, number>) });
  }
  return { records, skipped };
}

export function createSysClassNetSource(): Source {
  return {
    name: "sysfs-net",
    async detect(ctx: SourceContext): Promise<boolean> {
      try {
        return (await ctx.listSystemDir(SYS_CLASS_NET)) !== null;
      } catch {
        return false;
      }
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      let result: ParseResult<InterfaceCounters> | null;
      try {
        result = await readSysClassNetStatistics(ctx);
      } catch (error) {
        return { status: "error", error: `cannot list ${SYS_CLASS_NET}: ${(error as Error).message}` };
      }
      if (result === null) return { status: "absent", reason: `${SYS_CLASS_NET} does not exist` };
      return { status: "ok", records: { interfaces: result.records }, skipped: result.skipped };
    },
  };
}
