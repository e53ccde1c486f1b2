/**
 * ISC dhcpd lease database (`/var/lib/dhcp/dhcpd.leases`), as server/db.c writes it: an append
 * log where every change adds a `lease` block and the last block for an address wins; the server
 * rewrites the whole file hourly, keeping one block per address, freed ones included. Times are
 * `W YYYY/MM/DD HH:MM:SS` in UTC on the gateway's clock; `uid` bytes are quoted with octal escapes.
 * And the server's configuration (`/etc/dhcp/dhcpd.conf`), whose `range` is the LAN's pool.
 */
import type { GatewayModel, JournalEntry } from "../model.js";

const HEADER =
  "# The format of this file is documented in the dhcpd.leases(5) manual page.\n" +
  "# This lease file was written by isc-dhcp-4.4.3-P1\n\n" +
  "# authoring-byte-order entry is generated, DO NOT DELETE\n" +
  "authoring-byte-order little-endian;\n\n";

export function renderIscLeases(model: GatewayModel): string {
  let out = HEADER;
  for (const entry of model.journal) out += block(entry);
  return out;
}

function block(entry: JournalEntry): string {
  const l = entry.lease;
  const active = entry.state === "active";
  // A released lease ends when it was released; an expired one when it was due.
  const ends = entry.state === "released" ? entry.atSec : l.expiresSec;
  let out = `lease ${l.ip} {`;
  out += `\n  starts ${iscTime(l.startsSec)}`;
  out += `\n  ends ${iscTime(ends)}`;
  out += `\n  cltt ${iscTime(l.startsSec)}`;
  out += `\n  binding state ${active ? "active" : "free"};`;
  if (active) {
    out += "\n  next binding state free;";
    out += "\n  rewind binding state free;";
  }
  out += `\n  hardware ethernet ${l.mac};`;
  if (l.clientId) out += `\n  uid ${quotify(l.clientId)};`;
  if (active && l.vendorClass) out += `\n  set vendor-class-identifier = "${l.vendorClass}";`;
  if (active && l.hostname) out += `\n  client-hostname "${l.hostname}";`;
  return `${out}\n}\n`;
}

/** print_time(): `%d %04d/%02d/%02d %02d:%02d:%02d;` with the weekday first, in UTC. */
export function iscTime(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCDay()} ${String(d.getUTCFullYear()).padStart(4, "0")}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())};`;
}

/** quotify_buf(): printable bytes as they are, `"` and `\` backslash-escaped, others as `\ooo`. */
export function quotify(hexColonBytes: string): string {
  let s = '"';
  for (const pair of hexColonBytes.split(":")) {
    const b = Number.parseInt(pair, 16);
    if (b === 0x22 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\${b.toString(8).padStart(3, "0")}`;
  }
  return `${s}"`;
}

/** Debian's path of the server's configuration. */
export const ISC_DHCPD_CONF = "etc/dhcp/dhcpd.conf";

/** The server's configuration as a Debian gateway keeps it: the LAN as a subnet, its pool as a range. */
export function renderIscDhcpdConf(model: GatewayModel): string {
  const { lan } = model;
  const { start, end } = model.dhcp.pool;
  return (
    "# dhcpd.conf\n#\n# The LAN of this gateway.\n\n" +
    'option domain-name "lan";\n' +
    `default-lease-time ${model.leaseSeconds};\nmax-lease-time ${model.leaseSeconds};\n` +
    "ddns-update-style none;\nauthoritative;\n\n" +
    `subnet ${lan.networkIp} netmask ${lan.netmaskIp} {\n` +
    `  range ${start} ${end};\n` +
    `  option routers ${lan.gatewayIp};\n` +
    `  option domain-name-servers ${lan.gatewayIp};\n` +
    "}\n"
  );
}
