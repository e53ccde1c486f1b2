/**
 * The messages a gateway publishes, as schemas. The static types used everywhere are inferred
 * from these schemas; docs/protocol.md documents each field, its unit and its TR-181 counterpart.
 */
import { isIP } from "node:net";
import {
  GATEWAY_ID_PATTERN,
  MAX_ARRAY_ITEMS,
  MAX_DHCP_POOLS,
  MAX_ID_LENGTH,
  MAX_SEQUENCE,
  MAX_STRING_LENGTH,
} from "./limits.js";
import {
  array,
  bool,
  INVALID,
  type Infer,
  int,
  literal,
  MAX_ERRORS,
  nullable,
  num,
  object,
  oneOf,
  optional,
  type Schema,
  str,
} from "./schema.js";
import { PROTOCOL_VERSION } from "./version.js";

/** Lower-case, colon-separated hardware address: 6 octets for Ethernet/Wi-Fi, up to 20 for other link types. */
export const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){0,19}$/;

const mac = str({ max: 59, pattern: MAC_PATTERN, patternName: "a lower-case colon-separated MAC" });
const name = str({ min: 1, max: MAX_STRING_LENGTH });
const text = str({ max: MAX_STRING_LENGTH });
const id = str({ max: MAX_ID_LENGTH });
const counter = int(0);
/** Milliseconds since the epoch on the gateway's clock; the clock may be wrong (1970 before NTP). */
const epochMs = int(0, 8.64e15);

const ipAddress: Schema<string> = {
  check(value, path, errors) {
    if (typeof value === "string" && value.length <= 64 && isIP(value) !== 0) return value;
    if (errors.length < MAX_ERRORS) {
      errors.push({
        path,
        message: `expected an IPv4 or IPv6 address, got ${JSON.stringify(value)?.slice(0, 80)}`,
      });
    }
    return INVALID;
  },
};

export const LEASE_SOURCES = ["dnsmasq", "isc-dhcpd", "kea", "odhcpd"] as const;

export const leaseSchema = object({
  /** Client hardware address; null for DHCPv6, whose leases are keyed by DUID and IAID. */
  mac: nullable(mac),
  ip: ipAddress,
  family: oneOf(["ipv4", "ipv6"] as const),
  hostname: nullable(text),
  /** Gateway clock, ms since epoch; null means the lease never expires. */
  expiresAt: nullable(epochMs),
  /** DHCPv4 client identifier (option 61), lower-case colon-separated hex as the server prints it. */
  clientId: nullable(id),
  /** DHCPv6 client DUID, hex. */
  duid: nullable(id),
  /** DHCPv6 identity association id. */
  iaid: nullable(int(0, 0xffffffff)),
  source: oneOf(LEASE_SOURCES),
  /** DHCP option 60 as the client sent it (`android-dhcp-13`, `MSFT 5.0`), from the server's hook. */
  vendorClass: optional(nullable(text)),
  /** DHCP option 55, the parameter request list: the client's fingerprint, from the server's hook. */
  requestedOptions: optional(nullable(array(int(0, 255), 255))),
});
export type Lease = Infer<typeof leaseSchema>;

export const NEIGHBOR_STATES = [
  "reachable",
  "stale",
  "delay",
  "probe",
  "incomplete",
  "failed",
  "noarp",
  "permanent",
  "none",
] as const;

export const neighborSchema = object({
  ip: ipAddress,
  /** Null while resolution is incomplete or has failed. */
  mac: nullable(mac),
  interface: name,
  state: oneOf(NEIGHBOR_STATES),
  /** Bridge port the MAC was learned on (from the forwarding database), when known. */
  bridgePort: nullable(name),
});
export type Neighbor = Infer<typeof neighborSchema>;

export const interfaceSchema = object({
  name,
  rxBytes: counter,
  txBytes: counter,
  rxPackets: counter,
  txPackets: counter,
  rxErrors: counter,
  txErrors: counter,
  rxDropped: counter,
  txDropped: counter,
});
export type InterfaceCounters = Infer<typeof interfaceSchema>;

export const radioSchema = object({
  interface: name,
  phy: nullable(name),
  /** iw interface type: AP, managed, monitor, mesh point, ... */
  type: text,
  ssid: nullable(str({ max: 32 * 4 })),
  mac: nullable(mac),
  frequencyMhz: nullable(int(0, 100_000)),
  channel: nullable(int(0, 300)),
  channelWidthMhz: nullable(int(0, 640)),
  txPowerDbm: nullable(num(-100, 100)),
  noiseDbm: nullable(num(-150, 0)),
  /** Cumulative survey times for the channel in use, ms (use differences between readings). */
  channelActiveMs: nullable(counter),
  channelBusyMs: nullable(counter),
  channelRxMs: nullable(counter),
  channelTxMs: nullable(counter),
});
export type Radio = Infer<typeof radioSchema>;

export const stationSchema = object({
  mac,
  interface: name,
  signalDbm: nullable(num(-150, 50)),
  signalAvgDbm: nullable(num(-150, 50)),
  rxBytes: counter,
  txBytes: counter,
  rxPackets: counter,
  txPackets: counter,
  txRetries: nullable(counter),
  txFailed: nullable(counter),
  rxBitrateMbps: nullable(num(0, 1e6)),
  txBitrateMbps: nullable(num(0, 1e6)),
  /** The bitrate as iw describes it (MCS, width, guard interval, spatial streams). */
  rxBitrate: nullable(text),
  txBitrate: nullable(text),
  connectedSeconds: nullable(counter),
  inactiveMs: nullable(counter),
  authorized: nullable(bool),
  associated: nullable(bool),
  /** Fields the driver reported implausibly (positive signal, inactive time near 2^32, ...). */
  suspect: array(text, 32),
});
export type Station = Infer<typeof stationSchema>;

export const TRAFFIC_SOURCES = ["nlbwmon", "conntrack"] as const;

/**
 * Traffic per device on any port, cumulative: rx is what the device received (download), tx what
 * it sent (upload). nlbwmon counts per MAC over its accounting period; conntrack per LAN address
 * since the agent started. Counters that go down mean the source restarted its count.
 */
export const deviceTrafficSchema = object({
  mac: nullable(mac),
  ip: nullable(ipAddress),
  rxBytes: counter,
  txBytes: counter,
  rxPackets: counter,
  txPackets: counter,
  source: oneOf(TRAFFIC_SOURCES),
});
export type DeviceTraffic = Infer<typeof deviceTrafficSchema>;

/** Latency, jitter and loss to one target over the last cycle's pings. */
export const lineQualitySchema = object({
  target: name,
  address: nullable(ipAddress),
  sent: counter,
  received: counter,
  lossPercent: nullable(num(0, 100)),
  rttMinMs: nullable(num(0, 1e6)),
  rttAvgMs: nullable(num(0, 1e6)),
  rttMaxMs: nullable(num(0, 1e6)),
  jitterMs: nullable(num(0, 1e6)),
  error: nullable(text),
});
export type LineQuality = Infer<typeof lineQualitySchema>;

const ipv4Address: Schema<string> = {
  check(value, path, errors) {
    if (typeof value === "string" && isIP(value) === 4) return value;
    if (errors.length < MAX_ERRORS) {
      errors.push({ path, message: `expected an IPv4 address, got ${JSON.stringify(value)?.slice(0, 80)}` });
    }
    return INVALID;
  },
};

/** A DHCPv4 address pool the router's DHCP server hands addresses out of (both ends included). */
export const dhcpPoolSchema = object({
  /** The pool's name where the server gives one: dnsmasq's `set:` tag (OpenWrt's interface section), ISC dhcpd's or Kea's shared network. */
  name: nullable(name),
  start: ipv4Address,
  end: ipv4Address,
});
export type DhcpPool = Infer<typeof dhcpPoolSchema>;

/** The router itself: identity, its WAN side, and how loaded it is. */
export const routerSchema = object({
  model: nullable(text),
  board: nullable(text),
  /** Distribution, version and build in one string (`OpenWrt 23.05.3 r23809-234f1a2efa`). */
  firmware: nullable(text),
  kernel: nullable(text),
  hostname: nullable(text),
  /** Interface of the default route. */
  wanInterface: nullable(name),
  /** MAC address of the WAN interface. */
  wanMac: nullable(mac),
  wanAddresses: array(ipAddress, 16),
  /** One-minute load average. */
  load1: nullable(num(0, 1e5)),
  memTotalBytes: nullable(counter),
  memAvailableBytes: nullable(counter),
  /** The DHCP server's IPv4 pools, when its configuration could be read; absent from older agents. */
  dhcpPools: optional(array(dhcpPoolSchema, MAX_DHCP_POOLS)),
});
export type RouterInfo = Infer<typeof routerSchema>;

export const SOURCE_STATUSES = ["ok", "absent", "error"] as const;

export const sourceStatusSchema = object({
  source: name,
  status: oneOf(SOURCE_STATUSES),
  /** Records the source produced this cycle. */
  records: counter,
  /** Lines or rows skipped as malformed this cycle. */
  skipped: counter,
  error: nullable(text),
});
export type SourceStatus = Infer<typeof sourceStatusSchema>;

/** The agent's own health, carried in its retained `state` message. */
export const agentHealthSchema = object({
  /** Seconds since the agent process started. */
  agentUptimeSeconds: num(0, 1e10),
  /** Messages in the outbox not yet acknowledged by the broker, their size, and the outbox's limit. */
  outboxMessages: counter,
  outboxBytes: counter,
  outboxLimitBytes: counter,
  /** Since the agent started: acknowledged; dropped (outbox full, too large, unreadable); publishes whose connection died before the acknowledgement (sent again). */
  published: counter,
  dropped: counter,
  failed: counter,
  /** Connections established since the agent started. */
  connections: counter,
  /** Each source's status in the last full collection. */
  sources: array(sourceStatusSchema, 64),
});
export type AgentHealth = Infer<typeof agentHealthSchema>;

const envelopeShape = {
  v: literal(PROTOCOL_VERSION),
  gatewayId: str({ max: 64, pattern: GATEWAY_ID_PATTERN, patternName: "a gateway id" }),
  /** The gateway's boot id (a new random value each boot). */
  bootId: str({ min: 1, max: 64 }),
  /** Per boot, increasing by at least one for every message the gateway sends. */
  seq: int(0, MAX_SEQUENCE),
  /** Gateway clock at collection time, ms since epoch. */
  collectedAt: epochMs,
};

/**
 * The snapshot's arrays of records, by the schema of one record: what the agent's sources fill
 * (agent/collectSnapshot.ts) and what the collector may take without a faulty record (validate.ts).
 */
export const snapshotRecordSchemas = {
  leases: leaseSchema,
  neighbors: neighborSchema,
  interfaces: interfaceSchema,
  radios: radioSchema,
  stations: stationSchema,
  traffic: deviceTrafficSchema,
  lineQuality: lineQualitySchema,
} as const;
export type SnapshotRecordArray = keyof typeof snapshotRecordSchemas;

export const snapshotSchema = object({
  ...envelopeShape,
  type: literal("snapshot"),
  uptimeSeconds: nullable(num(0, 1e10)),
  leases: array(leaseSchema, MAX_ARRAY_ITEMS),
  neighbors: array(neighborSchema, MAX_ARRAY_ITEMS),
  interfaces: array(interfaceSchema, MAX_ARRAY_ITEMS),
  radios: array(radioSchema, 64),
  stations: array(stationSchema, MAX_ARRAY_ITEMS),
  sources: array(sourceStatusSchema, 64),
  traffic: optional(array(deviceTrafficSchema, MAX_ARRAY_ITEMS)),
  lineQuality: optional(array(lineQualitySchema, 8)),
  router: optional(nullable(routerSchema)),
});
export type Snapshot = Infer<typeof snapshotSchema>;

export const stateSchema = object({
  ...envelopeShape,
  type: literal("state"),
  /** True when published by the agent on connect; false when published by the broker as the last will. */
  online: bool,
  agentVersion: optional(nullable(text)),
  health: optional(agentHealthSchema),
});
export type StateMessage = Infer<typeof stateSchema>;

/**
 * The outcome of a speed test the collector asked for (protocol/commands.ts). Throughput is what
 * the agent measured over HTTP against the test server: payload bits over the transfer's wall
 * time, from the first response byte (download) or the request start (upload) to the last byte.
 */
export const speedTestResultSchema = object({
  ...envelopeShape,
  type: literal("speedtest"),
  /** The command's id. */
  testId: str({ min: 1, max: 64 }),
  /** The test server's host and port (`collector.example:8080`), for support to see what was measured against. */
  server: nullable(text),
  downloadBitsPerSecond: nullable(num(0, 1e12)),
  uploadBitsPerSecond: nullable(num(0, 1e12)),
  /** Median HTTP round trip to the test server over a few small requests, ms. */
  rttMs: nullable(num(0, 1e6)),
  downloadBytes: counter,
  uploadBytes: counter,
  downloadSeconds: nullable(num(0, 1e4)),
  uploadSeconds: nullable(num(0, 1e4)),
  /** Why the test failed or was refused (another test running, server unreachable); null when it ran. */
  error: nullable(text),
});
export type SpeedTestResult = Infer<typeof speedTestResultSchema>;

export type Message = Snapshot | StateMessage | SpeedTestResult;
