/**
 * The support questions, answered from one read transaction each: a gateway's router details,
 * its devices now, a device's history this lease, interface bandwidth and events. Every list is
 * bounded (keyset pages) so a reader never holds a snapshot of the database for long, which
 * would keep the writer's WAL checkpoint from completing. Times are collector clock, ISO-8601.
 */
import { isLocallyAdministered } from "../../protocol/index.js";
import { vendorOf } from "../enrich/ouiVendor.js";
import { type Db, statement } from "./openDatabase.js";
import { type GatewaySummary, listGateways } from "./queries.js";

/** Rows per page at most: a page is read in well under a millisecond. */
export const MAX_PAGE = 1000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface Page {
  limit?: number;
  /** Collector clock, ms: only rows at or after this time. */
  since?: number;
}

const limitOf = (page: Page): number => Math.min(Math.max(page.limit ?? MAX_PAGE, 1), MAX_PAGE);

export interface GatewayDetail extends GatewaySummary {
  clockOffsetMs: number | null;
  radios: Array<Record<string, unknown>>;
  interfaces: Array<Record<string, unknown>>;
}

export function gatewayDetail(db: Db, gatewayId: string): GatewayDetail | null {
  return db.transaction(() => {
    const summary = listGateways(db, { gatewayId })[0];
    if (!summary) return null;
    const offset = db
      .prepare<[string], { clock_offset_ms: number | null }>(
        "SELECT clock_offset_ms FROM gateways WHERE gateway_id = ?",
      )
      .get(gatewayId);
    const radios = db
      .prepare<[string], Record<string, number | string | null>>(
        `SELECT interface, phy, type, ssid, mac, frequency_mhz, channel, channel_width_mhz, tx_power_dbm, noise_dbm,
           utilisation, updated_at FROM radios WHERE gateway_id = ? ORDER BY interface`,
      )
      .all(gatewayId)
      .map((r) => ({
        interface: r.interface,
        phy: r.phy,
        type: r.type,
        ssid: r.ssid,
        mac: r.mac,
        frequencyMhz: r.frequency_mhz,
        channel: r.channel,
        channelWidthMhz: r.channel_width_mhz,
        txPowerDbm: r.tx_power_dbm,
        noiseDbm: r.noise_dbm,
        utilisation: r.utilisation,
        updatedAt: iso(r.updated_at as number),
      }));
    const interfaces = db
      .prepare<[string], Record<string, number | string | null>>(
        `SELECT name, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped, rx_rate, tx_rate, updated_at
         FROM interfaces WHERE gateway_id = ? ORDER BY name`,
      )
      .all(gatewayId)
      .map((r) => ({
        name: r.name,
        rxBytes: r.rx_bytes,
        txBytes: r.tx_bytes,
        rxErrors: r.rx_errors,
        txErrors: r.tx_errors,
        rxDropped: r.rx_dropped,
        txDropped: r.tx_dropped,
        rxBytesPerSecond: r.rx_rate,
        txBytesPerSecond: r.tx_rate,
        updatedAt: iso(r.updated_at as number),
      }));
    return { ...summary, clockOffsetMs: offset?.clock_offset_ms ?? null, radios, interfaces };
  })();
}

export interface DeviceDetail {
  mac: string;
  vendor: string | null;
  randomized: boolean;
  /** The device's main address: its first IPv4 address if it has one. */
  ip: string | null;
  ips: string[];
  hostname: string | null;
  hasLease: boolean;
  /** Lease expiry, collector clock, ISO-8601 UTC; null without a lease or for a lease that never expires. */
  expiresAt: string | null;
  /** In the latest snapshot (a device that left silently keeps its lease until it expires). */
  present: boolean;
  connection: string;
  interface: string | null;
  band: string | null;
  bridgePort: string | null;
  signalDbm: number | null;
  /** As the access point counts: rx = from the device. */
  rxBytesPerSecond: number | null;
  txBytesPerSecond: number | null;
  rxBytesThisLease: number;
  txBytesThisLease: number;
  firstSeen: string;
  updatedAt: string;
}

/** A devices row as an array (`raw`): a page of rows is read per API request, and arrays cost far less to build than objects. */
type DeviceRow = [
  mac: string,
  ips: string,
  hostname: string | null,
  hasLease: number,
  present: number,
  connection: string,
  iface: string | null,
  band: string | null,
  bridgePort: string | null,
  signalDbm: number | null,
  rxRate: number | null,
  txRate: number | null,
  leaseRxBytes: number,
  leaseTxBytes: number,
  firstSeenAt: number,
  updatedAt: number,
  expiresAt: number | null,
];

// Columns in DeviceRow's order. `INDEXED BY`: without statistics the planner looks each device's
// lease up through the lease primary key (gateway_id, ip), reading all the gateway's leases per
// device (quadratic in devices); leases_by_mac finds them directly. A missing index then fails
// loudly, not slowly.
const DEVICES_SQL = `SELECT d.mac, d.ips, d.hostname, d.has_lease, d.present, d.connection, d.interface, d.band,
    d.bridge_port, d.signal_dbm, d.rx_rate, d.tx_rate, d.lease_rx_bytes, d.lease_tx_bytes, d.first_seen_at,
    d.updated_at,
    (SELECT min(l.expires_at) FROM leases l INDEXED BY leases_by_mac
      WHERE l.gateway_id = d.gateway_id AND l.mac = d.mac) AS expires_at
  FROM devices d WHERE d.gateway_id = ? AND d.mac > ? ORDER BY d.mac LIMIT ?`;

/** The devices of a gateway, by MAC; `after` continues from the last MAC of the previous page. */
export function devicesOf(db: Db, gatewayId: string, page: Page & { after?: string } = {}): DeviceDetail[] {
  const rows = statement<[string, string, number], DeviceRow>(db, DEVICES_SQL)
    .raw(true)
    .all(gatewayId, page.after ?? "", limitOf(page));
  return rows.map(
    ([
      mac,
      ipsJson,
      hostname,
      hasLease,
      present,
      connection,
      iface,
      band,
      bridgePort,
      signalDbm,
      rxRate,
      txRate,
      leaseRxBytes,
      leaseTxBytes,
      firstSeenAt,
      updatedAt,
      expiresAt,
    ]) => {
      const ips = JSON.parse(ipsJson) as string[];
      return {
        mac,
        vendor: vendorOf(mac),
        randomized: isLocallyAdministered(mac),
        ip: ips.find((a) => !a.includes(":")) ?? ips[0] ?? null,
        ips,
        hostname,
        hasLease: hasLease === 1,
        expiresAt: iso(expiresAt),
        present: present === 1,
        connection,
        interface: iface,
        band,
        bridgePort,
        signalDbm,
        rxBytesPerSecond: rxRate,
        txBytesPerSecond: txRate,
        rxBytesThisLease: leaseRxBytes,
        txBytesThisLease: leaseTxBytes,
        firstSeen: iso(firstSeenAt) as string,
        updatedAt: iso(updatedAt) as string,
      };
    },
  );
}

export interface Sample {
  at: string;
  [field: string]: number | string | null;
}

function samples(rows: Array<Record<string, number | string | null>>): Sample[] {
  return rows.map(({ at, rx_rate, tx_rate, rx_bytes, tx_bytes, signal_dbm, name }) => ({
    at: iso(at as number) as string,
    ...(name !== undefined ? { interface: name } : {}),
    ...(signal_dbm !== undefined ? { signalDbm: signal_dbm } : {}),
    rxBytes: rx_bytes ?? null,
    txBytes: tx_bytes ?? null,
    rxBytesPerSecond: rx_rate ?? null,
    txBytesPerSecond: tx_rate ?? null,
  }));
}

/** Signal and traffic samples of the device's current lease, oldest first. */
export function deviceHistory(db: Db, gatewayId: string, mac: string, page: Page = {}): Sample[] {
  return samples(
    db
      .prepare<[string, string, number, number], Record<string, number | null>>(
        `SELECT at, signal_dbm, rx_bytes, tx_bytes, rx_rate, tx_rate FROM device_samples
         WHERE gateway_id = ? AND mac = ? AND at >= ? ORDER BY at LIMIT ?`,
      )
      .all(gatewayId, mac, page.since ?? 0, limitOf(page)),
  );
}

/** Interface bandwidth samples (router data), oldest first. */
export function bandwidth(db: Db, gatewayId: string, page: Page = {}): Sample[] {
  return samples(
    db
      .prepare<[string, number, number], Record<string, number | string | null>>(
        `SELECT at, name, rx_bytes, tx_bytes, rx_rate, tx_rate FROM interface_samples
         WHERE gateway_id = ? AND at >= ? ORDER BY at, name LIMIT ?`,
      )
      .all(gatewayId, page.since ?? 0, limitOf(page)),
  );
}

export interface EventRow {
  at: string;
  type: string;
  /** Null once the device's lease ended: the event stays, the identity goes. */
  mac: string | null;
  ip: string | null;
  hostname: string | null;
}

export function gatewayEvents(db: Db, gatewayId: string, page: Page = {}): EventRow[] {
  return db
    .prepare<
      [string, number, number],
      { at: number; type: string; mac: string | null; ip: string | null; hostname: string | null }
    >(
      `SELECT at, type, mac, ip, hostname FROM events WHERE gateway_id = ? AND at >= ?
       ORDER BY at, event_id LIMIT ?`,
    )
    .all(gatewayId, page.since ?? 0, limitOf(page))
    .map((r) => ({ ...r, at: iso(r.at) as string }));
}
