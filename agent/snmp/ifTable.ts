/**
 * IF-MIB interface counters: ifTable (`1.3.6.1.2.1.2.2.1`, 32-bit counters, errors, discards,
 * ifDescr) joined on ifIndex with ifXTable (`1.3.6.1.2.1.31.1.1.1`, ifName and the 64-bit HC
 * counters).
 *
 * Traps: the HC columns are Counter64, which net-snmp hands over as a Buffer of whatever length
 * the agent encoded (snmpd sends the minimal form, net-snmp's own agent 8 bytes); a value above
 * 2^53 - 1 cannot be sent exactly in JSON, so that row is skipped rather than rounded.
 * ifXTable needs v2c/v3 and is optional (RFC 2863 only requires HC counters on interfaces
 * faster than 20 Mb/s), so each counter falls back to its 32-bit ifTable column when the row
 * has no HC column; a 32-bit counter wraps at 2^32 within minutes on a busy gigabit link.
 * Packets are unicast + multicast + broadcast, as the kernel counts them in /proc/net/dev
 * (ifInNUcastPkts stands in for multicast + broadcast when ifXTable has neither).
 * The protocol has no null counters: an error, discard or packet column the agent omits is 0;
 * a row without any octet counter is skipped.
 * ifName is preferred over ifDescr as the name (ifDescr is often a product description).
 */
import type { InterfaceCounters } from "../../protocol/index.js";
import type { ParseResult, SkippedLine } from "../sources/parseResult.js";
import { attempt, type FetchOutcome, type SnmpClient } from "./snmpClient.js";
import {
  type Decoded,
  decodeCounter64,
  decodeText,
  decodeUnsigned32,
  indexParts,
  skipRow,
  type TableRow,
  tableRows,
  type Varbinds,
} from "./varbinds.js";

export const IF_ENTRY = "1.3.6.1.2.1.2.2.1";
export const IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1";

const IF = {
  ifDescr: 2,
  ifInOctets: 10,
  ifInUcastPkts: 11,
  ifInNUcastPkts: 12,
  ifInDiscards: 13,
  ifInErrors: 14,
  ifOutOctets: 16,
  ifOutUcastPkts: 17,
  ifOutNUcastPkts: 18,
  ifOutDiscards: 19,
  ifOutErrors: 20,
} as const;

const IFX = {
  ifName: 1,
  ifInMulticastPkts: 2,
  ifInBroadcastPkts: 3,
  ifOutMulticastPkts: 4,
  ifOutBroadcastPkts: 5,
  ifHCInOctets: 6,
  ifHCInUcastPkts: 7,
  ifHCInMulticastPkts: 8,
  ifHCInBroadcastPkts: 9,
  ifHCOutOctets: 10,
  ifHCOutUcastPkts: 11,
  ifHCOutMulticastPkts: 12,
  ifHCOutBroadcastPkts: 13,
} as const;

export const IF_TABLE_COLUMNS: readonly number[] = Object.values(IF);
export const IFX_TABLE_COLUMNS: readonly number[] = Object.values(IFX);

export interface IfTableResult extends ParseResult<InterfaceCounters> {
  /** ifIndex → interface name, for every row that has one (also rows skipped for bad counters). */
  names: Map<number, string>;
}

export function parseIfTable(ifTable: Varbinds, ifXTable: Varbinds): IfTableResult {
  const base = tableRows(ifTable, IF_ENTRY);
  const ext = tableRows(ifXTable, IFX_ENTRY);
  const skipped: SkippedLine[] = [...base.skipped, ...ext.skipped];
  const records: InterfaceCounters[] = [];
  const names = new Map<number, string>();

  const joined = new Map<string, { main?: TableRow; x?: TableRow }>();
  for (const row of base.rows) joined.set(row.index, { main: row });
  for (const row of ext.rows) {
    const entry = joined.get(row.index);
    if (entry) entry.x = row;
    else joined.set(row.index, { x: row });
  }

  for (const [index, { main, x }] of joined) {
    const first = (main ?? x) as TableRow;
    const parts = indexParts(index);
    const ifIndex = parts?.length === 1 ? parts[0] : undefined;
    if (ifIndex === undefined || ifIndex < 1 || ifIndex > 0x7fffffff) {
      skipped.push(skipRow(first, null, "ifIndex is not a single integer between 1 and 2^31-1"));
      continue;
    }
    const name = interfaceName(main, x);
    if (name === null) {
      skipped.push(skipRow(first, null, "no ifName or ifDescr"));
      continue;
    }
    names.set(ifIndex, name);

    // Every cell is decoded before the record is built; the first failure skips the row, so
    // a malformed HC value is never silently replaced by its 32-bit fallback.
    let failure: { row: TableRow; column: number; error: string } | null = null;
    const read = (row: TableRow | undefined, column: number, decode: (v: unknown) => Decoded<number>) => {
      const cell = row?.cells.get(column);
      if (!row || !cell) return undefined;
      const decoded = decode(cell.value);
      if (decoded.ok) return decoded.value;
      failure ??= { row, column, error: decoded.error };
      return undefined;
    };
    // Each cell by its MIB name: the column comes from IF/IFX, the name labels a decoding error.
    const c32 = (name: keyof typeof IF) => read(main, IF[name], (v) => decodeUnsigned32(v, name));
    const x32 = (name: keyof typeof IFX) => read(x, IFX[name], (v) => decodeUnsigned32(v, name));
    const hc = (name: keyof typeof IFX) => read(x, IFX[name], (v) => decodeCounter64(v, name));
    /** Multicast + broadcast from ifXTable (HC first) where it has them, else ifTable's NUcast. */
    const nonUnicast = (dir: "In" | "Out") => {
      const multicast = [`ifHC${dir}MulticastPkts`, `if${dir}MulticastPkts`] as const;
      const broadcast = [`ifHC${dir}BroadcastPkts`, `if${dir}BroadcastPkts`] as const;
      if (![...multicast, ...broadcast].some((n) => x?.cells.has(IFX[n]) === true)) {
        return c32(`if${dir}NUcastPkts`) ?? 0;
      }
      return (hc(multicast[0]) ?? x32(multicast[1]) ?? 0) + (hc(broadcast[0]) ?? x32(broadcast[1]) ?? 0);
    };

    const rxBytes = hc("ifHCInOctets") ?? c32("ifInOctets");
    const txBytes = hc("ifHCOutOctets") ?? c32("ifOutOctets");
    const rxUnicast = hc("ifHCInUcastPkts") ?? c32("ifInUcastPkts") ?? 0;
    const txUnicast = hc("ifHCOutUcastPkts") ?? c32("ifOutUcastPkts") ?? 0;
    const rxOther = nonUnicast("In");
    const txOther = nonUnicast("Out");
    const rxErrors = c32("ifInErrors") ?? 0;
    const txErrors = c32("ifOutErrors") ?? 0;
    const rxDropped = c32("ifInDiscards") ?? 0;
    const txDropped = c32("ifOutDiscards") ?? 0;

    const failed = failure as { row: TableRow; column: number; error: string } | null;
    if (failed) {
      skipped.push(skipRow(failed.row, failed.column, failed.error));
      continue;
    }
    if (rxBytes === undefined || txBytes === undefined) {
      skipped.push(skipRow(first, null, "no ifInOctets/ifHCInOctets or ifOutOctets/ifHCOutOctets"));
      continue;
    }
    const rxPackets = rxUnicast + rxOther;
    const txPackets = txUnicast + txOther;
    if (!Number.isSafeInteger(rxPackets) || !Number.isSafeInteger(txPackets)) {
      skipped.push(skipRow(first, null, "packet counters add up to more than 2^53 - 1"));
      continue;
    }
    records.push({ name, rxBytes, txBytes, rxPackets, txPackets, rxErrors, txErrors, rxDropped, txDropped });
  }
  return { records, skipped, names };
}

function interfaceName(main: TableRow | undefined, x: TableRow | undefined): string | null {
  for (const cell of [x?.cells.get(IFX.ifName), main?.cells.get(IF.ifDescr)]) {
    if (!cell) continue;
    const text = decodeText(cell.value, "name");
    if (text.ok && text.value.trim() !== "") return text.value;
  }
  return null;
}

/** Name for an ifIndex the ifTable did not describe (it failed, or the agent is inconsistent). */
export function nameForIfIndex(names: ReadonlyMap<number, string>, ifIndex: number): string {
  return names.get(ifIndex) ?? `ifIndex.${ifIndex}`;
}

export function walkIfTable(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(IF_ENTRY, IF_TABLE_COLUMNS));
}

export function walkIfXTable(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.walkColumns(IFX_ENTRY, IFX_TABLE_COLUMNS));
}
