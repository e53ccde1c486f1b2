/**
 * Every setting of the agent, once: its config-file key, its flag (the key in kebab case), the
 * kind of value, the default and the help text. The command line and the JSON config file are
 * built from this table, so no setting exists in one and not the other. Defaults are chosen to
 * work unchanged on OpenWrt, where /var is RAM (see deploy/README.md).
 */
import { BOOT_ID_PATH } from "../bootId.js";
import { DEFAULT_MAX_IN_FLIGHT } from "../mqttPublisher.js";
import { DEFAULT_PUBLISH_RATE } from "../runtime/publishPacer.js";
import { SNMP_DEFAULTS } from "../snmpOptions.js";
import { SOURCE_NAMES } from "../sources/registry.js";

export type ValueKind =
  | { type: "string" }
  | { type: "number"; min: number; max: number; unit: string }
  | { type: "integer"; min: number; max: number; unit: string }
  | { type: "boolean" }
  | { type: "enum"; values: readonly string[] }
  /** Repeatable flag; a JSON array of strings. */
  | { type: "list" }
  /** `auto` or a comma-separated list; in JSON also an array. */
  | { type: "sources" }
  /** Bytes: a whole number, or with K/KiB, M/MiB, G/GiB (powers of 1024). */
  | { type: "bytes"; min: number; max: number };

export interface ConfigKey {
  key: string;
  kind: ValueKind;
  /** Placeholder in help, e.g. `<seconds>`. */
  arg?: string;
  description: string;
  default?: string | number | boolean | readonly string[];
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const DEFAULT_STATE_DIR = "/var/lib/leaseline";

const seconds = (min: number, max: number): ValueKind => ({ type: "number", min, max, unit: "seconds" });
const millis = (min: number, max: number): ValueKind => ({ type: "integer", min, max, unit: "ms" });
const text: ValueKind = { type: "string" };

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: "gatewayId",
    kind: text,
    arg: "<id>",
    description: "this gateway's id (MQTT client id and topic level)",
  },
  {
    key: "broker",
    kind: text,
    arg: "<url>",
    description: "collector's broker: mqtt://HOST:PORT or mqtts://HOST:PORT",
  },
  {
    key: "sources",
    kind: { type: "sources" },
    arg: "<list>",
    description: `auto, or a comma-separated list of: ${SOURCE_NAMES.join(", ")}`,
    default: "auto",
  },
  {
    key: "dnsmasqLeases",
    kind: text,
    arg: "<file>",
    description: "dnsmasq lease file (default: the usual places)",
  },
  {
    key: "iscDhcpdLeases",
    kind: text,
    arg: "<file>",
    description: "ISC dhcpd lease file (default: the usual places)",
  },
  { key: "bootIdFile", kind: text, arg: "<file>", description: "boot id file", default: BOOT_ID_PATH },
  {
    key: "clockFile",
    kind: text,
    arg: "<file>",
    description: "read the gateway's clock (ms since epoch) from this file under --root (simulated gateways)",
  },
  {
    key: "hookSpool",
    kind: text,
    arg: "<dir>",
    description:
      "spool directory of the DHCP server hook (agent/hooks/leaseline-dhcp-hook.sh, usually /tmp/leaseline/spool): lease events are published at once",
  },
  {
    key: "root",
    kind: text,
    arg: "<dir>",
    description: "prefix for every system path (a simulated gateway)",
    default: "/",
  },
  {
    key: "interval",
    kind: seconds(0.1, 86_400),
    arg: "<seconds>",
    description: "full snapshot at least this often",
    default: 30,
  },
  {
    key: "poll",
    kind: seconds(0.01, 3600),
    arg: "<seconds>",
    description: "check for changes this often (at most --interval)",
    default: 5,
  },
  { key: "once", kind: { type: "boolean" }, description: "collect once, publish, and exit" },
  {
    key: "print",
    kind: { type: "boolean" },
    description: "print the snapshot as JSON instead of publishing (with --once)",
  },
  {
    key: "stateDir",
    kind: text,
    arg: "<dir>",
    description: "sequence numbers and (by default) the outbox; /var/lib is RAM on OpenWrt",
    default: DEFAULT_STATE_DIR,
  },
  {
    key: "outboxDir",
    kind: text,
    arg: "<dir>",
    description: "the on-disk queue (default: <state-dir>/outbox)",
  },
  {
    key: "outboxMaxBytes",
    kind: { type: "bytes", min: 64 * 1024, max: 1024 ** 3 },
    arg: "<size>",
    description: "outbox size limit, e.g. 8MiB; when full the oldest messages are dropped",
    default: "8MiB",
  },
  {
    key: "maxInFlight",
    kind: { type: "integer", min: 1, max: 256, unit: "messages" },
    arg: "<n>",
    description: "unacknowledged publishes at once",
    default: DEFAULT_MAX_IN_FLIGHT,
  },
  {
    key: "publishRate",
    kind: { type: "number", min: 0.1, max: 100_000, unit: "messages/s" },
    arg: "<n>",
    description: "pace of a replayed backlog; keep under the broker's per-client limit",
    default: DEFAULT_PUBLISH_RATE,
  },
  {
    key: "commandDir",
    kind: { type: "list" },
    arg: "<dir>",
    description: "searched before PATH for iw, ip, bridge (repeatable)",
  },
  {
    key: "pingTarget",
    kind: { type: "list" },
    arg: "<host>",
    description: "host to measure latency, jitter and loss to, besides the WAN gateway (repeatable)",
  },
  {
    key: "speedtestUrl",
    kind: text,
    arg: "<url>",
    description:
      "run requested speed tests against this http(s) test server instead of the collector's (the request's one-time token is sent to it)",
  },
  {
    key: "commandTimeout",
    kind: millis(100, 60_000),
    arg: "<ms>",
    description: "timeout for each command the agent runs",
    default: 5000,
  },
  { key: "caFile", kind: text, arg: "<file>", description: "CA certificate(s) to verify an mqtts:// broker" },
  {
    key: "certFile",
    kind: text,
    arg: "<file>",
    description: "client certificate for mqtts:// (with --key-file)",
  },
  { key: "keyFile", kind: text, arg: "<file>", description: "client private key for mqtts://" },
  { key: "username", kind: text, arg: "<name>", description: "broker username (with --password-file)" },
  {
    key: "passwordFile",
    kind: text,
    arg: "<file>",
    description: "file holding the broker password (never on the command line)",
  },
  {
    key: "reconnectMin",
    kind: seconds(0.01, 600),
    arg: "<seconds>",
    description: "first reconnect window (full jitter)",
    default: 1,
  },
  {
    key: "reconnectMax",
    kind: seconds(0.01, 3600),
    arg: "<seconds>",
    description: "largest reconnect window",
    default: 60,
  },
  {
    key: "healthInterval",
    kind: seconds(1, 86_400),
    arg: "<seconds>",
    description: "refresh the retained state's health this often",
    default: 60,
  },
  {
    key: "logLevel",
    kind: { type: "enum", values: LOG_LEVELS },
    arg: "<level>",
    description: `log level: ${LOG_LEVELS.join(", ")} (or LEASELINE_LOG_LEVEL)`,
    default: "info",
  },
  {
    key: "snmp",
    kind: text,
    arg: "<target>",
    description: "poll a router over SNMP: udp://HOST[:PORT] (v2c unless --snmp-v3-user)",
  },
  { key: "snmpCommunity", kind: text, arg: "<name>", description: "SNMPv2c community", default: "public" },
  {
    key: "snmpV3User",
    kind: text,
    arg: "<name>",
    description: "SNMPv3 user (authPriv when a privacy key is given)",
  },
  {
    key: "snmpV3AuthProtocol",
    kind: text,
    arg: "<p>",
    description: "SNMPv3 authentication protocol",
    default: "sha",
  },
  {
    key: "snmpV3AuthKeyFile",
    kind: text,
    arg: "<file>",
    description: "file holding the SNMPv3 authentication key (or LEASELINE_SNMP_AUTH_KEY)",
  },
  {
    key: "snmpV3PrivProtocol",
    kind: text,
    arg: "<p>",
    description: "SNMPv3 privacy protocol",
    default: "aes",
  },
  {
    key: "snmpV3PrivKeyFile",
    kind: text,
    arg: "<file>",
    description: "file holding the SNMPv3 privacy key (or LEASELINE_SNMP_PRIV_KEY)",
  },
  {
    key: "snmpTimeout",
    kind: millis(100, 60_000),
    arg: "<ms>",
    description: "SNMP request timeout",
    default: SNMP_DEFAULTS.timeoutMs,
  },
  {
    key: "snmpRetries",
    kind: { type: "integer", min: 0, max: 10, unit: "" },
    arg: "<n>",
    description: "SNMP re-sends before a timeout",
    default: SNMP_DEFAULTS.retries,
  },
];

export const KEY_NAMES: readonly string[] = CONFIG_KEYS.map((k) => k.key);

/** `snmpV3AuthKeyFile` → `--snmp-v3-auth-key-file`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
