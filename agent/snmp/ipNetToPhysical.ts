/**
 * IP-MIB neighbour tables: ipNetToPhysicalTable (`1.3.6.1.2.1.4.35.1`, RFC 4293, IPv4 and IPv6)
 * and the legacy IPv4-only ipNetToMediaTable (`1.3.6.1.2.1.4.22.1`, RFC 1213).
 *
 * Traps: ipNetToPhysical is indexed `ifIndex.addrType.len.a.d.d.r` (InetAddressType, then the
 * InetAddress length-prefixed because it is not IMPLIED), so an IPv6 row has 16 address
 * sub-identifiers after the `16`; the zoned types ipv4z(3)/ipv6z(4) append a 4-byte zone index
 * that is dropped here (the row's ifIndex already says where the neighbour is). The legacy
 * table is indexed `ifIndex.a.b.c.d` without a length. Type invalid(2) marks an invalidated
 * entry, left out without a report, except that Net-SNMP on Linux also gives that type to
 * entries still resolving or failed (state incomplete(7) or invalid(5)), which are kept as
 * incomplete/failed like /proc/net/arp's. An unresolved entry has an empty (or, on some
 * agents, all-zero) PhysAddress: its MAC is null. ipNetToPhysicalState maps onto the NUD
 * states (invalid(5) = failed, unknown(6) = none); static(4) entries are permanent and local(5)
 * ones noarp. The legacy table has no state, so like /proc/net/arp an entry with a MAC is
 * "stale" (present, reachability unconfirmed) and one without is "incomplete".
 * The interface is the ifName from the ifTable; `ifIndex.N` when the ifTable did not name it.
 */
import type { Neighbor } from "../../protocol/index.js";
import type { ParseResult, SkippedLine } from "../sources/parseResult.js";
import { nameForIfIndex } from "./ifTable.js";
import { attempt, type FetchOutcome, type SnmpClient } from "./snmpClient.js";
import {
  decodeInteger,
  decodePhysAddress,
  formatIpv4,
  formatIpv6,
  indexParts,
  skipRow,
  type TableRow,
  tableRows,
  type Varbinds,
} from "./varbinds.js";

export const IP_NET_TO_PHYSICAL_ENTRY = "1.3.6.1.2.1.4.35.1";
export const IP_NET_TO_MEDIA_ENTRY = "1.3.6.1.2.1.4.22.1";

const PHYS = { physAddress: 4, type: 6, state: 7 } as const;
const MEDIA = { physAddress: 2, type: 4 } as const;
export const IP_NET_TO_PHYSICAL_COLUMNS: readonly number[] = Object.values(PHYS);
export const IP_NET_TO_MEDIA_COLUMNS: readonly number[] = Object.values(MEDIA);

/** InetAddressType → address length in the index (zoned types carry 4 more bytes of zone). */
const ADDRESS_TYPES: Record<number, { family: "ipv4" | "ipv6"; length: number }> = {
  1: { family: "ipv4", length: 4 },
  2: { family: "ipv6", length: 16 },
  3: { family: "ipv4", length: 8 },
  4: { family: "ipv6", length: 20 },
};

const PHYSICAL_STATES: Record<number, Neighbor["state"]> = {
  1: "reachable",
  2: "stale",
  3: "delay",
  4: "probe",
  5: "failed",
  6: "none",
  7: "incomplete",
};

const TYPE_INVALID = 2;
const STATE_INVALID = 5;
const STATE_INCOMPLETE = 7;
const TYPE_STATIC = 4;
const TYPE_LOCAL = 5;

type RowOutcome = { neighbor: Neighbor } | { skip: SkippedLine } | { omit: true };

export function parseIpNetToPhysical(
  varbinds: Varbinds,
  ifNames: ReadonlyMap<number, string>,
): ParseResult<Neighbor> {
  const { rows, skipped } = tableRows(varbinds, IP_NET_TO_PHYSICAL_ENTRY);
  return collect(rows, skipped, (row) => physicalRow(row, ifNames));
}

export function parseIpNetToMedia(
  varbinds: Varbinds,
  ifNames: ReadonlyMap<number, string>,
): ParseResult<Neighbor> {
  const { rows, skipped } = tableRows(varbinds, IP_NET_TO_MEDIA_ENTRY);
  return collect(rows, skipped, (row) => mediaRow(row, ifNames));
}

function collect(
  rows: TableRow[],
  skipped: SkippedLine[],
  parseRow: (row: TableRow) => RowOutcome,
): ParseResult<Neighbor> {
  const records: Neighbor[] = [];
  for (const row of rows) {
    const outcome = parseRow(row);
    if ("neighbor" in outcome) records.push(outcome.neighbor);
    else if ("skip" in outcome) skipped.push(outcome.skip);
  }
  return { records, skipped };
}

function physicalRow(row: TableRow, ifNames: ReadonlyMap<number, string>): RowOutcome {
  const parts = indexParts(row.index);
  const [ifIndex, addrType, length] = parts ?? [];
  if (parts === null || ifIndex === undefined || addrType === undefined || length === undefined) {
    return { skip: skipRow(row, null, "index is not ifIndex.addrType.length.address") };
  }
  const kind = ADDRESS_TYPES[addrType];
  if (!kind) return { skip: skipRow(row, null, `unsupported InetAddressType ${addrType}`) };
  const address = parts.slice(3);
  if (length !== kind.length || address.length !== length) {
    return {
      skip: skipRow(
        row,
        null,
        `address length ${length} with ${address.length} octets does not fit type ${addrType}`,
      ),
    };
  }
  if (address.some((b) => b > 255)) return { skip: skipRow(row, null, "address octet above 255") };
  const ip = kind.family === "ipv4" ? formatIpv4(address.slice(0, 4)) : formatIpv6(address.slice(0, 16));

  const type = readInteger(row, PHYS.type, "ipNetToPhysicalType");
  if ("skip" in type) return type;
  const stateCode = readInteger(row, PHYS.state, "ipNetToPhysicalState");
  if ("skip" in stateCode) return stateCode;
  if (
    type.value === TYPE_INVALID &&
    stateCode.value !== STATE_INCOMPLETE &&
    stateCode.value !== STATE_INVALID
  ) {
    return { omit: true };
  }
  const mac = readMac(row, PHYS.physAddress, "ipNetToPhysicalPhysAddress");
  if ("skip" in mac) return mac;

  let state: Neighbor["state"];
  if (type.value === TYPE_STATIC) state = "permanent";
  else if (type.value === TYPE_LOCAL) state = "noarp";
  else if (stateCode.value === null) state = mac.value === null ? "incomplete" : "stale";
  else {
    const mapped = PHYSICAL_STATES[stateCode.value];
    if (!mapped) return { skip: skipRow(row, PHYS.state, `unknown ipNetToPhysicalState ${stateCode.value}`) };
    state = mapped;
  }
  return {
    neighbor: { ip, mac: mac.value, interface: nameForIfIndex(ifNames, ifIndex), state, bridgePort: null },
  };
}

function mediaRow(row: TableRow, ifNames: ReadonlyMap<number, string>): RowOutcome {
  const parts = indexParts(row.index);
  const [ifIndex] = parts ?? [];
  if (parts === null || ifIndex === undefined || parts.length !== 5 || parts.slice(1).some((b) => b > 255)) {
    return { skip: skipRow(row, null, "index is not ifIndex.a.b.c.d") };
  }
  const type = readInteger(row, MEDIA.type, "ipNetToMediaType");
  if ("skip" in type) return type;
  if (type.value === TYPE_INVALID) return { omit: true };
  const mac = readMac(row, MEDIA.physAddress, "ipNetToMediaPhysAddress");
  if ("skip" in mac) return mac;
  const state: Neighbor["state"] =
    type.value === TYPE_STATIC ? "permanent" : mac.value === null ? "incomplete" : "stale";
  return {
    neighbor: {
      ip: formatIpv4(parts.slice(1)),
      mac: mac.value,
      interface: nameForIfIndex(ifNames, ifIndex),
      state,
      bridgePort: null,
    },
  };
}

function readInteger(
  row: TableRow,
  column: number,
  label: string,
): { value: number | null } | { skip: SkippedLine } {
  const cell = row.cells.get(column);
  if (!cell) return { value: null };
  const decoded = decodeInteger(cell.value, label);
  return decoded.ok ? { value: decoded.value } : { skip: skipRow(row, column, decoded.error) };
}

function readMac(
  row: TableRow,
  column: number,
  label: string,
): { value: string | null } | { skip: SkippedLine } {
  const cell = row.cells.get(column);
  if (!cell) return { value: null };
  const decoded = decodePhysAddress(cell.value, label);
  return decoded.ok ? { value: decoded.value } : { skip: skipRow(row, column, decoded.error) };
}

export function walkIpNetToPhysical(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(IP_NET_TO_PHYSICAL_ENTRY, IP_NET_TO_PHYSICAL_COLUMNS));
}

export function walkIpNetToMedia(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(IP_NET_TO_MEDIA_ENTRY, IP_NET_TO_MEDIA_COLUMNS));
}
