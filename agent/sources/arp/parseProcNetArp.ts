/**
 * `/proc/net/arp`: the kernel's IPv4 neighbour table in the old ioctl-era text form.
 *
 * A header line, then one line per entry printed as
 * `"%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n"` (ip, hw type, flags, hw address, mask `*`, device).
 * Traps: the flags are ATF_* bits, not NUD states, so `0x2` (ATF_COM) covers reachable, stale,
 * delay and probe alike; `0x0` is an unresolved entry (incomplete *or* failed) and carries an
 * all-zero address; `0xc` (ATF_PUBL|ATF_PERM) is a proxy-ARP entry the gateway answers for itself,
 * with device `*` when it is not bound to one. NOARP entries are never listed. Columns are padded,
 * not fixed: a long hardware address (InfiniBand) pushes the rest to the right, so fields are
 * split on whitespace. The kernel always ends the file with a newline, so an unterminated last
 * line is a capture that was cut off and is skipped rather than stored with a cut device name.
 */
import { isIP } from "node:net";
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

const ATF_COM = 0x2;
const ATF_PERM = 0x4;
const ATF_PUBL = 0x8;

const HEADER = /^IP address\s+HW type\s+Flags\s+HW address\s+Mask\s+Device\s*$/;

export function parseProcNetArp(text: string): ParseResult<Neighbor> {
  const records: Neighbor[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (i === 0 && HEADER.test(raw)) continue;
    if (unterminated && i === lines.length - 1) {
      skipped.push(skippedLine(i + 1, "unterminated last line (output was cut off)", raw));
      continue;
    }
    const line = raw.trim();
    if (line === "") continue;
    const fields = line.split(/\s+/);
    if (fields.length < 6) {
      skipped.push(skippedLine(i + 1, `expected 6 fields, found ${fields.length}`, line));
      continue;
    }
    // Columns past the sixth are not printed by any kernel we know; the first six keep their meaning.
    const [ip, hwType, flagsField, hwAddress, , device] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (isIP(ip) !== 4) {
      skipped.push(skippedLine(i + 1, "first field is not an IPv4 address", line));
      continue;
    }
    if (!/^0x[0-9a-f]{1,8}$/i.test(hwType) || !/^0x[0-9a-f]{1,8}$/i.test(flagsField)) {
      skipped.push(skippedLine(i + 1, "hw type or flags is not a hex number", line));
      continue;
    }
    const flags = Number.parseInt(flagsField.slice(2), 16);
    // A proxy entry is an address the gateway answers for, not a device on the LAN.
    if ((flags & ATF_PUBL) !== 0) continue;
    if (device === "*") {
      skipped.push(skippedLine(i + 1, "entry has no device", line));
      continue;
    }
    // Linux names have at most 15 characters; a longer one is a damaged line, and out of the protocol's limits.
    if (device.length > MAX_STRING_LENGTH) {
      skipped.push(skippedLine(i + 1, "device name is too long", line));
      continue;
    }
    if ((flags & ATF_COM) === 0) {
      // The kernel clears the address of an unresolved entry, or leaves one from an earlier
      // resolution that is no longer valid; either way it is not the device's address now.
      // /proc/net/arp cannot tell incomplete from failed: both print 0x0.
      records.push({ ip, mac: null, interface: device, state: "incomplete", bridgePort: null });
      continue;
    }
    const mac = normalizeMac(hwAddress);
    if (!mac) {
      skipped.push(skippedLine(i + 1, "invalid hardware address", line));
      continue;
    }
    records.push({
      ip,
      mac,
      interface: device,
      // ATF_COM only says the address is resolved, which is what NUD "stale" means (resolved,
      // reachability not recently confirmed); "reachable" would claim a confirmation the file
      // does not show.
      state: (flags & ATF_PERM) !== 0 ? "permanent" : "stale",
      bridgePort: null,
    });
  }
  return { records, skipped };
}
