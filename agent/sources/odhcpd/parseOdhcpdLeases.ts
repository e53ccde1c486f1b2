/**
 * OpenWrt odhcpd leases as `ubus call dhcp ipv4leases` and `ubus call dhcp ipv6leases` print them:
 * `{"device":{"<ifname>":{"leases":[...]}}}`, pretty-printed with tabs by libubox.
 *
 * - IPv4 entries: `mac` (12 hex digits, no colons), `address`, `hostname` ("" when none), `valid`,
 *   `flags`; since late 2025 also `duid` and `iaid` for RFC 4361 clients.
 * - IPv6 entries: `duid` (hex, no colons), `iaid`, `hostname`, `valid`, and `ipv6-addr` (IA_NA) or
 *   `ipv6-prefix` (IA_PD, a delegated prefix: not a host lease) holding
 *   `{address, preferred-lifetime, valid-lifetime[, prefix-length]}`.
 * Traps:
 * - `valid` and the lifetimes are SECONDS REMAINING on odhcpd's monotonic clock, not epoch times,
 *   so the caller passes the gateway's `now` (ms) taken when the command ran.
 * - Every integer is a u32 printed by libubox as a signed `%d`: `-1` is infinite, and an IAID of
 *   2^31 or more arrives negative.
 * - For an infinite lease odhcpd computes each address's lifetime from a zero expiry and prints
 *   garbage (a negative number), so an infinite lease's addresses are infinite too.
 * - libubox escapes `/` as `\/` (plain JSON); hostnames are otherwise raw bytes. odhcpd's state file
 *   escapes them as `\xNN`; such escapes are decoded here as well, so a name read back from that form
 *   comes out the same.
 * - A cut-off or garbage document is one skipped entry (line 0) and no leases: never a partial table.
 */
import { isIP } from "node:net";
import { type Lease, MAX_ID_LENGTH, MAX_STRING_LENGTH, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";

/** The `leases` arrays sit at `{ device: { <if>: { leases: [...] } } }`, nesting depth 4. */
const LEASES_ARRAY_DEPTH = 4;
const INFINITE = -1;
const MAX_EPOCH_MS = 8.64e15;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

interface LocatedLease {
  device: string;
  index: number;
  entry: unknown;
  line: number;
}

type Document = { ok: true; leases: LocatedLease[] } | { ok: false; reason: string };

/**
 * Line numbers where the elements of the arrays at a nesting depth start, in document order
 * (JSON.parse keeps no positions). Only called on text JSON.parse accepted.
 */
function elementLines(text: string, depth: number): number[] {
  const lines: number[] = [];
  const stack: string[] = [];
  let line = 1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expectElement && c !== "]" && !/\s/.test(c)) {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      stack.push(c);
      if (c === "[" && stack.length === depth) expectElement = true;
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectElement = false;
    } else if (c === "," && stack.length === depth && stack.at(-1) === "[") expectElement = true;
  }
  return lines;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function readDocument(text: string): Document {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not valid JSON (cut off or garbage output)" };
  }
  if (!isObject(json) || !isObject(json.device)) return { ok: false, reason: 'no "device" table' };
  const leases: LocatedLease[] = [];
  for (const [device, table] of Object.entries(json.device)) {
    if (!isObject(table) || !Array.isArray(table.leases)) {
      return { ok: false, reason: `device ${device} has no "leases" array` };
    }
    table.leases.forEach((entry, index) => {
      leases.push({ device, index, entry, line: 1 });
    });
  }
  const lines = elementLines(text, LEASES_ARRAY_DEPTH);
  // Should an odd document defeat the count, line 1 still says "in this document" (0 would mean
  // the whole input is unusable).
  for (const [k, l] of leases.entries()) l.line = lines.length === leases.length ? (lines[k] as number) : 1;
  return { ok: true, leases };
}

/** Decodes `\xNN` byte escapes (the state-file form) and drops names the wire cannot carry. */
function decodeHostname(raw: unknown): string | null {
  if (typeof raw !== "string" || raw === "") return null;
  let name = raw;
  if (/\\x[0-9a-fA-F]{2}/.test(raw)) {
    const bytes: number[] = [];
    let i = 0;
    while (i < raw.length) {
      const byteEscape = /^\\x([0-9a-fA-F]{2})/.exec(raw.slice(i, i + 4));
      if (byteEscape) {
        bytes.push(Number.parseInt(byteEscape[1] as string, 16));
        i += 4;
      } else {
        const code = raw.codePointAt(i) as number;
        bytes.push(...utf8.encode(String.fromCodePoint(code)));
        i += code > 0xffff ? 2 : 1;
      }
    }
    name = utf8Decoder.decode(Uint8Array.from(bytes));
  }
  return name.length > MAX_STRING_LENGTH ? null : name;
}

/** odhcpd prints DUIDs as plain lower-case hex; the wire uses colon-separated octets like the other servers. */
function duidFrom(raw: unknown): string | null {
  if (typeof raw !== "string" || !/^([0-9a-fA-F]{2})+$/.test(raw)) return null;
  const hex = (raw.toLowerCase().match(/../g) as string[]).join(":");
  return hex.length <= MAX_ID_LENGTH ? hex : null;
}

/** A u32 printed signed (`%d`); hex strings are accepted too, as the state file writes IAIDs in hex. */
function iaidFrom(raw: unknown): number | null {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= -(2 ** 31) && raw < 2 ** 32)
    return raw >>> 0;
  if (typeof raw === "string" && /^[0-9a-fA-F]{1,8}$/.test(raw)) return Number.parseInt(raw, 16);
  return null;
}

type Expiry = { ok: true; expiresAt: number | null } | { ok: false };

/** Seconds remaining (or -1, infinite) relative to `now` in ms. */
function expiryFrom(raw: unknown, now: number): Expiry {
  if (raw === INFINITE) return { ok: true, expiresAt: null };
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0) return { ok: false };
  const expiresAt = now + raw * 1000;
  return expiresAt >= 0 && expiresAt <= MAX_EPOCH_MS ? { ok: true, expiresAt } : { ok: false };
}

const describe = (l: LocatedLease): string => {
  const json = JSON.stringify(l.entry) ?? String(l.entry);
  return `${l.device}[${l.index}] ${json}`;
};

function wholeInputSkipped(text: string, reason: string): ParseResult<Lease> {
  // The pretty-printed document would show only its first few lines of tabs in the log.
  return { records: [], skipped: [skippedLine(0, reason, text.replace(/\s+/g, " ").trim())] };
}

/** Reads one lease entry: the leases it holds, calling `skip` with why it (or part of it) was not read. */
type EntryReader = (entry: Record<string, unknown>, skip: (reason: string) => void) => Lease[];

/** The loop both documents share: each entry of the `leases` arrays, skipped unless it is an object. */
function parseLeaseDocument(text: string, read: EntryReader): ParseResult<Lease> {
  const doc = readDocument(text);
  if (!doc.ok) return wholeInputSkipped(text, doc.reason);
  const records: Lease[] = [];
  const skipped: SkippedLine[] = [];
  for (const located of doc.leases) {
    const skip = (reason: string): void => {
      skipped.push(skippedLine(located.line, reason, describe(located)));
    };
    if (isObject(located.entry)) records.push(...read(located.entry, skip));
    else skip("lease is not an object");
  }
  return { records, skipped };
}

/** `ubus call dhcp ipv4leases`; `now` is the gateway clock (ms) when the command ran. */
export function parseOdhcpdIpv4Leases(text: string, now: number): ParseResult<Lease> {
  return parseLeaseDocument(text, (entry, skip) => {
    const mac = typeof entry.mac === "string" ? normalizeMac(entry.mac) : null;
    if (!mac) {
      skip("invalid mac");
      return [];
    }
    if (typeof entry.address !== "string" || isIP(entry.address) !== 4) {
      skip("address is not an IPv4 address");
      return [];
    }
    const expiry = expiryFrom(entry.valid, now);
    if (!expiry.ok) {
      skip("invalid valid (seconds remaining)");
      return [];
    }
    // RFC 4361 clients identify themselves by DUID and IAID, the same pair as their DHCPv6 leases.
    const duid = duidFrom(entry.duid);
    return [
      {
        mac,
        ip: entry.address,
        family: "ipv4",
        hostname: decodeHostname(entry.hostname),
        expiresAt: expiry.expiresAt,
        clientId: null,
        duid,
        iaid: duid ? iaidFrom(entry.iaid) : null,
        source: "odhcpd",
      },
    ];
  });
}

/** `ubus call dhcp ipv6leases`; `now` is the gateway clock (ms) when the command ran. */
export function parseOdhcpdIpv6Leases(text: string, now: number): ParseResult<Lease> {
  return parseLeaseDocument(text, (entry, skip) => {
    // A delegated prefix is routed to a downstream router, not held by a host.
    if (Array.isArray(entry["ipv6-prefix"]) && entry["ipv6-addr"] === undefined) return [];
    const addresses = entry["ipv6-addr"];
    if (!Array.isArray(addresses)) {
      skip('no "ipv6-addr" array');
      return [];
    }
    const duid = duidFrom(entry.duid);
    if (!duid) {
      skip("invalid duid");
      return [];
    }
    const iaid = iaidFrom(entry.iaid);
    if (iaid === null) {
      skip("invalid iaid");
      return [];
    }
    const leaseExpiry = expiryFrom(entry.valid, now);
    if (!leaseExpiry.ok) {
      skip("invalid valid (seconds remaining)");
      return [];
    }
    const hostname = decodeHostname(entry.hostname);
    const leases: Lease[] = [];
    for (const address of addresses) {
      const ip =
        isObject(address) && typeof address.address === "string" ? address.address.toLowerCase() : "";
      if (isIP(ip) !== 6) {
        skip(`ipv6-addr entry is not an IPv6 address: ${JSON.stringify(address)}`);
        continue;
      }
      let expiresAt = leaseExpiry.expiresAt;
      if (expiresAt !== null && isObject(address)) {
        // The address may end before the binding when its on-link prefix does.
        const own = expiryFrom(address["valid-lifetime"], now);
        if (own.ok && own.expiresAt !== null && own.expiresAt < expiresAt) expiresAt = own.expiresAt;
      }
      leases.push({
        mac: null,
        ip,
        family: "ipv6",
        hostname,
        expiresAt,
        clientId: null,
        duid,
        iaid,
        source: "odhcpd",
      });
    }
    return leases;
  });
}
