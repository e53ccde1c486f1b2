/**
 * What both nlbw output formats become: one total per LAN device (MAC), summed over the rows
 * nlbw prints per address family, host address and protocol/port, with a bounded per-service
 * breakdown ("what it uses on any port").
 *
 * Direction, from nlbwmon's nfnetlink.c: for a flow opened by the LAN host, `in_bytes` (printed as
 * `rx_bytes`) is the conntrack reply direction and `out_bytes` (`tx_bytes`) the original
 * direction; for a flow opened from outside it is the other way round. So rx is what the LAN host
 * received (download) and tx what it sent (upload), whoever opened the connection; the `show`
 * command labels them "Downld." and "Upload". `conns` counts connections started in the period.
 */
import { isIP } from "node:net";
import { normalizeMac } from "../../../protocol/index.js";
import { type SkippedLine, skippedLine } from "../parseResult.js";

/** A service (protocol and port) a device used, summed over its addresses. */
export interface NlbwService {
  /** nlbw's protocol name (`TCP`, `UDP`, `ICMP`, `IPV6-ICMP`, ...); null for the overflow bucket. */
  proto: string | null;
  /** Destination port; 0 for traffic nlbw's protocol list does not name, null for the overflow bucket. */
  port: number | null;
  /** nlbw's layer-7 name (`HTTPS`, `QUIC`, `DNS`, ...); null when unnamed or for the overflow bucket. */
  layer7: string | null;
  rxBytes: number;
  txBytes: number;
  connections: number;
}

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
  /** Largest services first; at most MAX_SERVICES_PER_DEVICE, the rest folded into one bucket with nulls. */
  services: NlbwService[];
}

/** One data row of either format, by column name. */
export interface NlbwRow {
  line: number;
  /** Prefix for skip reasons where the line alone does not say which row (`row 3: `), or "". */
  label: string;
  raw: string;
  values: Map<string, string | number | null>;
}

/** Services kept per device: the breakdown is for "what does it use", not a flow log; the rest is summed. */
export const MAX_SERVICES_PER_DEVICE = 16;

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
  if (typeof value === "string") return value.trim() === "" ? null : value.trim();
  if (typeof value === "number") return String(value);
  return null;
}

export function groupNlbwRows(rows: NlbwRow[], skipped: SkippedLine[]): NlbwDeviceTotals[] {
  const devices = new Map<string, NlbwDeviceTotals & { byService: Map<string, NlbwService> }>();
  for (const row of rows) {
    const skip = (reason: string): void => {
      skipped.push(skippedLine(row.line, `${row.label}${reason}`, row.raw));
    };
    const macText = text(row.values.get("mac"));
    const mac = macText ? normalizeMac(macText) : null;
    if (mac?.split(":").length !== 6) {
      skip("mac is not a hardware address");
      continue;
    }
    if (mac === ZERO_MAC) {
      // nlbwmon stores an all-zero MAC when the host had no neighbour entry when its traffic was
      // counted: real traffic, but not attributable to a device.
      skip("no MAC (nlbwmon could not resolve the host's neighbour entry)");
      continue;
    }
    const conns = counter(row.values.get("conns"));
    const rxBytes = counter(row.values.get("rx_bytes"));
    const rxPackets = counter(row.values.get("rx_pkts"));
    const txBytes = counter(row.values.get("tx_bytes"));
    const txPackets = counter(row.values.get("tx_pkts"));
    if (conns === null || rxBytes === null || rxPackets === null || txBytes === null || txPackets === null) {
      skip("a counter is not a whole number below 2^53");
      continue;
    }
    const ipText = text(row.values.get("ip"));
    if (ipText !== null && isIP(ipText) === 0) {
      skip("ip is not an IP address");
      continue;
    }
    const portValue = row.values.get("port");
    const port = portValue === undefined ? null : counter(portValue);
    if (portValue !== undefined && (port === null || port > 65535)) {
      skip("port is not a port number");
      continue;
    }
    let device = devices.get(mac);
    if (!device) {
      device = {
        mac,
        ips: [],
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
        connections: 0,
        services: [],
        byService: new Map(),
      };
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
    const proto = text(row.values.get("proto"));
    const layer7 = text(row.values.get("layer7"));
    // The same service appears once per address family and host address: fold them.
    const key = `${proto}\u0000${port}\u0000${layer7}`;
    let service = device.byService.get(key);
    if (!service) {
      service = { proto, port, layer7, rxBytes: 0, txBytes: 0, connections: 0 };
      device.byService.set(key, service);
    }
    service.rxBytes += rxBytes;
    service.txBytes += txBytes;
    service.connections += conns;
  }
  const result: NlbwDeviceTotals[] = [];
  for (const { byService, ...device } of devices.values()) {
    const services = [...byService.values()].sort(
      (a, b) => b.rxBytes + b.txBytes - (a.rxBytes + a.txBytes) || b.connections - a.connections,
    );
    if (services.length > MAX_SERVICES_PER_DEVICE) {
      const rest = services.splice(MAX_SERVICES_PER_DEVICE - 1);
      services.push({
        proto: null,
        port: null,
        layer7: null,
        rxBytes: rest.reduce((n, s) => n + s.rxBytes, 0),
        txBytes: rest.reduce((n, s) => n + s.txBytes, 0),
        connections: rest.reduce((n, s) => n + s.connections, 0),
      });
    }
    result.push({ ...device, services });
  }
  return result;
}
