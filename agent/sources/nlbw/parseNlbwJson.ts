/**
 * OpenWrt nlbwmon's `nlbw -c json`: traffic per LAN host for the current accounting period.
 *
 * One line, no final newline: `{"columns":["family","proto","port","mac","ip","conns","rx_bytes",
 * "rx_pkts","tx_bytes","tx_pkts","layer7"],"data":[[4,"TCP",443,"aa:bb:cc:dd:ee:ff","192.168.1.23",
 * 12,1234,10,567,8,"HTTPS"],...]}` (client.c handle_json). Traps:
 * - The columns follow the grouping (`-g`): find them by name. The default groups by family, host
 *   and layer 7, so a device has one row per address family, address and protocol/port; this
 *   parser sums them per MAC (see nlbwDevices.ts for the rx/tx direction).
 * - Traffic on a port the protocol list does not name is stored with protocol 0 and port 0: proto
 *   prints as `IP` (`getprotobynumber(0)`, or `   unspec.` where that fails) and layer7 as `null`.
 * - `mac` is `00:00:00:00:00:00` when the host's neighbour entry was gone: such rows are skipped.
 * - Counters are u64 printed in full; above 2^53 JSON.parse loses precision, so such rows are skipped.
 * - Totals cover the accounting period (monthly by default), not the lease: they fall back to zero
 *   when a new period starts, and a full database evicts entries.
 * - Output cut off mid-way is rejected whole: partial rows would under-count a device's totals.
 */
import { type ParseResult, readJsonObject, type SkippedLine, skippedLine } from "../parseResult.js";
import { groupNlbwRows, type NlbwDeviceTotals, type NlbwRow, REQUIRED_COLUMNS } from "./nlbwDevices.js";

export function parseNlbwJson(text: string): ParseResult<NlbwDeviceTotals> {
  const doc = readJsonObject(text, "an object with columns and data");
  if (!doc.ok) return { records: [], skipped: doc.skipped };
  const skipped: SkippedLine[] = [];
  const { columns, data } = doc.value;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string") || !Array.isArray(data)) {
    skipped.push(skippedLine(0, "expected an object with columns and data", text));
    return { records: [], skipped };
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    skipped.push(skippedLine(0, `missing columns: ${missing.join(", ")}`, text));
    return { records: [], skipped };
  }
  const rows: NlbwRow[] = [];
  // nlbw prints everything on one line; the row number tells which row a skip was.
  const line = text.slice(0, text.indexOf('"data"')).split("\n").length;
  for (let i = 0; i < data.length; i++) {
    const entry: unknown = data[i];
    if (!Array.isArray(entry) || entry.length !== columns.length) {
      const raw = JSON.stringify(entry) ?? "";
      skipped.push(skippedLine(line, `row ${i + 1}: expected ${columns.length} values`, raw));
      continue;
    }
    if (!hasOnlyPlainValues(entry)) {
      const raw = JSON.stringify(entry) ?? "";
      skipped.push(skippedLine(line, `row ${i + 1}: values must be strings, numbers or null`, raw));
      continue;
    }
    rows.push({ line, row: i + 1, raw: null, values: entry as (string | number | null)[] });
  }
  return { records: groupNlbwRows(rows, columns, skipped), skipped };
}

/** Indexed, without a closure per row: without V8's JIT (the agent's --lite-mode) they add up. */
function hasOnlyPlainValues(entry: unknown[]): boolean {
  for (let j = 0; j < entry.length; j++) {
    const v = entry[j];
    if (typeof v !== "string" && typeof v !== "number" && v !== null) return false;
  }
  return true;
}
