/**
 * One collection cycle: runs every configured source, gathers their records into the
 * snapshot's arrays and reports each source's status. A source that throws, times out or
 * returns garbage costs only its own records; the cycle always produces a snapshot.
 */
import type { Logger } from "../common/logger.js";
import {
  type DhcpPool,
  MAX_ARRAY_ITEMS,
  type Neighbor,
  PROTOCOL_VERSION,
  type Snapshot,
  type SnapshotRecordArray,
  type SourceStatus,
  snapshotRecordSchemas,
} from "../protocol/index.js";
import { readUptimeSeconds } from "./bootId.js";
import { attachBridgePorts, type BridgeFdbEntry } from "./sources/fdb/parseBridgeFdbJson.js";
import { type SkippedLine, skippedLine } from "./sources/parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "./sources/source.js";

export interface CollectResult {
  /** Everything but the boot id and sequence number, which the agent's loop assigns. */
  snapshot: Omit<Snapshot, "seq" | "bootId">;
  /** A few skipped lines per source, for the log. */
  skippedExamples: Map<string, SkippedLine[]>;
}

const SNAPSHOT_RECORD_ARRAYS = Object.keys(snapshotRecordSchemas) as SnapshotRecordArray[];

/** Skipped lines logged per source and change of status: enough to diagnose, not a copy of the file. */
const SKIPPED_EXAMPLES = 3;

async function collectSafely(source: Source, ctx: SourceContext): Promise<SourceOutcome> {
  try {
    return await source.collect(ctx);
  } catch (error) {
    return { status: "error", error: (error as Error).message || String(error) };
  }
}

export async function collectSnapshot(
  sources: readonly Source[],
  ctx: SourceContext,
  gatewayId: string,
): Promise<CollectResult> {
  const collectedAt = ctx.now();
  const [outcomes, uptimeSeconds] = await Promise.all([
    Promise.all(sources.map((s) => collectSafely(s, ctx))),
    readUptimeSeconds(ctx),
  ]);
  const snapshot: CollectResult["snapshot"] = {
    v: PROTOCOL_VERSION,
    type: "snapshot",
    gatewayId,
    collectedAt,
    uptimeSeconds,
    leases: [],
    neighbors: [],
    interfaces: [],
    radios: [],
    stations: [],
    traffic: [],
    lineQuality: [],
    router: null,
    sources: [],
  };
  const skippedExamples = new Map<string, SkippedLine[]>();
  const bridgeFdb: BridgeFdbEntry[] = [];
  let dhcpPools: DhcpPool[] | null = null;
  /** Where each source's rows went, so that rows left out past the limit are said by their source. */
  const placed: PlacedRows[] = [];
  const leftOutBySource: SkippedLine[][] = [];
  outcomes.forEach((outcome, i) => {
    const name = (sources[i] as Source).name;
    const status: SourceStatus = {
      source: name,
      status: outcome.status,
      records: 0,
      skipped: 0,
      error: null,
    };
    const leftOut: SkippedLine[] = [];
    if (outcome.status === "ok") {
      const r = outcome.records;
      for (const key of SNAPSHOT_RECORD_ARRAYS) {
        const rows = r[key];
        if (!rows || rows.length === 0) continue;
        const into = snapshot[key] as unknown[];
        placed.push({ key, status, leftOut, start: into.length, end: into.length + rows.length });
        // concat, not a loop: without V8's JIT (the agent's --lite-mode) a push per row adds up.
        (snapshot as Record<SnapshotRecordArray, unknown[]>)[key] = into.concat(rows);
        status.records += rows.length;
      }
      if (r.router) {
        snapshot.router = r.router;
        status.records++;
      }
      if (r.dhcpPools) {
        dhcpPools = [...(dhcpPools ?? []), ...r.dhcpPools];
        status.records += r.dhcpPools.length;
      }
      if (r.bridgeFdb) {
        bridgeFdb.push(...r.bridgeFdb);
        status.records += r.bridgeFdb.length;
      }
    } else {
      status.error = (outcome.status === "absent" ? outcome.reason : outcome.error).slice(0, 255);
    }
    snapshot.sources.push(status);
    leftOutBySource.push(leftOut);
  });
  keepWithinLimits(snapshot, placed);
  snapshot.sources.forEach((status, i) => {
    const outcome = outcomes[i] as SourceOutcome;
    const fromSource = outcome.status === "ok" ? outcome.skipped : [];
    const leftOut = leftOutBySource[i] as SkippedLine[];
    const skipped = leftOut.length > 0 ? [...leftOut, ...fromSource] : fromSource;
    status.skipped = skipped.length;
    if (skipped.length > 0) skippedExamples.set(status.source, skipped.slice(0, SKIPPED_EXAMPLES));
  });
  if (bridgeFdb.length > 0) snapshot.neighbors = attachBridgePorts(snapshot.neighbors, bridgeFdb);
  // The pools are router data; without the router source there is no record to carry them.
  if (dhcpPools && snapshot.router) snapshot.router = { ...snapshot.router, dhcpPools };
  return { snapshot, skippedExamples };
}

/** A source's rows of one array: snapshot[key][start, end). */
interface PlacedRows {
  key: SnapshotRecordArray;
  status: SourceStatus;
  /** The source's rows left out, said first among its skipped lines. */
  leftOut: SkippedLine[];
  start: number;
  end: number;
}

/**
 * Past the protocol's per-array limit the collector would refuse the whole snapshot, so the rest
 * is left out, counted against the sources that brought it. Neighbours are chosen: a business
 * LAN's table overflows with IPv6 addresses and failed probes, and support needs the devices that
 * hold a lease first, then any with a MAC, before addresses that never resolved. Other arrays keep
 * their first rows, in the sources' order.
 */
function keepWithinLimits(snapshot: CollectResult["snapshot"], placed: readonly PlacedRows[]): void {
  for (const key of SNAPSHOT_RECORD_ARRAYS) {
    const rows = snapshot[key] as unknown[] | undefined;
    if (!rows || rows.length <= MAX_ARRAY_ITEMS) continue;
    const kept = new Uint8Array(rows.length);
    const order = key === "neighbors" ? neighboursByNeed(snapshot) : [...rows.keys()];
    for (const index of order.slice(0, MAX_ARRAY_ITEMS)) kept[index] = 1;
    for (const p of placed) {
      if (p.key !== key) continue;
      let leftOut = 0;
      for (let i = p.start; i < p.end; i++) leftOut += 1 - (kept[i] as number);
      if (leftOut === 0) continue;
      p.status.records -= leftOut;
      const reason = `${leftOut} ${key} past the protocol's limit of ${MAX_ARRAY_ITEMS} per snapshot left out`;
      p.leftOut.push(skippedLine(0, reason, ""));
    }
    (snapshot as Record<SnapshotRecordArray, unknown[]>)[key] = rows.filter((_, i) => kept[i] === 1);
  }
}

/** The neighbours' indices, most needed first: a leased MAC, then any MAC, then none; each in table order. */
function neighboursByNeed(snapshot: CollectResult["snapshot"]): number[] {
  const leased = new Set(snapshot.leases.map((l) => l.mac));
  const rank = (n: Neighbor) => (n.mac === null ? 2 : leased.has(n.mac) ? 0 : 1);
  const ranks = snapshot.neighbors.map(rank);
  return [...ranks.keys()].sort((a, b) => (ranks[a] as number) - (ranks[b] as number) || a - b);
}

/**
 * Logs a source's status when it changes (ok → error, error text changes, ...), not every
 * cycle, so a gateway without Wi-Fi does not log "iw absent" every 30 seconds for months.
 */
export class SourceStatusLog {
  readonly #last = new Map<string, string>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  report(statuses: readonly SourceStatus[], skippedExamples: Map<string, SkippedLine[]>): void {
    for (const s of statuses) {
      const key = `${s.status}|${s.error ?? ""}|${s.skipped > 0}`;
      if (this.#last.get(s.source) === key) continue;
      this.#last.set(s.source, key);
      const fields = {
        source: s.source,
        status: s.status,
        error: s.error,
        records: s.records,
        skipped: s.skipped,
      };
      if (s.status === "error") this.#log.warn(fields, "source failed");
      else if (s.skipped > 0)
        this.#log.warn(
          { ...fields, examples: skippedExamples.get(s.source) },
          "source skipped malformed input",
        );
      else this.#log.info(fields, s.status === "ok" ? "source ok" : "source absent");
    }
  }
}
