/**
 * Reads one event file written by leaseline-dhcp-hook.sh into a LeaseEvent. Pure: text in,
 * event or reason out, never throws.
 *
 * Format: `key=value` lines, `v=1` first; `\\`, `\n`, `\r` inside a value stand for a backslash,
 * newline and carriage return; unknown keys are ignored (a newer hook may add some); a key given
 * twice keeps its last value. Times are the gateway's clock in epoch seconds:
 * - dnsmasq: `expires` is the absolute expiry, 0 for an infinite lease (as in its lease file);
 *   `remaining` the seconds left, used when `expires` is missing (dnsmasq built with broken-rtc).
 * - Kea: `cltt` (last transaction) plus `lifetime`; lifetime 4294967295 is infinite.
 * - ISC dhcpd passes no times.
 * MACs arrive as each server prints them (ISC's binary-to-ascii drops leading zeros) and are
 * normalised; an event without a valid IP address is malformed.
 */
import { isIP } from "node:net";
import { MAX_STRING_LENGTH, normalizeMac } from "../../protocol/index.js";

export const LEASE_EVENT_ACTIONS = ["add", "old", "del", "release", "expire", "commit"] as const;
export type LeaseEventAction = (typeof LEASE_EVENT_ACTIONS)[number];
export const LEASE_EVENT_SERVERS = ["dnsmasq", "kea", "isc"] as const;
export type LeaseEventServer = (typeof LEASE_EVENT_SERVERS)[number];

export interface LeaseEvent {
  action: LeaseEventAction;
  server: LeaseEventServer;
  /** Lower-case colon form; null when the server did not say (DHCPv6 without a known MAC). */
  mac: string | null;
  ip: string;
  hostname: string | null;
  /** DHCP option 60. */
  vendorClass: string | null;
  /** DHCP option 55 in the client's order; empty when not reported. */
  requestedOptions: number[];
  /** DHCP option 61 (or the DHCPv6 DUID), as the server printed it. */
  clientId: string | null;
  interface: string | null;
  /** Gateway clock, ms since epoch; null for an infinite lease or when the server gives no time. */
  expiresAt: number | null;
  /** When the hook wrote the event, gateway clock, ms since epoch. */
  writtenAt: number | null;
  /** dnsmasq's tags (`DNSMASQ_TAGS`), space-separated in the file. */
  tags: string[];
}

export type SpoolParse = { ok: true; event: LeaseEvent } | { ok: false; reason: string };

/** Largest event file accepted; the hook writes a few hundred bytes. */
export const MAX_EVENT_BYTES = 4096;

const INFINITE_KEA_LIFETIME = 4294967295;
const KEY = /^[a-z_][a-z0-9_]*$/;

function unescapeValue(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
}

function seconds(value: string | undefined): number | null | "bad" {
  if (value === undefined || value === "") return null;
  if (!/^\d{1,12}$/.test(value)) return "bad";
  return Number(value);
}

export function parseSpoolEvent(text: string): SpoolParse {
  if (text.length > MAX_EVENT_BYTES) return { ok: false, reason: `larger than ${MAX_EVENT_BYTES} bytes` };
  if (text === "") return { ok: false, reason: "empty file" };
  const values = new Map<string, string>();
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (!text.endsWith("\n")) return { ok: false, reason: "unterminated last line (file was cut off)" };
  for (const line of lines) {
    const eq = line.indexOf("=");
    const key = eq > 0 ? line.slice(0, eq) : "";
    if (!KEY.test(key))
      return { ok: false, reason: `not a key=value line: ${JSON.stringify(line.slice(0, 60))}` };
    values.set(key, unescapeValue(line.slice(eq + 1)));
  }
  if (values.get("v") !== "1")
    return { ok: false, reason: `unsupported version ${JSON.stringify(values.get("v") ?? null)}` };
  const action = values.get("action");
  if (!(LEASE_EVENT_ACTIONS as readonly string[]).includes(action ?? "")) {
    return { ok: false, reason: `unknown action ${JSON.stringify(action ?? null)}` };
  }
  const server = values.get("server");
  if (!(LEASE_EVENT_SERVERS as readonly string[]).includes(server ?? "")) {
    return { ok: false, reason: `unknown server ${JSON.stringify(server ?? null)}` };
  }
  const ipText = values.get("ip") ?? "";
  const family = isIP(ipText);
  if (family === 0) return { ok: false, reason: "ip is not an IP address" };
  let mac: string | null = null;
  const macText = values.get("mac");
  if (macText) {
    mac = normalizeMac(macText.replace(/^[0-9a-f]{1,2}-(?=[0-9a-f]{1,2}:)/i, ""));
    if (!mac) return { ok: false, reason: "mac is not a hardware address" };
  }
  const prl = values.get("requested_options") ?? "";
  const requestedOptions = prl === "" ? [] : prl.split(",").map((c) => c.trim());
  if (!requestedOptions.every((c) => /^\d{1,3}$/.test(c) && Number(c) <= 255)) {
    return { ok: false, reason: "requested_options is not a list of option codes" };
  }
  const time = seconds(values.get("time"));
  const expires = seconds(values.get("expires"));
  const remaining = seconds(values.get("remaining"));
  const cltt = seconds(values.get("cltt"));
  const lifetime = seconds(values.get("lifetime"));
  for (const [name, v] of [
    ["time", time],
    ["expires", expires],
    ["remaining", remaining],
    ["cltt", cltt],
    ["lifetime", lifetime],
  ] as const) {
    if (v === "bad") return { ok: false, reason: `${name} is not a number of seconds` };
  }
  let expiresAt: number | null = null;
  if (typeof expires === "number") expiresAt = expires === 0 ? null : expires * 1000;
  else if (typeof cltt === "number" && typeof lifetime === "number") {
    expiresAt = lifetime === INFINITE_KEA_LIFETIME ? null : (cltt + lifetime) * 1000;
  } else if (typeof remaining === "number" && typeof time === "number") expiresAt = (time + remaining) * 1000;
  const field = (key: string): string | null => {
    const v = values.get(key);
    return v === undefined || v === "" ? null : v.slice(0, MAX_STRING_LENGTH);
  };
  return {
    ok: true,
    event: {
      action: action as LeaseEventAction,
      server: server as LeaseEventServer,
      mac,
      ip: family === 6 ? ipText.toLowerCase() : ipText,
      hostname: field("hostname"),
      vendorClass: field("vendor_class"),
      requestedOptions: requestedOptions.map(Number),
      clientId: field("client_id")?.toLowerCase() ?? null,
      interface: field("interface"),
      expiresAt,
      writtenAt: typeof time === "number" ? time * 1000 : null,
      tags: (values.get("tags") ?? "").split(/\s+/).filter((t) => t !== ""),
    },
  };
}

/** Spool file names as the hook writes them: `<epoch-ns>-<pid>-<seq><rand>` (`-001` + 8 hex digits). */
export const SPOOL_NAME = /^(\d{1,20})-(\d{1,10})-([0-9a-f]{1,16})$/;

/** Orders spool file names as the events happened (by time, then writer, then sequence). */
export function compareSpoolNames(a: string, b: string): number {
  const ma = SPOOL_NAME.exec(a);
  const mb = SPOOL_NAME.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  const ta = BigInt(ma[1] as string);
  const tb = BigInt(mb[1] as string);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const pa = Number(ma[2]);
  const pb = Number(mb[2]);
  if (pa !== pb) return pa - pb;
  return (ma[3] as string) < (mb[3] as string) ? -1 : (ma[3] as string) > (mb[3] as string) ? 1 : 0;
}
