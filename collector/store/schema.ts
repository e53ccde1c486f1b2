/**
 * The collector's tables and their migrations (PRAGMA user_version). Every column that holds
 * data about a device lives in a table whose rows are deleted by the lifetime rules
 * (docs/lifecycle.md); nothing about a device is copied elsewhere.
 */
import type { Db } from "./openDatabase.js";

const MIGRATIONS: string[] = [
  `
  CREATE TABLE gateways (
    gateway_id TEXT PRIMARY KEY,
    boot_id TEXT NOT NULL,
    -- collector clock (ms since epoch) when this boot was first seen: the last reboot
    boot_seen_at INTEGER NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    online INTEGER NOT NULL DEFAULT 0,
    agent_version TEXT,
    last_snapshot_seq INTEGER NOT NULL DEFAULT -1,
    last_state_seq INTEGER NOT NULL DEFAULT -1,
    -- collector clock minus gateway clock at the last snapshot, ms
    clock_offset_ms INTEGER,
    uptime_seconds REAL
  ) STRICT;

  -- Boots that ended: a late message from one of them must not bring its data back.
  CREATE TABLE retired_boots (
    gateway_id TEXT NOT NULL,
    boot_id TEXT NOT NULL,
    retired_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, boot_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE leases (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    family TEXT NOT NULL,
    mac TEXT,
    hostname TEXT,
    client_id TEXT,
    duid TEXT,
    iaid INTEGER,
    source TEXT NOT NULL,
    -- collector clock, ms since epoch; NULL = never expires
    expires_at INTEGER,
    first_seen_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, ip)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX leases_by_expiry ON leases(expires_at) WHERE expires_at IS NOT NULL;
  `,
  `
  -- Gateway credentials for the embedded broker: no personal data, and not tied to the gateway's
  -- data rows (a credential exists before the gateway first connects and outlives its boots).
  CREATE TABLE gateway_credentials (
    gateway_id TEXT PRIMARY KEY,
    -- scrypt, collector/auth/passwordHash.ts; never the password itself
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX gateways_by_last_seen ON gateways(last_seen_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this collector understands (${SCHEMA_VERSION}); upgrade leaseline`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
