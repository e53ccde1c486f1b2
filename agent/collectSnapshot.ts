/**
 * One collection cycle: runs every configured source, gathers their records into the
 * snapshot's arrays and reports each source's status. A source that throws, times out or
 * returns garbage costs only its own records; the cycle always produces a snapshot.
 */
import type { Logger } from "../common/logger.js";
import {
  type DhcpPool,
  MAX_ARRAY_ITEMS,
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
  outcomes.forEach((outcome, i) => {
    const name = (sources[i] as Source).name;
    const status: SourceStatus = {
      source: name,
      status: outcome.status,
      records: 0,
      skipped: 0,
      error: null,
    };
    if (outcome.status === "ok") {
      const r = outcome.records;
      const leftOut: SkippedLine[] = [];
      for (const key of SNAPSHOT_RECORD_ARRAYS) {
        const rows = r[key];
        if (!rows) continue;
        // Past the protocol's limit the collector would refuse the whole snapshot: the rest is left out.
        const into = snapshot[key] as unknown[];
        const room = Math.max(0, MAX_ARRAY_ITEMS - into.length);
        into.push(...(rows.length > room ? rows.slice(0, room) : rows));
        status.records += Math.min(rows.length, room);
        if (rows.length > room) {
          const reason = `${rows.length - room} ${key} past the protocol's limit of ${MAX_ARRAY_ITEMS} per snapshot left out`;
          leftOut.push(skippedLine(0, reason, ""));
        }
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
      const skipped = leftOut.length > 0 ? [...leftOut, ...outcome.skipped] : outcome.skipped;
      status.skipped = skipped.length;
      if (skipped.length > 0) skippedExamples.set(name, skipped.slice(0, SKIPPED_EXAMPLES));
    } else {
      status.error = (outcome.status === "absent" ? outcome.reason : outcome.error).slice(0, 255);
    }
    snapshot.sources.push(status);
  });
  if (bridgeFdb.length > 0) snapshot.neighbors = attachBridgePorts(snapshot.neighbors, bridgeFdb);
  // The pools are router data; without the router source there is no record to carry them.
  if (dhcpPools && snapshot.router) snapshot.router = { ...snapshot.router, dhcpPools };
  return { snapshot, skippedExamples };
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
