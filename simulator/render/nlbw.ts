/**
 * nlbwmon's client output (client.c handle_json / handle_csv) with the default grouping and
 * columns: family, proto, port, mac, ip, conns, rx_bytes, rx_pkts, tx_bytes, tx_pkts, layer7.
 * JSON is one line without a final newline; CSV quotes strings with `"`, separates with a tab,
 * ends every row with a newline and leaves an unnamed layer 7 empty (JSON: null).
 */
import type { NlbwRow } from "../traffic.js";

const COLUMNS = [
  "family",
  "proto",
  "port",
  "mac",
  "ip",
  "conns",
  "rx_bytes",
  "rx_pkts",
  "tx_bytes",
  "tx_pkts",
  "layer7",
];

const values = (r: NlbwRow): (string | number | null)[] => [
  r.family,
  r.proto,
  r.port,
  r.mac,
  r.ip,
  r.conns,
  r.rxBytes,
  r.rxPackets,
  r.txBytes,
  r.txPackets,
  r.layer7,
];

export function renderNlbwJson(rows: readonly NlbwRow[]): string {
  const data = rows
    .map(
      (r) =>
        `[${values(r)
          .map((v) => JSON.stringify(v))
          .join(",")}]`,
    )
    .join(",");
  return `{"columns":${JSON.stringify(COLUMNS)},"data":[${data}]}`;
}

const csvField = (v: string | number | null): string =>
  v === null ? "" : typeof v === "number" ? String(v) : `"${v.replaceAll('"', '""')}"`;

export function renderNlbwCsv(rows: readonly NlbwRow[]): string {
  let out = `${COLUMNS.map(csvField).join("\t")}\n`;
  for (const r of rows) out += `${values(r).map(csvField).join("\t")}\n`;
  return out;
}
