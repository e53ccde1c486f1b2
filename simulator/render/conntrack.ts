/**
 * The connection tracking table as the kernel prints /proc/net/nf_conntrack (ct_seq_show, with
 * net.netfilter.nf_conntrack_acct=1) and as `conntrack -L [-o extended]` prints it
 * (libnetfilter_conntrack). Both: `%-8s %u` layer 3 (extended and /proc only), `%-8s %u` layer 4,
 * seconds to expiry, the TCP state, the original tuple with `packets= bytes=`, `[UNREPLIED]`,
 * the reply tuple and its counters, `[ASSURED]`, `mark=0`. They differ where real ones do:
 * /proc writes IPv6 in full (`%pI6`), adds `zone=0` and counts its own reference (`use=2`),
 * ending in `use=2\n`; conntrack(8) compresses IPv6, leaves out the default zone and prints
 * `use=1` without a trailing blank. Its summary line goes to stderr (the bin script prints it).
 */
import type { ConntrackEntry, FlowTuple } from "../traffic.js";
import { ipv6Expanded, left } from "./format.js";

const L4 = { tcp: ["tcp", 6], udp: ["udp", 17] } as const;

function tuple(t: FlowTuple, full6: boolean): string {
  const addr = (a: string) => (full6 && a.includes(":") ? ipv6Expanded(a) : a);
  return `src=${addr(t.src)} dst=${addr(t.dst)} sport=${t.sport} dport=${t.dport} packets=${t.packets} bytes=${t.bytes} `;
}

function line(e: ConntrackEntry, kernel: boolean): string {
  const [l4, l4num] = L4[e.proto];
  let out = `${left(e.family === 4 ? "ipv4" : "ipv6", 8)} ${e.family === 4 ? 2 : 10} `;
  out += `${left(l4, 8)} ${l4num} ${e.timeoutS} `;
  if (e.state) out += `${e.state} `;
  out += tuple(e.orig, kernel);
  if (e.unreplied) out += "[UNREPLIED] ";
  out += tuple(e.reply, kernel);
  if (e.assured) out += "[ASSURED] ";
  return kernel ? `${out}mark=0 zone=0 use=2\n` : `${out}mark=0 use=1\n`;
}

export function renderProcNfConntrack(entries: readonly ConntrackEntry[]): string {
  let out = "";
  for (const e of entries) out += line(e, true);
  return out;
}

/** `conntrack -L -o extended`, stdout only (plain `-L` is the same without the layer-3 columns). */
export function renderConntrackList(entries: readonly ConntrackEntry[]): string {
  let out = "";
  for (const e of entries) out += line(e, false);
  return out;
}

/** conntrack(8)'s summary on stderr. */
export function conntrackSummary(count: number): string {
  return `conntrack v1.4.7 (conntrack-tools): ${count} flow entries have been shown.\n`;
}
