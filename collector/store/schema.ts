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
  `
  -- Current view per device (protocol/devices.ts joinDevices, by MAC). Deleted when the device's
  -- lease ends; a device without a lease only while it is in the latest snapshot.
  CREATE TABLE devices (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    mac TEXT NOT NULL,
    -- JSON array of addresses
    ips TEXT NOT NULL,
    hostname TEXT,
    has_lease INTEGER NOT NULL,
    -- 1 when in the latest snapshot; a device that left silently keeps its lease until expiry
    present INTEGER NOT NULL,
    connection TEXT NOT NULL,
    interface TEXT,
    band TEXT,
    bridge_port TEXT,
    signal_dbm REAL,
    -- Wi-Fi station counters as the access point counts them (rx = from the device)
    rx_bytes INTEGER,
    tx_bytes INTEGER,
    rx_rate REAL,
    tx_rate REAL,
    -- bytes counted since this device row was created (this lease), across counter resets
    lease_rx_bytes INTEGER NOT NULL DEFAULT 0,
    lease_tx_bytes INTEGER NOT NULL DEFAULT 0,
    -- gateway clock and uptime of the counter reading, for the next rate
    read_at INTEGER,
    read_uptime REAL,
    last_sample_at INTEGER,
    first_seen_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, mac)
  ) STRICT, WITHOUT ROWID;

  -- History of the current lease; deleted with the device row.
  CREATE TABLE device_samples (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    mac TEXT NOT NULL,
    at INTEGER NOT NULL,
    signal_dbm REAL,
    rx_bytes INTEGER,
    tx_bytes INTEGER,
    rx_rate REAL,
    tx_rate REAL,
    PRIMARY KEY (gateway_id, mac, at)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE radios (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    interface TEXT NOT NULL,
    phy TEXT,
    type TEXT NOT NULL,
    ssid TEXT,
    mac TEXT,
    frequency_mhz INTEGER,
    channel INTEGER,
    channel_width_mhz INTEGER,
    tx_power_dbm REAL,
    noise_dbm REAL,
    channel_active_ms INTEGER,
    channel_busy_ms INTEGER,
    -- busy / active between the last two readings, 0..1
    utilisation REAL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, interface)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE interfaces (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    rx_bytes INTEGER NOT NULL,
    tx_bytes INTEGER NOT NULL,
    rx_packets INTEGER NOT NULL,
    tx_packets INTEGER NOT NULL,
    rx_errors INTEGER NOT NULL,
    tx_errors INTEGER NOT NULL,
    rx_dropped INTEGER NOT NULL,
    tx_dropped INTEGER NOT NULL,
    rx_rate REAL,
    tx_rate REAL,
    read_at INTEGER NOT NULL,
    read_uptime REAL,
    last_sample_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, name)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE interface_samples (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    at INTEGER NOT NULL,
    rx_bytes INTEGER NOT NULL,
    tx_bytes INTEGER NOT NULL,
    rx_rate REAL,
    tx_rate REAL,
    PRIMARY KEY (gateway_id, name, at)
  ) STRICT, WITHOUT ROWID;

  -- join, release, expiry, reset. mac/ip/hostname are cleared when the device's lease ends.
  CREATE TABLE events (
    event_id INTEGER PRIMARY KEY,
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    mac TEXT,
    ip TEXT,
    hostname TEXT
  ) STRICT;
  CREATE INDEX events_by_gateway ON events(gateway_id, at);
  CREATE INDEX events_by_mac ON events(gateway_id, mac) WHERE mac IS NOT NULL;
  CREATE INDEX leases_by_mac ON leases(gateway_id, mac);

  -- HTTP API bearer tokens: a SHA-256 of the secret (256 random bits, so no slow hash is needed).
  CREATE TABLE api_tokens (
    token_id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Device insight: a lease's DHCP fingerprint lives with the lease; router identity and line
  -- quality are router data of the current boot (deleted at reset and by the maximum age).
  ALTER TABLE leases ADD COLUMN vendor_class TEXT;
  -- DHCP option 55 as the client sent it, comma-separated in its order ("1,3,6,15,119,252")
  ALTER TABLE leases ADD COLUMN requested_options TEXT;

  CREATE TABLE router_info (
    gateway_id TEXT PRIMARY KEY REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    model TEXT,
    board TEXT,
    firmware TEXT,
    kernel TEXT,
    hostname TEXT,
    wan_interface TEXT,
    wan_mac TEXT,
    -- JSON array of addresses
    wan_addresses TEXT NOT NULL,
    load1 REAL,
    mem_total_bytes INTEGER,
    mem_available_bytes INTEGER,
    updated_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE line_quality (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    address TEXT,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    loss_percent REAL,
    rtt_min_ms REAL,
    rtt_avg_ms REAL,
    rtt_max_ms REAL,
    jitter_ms REAL,
    error TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, target)
  ) STRICT, WITHOUT ROWID;

  -- The agent's own health (protocol agentHealthSchema, JSON) from its latest online state message,
  -- and when it arrived (collector clock). Router data: cleared at reset.
  ALTER TABLE gateways ADD COLUMN health TEXT;
  ALTER TABLE gateways ADD COLUMN health_at INTEGER;

  -- What the device is (agent/insight/classifyDevice.ts) from its hostname, its leases' fingerprint
  -- (copied here from the leases: the classifier's inputs), its OUI vendor and randomised MAC;
  -- classified again only when one of these or the rules' version changed.
  ALTER TABLE devices ADD COLUMN vendor_class TEXT;
  ALTER TABLE devices ADD COLUMN requested_options TEXT;
  ALTER TABLE devices ADD COLUMN device_type TEXT;
  ALTER TABLE devices ADD COLUMN type_confidence REAL;
  -- JSON array of the matched rules that decided it: [{"rule", "on", "weight"}]
  ALTER TABLE devices ADD COLUMN type_signals TEXT;
  ALTER TABLE devices ADD COLUMN type_rules_version INTEGER;
  -- Traffic from the device's point of view (down = received by the device, up = sent by it), from
  -- nlbwmon, conntrack, or the Wi-Fi station counters when only those exist ('wifi-station').
  ALTER TABLE devices ADD COLUMN traffic_source TEXT;
  -- JSON object: the source's cumulative readings of the last snapshot per row, [down, up, down
  -- packets, up packets], for the next difference (read_at / read_uptime say when)
  ALTER TABLE devices ADD COLUMN traffic_counters TEXT;
  -- bytes/s between the last two readings
  ALTER TABLE devices ADD COLUMN down_rate REAL;
  ALTER TABLE devices ADD COLUMN up_rate REAL;
  -- counted during this lease, across counter resets and changes of source
  ALTER TABLE devices ADD COLUMN lease_down_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE devices ADD COLUMN lease_up_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE devices ADD COLUMN lease_down_packets INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE devices ADD COLUMN lease_up_packets INTEGER NOT NULL DEFAULT 0;

  ALTER TABLE device_samples ADD COLUMN down_rate REAL;
  ALTER TABLE device_samples ADD COLUMN up_rate REAL;
  ALTER TABLE device_samples ADD COLUMN lease_down_bytes INTEGER;
  ALTER TABLE device_samples ADD COLUMN lease_up_bytes INTEGER;
  `,
  `
  -- Speed tests asked for by support: router data of the current boot (deleted at reset and by
  -- the maximum age). \`at\` is when it was requested, collector clock.
  CREATE TABLE speed_tests (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    test_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    -- pending, done, failed
    status TEXT NOT NULL,
    -- a pending test not answered by then is failed (collector clock); null for a result this
    -- collector did not ask for
    answer_by INTEGER,
    finished_at INTEGER,
    download_bits_per_second REAL,
    upload_bits_per_second REAL,
    rtt_ms REAL,
    download_bytes INTEGER,
    upload_bytes INTEGER,
    server TEXT,
    error TEXT,
    PRIMARY KEY (gateway_id, test_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX speed_tests_by_at ON speed_tests(at);
  `,
  `
  -- The DHCP server's IPv4 pools as the agent read them from its configuration (protocol
  -- dhcpPoolSchema, JSON array); NULL where the agent could not say.
  ALTER TABLE router_info ADD COLUMN dhcp_pools TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Db): void {
  const versionOf = () => db.pragma("user_version", { simple: true }) as number;
  const current = versionOf();
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this collector understands (${SCHEMA_VERSION}); upgrade leaseline`,
    );
  }
  // Several collectors may open one new file at once (external-broker mode): each step reads the
  // version inside its write transaction, so a step another process has just applied is skipped.
  const step = db.transaction(() => {
    const version = versionOf();
    if (version >= SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[version] as string);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  let applied = true;
  while (applied) applied = step.immediate();
}
