/**
 * Kea memfile lease files (`kea-leases4.csv`, `kea-leases6.csv`).
 *
 * A CSV append log with a header row; every lease change appends the whole lease, so the LAST row
 * for an address wins. Traps:
 * - The header grew over Kea versions (v4: `state` in 2.0, `user_context` 2.1, `pool_id` 3.0; v6:
 *   `hwaddr`, `state`, `user_context`, `hwtype`/`hwaddr_source`, `pool_id`), and lease-file cleanup can
 *   leave files of different versions side by side: columns are found by header name, unknown ones ignored.
 * - A deleted lease is appended as a row with `valid_lifetime` 0; `valid_lifetime` 4294967295 is
 *   infinite; `expire` is the last transaction time plus the lifetime, in seconds.
 * - `state` 0 is a lease; 1 declined, 2 expired-reclaimed, 3 released, 4 registered are not.
 * - Fields are not quoted: a comma (and `&`) inside `hostname` or `user_context` is written as
 *   `&#x2c` (`&#x26`), an escape of one byte, so a UTF-8 name decodes byte by byte.
 * - v6 `lease_type` 2 is a delegated prefix, routed to a downstream router: not a host lease.
 * - Kea appends while we read: a last line without its newline is skipped, not half-parsed.
 * - Cleanup (kea-lfc) leaves `.2`, `.1` and `.completed` files; mergeKeaLeaseFiles reads them as Kea does.
 */
import { isIP } from "node:net";
import { type Lease, MAX_ID_LENGTH, MAX_STRING_LENGTH, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

export type KeaFamily = "ipv4" | "ipv6";

/** Kea's "infinite" lifetime (0xffffffff seconds). */
const INFINITE_LIFETIME = 4294967295;

/** Columns every Kea version has written (the files Kea itself accepts end no earlier than `hostname`). */
const REQUIRED_COLUMNS: Record<KeaFamily, readonly string[]> = {
  ipv4: ["address", "hwaddr", "client_id", "valid_lifetime", "expire", "hostname"],
  ipv6: ["address", "duid", "valid_lifetime", "expire", "lease_type", "iaid", "hostname"],
};

const LEASE_TYPE_PREFIX = "2";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** Undoes Kea's `&#xNN` escapes (one byte each), leaving a tag without two hex digits as it is. */
function unescapeKea(field: string): string {
  if (!field.includes("&#x")) return field;
  const bytes: number[] = [];
  let i = 0;
  while (i < field.length) {
    if (field.startsWith("&#x", i) && /^[0-9a-fA-F]{2}$/.test(field.slice(i + 3, i + 5))) {
      bytes.push(Number.parseInt(field.slice(i + 3, i + 5), 16));
      i += 5;
    } else {
      const code = field.codePointAt(i) as number;
      bytes.push(...utf8.encode(String.fromCodePoint(code)));
      i += code > 0xffff ? 2 : 1;
    }
  }
  return utf8Decoder.decode(Uint8Array.from(bytes));
}

/** Kea prints identifiers as `xx:xx:...`; its own reader also accepts plain hex. Returns the colon form. */
function colonHex(field: string): string | null {
  const s = field.trim().toLowerCase();
  let octets: string[];
  if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/.test(s)) octets = s.split(":").map((o) => o.padStart(2, "0"));
  else if (/^([0-9a-f]{2})+$/.test(s)) octets = s.match(/../g) ?? [];
  else return null;
  const hex = octets.join(":");
  return hex.length <= MAX_ID_LENGTH ? hex : null;
}

function unsigned(field: string | undefined, max: number): number | null {
  if (field === undefined || !/^\d{1,20}$/.test(field)) return null;
  const value = Number(field);
  return Number.isSafeInteger(value) && value <= max ? value : null;
}

/** Replays one lease file onto `leases` (keyed by address), so several files can be merged in order. */
function replayKeaFile(
  text: string,
  family: KeaFamily,
  leases: Map<string, Lease>,
  skipped: SkippedLine[],
  label: string,
): void {
  const where = label ? ` (in the ${label} file)` : "";
  const skip = (line: number, reason: string, raw: string): void => {
    skipped.push(skippedLine(line, `${reason}${where}`, raw));
  };
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((l) => l.trim() !== "");
  const unterminated = !text.endsWith("\n");
  // Only a header, still being written by a Kea that just created the file: no leases yet.
  if (headerIndex < 0 || (unterminated && headerIndex === lines.length - 1)) return;
  const header = (lines[headerIndex] as string).split(",").map((h) => h.trim());
  const missing = REQUIRED_COLUMNS[family].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    // Line 0: nothing in this file can be read, which the source reports as an error, not as no leases.
    skip(
      0,
      `header lacks ${missing.join(", ")}; not a Kea ${family} lease file`,
      lines[headerIndex] as string,
    );
    return;
  }
  const column = new Map(header.map((name, index) => [name, index] as const));

  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    if (unterminated && i === lines.length - 1) {
      skip(i + 1, "unterminated last line (file was being appended)", line);
      continue;
    }
    const fields = line.split(",");
    if (fields.length !== header.length) {
      skip(i + 1, `expected ${header.length} fields, found ${fields.length}`, line);
      continue;
    }
    const get = (name: string): string | undefined => {
      const index = column.get(name);
      return index === undefined ? undefined : fields[index];
    };
    const ipField = (get("address") as string).trim();
    if (isIP(ipField) !== (family === "ipv4" ? 4 : 6)) {
      skip(i + 1, `address is not an ${family === "ipv4" ? "IPv4" : "IPv6"} address`, line);
      continue;
    }
    const ip = ipField.toLowerCase();
    const valid = unsigned(get("valid_lifetime"), INFINITE_LIFETIME);
    if (valid === null) {
      skip(i + 1, "invalid valid_lifetime", line);
      continue;
    }
    if (valid === 0) {
      leases.delete(ip);
      continue;
    }
    const stateField = get("state");
    const state = stateField === undefined ? 0 : unsigned(stateField, INFINITE_LIFETIME);
    if (state === null) {
      skip(i + 1, "invalid state", line);
      continue;
    }
    if (family === "ipv6") {
      const type = get("lease_type");
      if (type === LEASE_TYPE_PREFIX) {
        leases.delete(ip);
        continue;
      }
      if (type !== "0" && type !== "1") {
        skip(i + 1, "invalid lease_type", line);
        continue;
      }
    }
    if (state !== 0) {
      leases.delete(ip);
      continue;
    }
    const expire = unsigned(get("expire"), 8.64e12);
    if (expire === null) {
      skip(i + 1, "invalid expire", line);
      continue;
    }
    const hostnameText = unescapeKea(get("hostname") as string);
    const hostname = hostnameText === "" || hostnameText.length > MAX_STRING_LENGTH ? null : hostnameText;
    const expiresAt = valid === INFINITE_LIFETIME ? null : expire * 1000;
    let lease: Lease;
    if (family === "ipv4") {
      const hwaddr = (get("hwaddr") as string).trim();
      const mac = hwaddr === "" ? null : normalizeMac(hwaddr);
      if (hwaddr !== "" && !mac) {
        skip(i + 1, "invalid hwaddr", line);
        continue;
      }
      const clientField = get("client_id") as string;
      const clientId = clientField.trim() === "" ? null : colonHex(clientField);
      if (clientField.trim() !== "" && !clientId) {
        skip(i + 1, "invalid client_id", line);
        continue;
      }
      lease = { mac, ip, family, hostname, expiresAt, clientId, duid: null, iaid: null, source: "kea" };
    } else {
      const duid = colonHex(get("duid") as string);
      if (!duid) {
        skip(i + 1, "invalid duid", line);
        continue;
      }
      const iaid = unsigned(get("iaid"), 0xffffffff);
      if (iaid === null) {
        skip(i + 1, "invalid iaid", line);
        continue;
      }
      // The schema keys DHCPv6 leases by DUID and IAID; Kea's hwaddr column is a guess it made.
      lease = { mac: null, ip, family, hostname, expiresAt, clientId: null, duid, iaid, source: "kea" };
    }
    leases.delete(ip);
    leases.set(ip, lease);
  }
}

function parseKeaLeases(text: string, family: KeaFamily): ParseResult<Lease> {
  const leases = new Map<string, Lease>();
  const skipped: SkippedLine[] = [];
  replayKeaFile(text, family, leases, skipped, "");
  return { records: [...leases.values()], skipped };
}

export function parseKeaLeases4(text: string): ParseResult<Lease> {
  return parseKeaLeases(text, "ipv4");
}

export function parseKeaLeases6(text: string): ParseResult<Lease> {
  return parseKeaLeases(text, "ipv6");
}

/** The texts of one lease file and its cleanup leftovers; null or missing when the file does not exist. */
export interface KeaLeaseFileSet {
  /** `<file>.2`: the result of the previous cleanup. */
  previous?: string | null;
  /** `<file>.1`: the lease file as it was when the current cleanup started. */
  input?: string | null;
  /** `<file>.completed`: the cleanup's output, not yet renamed to `.2`. */
  completed?: string | null;
  /** `<file>`: the live file Kea appends to. */
  current?: string | null;
}

/**
 * Replays a lease file and its leftovers in Kea's own load order: `.completed` when it exists
 * (it is the compaction of `.2` and `.1`, which may still lie beside it), else `.2` then `.1`; then
 * the live file. Replaying `.2` and `.1` before `.completed` would give the same leases.
 */
export function mergeKeaLeaseFiles(family: KeaFamily, files: KeaLeaseFileSet): ParseResult<Lease> {
  const leases = new Map<string, Lease>();
  const skipped: SkippedLine[] = [];
  const order: [string, string | null | undefined][] =
    files.completed != null
      ? [[".completed", files.completed]]
      : [
          [".2", files.previous],
          [".1", files.input],
        ];
  order.push(["", files.current]);
  for (const [label, text] of order) {
    if (text != null) replayKeaFile(text, family, leases, skipped, label);
  }
  return { records: [...leases.values()], skipped };
}
