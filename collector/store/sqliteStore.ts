/**
 * SQLite implementation of the Store: applies the lease-lifetime rules of docs/lifecycle.md
 * as messages arrive, and writes only what changed so a fleet of steady networks costs little.
 */
import type { Lease, Snapshot, StateMessage } from "../../protocol/index.js";
import { DeviceState } from "./deviceState.js";
import { checkpointTruncate, type Db, openDatabase } from "./openDatabase.js";
import { RouterState } from "./routerState.js";
import { SpeedTestState } from "./speedTestState.js";
import {
  type ApplyResult,
  noDeletions,
  type ReceivedMessage,
  type SilentGatewayDeletion,
  type Store,
  type StoreStats,
} from "./store.js";

/** Retired boot ids kept per gateway: enough to ignore any straggler from recent reboots. */
const RETIRED_BOOTS_KEPT = 16;

/** Expiry jitter below this is the conversion's own noise (receive time varies), not a renewal. */
const EXPIRY_CHANGE_THRESHOLD_MS = 2000;

interface GatewayRow {
  boot_id: string;
  last_snapshot_seq: number;
  last_state_seq: number;
}

interface LeaseRow {
  ip: string;
  mac: string | null;
  duid: string | null;
  hostname: string | null;
  client_id: string | null;
  iaid: number | null;
  expires_at: number | null;
  vendor_class: string | null;
  requested_options: string | null;
}

/** Lease expiry on the collector's clock: the gateway's clock may be years off (1970 before NTP). */
export function toCollectorExpiry(lease: Lease, collectedAt: number, receivedAt: number): number | null {
  return lease.expiresAt === null ? null : receivedAt + (lease.expiresAt - collectedAt);
}

/** Option 55 as stored: the codes in the client's order, comma-separated. */
const optionsText = (options: readonly number[] | null | undefined): string | null =>
  options && options.length > 0 ? options.join(",") : null;

/**
 * The lease's DHCP fingerprint: only the server's hook knows it, and only some snapshots carry it
 * (an agent restarted since the client's request has forgotten it). A snapshot without it keeps
 * what was stored for the same lease (same address and device); a new value replaces it.
 */
export function leaseFingerprint(
  lease: Lease,
  old: LeaseRow | undefined,
): { vendorClass: string | null; requestedOptions: string | null } {
  const same = old !== undefined && old.mac === lease.mac && old.duid === lease.duid;
  return {
    vendorClass: lease.vendorClass ?? (same ? old.vendor_class : null),
    requestedOptions: optionsText(lease.requestedOptions) ?? (same ? old.requested_options : null),
  };
}

export class SqliteStore implements Store {
  readonly db: Db;
  readonly #statements;
  readonly #devices: DeviceState;
  readonly #router: RouterState;
  readonly #speedTests: SpeedTestState;
  /** Rows were deleted since the last truncating checkpoint, so the WAL may still hold their bytes. */
  #erasurePending = false;

  constructor(file: string) {
    this.db = openDatabase(file);
    const db = this.db;
    this.#devices = new DeviceState(db);
    this.#router = new RouterState(db);
    this.#speedTests = new SpeedTestState(db);
    this.#statements = {
      // Everything of a boot besides the leases: device views, history, router data, events.
      deleteBootData: [
        "devices",
        "device_samples",
        "radios",
        "interfaces",
        "interface_samples",
        "events",
        "router_info",
        "line_quality",
        "speed_tests",
      ].map((table) => db.prepare(`DELETE FROM ${table} WHERE gateway_id = ?`)),
      expiring: db.prepare<[number], { gateway_id: string; mac: string | null }>(
        "SELECT gateway_id, mac FROM leases WHERE expires_at IS NOT NULL AND expires_at <= ?",
      ),
      // Router history older than the router-data maximum age goes even while the gateway talks.
      pruneHistory: ["device_samples", "interface_samples", "events", "speed_tests"].map((table) =>
        db.prepare(`DELETE FROM ${table} WHERE at <= ?`),
      ),
      gateway: db.prepare<[string], GatewayRow>(
        "SELECT boot_id, last_snapshot_seq, last_state_seq FROM gateways WHERE gateway_id = ?",
      ),
      isRetired: db.prepare<[string, string], { one: number }>(
        "SELECT 1 AS one FROM retired_boots WHERE gateway_id = ? AND boot_id = ?",
      ),
      insertGateway: db.prepare(
        `INSERT INTO gateways (gateway_id, boot_id, boot_seen_at, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      retireBoot: db.prepare(
        "INSERT OR IGNORE INTO retired_boots (gateway_id, boot_id, retired_at) VALUES (?, ?, ?)",
      ),
      pruneRetired: db.prepare(
        `DELETE FROM retired_boots WHERE gateway_id = ? AND boot_id NOT IN
           (SELECT boot_id FROM retired_boots WHERE gateway_id = ? ORDER BY retired_at DESC LIMIT ${RETIRED_BOOTS_KEPT})`,
      ),
      newBoot: db.prepare(
        `UPDATE gateways SET boot_id = ?, boot_seen_at = ?, last_snapshot_seq = -1, last_state_seq = -1,
           uptime_seconds = NULL, clock_offset_ms = NULL, health = NULL, health_at = NULL WHERE gateway_id = ?`,
      ),
      deleteGatewayLeases: db.prepare("DELETE FROM leases WHERE gateway_id = ?"),
      snapshotSeen: db.prepare(
        `UPDATE gateways SET last_snapshot_seq = ?, last_seen_at = ?, clock_offset_ms = ?, uptime_seconds = ?
         WHERE gateway_id = ?`,
      ),
      // Health only from online messages: a last will carries the health of its connection's start,
      // older than the refreshes that followed.
      stateSeen: db.prepare(
        `UPDATE gateways SET last_state_seq = @seq, last_seen_at = @now, online = @online,
           agent_version = coalesce(@agentVersion, agent_version),
           health = CASE WHEN @health IS NULL THEN health ELSE @health END,
           health_at = CASE WHEN @health IS NULL THEN health_at ELSE @now END
         WHERE gateway_id = @gatewayId`,
      ),
      healthRefresh: db.prepare(
        "UPDATE gateways SET last_seen_at = @now, health = @health, health_at = @now WHERE gateway_id = @gatewayId",
      ),
      leasesOf: db.prepare<[string], LeaseRow>(
        `SELECT ip, mac, duid, hostname, client_id, iaid, expires_at, vendor_class, requested_options
         FROM leases WHERE gateway_id = ?`,
      ),
      upsertLease: db.prepare(
        `INSERT INTO leases (gateway_id, ip, family, mac, hostname, client_id, duid, iaid, source, expires_at,
           vendor_class, requested_options, first_seen_at, updated_at)
         VALUES (@gatewayId, @ip, @family, @mac, @hostname, @clientId, @duid, @iaid, @source, @expiresAt,
           @vendorClass, @requestedOptions, @now, @now)
         ON CONFLICT (gateway_id, ip) DO UPDATE SET family = excluded.family, mac = excluded.mac,
           hostname = excluded.hostname, client_id = excluded.client_id, duid = excluded.duid, iaid = excluded.iaid,
           source = excluded.source, expires_at = excluded.expires_at, vendor_class = excluded.vendor_class,
           requested_options = excluded.requested_options, updated_at = excluded.updated_at`,
      ),
      deleteLease: db.prepare("DELETE FROM leases WHERE gateway_id = ? AND ip = ?"),
      sweep: db.prepare("DELETE FROM leases WHERE expires_at IS NOT NULL AND expires_at <= ?"),
      silentGatewayLeases: db.prepare<[number], { n: number }>(
        `SELECT count(*) AS n FROM leases WHERE gateway_id IN
           (SELECT gateway_id FROM gateways WHERE last_seen_at <= ?)`,
      ),
      deleteSilentRetired: db.prepare(
        "DELETE FROM retired_boots WHERE gateway_id IN (SELECT gateway_id FROM gateways WHERE last_seen_at <= ?)",
      ),
      // Leases go with their gateway (ON DELETE CASCADE).
      deleteSilentGateways: db.prepare("DELETE FROM gateways WHERE last_seen_at <= ?"),
      seen: db.prepare("UPDATE gateways SET last_seen_at = ? WHERE gateway_id = ?"),
      stats: db.prepare<[], StoreStats>(
        `SELECT (SELECT count(*) FROM gateways) AS gateways,
                (SELECT count(*) FROM gateways WHERE online = 1) AS gatewaysOnline,
                (SELECT count(*) FROM leases) AS leases`,
      ),
    };
  }

  applyBatch(batch: readonly ReceivedMessage[]): ApplyResult[] {
    const results = this.db.transaction(() => batch.map((item) => this.#apply(item))).immediate();
    if (results.some((r) => r.deleted.released + r.deleted.reset > 0)) this.#erasurePending = true;
    return results;
  }

  sweepExpired(now: number): number {
    const s = this.#statements;
    const changes = this.db
      .transaction(() => {
        const ending = s.expiring.all(now);
        const { changes } = s.sweep.run(now);
        const done = new Set<string>();
        for (const { gateway_id: gatewayId, mac } of ending) {
          const key = `${gatewayId}|${mac}`;
          if (mac === null || done.has(key) || this.#devices.hasLease(gatewayId, mac)) continue;
          done.add(key);
          this.#devices.endDevice(gatewayId, mac);
          this.#devices.event(gatewayId, now, "expiry");
        }
        return changes;
      })
      .immediate();
    if (changes > 0) this.#erasurePending = true;
    // Deleted rows' old page images stay in the WAL until it is checkpointed and truncated.
    if (this.#erasurePending && checkpointTruncate(this.db)) this.#erasurePending = false;
    return changes;
  }

  deleteSilentGateways(lastSeenBefore: number): SilentGatewayDeletion {
    const s = this.#statements;
    const result = this.db
      .transaction(() => {
        const leases = s.silentGatewayLeases.get(lastSeenBefore)?.n ?? 0;
        s.deleteSilentRetired.run(lastSeenBefore);
        const gateways = s.deleteSilentGateways.run(lastSeenBefore).changes;
        let historyRows = 0;
        for (const prune of s.pruneHistory) historyRows += prune.run(lastSeenBefore).changes;
        return { gateways, leases, historyRows };
      })
      .immediate();
    if (result.gateways + result.historyRows > 0) this.#erasurePending = true;
    return result;
  }

  stats(): StoreStats {
    return this.#statements.stats.get() as StoreStats;
  }

  /** Deletions made outside applyBatch and the sweep (a privacy erase) whose checkpoint did not complete. */
  checkpointLater(): void {
    this.#erasurePending = true;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  #apply({ message, receivedAt }: ReceivedMessage): ApplyResult {
    const s = this.#statements;
    const result: ApplyResult = { outcome: "stored", deleted: noDeletions(), written: 0 };
    const { gatewayId, bootId } = message;
    if (s.isRetired.get(gatewayId, bootId)) return { ...result, outcome: "retired-boot" };

    let gateway = s.gateway.get(gatewayId);
    if (!gateway) {
      s.insertGateway.run(gatewayId, bootId, receivedAt, receivedAt, receivedAt);
      gateway = { boot_id: bootId, last_snapshot_seq: -1, last_state_seq: -1 };
    } else if (gateway.boot_id !== bootId) {
      // Rule 3: the router reset. Everything of the old boot goes before anything of the new one is stored.
      result.deleted.reset = s.deleteGatewayLeases.run(gatewayId).changes;
      for (const statement of s.deleteBootData) statement.run(gatewayId);
      s.retireBoot.run(gatewayId, gateway.boot_id, receivedAt);
      s.pruneRetired.run(gatewayId, gatewayId);
      s.newBoot.run(bootId, receivedAt, gatewayId);
      gateway = { boot_id: bootId, last_snapshot_seq: -1, last_state_seq: -1 };
      this.#devices.event(gatewayId, receivedAt, "reset");
    }

    if (message.type === "state") return this.#applyState(message, gateway, receivedAt, result);
    if (message.type === "speedtest") {
      const written = this.#speedTests.apply(message, receivedAt);
      if (written === 0) return { ...result, outcome: "duplicate" };
      // A result is a sign of life like any message: the gateway is not silent.
      s.seen.run(receivedAt, gatewayId);
      return { ...result, written };
    }
    return this.#applySnapshot(message, gateway, receivedAt, result);
  }

  #applyState(
    message: StateMessage,
    gateway: GatewayRow,
    receivedAt: number,
    result: ApplyResult,
  ): ApplyResult {
    const health = message.online && message.health ? JSON.stringify(message.health) : null;
    // The agent refreshes its retained online state with the connection's own sequence number (a
    // higher one would outrank the connection's will): same boot, same number, online, is a fresh
    // health report and nothing else.
    if (message.seq === gateway.last_state_seq && health !== null) {
      this.#statements.healthRefresh.run({ now: receivedAt, health, gatewayId: message.gatewayId });
      result.written++;
      return result;
    }
    // An offline will from an older connection can arrive after the newer connection's online message.
    if (message.seq <= gateway.last_state_seq) return { ...result, outcome: "duplicate" };
    this.#statements.stateSeen.run({
      seq: message.seq,
      now: receivedAt,
      online: message.online ? 1 : 0,
      agentVersion: message.agentVersion ?? null,
      health,
      gatewayId: message.gatewayId,
    });
    result.written++;
    return result;
  }

  #applySnapshot(
    message: Snapshot,
    gateway: GatewayRow,
    receivedAt: number,
    result: ApplyResult,
  ): ApplyResult {
    const s = this.#statements;
    // Older or repeated snapshots must not bring back a lease a newer one already removed.
    if (message.seq <= gateway.last_snapshot_seq) return { ...result, outcome: "duplicate" };
    const { gatewayId, collectedAt } = message;
    s.snapshotSeen.run(message.seq, receivedAt, receivedAt - collectedAt, message.uptimeSeconds, gatewayId);

    const existing = new Map(s.leasesOf.all(gatewayId).map((row) => [row.ip, row]));
    const present = new Set<string>();
    const stored: Lease[] = [];
    for (const lease of message.leases) {
      const expiresAt = toCollectorExpiry(lease, collectedAt, receivedAt);
      // Rule 1 applied on arrival: a lease already expired (the server has not cleaned it yet) is not stored.
      if (expiresAt !== null && expiresAt <= receivedAt) continue;
      present.add(lease.ip);
      const old = existing.get(lease.ip);
      const fingerprint = leaseFingerprint(lease, old);
      const kept =
        fingerprint.vendorClass !== (lease.vendorClass ?? null) ||
        fingerprint.requestedOptions !== optionsText(lease.requestedOptions);
      stored.push(
        kept
          ? {
              ...lease,
              vendorClass: fingerprint.vendorClass,
              requestedOptions: fingerprint.requestedOptions?.split(",").map(Number) ?? null,
            }
          : lease,
      );
      if (old && !leaseChanged(old, lease, expiresAt, fingerprint)) continue;
      if (old && (old.mac !== lease.mac || old.duid !== lease.duid)) {
        // Another device took the address: the previous device's lease ended.
        s.deleteLease.run(gatewayId, lease.ip);
        result.deleted.released++;
      }
      s.upsertLease.run({
        gatewayId,
        ip: lease.ip,
        family: lease.family,
        mac: lease.mac,
        hostname: lease.hostname,
        clientId: lease.clientId,
        duid: lease.duid,
        iaid: lease.iaid,
        source: lease.source,
        expiresAt,
        ...fingerprint,
        now: receivedAt,
      });
      result.written++;
    }
    // Rule 2: a lease missing from a later snapshot of the same boot was released or removed.
    for (const ip of existing.keys()) {
      if (!present.has(ip)) {
        s.deleteLease.run(gatewayId, ip);
        result.deleted.released++;
      }
    }
    result.written += this.#deviceEvents(gatewayId, [...existing.values()], stored, receivedAt);
    result.written += this.#devices.apply(message, stored, receivedAt);
    result.written += this.#router.apply(message, receivedAt);
    return result;
  }

  /** Join when a MAC got its first lease; release when its last lease left the snapshot. */
  #deviceEvents(gatewayId: string, before: LeaseRow[], after: Lease[], at: number): number {
    const had = new Set(before.map((l) => l.mac).filter((m) => m !== null));
    const has = new Set(after.map((l) => l.mac).filter((m) => m !== null));
    let written = 0;
    for (const lease of after) {
      if (lease.mac === null || had.has(lease.mac)) continue;
      had.add(lease.mac);
      this.#devices.event(gatewayId, at, "join", lease);
      written++;
    }
    for (const mac of had) {
      if (has.has(mac)) continue;
      // dnsmasq drops an expired lease from its file itself: gone at its expiry is an expiry.
      const expired = before
        .filter((l) => l.mac === mac)
        .every((l) => l.expires_at !== null && l.expires_at <= at + EXPIRY_CHANGE_THRESHOLD_MS);
      this.#devices.endDevice(gatewayId, mac);
      this.#devices.event(gatewayId, at, expired ? "expiry" : "release");
      written++;
    }
    return written;
  }
}

function leaseChanged(
  old: LeaseRow,
  lease: Lease,
  expiresAt: number | null,
  fingerprint: ReturnType<typeof leaseFingerprint>,
): boolean {
  if (old.mac !== lease.mac || old.duid !== lease.duid || old.hostname !== lease.hostname) return true;
  if (old.client_id !== lease.clientId || old.iaid !== lease.iaid) return true;
  if (old.vendor_class !== fingerprint.vendorClass || old.requested_options !== fingerprint.requestedOptions)
    return true;
  if (old.expires_at === null || expiresAt === null) return old.expires_at !== expiresAt;
  return Math.abs(old.expires_at - expiresAt) > EXPIRY_CHANGE_THRESHOLD_MS;
}
