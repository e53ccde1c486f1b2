/**
 * What both nlbw output formats become: one total per LAN device (MAC), summed over the rows
 * nlbw prints per address family, host address and protocol/port.
 *
 * Direction, from nlbwmon's nfnetlink.c: for a flow opened by the LAN host, `in_bytes` (printed as
 * `rx_bytes`) is the conntrack reply direction and `out_bytes` (`tx_bytes`) the original
 * direction; for a flow opened from outside it is the other way round. So rx is what the LAN host
 * received (download) and tx what it sent (upload), whoever opened the connection; the `show`
 * command labels them "Downld." and "Upload". `conns` counts connections started in the period.
 */
import { normalizeMac } from "../../../protocol/index.js";
import { ipFamily } from "../ipFamily.js";
import { type SkippedLine, skippedLine } from "../parseResult.js";

/** Per-device totals for nlbwmon's current accounting period (not since boot, not since the lease). */
export interface NlbwDeviceTotals {
  mac: string;
  /** Addresses the device used in the period, in first-seen order (IPv6 in lower case). */
  ips: string[];
  /** Bytes received by the device (download). */
  rxBytes: number;
  /** Bytes sent by the device (upload). */
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  /** Connections started in the period. */
  connections: number;
}

/** One data row of either format: its values in column order. */
export interface NlbwRow {
  line: number;
  /** Row number for skip reasons where the line alone does not say which row (`row 3: `), or null. */
  row: number | null;
  /**
   * The row as printed, for a skipped-line report; null for a JSON row, which is printed from its
   * values only when one is reported (hundreds of rows a cycle).
   */
  raw: string | null;
  values: readonly (string | number | null)[];
}

/** Columns without which a row cannot be a device total (nlbw always prints them unless `-g` drops `mac`). */
export const REQUIRED_COLUMNS = ["mac", "conns", "rx_bytes", "rx_pkts", "tx_bytes", "tx_pkts"] as const;

const ZERO_MAC = "00:00:00:00:00:00";

function counter(value: string | number | null | undefined): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === "string" && /^\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

function text(value: string | number | null | undefined): string | null {
  if (typeof value === "string") {
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  }
  if (typeof value === "number") return String(value);
  return null;
}

/** `columns`: the names of the rows' values, in order (nlbw's grouping decides which there are). */
export function groupNlbwRows(
  rows: NlbwRow[],
  columns: readonly string[],
  skipped: SkippedLine[],
): NlbwDeviceTotals[] {
  // The last of a repeated name, as a map by name kept it.
  const column = (name: string): number => columns.lastIndexOf(name);
  const macAt = column("mac");
  const connsAt = column("conns");
  const rxBytesAt = column("rx_bytes");
  const rxPacketsAt = column("rx_pkts");
  const txBytesAt = column("tx_bytes");
  const txPacketsAt = column("tx_pkts");
  const ipAt = column("ip");
  const portAt = column("port");
  // A missing column reads as undefined, as a name missing from a map did. Indexed without a
  // helper call: without V8's JIT (the agent's --lite-mode) calls per value add up.
  const skip = (row: NlbwRow, reason: string): void => {
    const label = row.row === null ? "" : `row ${row.row}: `;
    skipped.push(skippedLine(row.line, `${label}${reason}`, row.raw ?? JSON.stringify(row.values) ?? ""));
  };
  const devices = new Map<string, NlbwDeviceTotals>();
  for (const row of rows) {
    const values = row.values;
    const macText = text(macAt < 0 ? undefined : values[macAt]);
    const mac = macText ? normalizeMac(macText) : null;
    // Six octets in the wire form, and only then, are 17 characters.
    if (mac === null || mac.length !== 17) {
      skip(row, "mac is not a hardware address");
      continue;
    }
    if (mac === ZERO_MAC) {
      // nlbwmon stores an all-zero MAC when the host had no neighbour entry when its traffic was
      // counted: real traffic, but not attributable to a device.
      skip(row, "no MAC (nlbwmon could not resolve the host's neighbour entry)");
      continue;
    }
    const conns = counter(connsAt < 0 ? undefined : values[connsAt]);
    const rxBytes = counter(rxBytesAt < 0 ? undefined : values[rxBytesAt]);
    const rxPackets = counter(rxPacketsAt < 0 ? undefined : values[rxPacketsAt]);
    const txBytes = counter(txBytesAt < 0 ? undefined : values[txBytesAt]);
    const txPackets = counter(txPacketsAt < 0 ? undefined : values[txPacketsAt]);
    if (conns === null || rxBytes === null || rxPackets === null || txBytes === null || txPackets === null) {
      skip(row, "a counter is not a whole number below 2^53");
      continue;
    }
    const ipText = text(ipAt < 0 ? undefined : values[ipAt]);
    if (ipText !== null && ipFamily(ipText) === 0) {
      skip(row, "ip is not an IP address");
      continue;
    }
    // The port is not summed by, but a row whose port is garbage is a damaged row.
    const portValue = portAt < 0 ? undefined : values[portAt];
    const port = portValue === undefined ? null : counter(portValue);
    if (portValue !== undefined && (port === null || port > 65535)) {
      skip(row, "port is not a port number");
      continue;
    }
    let device = devices.get(mac);
    if (!device) {
      device = { mac, ips: [], rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, connections: 0 };
      devices.set(mac, device);
    }
    if (ipText !== null) {
      const ip = ipText.toLowerCase();
      if (!device.ips.includes(ip)) device.ips.push(ip);
    }
    device.rxBytes += rxBytes;
    device.txBytes += txBytes;
    device.rxPackets += rxPackets;
    device.txPackets += txPackets;
    device.connections += conns;
  }
  return [...devices.values()];
}
