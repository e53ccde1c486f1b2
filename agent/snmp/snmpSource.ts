/**
 * SNMP source: polls one router for its system group, interface counters, neighbour table
 * and bridge forwarding database. Each table's outcome (ok, timeout, noSuchObject, malformed,
 * error) is recorded on its own and collection carries on past a failed table.
 *
 * Fallbacks: the legacy ipNetToMediaTable is walked when ipNetToPhysicalTable gave no IPv4
 * entry (failed, absent, or an agent that lists only IPv6 there); 32-bit interface counters
 * are used only when the agent has no ifXTable at all. When ifTable or ifXTable *failed*, no
 * interface counters are reported that cycle: half a table, or 32-bit values standing in for
 * 64-bit ones, would look like counter jumps to the collector. The FDB is walked only when
 * dot1dBasePortTable maps bridge ports to interfaces, since its port numbers mean nothing
 * without that map.
 *
 * bootId: `snmp:<key>:<boots>:<resets>`, where key is the first 16 hex digits of SHA-256 of
 * the snmpEngineID (of the target address when the agent hides it), boots the snmpEngineBoots
 * read at the first poll of this boot, and resets the number of resets resetDetector found
 * since this agent process started. It changes exactly when a reset is detected: a reload
 * keeps it, and the anchor is only re-read at a reset. The boots part covers what one process
 * cannot see: if the Leaseline agent restarts and the router rebooted meanwhile, its SNMP
 * engine boot count (persistent, RFC 3414) has moved and the id is new. Limits: an SNMP agent
 * reload during that gap also yields a new id (data deleted early, the safe side); an agent
 * without snmpEngineBoots rebooting during the gap is not noticed.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { InterfaceCounters, Neighbor } from "../../protocol/index.js";
import type { SkippedLine } from "../sources/parseResult.js";
import type { Source, SourceOutcome } from "../sources/source.js";
import {
  attachFdbPorts,
  DOT1D_BASE_PORT_ENTRY,
  DOT1D_TP_FDB_ENTRY,
  DOT1Q_TP_FDB_ENTRY,
  parseBasePorts,
  parseBridgeFdb,
  walkBasePorts,
  walkDot1dTpFdb,
  walkDot1qTpFdb,
} from "./bridgeFdb.js";
import { IF_ENTRY, IFX_ENTRY, parseIfTable, walkIfTable, walkIfXTable } from "./ifTable.js";
import {
  IP_NET_TO_MEDIA_ENTRY,
  IP_NET_TO_PHYSICAL_ENTRY,
  parseIpNetToMedia,
  parseIpNetToPhysical,
  walkIpNetToMedia,
  walkIpNetToPhysical,
} from "./ipNetToPhysical.js";
import { detectReset, type ResetDecision, type UptimeReading } from "./resetDetector.js";
import {
  createSnmpClient,
  type FetchOutcome,
  type SnmpClient,
  type SnmpClientOptions,
  validateSnmpOptions,
} from "./snmpClient.js";
import { fetchSystemGroup, parseSystemGroup, type RouterIdentity } from "./systemGroup.js";
import { tableRows, type Varbinds } from "./varbinds.js";

export type TableStatus = "ok" | "timeout" | "noSuchObject" | "malformed" | "error";

export interface TableReport {
  status: TableStatus;
  error?: string;
  /** Rows (distinct indexes) the agent returned; for the system group, the objects it returned. */
  rows: number;
  /** Rows rejected as malformed. */
  skipped: number;
}

export interface SnmpCollection {
  interfaces: InterfaceCounters[];
  neighbors: Neighbor[];
  identity: RouterIdentity | null;
  /** Null until the system group has been read once. */
  bootId: string | null;
  /** The reset detector's verdict against the previous reading; null on the first reading. */
  reset: ResetDecision | null;
  tables: Record<string, TableReport>;
  skipped: SkippedLine[];
}

export interface BootState {
  bootId: string;
  engineKey: string;
  anchorBoots: number | null;
  resets: number;
  reading: UptimeReading;
  /** Monotonic ms of the reading. */
  readAtMs: number;
}

const KEY_HEX_DIGITS = 16;

function engineKey(identity: RouterIdentity, targetKey: string): string {
  return createHash("sha256")
    .update(identity.engineId ?? `target:${targetKey}`)
    .digest("hex")
    .slice(0, KEY_HEX_DIGITS);
}

/**
 * Pure step of the boot tracking: the new state after a reading (unchanged when the system
 * group could not be read, so the next reading is compared with the last good one).
 */
export function advanceBoot(
  previous: BootState | null,
  identity: RouterIdentity | null,
  targetKey: string,
  nowMs: number,
): { state: BootState | null; decision: ResetDecision | null } {
  if (identity === null) return { state: previous, decision: null };
  const reading: UptimeReading = {
    sysUpTime: identity.sysUpTime,
    hrSystemUptime: identity.hrSystemUptime,
    engineBoots: identity.engineBoots,
    engineId: identity.engineId,
  };
  const anchor = (resets: number): BootState => {
    const key = engineKey(identity, targetKey);
    const boots = identity.engineBoots;
    return {
      bootId: `snmp:${key}:${boots ?? "x"}:${resets}`,
      engineKey: key,
      anchorBoots: boots,
      resets,
      reading,
      readAtMs: nowMs,
    };
  };
  if (previous === null) return { state: anchor(0), decision: null };
  const decision = detectReset(previous.reading, reading, nowMs - previous.readAtMs);
  if (decision.verdict === "reset") return { state: anchor(previous.resets + 1), decision };
  return { state: { ...previous, reading, readAtMs: nowMs }, decision };
}

function statusOf(
  outcome: FetchOutcome,
  rows: number,
  skipped: number,
): Omit<TableReport, "rows" | "skipped"> {
  if (!outcome.ok) return { status: outcome.kind, error: outcome.error };
  if (rows === 0) return { status: "noSuchObject" };
  if (skipped >= rows) return { status: "malformed", error: "every row was malformed" };
  return { status: "ok" };
}

const EMPTY: Varbinds = new Map();
const varbindsOf = (outcome: FetchOutcome | undefined): Varbinds =>
  outcome?.ok === true ? outcome.varbinds : EMPTY;

/**
 * Collects every table of one router. Never throws for the router's behaviour; `boot` is the
 * state returned by the previous call (null the first time) and `nowMs` a monotonic clock.
 */
export async function collectSnmp(
  client: SnmpClient,
  boot: BootState | null,
  nowMs: number,
): Promise<SnmpCollection & { boot: BootState | null }> {
  const [system, ifTable, ifXTable, ipPhysical, basePorts] = await Promise.all([
    fetchSystemGroup(client),
    walkIfTable(client),
    walkIfXTable(client),
    walkIpNetToPhysical(client),
    walkBasePorts(client),
  ]);

  const interfacesParsed = parseIfTable(varbindsOf(ifTable), varbindsOf(ifXTable));
  const names = interfacesParsed.names;
  const physical = parseIpNetToPhysical(varbindsOf(ipPhysical), names);
  const needLegacy = !physical.records.some((n) => !n.ip.includes(":"));
  const bridgePorts = parseBasePorts(varbindsOf(basePorts));
  const needFdb = bridgePorts.ports.size > 0;

  const [ipMedia, dot1dFdb, dot1qFdb] = await Promise.all([
    needLegacy ? walkIpNetToMedia(client) : undefined,
    needFdb ? walkDot1dTpFdb(client) : undefined,
    needFdb ? walkDot1qTpFdb(client) : undefined,
  ]);
  const media = parseIpNetToMedia(varbindsOf(ipMedia), names);
  const fdb = parseBridgeFdb(
    { basePorts: varbindsOf(basePorts), dot1dTpFdb: varbindsOf(dot1dFdb), dot1qTpFdb: varbindsOf(dot1qFdb) },
    names,
  );
  // Nothing to parse when the GET failed or found nothing: that is the table's status, not a skip.
  const identityParsed =
    varbindsOf(system).size > 0 ? parseSystemGroup(varbindsOf(system)) : { records: [], skipped: [] };
  const identity = identityParsed.records[0] ?? null;

  const skipped = [
    ...identityParsed.skipped,
    ...interfacesParsed.skipped,
    ...physical.skipped,
    ...media.skipped,
    ...fdb.skipped,
  ];
  const tables: Record<string, TableReport> = {};
  const record = (name: string, outcome: FetchOutcome | undefined, prefix: string, rows: number) => {
    if (outcome === undefined) return;
    const bad = skipped.filter((s) => s.text.startsWith(`${prefix}.`)).length;
    tables[name] = { ...statusOf(outcome, rows, bad), rows, skipped: bad };
  };
  const rowCount = (outcome: FetchOutcome | undefined, entry: string) =>
    outcome?.ok === true ? tableRows(outcome.varbinds, entry).rows.length : 0;

  const systemValues = varbindsOf(system).size;
  tables.system = {
    ...(system.ok && systemValues > 0 && identity === null
      ? { status: "malformed" as const, error: "no usable sysUpTime" }
      : statusOf(system, systemValues, 0)),
    rows: systemValues,
    skipped: identityParsed.skipped.length,
  };
  record("ifTable", ifTable, IF_ENTRY, rowCount(ifTable, IF_ENTRY));
  record("ifXTable", ifXTable, IFX_ENTRY, rowCount(ifXTable, IFX_ENTRY));
  record(
    "ipNetToPhysicalTable",
    ipPhysical,
    IP_NET_TO_PHYSICAL_ENTRY,
    rowCount(ipPhysical, IP_NET_TO_PHYSICAL_ENTRY),
  );
  record("ipNetToMediaTable", ipMedia, IP_NET_TO_MEDIA_ENTRY, rowCount(ipMedia, IP_NET_TO_MEDIA_ENTRY));
  record("dot1dBasePortTable", basePorts, DOT1D_BASE_PORT_ENTRY, rowCount(basePorts, DOT1D_BASE_PORT_ENTRY));
  record("dot1dTpFdbTable", dot1dFdb, DOT1D_TP_FDB_ENTRY, rowCount(dot1dFdb, DOT1D_TP_FDB_ENTRY));
  record("dot1qTpFdbTable", dot1qFdb, DOT1Q_TP_FDB_ENTRY, rowCount(dot1qFdb, DOT1Q_TP_FDB_ENTRY));

  const countersComplete =
    tables.ifTable?.status === "ok" &&
    (tables.ifXTable?.status === "ok" || tables.ifXTable?.status === "noSuchObject");
  const interfaces = countersComplete ? interfacesParsed.records : [];
  const neighbors = attachFdbPorts([...physical.records, ...media.records], fdb.records);

  const { host, port } = client.target;
  const next = advanceBoot(boot, identity, `${host}:${port}`, nowMs);
  return {
    interfaces,
    neighbors,
    identity,
    bootId: next.state?.bootId ?? null,
    reset: next.decision,
    tables,
    skipped,
    boot: next.state,
  };
}

export interface SnmpCollector {
  /** Opens a session, collects every table, closes the session. */
  collect(): Promise<SnmpCollection>;
}

/** Keeps the boot state between polls of one target. `clock` is monotonic ms. */
export function createSnmpCollector(
  options: SnmpClientOptions,
  clock: () => number = () => performance.now(),
): SnmpCollector {
  validateSnmpOptions(options);
  let boot: BootState | null = null;
  return {
    async collect() {
      const client = createSnmpClient(options);
      try {
        const { boot: next, ...collection } = await collectSnmp(client, boot, clock());
        boot = next;
        return collection;
      } finally {
        client.close();
      }
    },
  };
}

export interface SnmpSource extends Source {
  /** The last collection in full (identity, bootId, per-table outcomes), for the agent and logs. */
  readonly last: SnmpCollection | null;
}

export interface SnmpSourceOptions extends SnmpClientOptions {
  /** Monotonic ms; performance.now() unless a test supplies one. */
  clock?: () => number;
}

/** Validates the options now (throwing one error that lists every problem); opens no socket. */
export function createSnmpSource(options: SnmpSourceOptions): SnmpSource {
  const collector = createSnmpCollector(options, options.clock);
  let last: SnmpCollection | null = null;
  return {
    name: "snmp",
    get last() {
      return last;
    },
    // An SNMP router is polled only when configured with a target, so it is always "present";
    // whether it answers is what collect reports.
    async detect() {
      return true;
    },
    async collect(): Promise<SourceOutcome> {
      try {
        last = await collector.collect();
      } catch (error) {
        return { status: "error", error: `snmp: ${(error as Error).message}` };
      }
      const reports = Object.entries(last.tables);
      if (!reports.some(([, r]) => r.status === "ok")) {
        return {
          status: "error",
          error: reports
            .map(([name, r]) => `${name}: ${r.status}${r.error ? ` (${r.error})` : ""}`)
            .join("; "),
        };
      }
      return {
        status: "ok",
        records: { interfaces: last.interfaces, neighbors: last.neighbors },
        skipped: last.skipped,
      };
    },
  };
}
