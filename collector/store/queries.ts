/**
 * Read-side queries for support tooling (CLI and, later, the HTTP API). They read what the
 * lifetime rules left, and present times on the collector's clock as ISO-8601 UTC.
 */

import { isoTime } from "./isoTime.js";
import type { Db } from "./openDatabase.js";

export interface GatewaySummary {
  gatewayId: string;
  online: boolean;
  bootId: string;
  /** When the collector first saw the current boot: the last reboot as far as it knows. */
  lastReboot: string;
  lastSeen: string;
  firstSeen: string;
  deviceCount: number;
  agentVersion: string | null;
  uptimeSeconds: number | null;
}

export interface DeviceSummary {
  mac: string | null;
  ip: string;
  family: string;
  hostname: string | null;
  /** Collector clock; null when the lease never expires. */
  expiresAt: string | null;
  clientId: string | null;
  duid: string | null;
  source: string;
  /** DHCP option 60, as the server's hook reported it. */
  vendorClass: string | null;
  /** DHCP option 55 in the client's order, comma-separated. */
  requestedOptions: string | null;
  firstSeen: string;
}

export interface GatewayFilter {
  gatewayId?: string;
  /** Keyset page: gateways after this id, at most `limit`. */
  after?: string;
  limit?: number;
}

export function listGateways(db: Db, filter: GatewayFilter = {}): GatewaySummary[] {
  const rows = db
    .prepare<
      [{ id: string | null; after: string; limit: number }],
      {
        gateway_id: string;
        online: number;
        boot_id: string;
        boot_seen_at: number;
        last_seen_at: number;
        first_seen_at: number;
        agent_version: string | null;
        uptime_seconds: number | null;
        devices: number;
      }
    >(
      `SELECT g.*, (SELECT count(*) FROM leases l WHERE l.gateway_id = g.gateway_id) AS devices
       FROM gateways g WHERE (@id IS NULL OR g.gateway_id = @id) AND g.gateway_id > @after
       ORDER BY g.gateway_id LIMIT @limit`,
    )
    .all({ id: filter.gatewayId ?? null, after: filter.after ?? "", limit: filter.limit ?? -1 });
  return rows.map((r) => ({
    gatewayId: r.gateway_id,
    online: r.online === 1,
    bootId: r.boot_id,
    lastReboot: isoTime(r.boot_seen_at),
    lastSeen: isoTime(r.last_seen_at),
    firstSeen: isoTime(r.first_seen_at),
    deviceCount: r.devices,
    agentVersion: r.agent_version,
    uptimeSeconds: r.uptime_seconds,
  }));
}

export function gatewayExists(db: Db, gatewayId: string): boolean {
  return db.prepare("SELECT 1 FROM gateways WHERE gateway_id = ?").get(gatewayId) !== undefined;
}

export function listDevices(db: Db, gatewayId: string): DeviceSummary[] {
  const rows = db
    .prepare<
      [string],
      {
        mac: string | null;
        ip: string;
        family: string;
        hostname: string | null;
        expires_at: number | null;
        client_id: string | null;
        duid: string | null;
        source: string;
        vendor_class: string | null;
        requested_options: string | null;
        first_seen_at: number;
      }
    >(
      `SELECT mac, ip, family, hostname, expires_at, client_id, duid, source, vendor_class, requested_options,
         first_seen_at FROM leases WHERE gateway_id = ? ORDER BY family, mac, ip`,
    )
    .all(gatewayId);
  return rows.map((r) => ({
    mac: r.mac,
    ip: r.ip,
    family: r.family,
    hostname: r.hostname,
    expiresAt: r.expires_at === null ? null : isoTime(r.expires_at),
    clientId: r.client_id,
    duid: r.duid,
    source: r.source,
    vendorClass: r.vendor_class,
    requestedOptions: r.requested_options,
    firstSeen: isoTime(r.first_seen_at),
  }));
}
