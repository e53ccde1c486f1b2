/**
 * Shared decoding for the SNMP table parsers. Input is what net-snmp hands back: a map from
 * instance OID (dotted, no leading dot) to value, where OCTET STRINGs and Counter64s are
 * Buffers (a Counter64 in as few bytes as the agent chose, with a leading zero byte when the
 * top bit is set), TimeTicks/Counter32/Gauge32/Integer are numbers, and OIDs are strings.
 * Nothing here throws on agent data: a value of the wrong kind comes back as an error string.
 *
 * A skipped row is reported with `line` = its 1-based position among the table's rows in
 * walk order and `text` = the OID and value at fault.
 */

import { ipv6FromGroups } from "../../common/ipv6Text.js";
import { bytesToMac, MAX_STRING_LENGTH } from "../../protocol/index.js";
import { type SkippedLine, skippedLine } from "../sources/parseResult.js";

export type Varbinds = ReadonlyMap<string, unknown>;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const fail = <T>(error: string): Decoded<T> => ({ ok: false, error });

export function isUnderOid(oid: string, base: string): boolean {
  return oid.startsWith(`${base}.`);
}

/** Lexicographic order of OIDs by numeric sub-identifier, as SNMP walks them. */
export function compareOids(a: string, b: string): number {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export interface Cell {
  oid: string;
  value: unknown;
}

export interface TableRow {
  /** The instance part of the OID after the column number, e.g. `4.1.4.192.0.2.1`. */
  index: string;
  /** 1-based position of the row in walk order. */
  position: number;
  cells: Map<number, Cell>;
}

/**
 * Groups `<entryOid>.<column>.<index>` varbinds into rows keyed by index, in the order each
 * index first appears. OIDs outside the entry are ignored (a walk may run past its table).
 */
export function tableRows(
  varbinds: Varbinds,
  entryOid: string,
): { rows: TableRow[]; skipped: SkippedLine[] } {
  const byIndex = new Map<string, TableRow>();
  const skipped: SkippedLine[] = [];
  for (const [rawOid, value] of varbinds) {
    const oid = rawOid.startsWith(".") ? rawOid.slice(1) : rawOid;
    if (!isUnderOid(oid, entryOid)) continue;
    const rest = oid.slice(entryOid.length + 1);
    const dot = rest.indexOf(".");
    const column = Number(dot < 0 ? rest : rest.slice(0, dot));
    const index = dot < 0 ? "" : rest.slice(dot + 1);
    if (!Number.isInteger(column) || column < 1 || !/^\d+(\.\d+)*$/.test(index)) {
      skipped.push(skippedLine(0, "OID has no column and row index", describeVarbind(oid, value)));
      continue;
    }
    let row = byIndex.get(index);
    if (!row) {
      row = { index, position: byIndex.size + 1, cells: new Map() };
      byIndex.set(index, row);
    }
    row.cells.set(column, { oid, value });
  }
  return { rows: [...byIndex.values()], skipped };
}

/** The row's index as numbers, each a valid OID sub-identifier (0..2^32-1). */
export function indexParts(index: string): number[] | null {
  const parts = index.split(".").map(Number);
  return parts.every((p) => Number.isSafeInteger(p) && p >= 0 && p <= 0xffffffff) ? parts : null;
}

export function describeVarbind(oid: string, value: unknown): string {
  let shown: string;
  if (Buffer.isBuffer(value)) shown = `0x${value.toString("hex")}`;
  else if (typeof value === "string") shown = JSON.stringify(value);
  else shown = String(value);
  return `${oid} = ${shown}`;
}

export function skipRow(row: TableRow, column: number | null, reason: string): SkippedLine {
  const cell = column === null ? undefined : row.cells.get(column);
  const first = row.cells.values().next().value as Cell | undefined;
  const shown = cell ?? first;
  return skippedLine(
    row.position,
    reason,
    shown ? describeVarbind(shown.oid, shown.value) : `index ${row.index}`,
  );
}

const TWO_POW_32 = 0x1_0000_0000;
const MAX_UINT64 = (1n << 64n) - 1n;

/** Counter32, Gauge32, TimeTicks, Unsigned32. */
export function decodeUnsigned32(value: unknown, name: string): Decoded<number> {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < TWO_POW_32)
    return ok(value);
  return fail(`${name} is not an unsigned 32-bit integer`);
}

export function decodeInteger(value: unknown, name: string): Decoded<number> {
  if (typeof value === "number" && Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff)
    return ok(value);
  return fail(`${name} is not an INTEGER`);
}

/**
 * Counter64 as a number. net-snmp passes the BER content bytes through unchanged: 1 to 8 bytes
 * big-endian, 9 when the agent added the sign byte. Values above 2^53 - 1 cannot travel in
 * the JSON protocol exactly and are reported as an error rather than rounded. A plain number
 * is accepted too: some agents answer a Counter32 in the HC columns.
 */
export function decodeCounter64(value: unknown, name: string): Decoded<number> {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? ok(value) : fail(`${name} is not a Counter64`);
  }
  if (!Buffer.isBuffer(value) || value.length === 0 || value.length > 9) {
    return fail(`${name} is not a Counter64 (expected 1 to 9 bytes)`);
  }
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  if (n > MAX_UINT64) return fail(`${name} does not fit in 64 bits`);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`${name} exceeds 2^53 - 1 and cannot be sent exactly`);
  return ok(Number(n));
}

/**
 * DisplayString/SnmpAdminString as text. Some agents NUL-terminate; the rest is read as UTF-8
 * (SnmpAdminString's encoding, and a superset of DisplayString's ASCII).
 */
export function decodeText(value: unknown, name: string, max = MAX_STRING_LENGTH): Decoded<string> {
  let text: string;
  if (Buffer.isBuffer(value)) text = value.toString("utf8");
  else if (typeof value === "string") text = value;
  else return fail(`${name} is not an OCTET STRING`);
  text = text.replace(/\0+$/, "");
  if (text.length > max) return fail(`${name} is longer than ${max} characters`);
  return ok(text);
}

/** PhysAddress/MacAddress: empty (unresolved) and all-zero addresses are null. */
export function decodePhysAddress(value: unknown, name: string): Decoded<string | null> {
  if (!Buffer.isBuffer(value)) return fail(`${name} is not an OCTET STRING`);
  if (value.length > 20) return fail(`${name} is longer than 20 octets`);
  if (value.length === 0 || value.every((b) => b === 0)) return ok(null);
  return ok(bytesToMac(value));
}

export function formatIpv4(bytes: readonly number[]): string {
  return bytes.join(".");
}

/** RFC 5952 text form of 16 address bytes (common/ipv6Text.ts). */
export function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return ipv6FromGroups(groups);
}
