/**
 * `/sys/class/net/<bridge>/brforward`: the Linux bridge forwarding database as the kernel exports
 * it in sysfs (net/bridge/br_fdb.c, br_fdb_fillbuf), one 16-byte `struct __fdb_entry` per entry:
 *
 *   mac_addr[6]  port_no (low byte)  is_local  ageing_timer_value (u32, host order)  port_hi  pad  unused[2]
 *
 * Traps: the file reports size 0 and is read in whole entries, a page at a time, so a table that
 * changes between pages may repeat or miss an entry; the port is a bridge port number
 * (`brif/<port>/port_no`), not an ifindex; entries of VLAN-filtering bridges carry no VLAN id,
 * so a MAC learned in two VLANs appears twice; `is_local` marks the bridge's and its ports' own
 * addresses; the bridge device's own pseudo-entry, and the ports' driver (`self`) tables, are not
 * in it. Learned and local entries are all `bridge fdb` would show with `master <bridge>`, read
 * without starting a process, and present wherever the kernel has bridging (OpenWrt's images
 * ship no `bridge` command). The ageing timer is left out: nothing downstream uses it, and its
 * byte order is the gateway's.
 */
import { bytesToMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";

export interface BrforwardEntry {
  mac: string;
  /** The bridge port number, as in `brif/<port>/port_no`. */
  port: number;
  /** One of the bridge's or its ports' own addresses, not a device behind it. */
  local: boolean;
}

/** sizeof(struct __fdb_entry). */
export const BRFORWARD_ENTRY_BYTES = 16;

const hexDump = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** MACs by their 48-bit value: the same few hundred every cycle, and building the text is the dear part. */
const macText = new Map<number, string>();
const REMEMBERED_MACS = 4096;

function macOf(bytes: Uint8Array, at: number): string {
  const key =
    ((bytes[at] as number) * 0x10000 + (bytes[at + 1] as number) * 0x100 + (bytes[at + 2] as number)) *
      0x1000000 +
    (((bytes[at + 3] as number) << 16) | ((bytes[at + 4] as number) << 8) | (bytes[at + 5] as number));
  let mac = macText.get(key);
  if (mac === undefined) {
    if (macText.size >= REMEMBERED_MACS) macText.clear();
    mac = bytesToMac(bytes.subarray(at, at + 6));
    macText.set(key, mac);
  }
  return mac;
}

/** Why an entry is not a device on a port, or null when it is one. */
function problemOf(bytes: Uint8Array, at: number, port: number, local: number): string | null {
  let any = 0;
  for (let i = at; i < at + 6; i++) any |= bytes[i] as number;
  if (any === 0) return "mac is all zeros";
  if ((bytes[at] as number) & 0x01) return "mac is a multicast address, not a device";
  if (port === 0) return "port number 0 is the bridge itself, not a port";
  if (local > 1) return `is_local is ${local}, not 0 or 1`;
  return null;
}

export function parseBrforward(bytes: Uint8Array): ParseResult<BrforwardEntry> {
  const records: BrforwardEntry[] = [];
  const skipped: SkippedLine[] = [];
  const whole = bytes.length - (bytes.length % BRFORWARD_ENTRY_BYTES);
  // "line" is the entry's 1-based number, so a skip points at its offset: (line - 1) * 16.
  for (let at = 0; at < whole; at += BRFORWARD_ENTRY_BYTES) {
    const port = (bytes[at + 6] as number) | ((bytes[at + 12] as number) << 8);
    const local = bytes[at + 7] as number;
    const problem = problemOf(bytes, at, port, local);
    if (problem === null) records.push({ mac: macOf(bytes, at), port, local: local === 1 });
    else {
      const raw = hexDump(bytes.subarray(at, at + BRFORWARD_ENTRY_BYTES));
      skipped.push(skippedLine(at / BRFORWARD_ENTRY_BYTES + 1, problem, raw));
    }
  }
  if (whole < bytes.length) {
    const trailing = bytes.length - whole;
    skipped.push(
      skippedLine(
        whole / BRFORWARD_ENTRY_BYTES + 1,
        `the last ${trailing} bytes are not a whole ${BRFORWARD_ENTRY_BYTES}-byte entry (read cut off?)`,
        hexDump(bytes.subarray(whole)),
      ),
    );
  }
  return { records, skipped };
}

/**
 * `brif/<port>/port_no`: the kernel prints it with "%#x" ("0x1\n"; "0" for zero, without the
 * prefix). Returns null for anything else.
 */
export function parseBridgePortNumber(text: string): number | null {
  const t = text.trim();
  if (t === "0") return 0;
  if (!/^0x[0-9a-f]{1,4}$/i.test(t)) return null;
  return Number.parseInt(t.slice(2), 16);
}
