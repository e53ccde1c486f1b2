/**
 * For tests: the leases table of a gateway as stored, row by row (IPv6 leases and fingerprint
 * columns included), to check what ingestion and the lifetime rules left. Support tooling reads
 * devices through supportQueries.ts instead.
 */
import { isoTime } from "./isoTime.js";
import type { Db } from "./openDatabase.js";

export interface StoredLease {
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

export function storedLeases(db: Db, gatewayId: string): StoredLease[] {
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
