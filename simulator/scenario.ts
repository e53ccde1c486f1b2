/**
 * Scripted timelines (`--scenario FILE`): the devices of one gateway and what happens to them at
 * which simulated second. The file is checked as a whole and every problem is reported with the
 * file name and the entry it concerns, so a typo in a test fixture fails loudly, not silently.
 */
import { readFileSync } from "node:fs";
import { BANDS, type Band, DEVICE_KINDS, type DeviceKind } from "./catalog.js";
import {
  DEFAULT_DHCP_LIMIT,
  DEFAULT_DHCP_START,
  DEFAULT_LAN_PREFIX,
  dhcpPoolProblem,
  lastHostOf,
  MIN_DHCP_START,
  MIN_LAN_PREFIX,
} from "./lan.js";

export const LEASE_FORMATS = ["dnsmasq", "isc-dhcpd", "kea"] as const;
export type LeaseFormat = (typeof LEASE_FORMATS)[number];

export const IW_VERSIONS = ["6.9", "6.17"] as const;
/** iw 6.17 moved the station flags before the counters; parsers must go by label. */
export type IwVersion = (typeof IW_VERSIONS)[number];

export interface ScenarioGateway {
  leaseSeconds?: number;
  /** The LAN's prefix length (/16 to /24) and the DHCP pool's first host and size, as OpenWrt's `start` and `limit`. */
  lanPrefix?: number;
  dhcpStart?: number;
  dhcpLimit?: number;
  leaseFormat?: LeaseFormat;
  /** True when the lease file survives a reboot (on flash), false for tmpfs. */
  leaseFileOnFlash?: boolean;
  /** Gateway clock at start and after every reboot, ms since epoch (0 = a router without RTC in 1970). */
  startClock?: number;
  /** Seconds after each boot when NTP corrects a wrong clock; null = only scripted `ntp-sync`. */
  ntpSyncSeconds?: number | null;
  /** Uptime when the run starts; 0 = the gateway boots at the start of the run. */
  uptimeAtStartSeconds?: number;
  /** Interfaces whose counters wrap at 2^32 (32-bit kernels, some Wi-Fi drivers). */
  wrap32?: string[];
  iwVersion?: IwVersion;
}

export interface ScenarioDevice {
  id: string;
  kind?: DeviceKind;
  mac?: string;
  hostname?: string | null;
  band?: Band;
  /** "mac" sends `01:<mac>`, "none" sends no client id. */
  clientId?: "mac" | "none";
}

export const SCENARIO_ENTRY_TYPES = [
  "join",
  "leave",
  "release",
  "silent",
  "roam",
  "traffic",
  "reboot",
  "ntp-sync",
] as const;
export type ScenarioEntryType = (typeof SCENARIO_ENTRY_TYPES)[number];

export type ScenarioEntry =
  | { at: number; type: "join"; device: string; band?: Band; downBps?: number; upBps?: number }
  | { at: number; type: "leave"; device: string; release?: boolean }
  | { at: number; type: "release" | "silent"; device: string }
  | { at: number; type: "roam"; device: string; band?: Band }
  | { at: number; type: "traffic"; device: string; downBps: number; upBps: number }
  | { at: number; type: "reboot"; leaseFileKept?: boolean }
  | { at: number; type: "ntp-sync"; clock?: number };

export interface Scenario {
  description?: string;
  /** Random household behaviour besides the timeline (default false: only what is scripted happens). */
  random?: boolean;
  gateway?: ScenarioGateway;
  devices: ScenarioDevice[];
  timeline: ScenarioEntry[];
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ScenarioError";
  }
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseScenario(text, file);
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** dnsmasq accepts only these characters in a hostname. */
const HOSTNAME = /^[A-Za-z0-9_-]{1,63}$/;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Bounds that catch unit mistakes (ms for s, bits for bytes) rather than limit realism. */
const MAX_AT_SECONDS = 365 * 86400;
const MAX_RATE_BPS = 10e9 / 8;

export function parseScenario(text: string, file = "scenario"): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const v = new Checker(problems);
  if (!isObject(json)) throw new ScenarioError(file, ["the top level must be a JSON object"]);
  v.keys(json, "(top level)", ["description", "random", "gateway", "devices", "timeline"]);
  const scenario: Scenario = { devices: [], timeline: [] };
  if (json.description !== undefined) scenario.description = v.string(json.description, "description");
  if (json.random !== undefined) scenario.random = v.bool(json.random, "random");
  if (json.gateway !== undefined) scenario.gateway = checkGateway(v, json.gateway);

  const ids = new Set<string>();
  if (json.devices !== undefined) {
    if (!Array.isArray(json.devices)) problems.push("devices: expected an array of devices");
    else
      json.devices.forEach((d, i) => {
        const dev = checkDevice(v, d, `devices[${i}]`);
        if (!dev) return;
        if (ids.has(dev.id)) problems.push(`devices[${i}]: duplicate device id "${dev.id}"`);
        ids.add(dev.id);
        scenario.devices.push(dev);
      });
  }
  if (!Array.isArray(json.timeline)) problems.push("timeline: required, an array of entries");
  else {
    let previousAt = 0;
    json.timeline.forEach((e, i) => {
      const entry = checkEntry(v, e, i, ids);
      if (!entry) return;
      if (entry.at < previousAt)
        problems.push(
          `${describeEntry(i, entry)}: entries must be in time order (previous at ${previousAt})`,
        );
      previousAt = Math.max(previousAt, entry.at);
      scenario.timeline.push(entry);
    });
  }
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return scenario;
}

function describeEntry(i: number, e: { at?: unknown; type?: unknown }): string {
  const at = typeof e.at === "number" ? `at ${e.at}s` : "";
  const type = typeof e.type === "string" ? `"${e.type}"` : "";
  const what = [at, type].filter(Boolean).join(", ");
  return `timeline[${i}]${what ? ` (${what})` : ""}`;
}

function checkGateway(v: Checker, raw: unknown): ScenarioGateway | undefined {
  if (!isObject(raw)) {
    v.problems.push("gateway: expected an object");
    return undefined;
  }
  v.keys(raw, "gateway", [
    "leaseSeconds",
    "lanPrefix",
    "dhcpStart",
    "dhcpLimit",
    "leaseFormat",
    "leaseFileOnFlash",
    "startClock",
    "ntpSyncSeconds",
    "uptimeAtStartSeconds",
    "wrap32",
    "iwVersion",
  ]);
  const g: ScenarioGateway = {};
  // dnsmasq refuses leases shorter than 2 minutes.
  if (raw.leaseSeconds !== undefined)
    g.leaseSeconds = v.int(raw.leaseSeconds, "gateway.leaseSeconds", 120, 365 * 86400);
  if (raw.lanPrefix !== undefined)
    g.lanPrefix = v.int(raw.lanPrefix, "gateway.lanPrefix", MIN_LAN_PREFIX, DEFAULT_LAN_PREFIX);
  const lastHost = lastHostOf(g.lanPrefix ?? DEFAULT_LAN_PREFIX);
  if (raw.dhcpStart !== undefined)
    g.dhcpStart = v.int(raw.dhcpStart, "gateway.dhcpStart", MIN_DHCP_START, lastHost);
  if (raw.dhcpLimit !== undefined)
    g.dhcpLimit = v.int(raw.dhcpLimit, "gateway.dhcpLimit", 1, lastHost - MIN_DHCP_START + 1);
  // The pool as a whole, once each of its values is valid on its own (else that is the problem to fix).
  const valid = (key: "lanPrefix" | "dhcpStart" | "dhcpLimit") =>
    raw[key] === undefined || g[key] !== undefined;
  if (valid("lanPrefix") && valid("dhcpStart") && valid("dhcpLimit")) {
    const pool = dhcpPoolProblem(
      g.dhcpStart ?? DEFAULT_DHCP_START,
      g.dhcpLimit ?? DEFAULT_DHCP_LIMIT,
      lastHost,
    );
    if (pool) v.problems.push(`gateway.dhcpStart, gateway.dhcpLimit: ${pool}`);
  }
  if (raw.leaseFormat !== undefined)
    g.leaseFormat = v.oneOf(raw.leaseFormat, "gateway.leaseFormat", LEASE_FORMATS);
  if (raw.leaseFileOnFlash !== undefined)
    g.leaseFileOnFlash = v.bool(raw.leaseFileOnFlash, "gateway.leaseFileOnFlash");
  if (raw.startClock !== undefined) g.startClock = v.int(raw.startClock, "gateway.startClock", 0, 8.64e15);
  if (raw.ntpSyncSeconds !== undefined)
    g.ntpSyncSeconds =
      raw.ntpSyncSeconds === null ? null : v.int(raw.ntpSyncSeconds, "gateway.ntpSyncSeconds", 1, 86400);
  if (raw.uptimeAtStartSeconds !== undefined)
    g.uptimeAtStartSeconds = v.int(
      raw.uptimeAtStartSeconds,
      "gateway.uptimeAtStartSeconds",
      0,
      10 * 365 * 86400,
    );
  if (raw.wrap32 !== undefined) {
    if (!Array.isArray(raw.wrap32) || !raw.wrap32.every((x) => typeof x === "string"))
      v.problems.push("gateway.wrap32: expected an array of interface names");
    else g.wrap32 = raw.wrap32 as string[];
  }
  if (raw.iwVersion !== undefined) g.iwVersion = v.oneOf(raw.iwVersion, "gateway.iwVersion", IW_VERSIONS);
  return g;
}

function checkDevice(v: Checker, raw: unknown, where: string): ScenarioDevice | undefined {
  if (!isObject(raw)) {
    v.problems.push(`${where}: expected an object with at least an "id"`);
    return undefined;
  }
  v.keys(raw, where, ["id", "kind", "mac", "hostname", "band", "clientId"]);
  const id = v.string(raw.id, `${where}.id`);
  if (id !== undefined && !DEVICE_ID.test(id))
    v.problems.push(`${where}.id: use letters, digits, ".", "_" or "-" (got ${JSON.stringify(id)})`);
  if (id === undefined) return undefined;
  const d: ScenarioDevice = { id };
  if (raw.kind !== undefined) d.kind = v.oneOf(raw.kind, `${where}.kind`, DEVICE_KINDS);
  if (raw.mac !== undefined) {
    const mac = v.string(raw.mac, `${where}.mac`);
    if (mac !== undefined && !MAC.test(mac))
      v.problems.push(`${where}.mac: expected a lower-case colon-separated MAC like 02:1a:2b:3c:4d:5e`);
    else d.mac = mac;
  }
  if (raw.hostname !== undefined) {
    if (raw.hostname === null) d.hostname = null;
    else {
      const h = v.string(raw.hostname, `${where}.hostname`);
      if (h !== undefined && !HOSTNAME.test(h))
        v.problems.push(`${where}.hostname: dnsmasq hostnames use only letters, digits, "_" and "-"`);
      else d.hostname = h;
    }
  }
  if (raw.band !== undefined) d.band = v.oneOf(raw.band, `${where}.band`, BANDS);
  if (raw.clientId !== undefined)
    d.clientId = v.oneOf(raw.clientId, `${where}.clientId`, ["mac", "none"] as const);
  return d;
}

function checkEntry(v: Checker, raw: unknown, i: number, ids: Set<string>): ScenarioEntry | undefined {
  if (!isObject(raw)) {
    v.problems.push(`timeline[${i}]: expected an object like {"at": 10, "type": "join", "device": "phone"}`);
    return undefined;
  }
  const where = describeEntry(i, raw);
  const before = v.problems.length;
  const at = v.number(raw.at, `${where}.at`, 0, MAX_AT_SECONDS);
  const type = v.oneOf(raw.type, `${where}.type`, SCENARIO_ENTRY_TYPES);
  if (at === undefined || type === undefined) return undefined;
  const needsDevice = type !== "reboot" && type !== "ntp-sync";
  let device = "";
  if (needsDevice) {
    device = v.string(raw.device, `${where}.device`) ?? "";
    if (device && !ids.has(device))
      v.problems.push(`${where}.device: unknown device "${device}" (declare it under "devices")`);
  }
  const rate = (key: "downBps" | "upBps", required: boolean): number | undefined => {
    if (raw[key] === undefined) {
      if (required) v.problems.push(`${where}.${key}: required for "${type}" (bytes per second)`);
      return undefined;
    }
    return v.number(raw[key], `${where}.${key}`, 0, MAX_RATE_BPS);
  };
  let entry: ScenarioEntry | undefined;
  switch (type) {
    case "join": {
      v.keys(raw, where, ["at", "type", "device", "band", "downBps", "upBps"]);
      const e: ScenarioEntry = { at, type, device };
      if (raw.band !== undefined) {
        const band = v.oneOf(raw.band, `${where}.band`, BANDS);
        if (band) e.band = band;
      }
      const down = rate("downBps", false);
      const up = rate("upBps", false);
      if (down !== undefined) e.downBps = down;
      if (up !== undefined) e.upBps = up;
      entry = e;
      break;
    }
    case "leave": {
      v.keys(raw, where, ["at", "type", "device", "release"]);
      const e: ScenarioEntry = { at, type, device };
      if (raw.release !== undefined) e.release = v.bool(raw.release, `${where}.release`);
      entry = e;
      break;
    }
    case "release":
    case "silent":
      v.keys(raw, where, ["at", "type", "device"]);
      entry = { at, type, device };
      break;
    case "roam": {
      v.keys(raw, where, ["at", "type", "device", "band"]);
      const e: ScenarioEntry = { at, type, device };
      if (raw.band !== undefined) {
        const band = v.oneOf(raw.band, `${where}.band`, ["2.4ghz", "5ghz"] as const);
        if (band) e.band = band;
      }
      entry = e;
      break;
    }
    case "traffic":
      v.keys(raw, where, ["at", "type", "device", "downBps", "upBps"]);
      entry = { at, type, device, downBps: rate("downBps", true) ?? 0, upBps: rate("upBps", true) ?? 0 };
      break;
    case "reboot": {
      v.keys(raw, where, ["at", "type", "leaseFileKept"]);
      const e: ScenarioEntry = { at, type };
      if (raw.leaseFileKept !== undefined)
        e.leaseFileKept = v.bool(raw.leaseFileKept, `${where}.leaseFileKept`);
      entry = e;
      break;
    }
    case "ntp-sync": {
      v.keys(raw, where, ["at", "type", "clock"]);
      const e: ScenarioEntry = { at, type };
      if (raw.clock !== undefined) e.clock = v.int(raw.clock, `${where}.clock`, 0, 8.64e15);
      entry = e;
      break;
    }
  }
  return v.problems.length > before ? undefined : entry;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Checker {
  constructor(readonly problems: string[]) {}

  keys(obj: Record<string, unknown>, where: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key))
        this.problems.push(`${where}: unknown key "${key}" (allowed: ${allowed.join(", ")})`);
    }
  }

  string(value: unknown, where: string): string | undefined {
    if (typeof value === "string" && value.length > 0) return value;
    this.problems.push(`${where}: expected a non-empty string, got ${JSON.stringify(value) ?? "nothing"}`);
    return undefined;
  }

  bool(value: unknown, where: string): boolean | undefined {
    if (typeof value === "boolean") return value;
    this.problems.push(`${where}: expected true or false, got ${JSON.stringify(value) ?? "nothing"}`);
    return undefined;
  }

  number(value: unknown, where: string, min: number, max: number): number | undefined {
    if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= max) return value;
    this.problems.push(
      `${where}: expected a number from ${min} to ${max}, got ${JSON.stringify(value) ?? "nothing"}`,
    );
    return undefined;
  }

  int(value: unknown, where: string, min: number, max: number): number | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.problems.push(
      `${where}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value) ?? "nothing"}`,
    );
    return undefined;
  }

  oneOf<const T extends readonly string[]>(value: unknown, where: string, values: T): T[number] | undefined {
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T[number];
    this.problems.push(
      `${where}: expected one of ${values.join(", ")}, got ${JSON.stringify(value) ?? "nothing"}`,
    );
    return undefined;
  }
}
