/**
 * BRIDGE-MIB forwarding database: which bridge port each MAC was learned on.
 * dot1dTpFdbTable (`1.3.6.1.2.1.17.4.3.1`, RFC 4188) is indexed by the 6-octet MAC (fixed
 * length, so no length prefix); Q-BRIDGE dot1qTpFdbTable (`1.3.6.1.2.1.17.7.1.2.2.1`, RFC 4363)
 * by `fdbId.m.a.c.a.d.r`. Both give a port that is a *bridge port number*, not an ifIndex: it
 * is mapped through dot1dBasePortIfIndex (`1.3.6.1.2.1.17.1.4.1.2`) and then to the ifName.
 * The Q-BRIDGE FDB id is not necessarily a VLAN id (several VLANs may share one FDB), so it is
 * kept as an opaque number and never used as a VLAN. Port 0 means "not learned" and status
 * invalid(2) an entry being removed: both are left out. self(4) rows are the bridge's own
 * addresses and say nothing about where a device is. This is not a protocol record: it fills
 * Neighbor.bridgePort through attachFdbPorts.
 */
import { bytesToMac, type Neighbor } from "../../protocol/index.js";
import type { ParseResult, SkippedLine } from "../sources/parseResult.js";
import { nameForIfIndex } from "./ifTable.js";
import { attempt, type FetchOutcome, type SnmpClient } from "./snmpClient.js";
import { decodeInteger, indexParts, skipRow, type TableRow, tableRows, type Varbinds } from "./varbinds.js";

export const DOT1D_BASE_PORT_ENTRY = "1.3.6.1.2.1.17.1.4.1";
export const DOT1D_TP_FDB_ENTRY = "1.3.6.1.2.1.17.4.3.1";
export const DOT1Q_TP_FDB_ENTRY = "1.3.6.1.2.1.17.7.1.2.2.1";

const BASE_PORT_IF_INDEX = 2;
const FDB_PORT = 2;
const FDB_STATUS = 3;

const FDB_STATUSES = { 1: "other", 3: "learned", 4: "self", 5: "mgmt" } as const;
const STATUS_INVALID = 2;
export type FdbStatus = (typeof FDB_STATUSES)[keyof typeof FDB_STATUSES];

export interface SnmpFdbEntry {
  mac: string;
  /** Interface name of the bridge port (ifName via dot1dBasePortIfIndex). */
  port: string;
  basePort: number;
  /** Q-BRIDGE filtering database id; null for dot1dTpFdbTable rows. Not a VLAN id. */
  fdbId: number | null;
  status: FdbStatus;
}

export interface BridgeFdbVarbinds {
  basePorts: Varbinds;
  dot1dTpFdb: Varbinds;
  dot1qTpFdb: Varbinds;
}

/** Bridge port number → ifIndex, from dot1dBasePortTable. */
export function parseBasePorts(varbinds: Varbinds): { ports: Map<number, number>; skipped: SkippedLine[] } {
  const { rows, skipped } = tableRows(varbinds, DOT1D_BASE_PORT_ENTRY);
  const ports = new Map<number, number>();
  for (const row of rows) {
    const parts = indexParts(row.index);
    const basePort = parts?.length === 1 ? parts[0] : undefined;
    if (basePort === undefined || basePort < 1 || basePort > 65535) {
      skipped.push(skipRow(row, null, "dot1dBasePort index is not a port number 1..65535"));
      continue;
    }
    const cell = row.cells.get(BASE_PORT_IF_INDEX);
    if (!cell) continue;
    const ifIndex = decodeInteger(cell.value, "dot1dBasePortIfIndex");
    if (!ifIndex.ok || ifIndex.value < 0) {
      skipped.push(
        skipRow(row, BASE_PORT_IF_INDEX, ifIndex.ok ? "dot1dBasePortIfIndex is negative" : ifIndex.error),
      );
      continue;
    }
    // 0: the port has no interface of its own (RFC 4188); such a port names nothing.
    if (ifIndex.value > 0) ports.set(basePort, ifIndex.value);
  }
  return { ports, skipped };
}

export function parseBridgeFdb(
  tables: BridgeFdbVarbinds,
  ifNames: ReadonlyMap<number, string>,
): ParseResult<SnmpFdbEntry> {
  const base = parseBasePorts(tables.basePorts);
  const skipped: SkippedLine[] = [...base.skipped];
  const records: SnmpFdbEntry[] = [];

  const addRows = (varbinds: Varbinds, entryOid: string, qBridge: boolean) => {
    const table = tableRows(varbinds, entryOid);
    skipped.push(...table.skipped);
    for (const row of table.rows) {
      const entry = fdbRow(row, qBridge, base.ports, ifNames);
      if (entry === null) continue;
      if ("skip" in entry) skipped.push(entry.skip);
      else records.push(entry);
    }
  };
  addRows(tables.dot1dTpFdb, DOT1D_TP_FDB_ENTRY, false);
  addRows(tables.dot1qTpFdb, DOT1Q_TP_FDB_ENTRY, true);
  return { records, skipped };
}

function fdbRow(
  row: TableRow,
  qBridge: boolean,
  ports: ReadonlyMap<number, number>,
  ifNames: ReadonlyMap<number, string>,
): SnmpFdbEntry | { skip: SkippedLine } | null {
  const parts = indexParts(row.index);
  const expected = qBridge ? 7 : 6;
  if (parts === null || parts.length !== expected) {
    return {
      skip: skipRow(row, null, qBridge ? "index is not fdbId.<6-octet MAC>" : "index is not a 6-octet MAC"),
    };
  }
  const macBytes = parts.slice(qBridge ? 1 : 0);
  if (macBytes.some((b) => b > 255)) return { skip: skipRow(row, null, "MAC octet above 255") };

  let status: FdbStatus = "other";
  const statusCell = row.cells.get(FDB_STATUS);
  if (statusCell) {
    const code = decodeInteger(statusCell.value, "FdbStatus");
    if (!code.ok) return { skip: skipRow(row, FDB_STATUS, code.error) };
    if (code.value === STATUS_INVALID) return null;
    const known = FDB_STATUSES[code.value as keyof typeof FDB_STATUSES];
    if (!known) return { skip: skipRow(row, FDB_STATUS, `unknown FdbStatus ${code.value}`) };
    status = known;
  }
  const portCell = row.cells.get(FDB_PORT);
  if (!portCell) return null;
  const basePort = decodeInteger(portCell.value, "FdbPort");
  if (!basePort.ok || basePort.value < 0) {
    return { skip: skipRow(row, FDB_PORT, basePort.ok ? "FdbPort is negative" : basePort.error) };
  }
  if (basePort.value === 0) return null;
  const ifIndex = ports.get(basePort.value);
  if (ifIndex === undefined) {
    return { skip: skipRow(row, FDB_PORT, `bridge port ${basePort.value} is not in dot1dBasePortTable`) };
  }
  return {
    mac: bytesToMac(macBytes),
    port: nameForIfIndex(ifNames, ifIndex),
    basePort: basePort.value,
    fdbId: qBridge ? (parts[0] as number) : null,
    status,
  };
}

/**
 * Sets bridgePort on neighbours whose MAC the FDB places on exactly one port. Q-BRIDGE rows
 * are used when there are any (the dot1d view of a VLAN bridge shows at most the default FDB);
 * a MAC seen on different ports in different FDBs is ambiguous, because an FDB id cannot be
 * matched to the neighbour's VLAN, and is left unset. Neighbours without a match keep theirs.
 */
export function attachFdbPorts(neighbors: readonly Neighbor[], entries: readonly SnmpFdbEntry[]): Neighbor[] {
  const usable = entries.filter((e) => e.status !== "self");
  const qRows = usable.filter((e) => e.fdbId !== null);
  const chosen = qRows.length > 0 ? qRows : usable;
  const portsByMac = new Map<string, Set<string>>();
  for (const entry of chosen) {
    const ports = portsByMac.get(entry.mac) ?? new Set<string>();
    ports.add(entry.port);
    portsByMac.set(entry.mac, ports);
  }
  return neighbors.map((n) => {
    const ports = n.mac === null ? undefined : portsByMac.get(n.mac);
    if (ports?.size !== 1) return n;
    return { ...n, bridgePort: [...(ports as Set<string>)][0] as string };
  });
}

export function walkBasePorts(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(DOT1D_BASE_PORT_ENTRY, [BASE_PORT_IF_INDEX]));
}

export function walkDot1dTpFdb(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(DOT1D_TP_FDB_ENTRY, [FDB_PORT, FDB_STATUS]));
}

export function walkDot1qTpFdb(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(DOT1Q_TP_FDB_ENTRY, [FDB_PORT, FDB_STATUS]));
}
