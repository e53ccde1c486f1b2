/**
 * The per-device view of a gateway (protocol/devices.ts joinDevices over what was stored from a
 * snapshot), its history samples and the events that name a device. Applies the device rules
 * of docs/lifecycle.md: a device's row, history and identity in events end with its lease; a
 * device without a lease lives only while it is in the latest snapshot. Each device also gets
 * its type (classified when an input changed) and its traffic (deviceTraffic.ts).
 */
import { classifyDevice } from "../../agent/insight/classifyDevice.js";
import { defaultDeviceRules } from "../../agent/insight/deviceRules.js";
import { counterChange, counterRate } from "../../agent/rates/counterRate.js";
import { type DeviceView, joinDevices } from "../../protocol/devices.js";
import type { Lease, Snapshot, Station } from "../../protocol/index.js";
import { vendorOf } from "../enrich/ouiVendor.js";
import { countTraffic, TrafficIndex, type TrafficSource, type TrafficState } from "./deviceTraffic.js";
import type { Db } from "./openDatabase.js";

/**
 * History samples per device (and per interface) at most this often: enough to see a signal or
 * traffic trend during a support call, while a device on a week-long lease stays ~10,000 rows.
 */
export const SAMPLE_INTERVAL_MS = 60_000;

interface DeviceRow {
  mac: string;
  ips: string;
  hostname: string | null;
  has_lease: number;
  present: number;
  connection: string;
  interface: string | null;
  band: string | null;
  bridge_port: string | null;
  signal_dbm: number | null;
  rx_bytes: number | null;
  tx_bytes: number | null;
  rx_rate: number | null;
  tx_rate: number | null;
  lease_rx_bytes: number;
  lease_tx_bytes: number;
  read_at: number | null;
  read_uptime: number | null;
  last_sample_at: number | null;
  vendor_class: string | null;
  requested_options: string | null;
  device_type: string | null;
  type_confidence: number | null;
  type_signals: string | null;
  type_rules_version: number | null;
  traffic_source: TrafficSource | null;
  traffic_counters: string | null;
  down_rate: number | null;
  up_rate: number | null;
  lease_down_bytes: number;
  lease_up_bytes: number;
  lease_down_packets: number;
  lease_up_packets: number;
}

/** The row's columns, in the order rowOf reads them. */
const COLUMNS = [
  "mac",
  "ips",
  "hostname",
  "has_lease",
  "present",
  "connection",
  "interface",
  "band",
  "bridge_port",
  "signal_dbm",
  "rx_bytes",
  "tx_bytes",
  "rx_rate",
  "tx_rate",
  "lease_rx_bytes",
  "lease_tx_bytes",
  "read_at",
  "read_uptime",
  "last_sample_at",
  "vendor_class",
  "requested_options",
  "device_type",
  "type_confidence",
  "type_signals",
  "type_rules_version",
  "traffic_source",
  "traffic_counters",
  "down_rate",
  "up_rate",
  "lease_down_bytes",
  "lease_up_bytes",
  "lease_down_packets",
  "lease_up_packets",
] as const satisfies ReadonlyArray<keyof DeviceRow>;

/**
 * A row read as an array (`raw`) made an object here: the driver builds a result object property
 * by property, which for 30-odd columns costs more than everything else done with the row.
 */
function rowOf(r: unknown[]): DeviceRow {
  return {
    mac: r[0],
    ips: r[1],
    hostname: r[2],
    has_lease: r[3],
    present: r[4],
    connection: r[5],
    interface: r[6],
    band: r[7],
    bridge_port: r[8],
    signal_dbm: r[9],
    rx_bytes: r[10],
    tx_bytes: r[11],
    rx_rate: r[12],
    tx_rate: r[13],
    lease_rx_bytes: r[14],
    lease_tx_bytes: r[15],
    read_at: r[16],
    read_uptime: r[17],
    last_sample_at: r[18],
    vendor_class: r[19],
    requested_options: r[20],
    device_type: r[21],
    type_confidence: r[22],
    type_signals: r[23],
    type_rules_version: r[24],
    traffic_source: r[25],
    traffic_counters: r[26],
    down_rate: r[27],
    up_rate: r[28],
    lease_down_bytes: r[29],
    lease_up_bytes: r[30],
    lease_down_packets: r[31],
    lease_up_packets: r[32],
  } as DeviceRow;
}

const COMPARED: ReadonlyArray<keyof DeviceRow> = [
  "ips",
  "hostname",
  "has_lease",
  "present",
  "connection",
  "interface",
  "band",
  "bridge_port",
  "signal_dbm",
  "rx_bytes",
  "tx_bytes",
  // A rate that fell to zero is a change even when the counters did not move.
  "rx_rate",
  "tx_rate",
  "vendor_class",
  "requested_options",
  "device_type",
  "type_confidence",
  "type_signals",
  "traffic_source",
  "traffic_counters",
  "down_rate",
  "up_rate",
];

/** The device's DHCP fingerprint: the first of its leases that carries each part. */
function fingerprintOf(leases: readonly Lease[] | undefined): {
  vendorClass: string | null;
  requestedOptions: string | null;
} {
  let vendorClass: string | null = null;
  let requestedOptions: string | null = null;
  for (const lease of leases ?? []) {
    vendorClass ??= lease.vendorClass ?? null;
    if (requestedOptions === null && lease.requestedOptions && lease.requestedOptions.length > 0)
      requestedOptions = lease.requestedOptions.join(",");
  }
  return { vendorClass, requestedOptions };
}

type TypeColumns = Pick<DeviceRow, "device_type" | "type_confidence" | "type_signals" | "type_rules_version">;

/**
 * The device's type: the stored one while its inputs (hostname, fingerprint; the MAC, hence vendor
 * and randomisation, is the row's key) and the rules are unchanged, else classified anew.
 */
function deviceType(
  view: DeviceView,
  fingerprint: ReturnType<typeof fingerprintOf>,
  old: DeviceRow | undefined,
): TypeColumns {
  const rules = defaultDeviceRules();
  if (
    old &&
    old.device_type !== null &&
    old.type_rules_version === rules.version &&
    old.hostname === view.hostname &&
    old.vendor_class === fingerprint.vendorClass &&
    old.requested_options === fingerprint.requestedOptions
  ) {
    const { device_type, type_confidence, type_signals, type_rules_version } = old;
    return { device_type, type_confidence, type_signals, type_rules_version };
  }
  const result = classifyDevice(
    {
      mac: view.mac,
      hostname: view.hostname,
      vendorClass: fingerprint.vendorClass,
      requestedOptions: fingerprint.requestedOptions,
      vendor: vendorOf(view.mac),
    },
    rules,
  );
  return {
    device_type: result.deviceType,
    type_confidence: result.confidence,
    type_signals: JSON.stringify(result.signals.map(({ rule, on, weight }) => ({ rule, on, weight }))),
    type_rules_version: result.rulesVersion,
  };
}

const trafficStateOf = (row: DeviceRow): TrafficState => ({
  source: row.traffic_source,
  counters: row.traffic_counters,
  downRate: row.down_rate,
  upRate: row.up_rate,
  lease: [row.lease_down_bytes, row.lease_up_bytes, row.lease_down_packets, row.lease_up_packets],
});

/** Elapsed time between two readings: uptime when both have it (NTP steps move the clock, not uptime). */
export function elapsedMs(
  prevAt: number | null,
  prevUptime: number | null,
  at: number,
  uptime: number | null,
): number | null {
  if (prevUptime !== null && uptime !== null) return (uptime - prevUptime) * 1000;
  return prevAt === null ? null : at - prevAt;
}

/** Bytes counted between readings; after a reset, what the counter shows is what was counted since. */
function countedSince(prev: number | null, cur: number): number {
  if (prev === null) return cur;
  const change = counterChange(prev, cur);
  return change.delta === null ? cur : Number(change.delta);
}

export class DeviceState {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      rows: db
        .prepare<[string], unknown[]>(`SELECT ${COLUMNS.join(", ")} FROM devices WHERE gateway_id = ?`)
        .raw(true),
      upsert: db.prepare(
        `INSERT INTO devices (gateway_id, mac, ips, hostname, has_lease, present, connection, interface, band,
           bridge_port, signal_dbm, rx_bytes, tx_bytes, rx_rate, tx_rate, lease_rx_bytes, lease_tx_bytes, read_at,
           read_uptime, last_sample_at, vendor_class, requested_options, device_type, type_confidence, type_signals,
           type_rules_version, traffic_source, traffic_counters, down_rate, up_rate, lease_down_bytes, lease_up_bytes,
           lease_down_packets, lease_up_packets, first_seen_at, updated_at)
         VALUES (@gateway_id, @mac, @ips, @hostname, @has_lease, @present, @connection, @interface, @band,
           @bridge_port, @signal_dbm, @rx_bytes, @tx_bytes, @rx_rate, @tx_rate, @lease_rx_bytes, @lease_tx_bytes,
           @read_at, @read_uptime, @last_sample_at, @vendor_class, @requested_options, @device_type, @type_confidence,
           @type_signals, @type_rules_version, @traffic_source, @traffic_counters, @down_rate, @up_rate,
           @lease_down_bytes, @lease_up_bytes, @lease_down_packets, @lease_up_packets, @now, @now)
         ON CONFLICT (gateway_id, mac) DO UPDATE SET ips = excluded.ips, hostname = excluded.hostname,
           has_lease = excluded.has_lease, present = excluded.present, connection = excluded.connection,
           interface = excluded.interface, band = excluded.band, bridge_port = excluded.bridge_port,
           signal_dbm = excluded.signal_dbm, rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes,
           rx_rate = excluded.rx_rate, tx_rate = excluded.tx_rate, lease_rx_bytes = excluded.lease_rx_bytes,
           lease_tx_bytes = excluded.lease_tx_bytes, read_at = excluded.read_at, read_uptime = excluded.read_uptime,
           last_sample_at = excluded.last_sample_at, vendor_class = excluded.vendor_class,
           requested_options = excluded.requested_options, device_type = excluded.device_type,
           type_confidence = excluded.type_confidence, type_signals = excluded.type_signals,
           type_rules_version = excluded.type_rules_version, traffic_source = excluded.traffic_source,
           traffic_counters = excluded.traffic_counters, down_rate = excluded.down_rate, up_rate = excluded.up_rate,
           lease_down_bytes = excluded.lease_down_bytes, lease_up_bytes = excluded.lease_up_bytes,
           lease_down_packets = excluded.lease_down_packets, lease_up_packets = excluded.lease_up_packets,
           updated_at = excluded.updated_at`,
      ),
      sample: db.prepare(
        `INSERT OR REPLACE INTO device_samples (gateway_id, mac, at, signal_dbm, rx_bytes, tx_bytes, rx_rate, tx_rate,
           down_rate, up_rate, lease_down_bytes, lease_up_bytes)
         VALUES (@gateway_id, @mac, @at, @signal_dbm, @rx_bytes, @tx_bytes, @rx_rate, @tx_rate, @down_rate, @up_rate,
           @lease_down_bytes, @lease_up_bytes)`,
      ),
      deleteDevice: db.prepare("DELETE FROM devices WHERE gateway_id = ? AND mac = ?"),
      deleteSamples: db.prepare("DELETE FROM device_samples WHERE gateway_id = ? AND mac = ?"),
      forgetInEvents: db.prepare(
        "UPDATE events SET mac = NULL, ip = NULL, hostname = NULL WHERE gateway_id = ? AND mac = ?",
      ),
      event: db.prepare(
        "INSERT INTO events (gateway_id, at, type, mac, ip, hostname) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      hasLease: db.prepare<[string, string], { one: number }>(
        "SELECT 1 AS one FROM leases WHERE gateway_id = ? AND mac = ? LIMIT 1",
      ),
    };
  }

  /** Records an event; device events after the lease ended carry no identity. */
  event(gatewayId: string, at: number, type: string, lease?: Pick<Lease, "mac" | "ip" | "hostname">): void {
    this.#s.event.run(gatewayId, at, type, lease?.mac ?? null, lease?.ip ?? null, lease?.hostname ?? null);
  }

  /** The device's lease ended: its row and history go, and events no longer say who it was. */
  endDevice(gatewayId: string, mac: string): number {
    const s = this.#s;
    s.forgetInEvents.run(gatewayId, mac);
    s.deleteSamples.run(gatewayId, mac);
    return s.deleteDevice.run(gatewayId, mac).changes;
  }

  /** True when the gateway still holds a lease for this MAC. */
  hasLease(gatewayId: string, mac: string): boolean {
    return this.#s.hasLease.get(gatewayId, mac) !== undefined;
  }

  /** Writes the devices of a snapshot whose stored leases are `leases`; returns rows written. */
  apply(message: Snapshot, leases: readonly Lease[], receivedAt: number): number {
    const s = this.#s;
    const { gatewayId, collectedAt, uptimeSeconds } = message;
    const existing = new Map(s.rows.all(gatewayId).map((r) => [r[0] as string, r]));
    const stations = new Map<string, Station>();
    for (const st of message.stations) stations.set(`${st.mac}|${st.interface}`, st);
    const leasesByMac = new Map<string, Lease[]>();
    for (const lease of leases) {
      if (lease.mac === null) continue;
      const list = leasesByMac.get(lease.mac);
      if (list) list.push(lease);
      else leasesByMac.set(lease.mac, [lease]);
    }
    let written = 0;
    const seen = new Set<string>();
    const views = joinDevices({ ...message, leases: [...leases] });
    const traffic = new TrafficIndex(message.traffic, views);
    for (const view of views) {
      seen.add(view.mac);
      const raw = existing.get(view.mac);
      const old = raw && rowOf(raw);
      const station = view.interface ? stations.get(`${view.mac}|${view.interface}`) : undefined;
      const readings = traffic.readingsOf(view, station);
      const fingerprint = fingerprintOf(leasesByMac.get(view.mac));
      const row: DeviceRow = {
        mac: view.mac,
        ips: JSON.stringify(view.ips),
        hostname: view.hostname,
        has_lease: view.hasLease ? 1 : 0,
        present: view.neighborState !== null || view.connection === "wifi" ? 1 : 0,
        connection: view.connection,
        interface: view.interface,
        band: view.band,
        bridge_port: view.bridgePort,
        signal_dbm: view.signalDbm,
        rx_bytes: station?.rxBytes ?? null,
        tx_bytes: station?.txBytes ?? null,
        rx_rate: null,
        tx_rate: null,
        lease_rx_bytes: old?.lease_rx_bytes ?? 0,
        lease_tx_bytes: old?.lease_tx_bytes ?? 0,
        // Station counters and traffic rows are read from the same snapshot: one reading time for both.
        read_at: station || readings ? collectedAt : null,
        read_uptime: station || readings ? uptimeSeconds : null,
        last_sample_at: old?.last_sample_at ?? null,
        vendor_class: fingerprint.vendorClass,
        requested_options: fingerprint.requestedOptions,
        ...deviceType(view, fingerprint, old),
        traffic_source: null,
        traffic_counters: null,
        down_rate: null,
        up_rate: null,
        lease_down_bytes: 0,
        lease_up_bytes: 0,
        lease_down_packets: 0,
        lease_up_packets: 0,
      };
      const elapsed = elapsedMs(old?.read_at ?? null, old?.read_uptime ?? null, collectedAt, uptimeSeconds);
      const counted = countTraffic(old && trafficStateOf(old), readings, elapsed);
      row.traffic_source = counted.source;
      row.traffic_counters = counted.counters;
      row.down_rate = counted.downRate;
      row.up_rate = counted.upRate;
      [row.lease_down_bytes, row.lease_up_bytes, row.lease_down_packets, row.lease_up_packets] =
        counted.lease;
      if (station) {
        const prevRx = old?.rx_bytes ?? null;
        const prevTx = old?.tx_bytes ?? null;
        if (prevRx !== null && prevTx !== null && elapsed !== null) {
          row.rx_rate = counterRate(prevRx, station.rxBytes, elapsed);
          row.tx_rate = counterRate(prevTx, station.txBytes, elapsed);
        }
        row.lease_rx_bytes += countedSince(prevRx, station.rxBytes);
        row.lease_tx_bytes += countedSince(prevTx, station.txBytes);
      }
      if (old && COMPARED.every((k) => old[k] === row[k])) continue;
      const sampleDue = row.last_sample_at === null || receivedAt - row.last_sample_at >= SAMPLE_INTERVAL_MS;
      // History belongs to a lease: a device seen without one (rule 6) has none.
      if (sampleDue && view.hasLease && (station || readings || view.signalDbm !== null)) {
        row.last_sample_at = receivedAt;
        s.sample.run({ ...row, gateway_id: gatewayId, at: receivedAt });
        written++;
      }
      s.upsert.run({ ...row, gateway_id: gatewayId, now: receivedAt });
      written++;
    }
    // A device without a lease is kept only while it is in the latest snapshot.
    for (const mac of existing.keys()) {
      if (!seen.has(mac)) written += this.endDevice(gatewayId, mac);
    }
    return written;
  }
}
