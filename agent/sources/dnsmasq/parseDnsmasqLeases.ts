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

export function parseDnsmasqLeases(text: string): ParseResult<Lease> {
  const records: Lease[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    if (unterminated && i === lines.length - 1) {
      skipped.push(
        skippedLine(i + 1, "unterminated last line (file was being rewritten)", lines[i] as string),
      );
      continue;
    }
    const line = (lines[i] as string).trim();
    if (line === "" || ANNOTATION_LINES.test(line)) continue;
    const fields = line.split(/\s+/);
    if (fields.length < 5) {
      skipped.push(skippedLine(i + 1, `expected 5 fields, found ${fields.length}`, line));
      continue;
    }
    const [expiryField, idField, ipField, hostField, clientField] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^\d{1,12}$/.test(expiryField)) {
      skipped.push(skippedLine(i + 1, "expiry is not a number of seconds", line));
      continue;
    }
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
      if (!mac) {
        skipped.push(skippedLine(i + 1, "invalid hardware address", line));
        continue;
      }
      records.push({
        mac,
        ip: ipField,
        family: "ipv4",
        hostname,
        expiresAt: expirySeconds === 0 ? null : expirySeconds * 1000,
        clientId: clientColumn,
        duid: null,
        iaid: null,
        source: "dnsmasq",
      });
    } else if (family === 6) {
      const iaidMatch = /^T?(\d{1,10})$/.exec(idField);
      const iaid = iaidMatch ? Number(iaidMatch[1]) : Number.NaN;
      if (!(iaid >= 0 && iaid <= 0xffffffff)) {
        skipped.push(skippedLine(i + 1, "invalid IAID", line));
        continue;
      }
      records.push({
        mac: null,
        ip: ipField.toLowerCase(),
        family: "ipv6",
        hostname,
        expiresAt: expirySeconds === 0 ? null : expirySeconds * 1000,
        clientId: null,
        duid: clientColumn,
        iaid,
        source: "dnsmasq",
      });
    } else {
      skipped.push(skippedLine(i + 1, "third field is not an IP address", line));
    }
  }
  return { records, skipped };
}
