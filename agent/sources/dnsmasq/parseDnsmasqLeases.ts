/**
 * dnsmasq lease file (`/tmp/dhcp.leases`, `/var/lib/misc/dnsmasq.leases`, RDK-B `/nvram/dnsmasq.leases`).
 *
 * IPv4 lines: `<expiry> <mac> <ipv4> <hostname|*> <client-id|*>`.
 * A `duid <server-duid>` line introduces DHCPv6 lines: `<expiry> [T]<iaid> <ipv6> <hostname|*> <duid|*>`,
 * whose second column is a decimal IAID, not a MAC. Lines are classified by the third token's
 * address family, so the `agent-info`/`vendorclass` lines of newer dnsmasq are recognised as not leases.
 * Expiry 0 means infinite. dnsmasq always writes five fields and a final newline, and rewrites
 * the file in place, so a shorter line or an unterminated last line is a read that raced a rewrite:
 * it is skipped rather than stored with a cut-off hostname or client id.
 */
import { type Lease, MAX_ID_LENGTH, MAX_STRING_LENGTH, normalizeMac } from "../../../protocol/index.js";
import { ipFamily } from "../ipFamily.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

/** Lines newer dnsmasq writes after a lease with extra data about it; they are not leases. */
const ANNOTATION_LINES = /^(agent-info|vendorclass|duid)\s/;

/** What one line of the file is: a lease, the reason it is skipped, or null for a line that is no lease. */
export type LeaseLine = Lease | string | null;

/**
 * The file's leases. `readLines` reads the lines one by one (readLeaseLine); the lease source
 * passes one that remembers the lines of the last read (common/rememberByText.ts), as a rewrite
 * for one renewal leaves the other lines as they were.
 */
export function parseDnsmasqLeases(
  text: string,
  readLines: (lines: readonly string[]) => LeaseLine[] = (lines) => lines.map(readLeaseLine),
): ParseResult<Lease> {
  const records: Lease[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const cutOff = text.length > 0 && !text.endsWith("\n") ? (lines.pop() as string) : null;
  const read = readLines(lines);
  for (let i = 0; i < read.length; i++) {
    const line = read[i] as LeaseLine;
    if (typeof line === "string") skipped.push(skippedLine(i + 1, line, (lines[i] as string).trim()));
    else if (line !== null) records.push(line);
  }
  if (cutOff !== null) {
    skipped.push(skippedLine(lines.length + 1, "unterminated last line (file was being rewritten)", cutOff));
  }
  return { records, skipped };
}

export function readLeaseLine(raw: string): LeaseLine {
  const line = raw.trim();
  if (line === "" || ANNOTATION_LINES.test(line)) return null;
  const fields = line.split(/\s+/);
  if (fields.length < 5) return `expected 5 fields, found ${fields.length}`;
  const [expiryField, idField, ipField, hostField, clientField] = fields as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^\d{1,12}$/.test(expiryField)) return "expiry is not a number of seconds";
  const expirySeconds = Number(expiryField);
  // The client chose both (DHCP options 12 and 61, up to 255 bytes each, a client id printed as
  // hex): past the protocol's limits they are left out, or the collector would refuse the snapshot.
  const hostname = hostField === "*" || hostField.length > MAX_STRING_LENGTH ? null : hostField;
  const clientColumn =
    clientField === "*" || clientField.length > MAX_ID_LENGTH ? null : clientField.toLowerCase();
  const family = ipFamily(ipField);
  if (family === 4) {
    // Non-Ethernet hardware types are written with a type prefix: `06-01:02:...`.
    const mac = normalizeMac(idField.replace(/^[0-9a-f]{2}-(?=[0-9a-f]{1,2}:)/i, ""));
    if (!mac) return "invalid hardware address";
    return {
      mac,
      ip: ipField,
      family: "ipv4",
      hostname,
      expiresAt: expirySeconds === 0 ? null : expirySeconds * 1000,
      clientId: clientColumn,
      duid: null,
      iaid: null,
      source: "dnsmasq",
    };
  }
  if (family === 6) {
    const iaidMatch = /^T?(\d{1,10})$/.exec(idField);
    const iaid = iaidMatch ? Number(iaidMatch[1]) : Number.NaN;
    if (!(iaid >= 0 && iaid <= 0xffffffff)) return "invalid IAID";
    return {
      mac: null,
      ip: ipField.toLowerCase(),
      family: "ipv6",
      hostname,
      expiresAt: expirySeconds === 0 ? null : expirySeconds * 1000,
      clientId: null,
      duid: clientColumn,
      iaid,
      source: "dnsmasq",
    };
  }
  return "third field is not an IP address";
}
