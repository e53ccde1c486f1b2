/**
 * The per-device view of a gateway (protocol/devices.ts joinDevices over what was stored from a
 * snapshot), its history samples and the events that name a device. Applies the device rules
 * of docs/lifecycle.md: a device's row, history and identity in events end with its lease; a
 * device without a lease lives only while it is in the latest snapshot.
 */
import { counterChange, counterRate } from "../../agent/rates/counterRate.js";
import { joinDevices } from "../../protocol/devices.js";
import type { Lease, Snapshot, Station } from "../../protocol/index.js";
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
];

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
      rows: db.prepare<[string], DeviceRow>("SELECT * FROM devices WHERE gateway_id = ?"),
      upsert: db.prepare(
        `INSERT INTO devices (gateway_id, mac, ips, hostname, has_lease, present, connection, interface, band,
           bridge_port, signal_dbm, rx_bytes, tx_bytes, rx_rate, tx_rate, lease_rx_bytes, lease_tx_bytes, read_at,
           read_uptime, last_sample_at, first_seen_at, updated_at)
         VALUES (@gateway_id, @mac, @ips, @hostname, @has_lease, @present, @connection, @interface, @band,
           @bridge_port, @signal_dbm, @rx_bytes, @tx_bytes, @rx_rate, @tx_rate, @lease_rx_bytes, @lease_tx_bytes,
           @read_at, @read_uptime, @last_sample_at, @now, @now)
         ON CONFLICT (gateway_id, mac) DO UPDATE SET ips = excluded.ips, hostname = excluded.hostname,
           has_lease = excluded.has_lease, present = excluded.present, connection = excluded.connection,
           interface = excluded.interface, band = excluded.band, bridge_port = excluded.bridge_port,
           signal_dbm = excluded.signal_dbm, rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes,
           rx_rate = excluded.rx_rate, tx_rate = excluded.tx_rate, lease_rx_bytes = excluded.lease_rx_bytes,
           lease_tx_bytes = excluded.lease_tx_bytes, read_at = excluded.read_at, read_uptime = excluded.read_uptime,
           last_sample_at = excluded.last_sample_at, updated_at = excluded.updated_at`,
      ),
      sample: db.prepare(
        `INSERT OR REPLACE INTO device_samples (gateway_id, mac, at, signal_dbm, rx_bytes, tx_bytes, rx_rate, tx_rate)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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
    const existing = new Map(s.rows.all(gatewayId).map((r) => [r.mac, r]));
    const stations = new Map<string, Station>();
    for (const st of message.stations) stations.set(`${st.mac}|${st.interface}`, st);
    let written = 0;
    const seen = new Set<string>();
    for (const view of joinDevices({ ...message, leases: [...leases] })) {
      seen.add(view.mac);
      const old = existing.get(view.mac);
      const station = view.interface ? stations.get(`${view.mac}|${view.interface}`) : undefined;
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
        read_at: station ? collectedAt : null,
        read_uptime: station ? uptimeSeconds : null,
        last_sample_at: old?.last_sample_at ?? null,
      };
      if (station) {
        const prevRx = old?.rx_bytes ?? null;
        const prevTx = old?.tx_bytes ?? null;
        const elapsed = elapsedMs(old?.read_at ?? null, old?.read_uptime ?? null, collectedAt, uptimeSeconds);
        if (prevRx !== null && prevTx !== null && elapsed !== null) {
          row.rx_rate = counterRate(prevRx, station.rxBytes, elapsed);
          row.tx_rate = counterRate(prevTx, station.txBytes, elapsed);
        }
        row.lease_rx_bytes += countedSince(prevRx, station.rxBytes);
        row.lease_tx_bytes += countedSince(prevTx, station.txBytes);
      }
      if (old && COMPARED.every((k) => old[k] === row[k])) continue;
      const sampleDue = row.last_sample_at === null || receivedAt - row.last_sample_at >= SAMPLE_INTERVAL_MS;
      if (sampleDue && (station || view.signalDbm !== null)) {
        row.last_sample_at = receivedAt;
        s.sample.run(
          gatewayId,
          view.mac,
          receivedAt,
          row.signal_dbm,
          row.rx_bytes,
          row.tx_bytes,
          row.rx_rate,
          row.tx_rate,
        );
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
