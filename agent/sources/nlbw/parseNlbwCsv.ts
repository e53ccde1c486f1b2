/**
 * OpenWrt nlbwmon's `nlbw -c csv`: the same table as `-c json`, one row per line.
 *
 * client.c handle_csv: a header of quoted column names, then rows; fields separated by a tab,
 * strings (proto, mac, ip, layer7) quoted with `"` and an embedded quote doubled, numbers bare:
 * `"family"\t"proto"\t"port"\t"mac"\t"ip"\t"conns"\t"rx_bytes"\t"rx_pkts"\t"tx_bytes"\t"tx_pkts"\t"layer7"`
 * then `4\t"TCP"\t443\t"aa:bb:cc:dd:ee:ff"\t"192.168.1.23"\t12\t1234\t10\t567\t8\t"HTTPS"`. Traps:
 * - `-s`, `-q` and `-e` change the separator, quote and escape (or drop them): the separator is
 *   read from the header, quotes are optional.
 * - An unnamed layer 7 prints nothing at all (an empty field, not `""`), and proto 0 prints `IP`.
 * - Columns follow the grouping (`-g`), so they are found by name; totals are summed per MAC
 *   (see nlbwDevices.ts for the direction and the accounting period).
 * - Every row ends with a newline: an unterminated last line means the output was cut off, and the
 *   whole table is rejected rather than under-counting a device.
 */
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";
import { groupNlbwRows, type NlbwDeviceTotals, type NlbwRow, REQUIRED_COLUMNS } from "./nlbwDevices.js";

/** The header starts with a (possibly quoted) column name followed by the separator. */
const HEADER = /^("?)([a-z0-9_]+)\1([^a-z0-9_"])/;

function unquote(field: string, quote: string): string {
  if (quote !== "" && field.length >= 2 && field.startsWith(quote) && field.endsWith(quote)) {
    return field.slice(1, -1).replaceAll(quote + quote, quote);
  }
  return field;
}

export function parseNlbwCsv(text: string): ParseResult<NlbwDeviceTotals> {
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  if (lines.length === 0) return { records: [], skipped };
  if (!text.endsWith("\n")) {
    skipped.push(
      skippedLine(lines.length, "unterminated last line (output was cut off)", lines.at(-1) ?? ""),
    );
    return { records: [], skipped };
  }
  const header = lines[0] as string;
  const match = HEADER.exec(header);
  if (!match) {
    skipped.push(skippedLine(1, "first line is not nlbw's header of column names", header));
    return { records: [], skipped };
  }
  const quote = match[1] as string;
  const separator = match[3] as string;
  const columns = header.split(separator).map((f) => unquote(f, quote));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    skipped.push(skippedLine(1, `missing columns: ${missing.join(", ")}`, header));
    return { records: [], skipped };
  }
  const rows: NlbwRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "") continue;
    const fields = raw.split(separator);
    if (fields.length !== columns.length) {
      skipped.push(skippedLine(i + 1, `expected ${columns.length} fields, found ${fields.length}`, raw));
      continue;
    }
    const values = fields.map((field) => (field === "" ? null : unquote(field, quote)));
    rows.push({ line: i + 1, row: null, raw, values });
  }
  return { records: groupNlbwRows(rows, columns, skipped), skipped };
}
