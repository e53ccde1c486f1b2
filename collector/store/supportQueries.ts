/**
 * The support questions, answered from one read transaction each: a gateway's router details
 * (identity, line quality, agent health, speed tests), its devices now (type, traffic), a device's
 * history this lease, interface bandwidth and events. Every list is
 * bounded (keyset pages) so a reader never holds a snapshot of the database for long, which
 * would keep the writer's WAL checkpoint from completing. Times are collector clock, ISO-8601.
 */
import { ipv4Number } from "../../common/ipv4Number.js";
import {
  type DhcpPool,
  isLocallyAdministered,
  type LineQuality,
  type RouterInfo,
} from "../../protocol/index.js";
import { vendorOf } from "../enrich/ouiVendor.js";
import { isoTime } from "./isoTime.js";
import { type Db, statement } from "./openDatabase.js";
import { type GatewaySummary, listGateways } from "./queries.js";
import { latestSpeedTests, type SpeedTestDetail, speedTestDetail } from "./speedTestState.js";

/** Rows per page at most: a page is read in well under a millisecond. */
export const MAX_PAGE = 1000;

export interface Page {
  limit?: number;
  /** Collector clock, ms: only rows at or after this time. */
  since?: number;
}

const limitOf = (page: Page): number => Math.min(Math.max(page.limit ?? MAX_PAGE, 1), MAX_PAGE);

/** Speed tests shown with a gateway, newest first. */
export const SPEED_TESTS_SHOWN = 5;

/** A DHCP pool (protocol DhcpPool) with how many of its addresses are leased now. */
export type DhcpPoolDetail = DhcpPool & { size: number; leased: number; full: boolean };

/** The router as the agent reported it (protocol RouterInfo), its WAN addresses split by family. */
export type RouterDetail = Omit<RouterInfo, "wanAddresses" | "dhcpPools"> & {
  wanIpv4: string[];
  wanIpv6: string[];
  /** Null where the agent could not read its DHCP server's configuration. */
  dhcpPools: DhcpPoolDetail[] | null;
  updatedAt: string;
};

/** The stored pools with their use: the gateway's current IPv4 leases inside each. */
function dhcpPoolsOf(db: Db, gatewayId: string, stored: string | null): DhcpPoolDetail[] | null {
  if (stored === null) return null;
  const leased = statement<[string], { ip: string }>(
    db,
    "SELECT ip FROM leases WHERE gateway_id = ? AND family = 'ipv4'",
  )
    .all(gatewayId)
    .map((l) => ipv4Number(l.ip));
  return (JSON.parse(stored) as DhcpPool[]).map((pool) => {
    const start = ipv4Number(pool.start);
    const end = ipv4Number(pool.end);
    const size = Math.max(0, end - start + 1);
    const inPool = leased.filter((ip) => ip >= start && ip <= end).length;
    return { ...pool, size, leased: inPool, full: size > 0 && inPool >= size };
  });
}

/** The latest ping summary per target, as the agent reported it (protocol LineQuality). */
export type LineQualityDetail = LineQuality & { updatedAt: string };

export interface GatewayDetail extends GatewaySummary {
  clockOffsetMs: number | null;
  router: RouterDetail | null;
  /** The agent's own health (protocol agentHealthSchema) from its latest online state, and when it came. */
  agentHealth: (Record<string, unknown> & { reportedAt: string }) | null;
  lineQuality: LineQualityDetail[];
  speedTests: SpeedTestDetail[];
  radios: Array<Record<string, unknown>>;
  interfaces: Array<Record<string, unknown>>;
}

function routerOf(db: Db, gatewayId: string): RouterDetail | null {
  const r = statement<[string], Record<string, number | string | null>>(
    db,
    `SELECT model, board, firmware, kernel, hostname, wan_interface, wan_mac, wan_addresses, load1, mem_total_bytes,
       mem_available_bytes, dhcp_pools, updated_at FROM router_info WHERE gateway_id = ?`,
  ).get(gatewayId);
  if (!r) return null;
  const addresses = JSON.parse(r.wan_addresses as string) as string[];
  return {
    model: r.model as string | null,
    board: r.board as string | null,
    firmware: r.firmware as string | null,
    kernel: r.kernel as string | null,
    hostname: r.hostname as string | null,
    wanInterface: r.wan_interface as string | null,
    wanMac: r.wan_mac as string | null,
    wanIpv4: addresses.filter((a) => !a.includes(":")),
    wanIpv6: addresses.filter((a) => a.includes(":")),
    load1: r.load1 as number | null,
    memTotalBytes: r.mem_total_bytes as number | null,
    memAvailableBytes: r.mem_available_bytes as number | null,
    dhcpPools: dhcpPoolsOf(db, gatewayId, r.dhcp_pools as string | null),
    updatedAt: isoTime(r.updated_at as number),
  };
}

function lineQualityOf(db: Db, gatewayId: string): LineQualityDetail[] {
  return statement<[string], Record<string, number | string | null>>(
    db,
    `SELECT target, address, sent, received, loss_percent, rtt_min_ms, rtt_avg_ms, rtt_max_ms, jitter_ms, error,
       updated_at FROM line_quality WHERE gateway_id = ? ORDER BY target`,
  )
    .all(gatewayId)
    .map((r) => ({
      target: r.target as string,
      address: r.address as string | null,
      sent: r.sent as number,
      received: r.received as number,
      lossPercent: r.loss_percent as number | null,
      rttMinMs: r.rtt_min_ms as number | null,
      rttAvgMs: r.rtt_avg_ms as number | null,
      rttMaxMs: r.rtt_max_ms as number | null,
      jitterMs: r.jitter_ms as number | null,
      error: r.error as string | null,
      updatedAt: isoTime(r.updated_at as number),
    }));
}

function speedTestsOf(db: Db, gatewayId: string): SpeedTestDetail[] {
  return latestSpeedTests(db, gatewayId, SPEED_TESTS_SHOWN).map(speedTestDetail);
}

function agentHealthOf(health: string | null, at: number | null): GatewayDetail["agentHealth"] {
  if (health === null || at === null) return null;
  try {
    return { ...(JSON.parse(health) as Record<string, unknown>), reportedAt: isoTime(at) };
  } catch {
    return null;
  }
}

export function gatewayDetail(db: Db, gatewayId: string): GatewayDetail | null {
  return db.transaction(() => {
    const summary = listGateways(db, { gatewayId })[0];
    if (!summary) return null;
    const gateway = db
      .prepare<[string], { clock_offset_ms: number | null; health: string | null; health_at: number | null }>(
        "SELECT clock_offset_ms, health, health_at FROM gateways WHERE gateway_id = ?",
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
        updatedAt: isoTime(r.updated_at as number),
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
        updatedAt: isoTime(r.updated_at as number),
      }));
    return {
      ...summary,
      clockOffsetMs: gateway?.clock_offset_ms ?? null,
      router: routerOf(db, gatewayId),
      agentHealth: agentHealthOf(gateway?.health ?? null, gateway?.health_at ?? null),
      lineQuality: lineQualityOf(db, gatewayId),
      speedTests: speedTestsOf(db, gatewayId),
      radios,
      interfaces,
    };
  })();
}

export interface TypeSignal {
  /** The rule in agent/insight/deviceRules.json. */
  rule: string;
  /** Which of the device's signals it looked at (hostname, vendorClass, vendor, prl, ...). */
  on: string[];
  weight: number;
}

export interface DeviceDetail {
  mac: string;
  vendor: string | null;
  randomized: boolean;
  /** phone, tablet, computer, tv, ... or unknown when the signals are too weak to say. */
  deviceType: string;
  /** 0-1; 0 for unknown. */
  typeConfidence: number;
  /** The rules that decided the type (for unknown: the weak ones that matched). */
  typeSignals: TypeSignal[];
  /** DHCP option 60 and option 55 (comma-separated, the client's order) from its leases. */
  vendorClass: string | null;
  requestedOptions: string | null;
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
  /** Where the traffic figures come from: nlbwmon, conntrack or wifi-station (the access point's counters). */
  trafficSource: string | null;
  /** From the device's point of view: download = received by the device, upload = sent by it. */
  downloadBytesPerSecond: number | null;
  uploadBytesPerSecond: number | null;
  downloadBytesThisLease: number;
  uploadBytesThisLease: number;
  downloadPacketsThisLease: number;
  uploadPacketsThisLease: number;
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
  deviceType: string | null,
  typeConfidence: number | null,
  typeSignals: string | null,
  vendorClass: string | null,
  requestedOptions: string | null,
  trafficSource: string | null,
  downRate: number | null,
  upRate: number | null,
  leaseDownBytes: number,
  leaseUpBytes: number,
  leaseDownPackets: number,
  leaseUpPackets: number,
  firstSeenAt: number,
  updatedAt: number,
  expiresAt: number | null,
];

// Columns in DeviceRow's order. `INDEXED BY`: without statistics the planner looks each device's
// lease up through the lease primary key (gateway_id, ip), reading all the gateway's leases per
// device (quadratic in devices); leases_by_mac finds them directly. A missing index then fails
// loudly, not slowly.
const DEVICES_SQL = `SELECT d.mac, d.ips, d.hostname, d.has_lease, d.present, d.connection, d.interface, d.band,
    d.bridge_port, d.signal_dbm, d.device_type, d.type_confidence, d.type_signals, d.vendor_class,
    d.requested_options, d.traffic_source, d.down_rate, d.up_rate, d.lease_down_bytes, d.lease_up_bytes,
    d.lease_down_packets, d.lease_up_packets, d.first_seen_at, d.updated_at,
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
      deviceType,
      typeConfidence,
      typeSignals,
      vendorClass,
      requestedOptions,
      trafficSource,
      downRate,
      upRate,
      leaseDownBytes,
      leaseUpBytes,
      leaseDownPackets,
      leaseUpPackets,
      firstSeenAt,
      updatedAt,
      expiresAt,
    ]) => {
      const ips = JSON.parse(ipsJson) as string[];
      return {
        mac,
        vendor: vendorOf(mac),
        randomized: isLocallyAdministered(mac),
        deviceType: deviceType ?? "unknown",
        typeConfidence: typeConfidence ?? 0,
        typeSignals: typeSignals === null ? [] : (JSON.parse(typeSignals) as TypeSignal[]),
        vendorClass,
        requestedOptions,
        ip: ips.find((a) => !a.includes(":")) ?? ips[0] ?? null,
        ips,
        hostname,
        hasLease: hasLease === 1,
        expiresAt: isoTime(expiresAt),
        present: present === 1,
        connection,
        interface: iface,
        band,
        bridgePort,
        signalDbm,
        trafficSource,
        downloadBytesPerSecond: downRate,
        uploadBytesPerSecond: upRate,
        downloadBytesThisLease: leaseDownBytes,
        uploadBytesThisLease: leaseUpBytes,
        downloadPacketsThisLease: leaseDownPackets,
        uploadPacketsThisLease: leaseUpPackets,
        firstSeen: isoTime(firstSeenAt),
        updatedAt: isoTime(updatedAt),
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
    at: isoTime(at as number),
    ...(name !== undefined ? { interface: name } : {}),
    ...(signal_dbm !== undefined ? { signalDbm: signal_dbm } : {}),
    rxBytes: rx_bytes ?? null,
    txBytes: tx_bytes ?? null,
    rxBytesPerSecond: rx_rate ?? null,
    txBytesPerSecond: tx_rate ?? null,
  }));
}

/**
 * Signal and traffic samples of the device's current lease, oldest first. Traffic from the
 * device's point of view (download = received by it), as in devicesOf.
 */
export function deviceHistory(db: Db, gatewayId: string, mac: string, page: Page = {}): Sample[] {
  return db
    .prepare<[string, string, number, number], Record<string, number | null>>(
      `SELECT at, signal_dbm, down_rate, up_rate, lease_down_bytes, lease_up_bytes FROM device_samples
       WHERE gateway_id = ? AND mac = ? AND at >= ? ORDER BY at LIMIT ?`,
    )
    .all(gatewayId, mac, page.since ?? 0, limitOf(page))
    .map((r) => ({
      at: isoTime(r.at as number),
      signalDbm: r.signal_dbm ?? null,
      downloadBytesPerSecond: r.down_rate ?? null,
      uploadBytesPerSecond: r.up_rate ?? null,
      downloadBytesThisLease: r.lease_down_bytes ?? null,
      uploadBytesThisLease: r.lease_up_bytes ?? null,
    }));
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
    .map((r) => ({ ...r, at: isoTime(r.at) }));
}
