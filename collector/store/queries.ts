/**
 * Read-side queries for support tooling (CLI and HTTP API) about the gateways: they read what the
 * lifetime rules left, and present times on the collector's clock as ISO-8601 UTC. Devices are
 * supportQueries.ts's.
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
