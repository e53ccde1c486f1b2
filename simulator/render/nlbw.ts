/**
 * nlbwmon's client output (client.c handle_json / handle_csv) with the default grouping and
 * columns: family, proto, port, mac, ip, conns, rx_bytes, rx_pkts, tx_bytes, tx_pkts, layer7.
 * JSON is one line without a final newline; CSV quotes strings with `"`, separates with a tab,
 * ends every row with a newline and leaves an unnamed layer 7 empty (JSON: null).
 *
 * `-g host` (what the agent asks for) groups by MAC and address only: the client sums the
 * counters of the rows with the same host (database_update), prints the columns it grouped by
 * and the counters in field order (mac, ip, conns, rx_bytes, rx_pkts, tx_bytes, tx_pkts), and
 * sorts by its default order, largest download first (-rx_bytes, -rx_pkts).
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

const HOST_COLUMNS = ["mac", "ip", "conns", "rx_bytes", "rx_pkts", "tx_bytes", "tx_pkts"];

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `nlbw -c json -g host`: one row per MAC and address, summed over families, protocols and ports. */
export function renderNlbwJsonByHost(rows: readonly NlbwRow[]): string {
  const hosts = new Map<string, NlbwRow>();
  for (const r of rows) {
    const key = `${r.mac} ${r.ip}`;
    const host = hosts.get(key);
    if (!host) {
      hosts.set(key, { ...r });
      continue;
    }
    host.conns += r.conns;
    host.rxBytes += r.rxBytes;
    host.rxPackets += r.rxPackets;
    host.txBytes += r.txBytes;
    host.txPackets += r.txPackets;
  }
  const data = [...hosts.values()]
    .sort(
      (a, b) =>
        b.rxBytes - a.rxBytes || b.rxPackets - a.rxPackets || byText(a.mac, b.mac) || byText(a.ip, b.ip),
    )
    .map((h) => JSON.stringify([h.mac, h.ip, h.conns, h.rxBytes, h.rxPackets, h.txBytes, h.txPackets]))
    .join(",");
  return `{"columns":${JSON.stringify(HOST_COLUMNS)},"data":[${data}]}`;
}
