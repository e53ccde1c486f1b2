/**
 * Connection tracking table: `/proc/net/nf_conntrack` and `conntrack -L [-o extended[,id]]`.
 *
 * Kernel line (nf_conntrack_standalone.c ct_seq_show):
 * `ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.1.23 dst=93.184.216.34 sport=51234 dport=443
 * packets=12 bytes=2345 src=93.184.216.34 dst=198.51.100.7 sport=443 dport=51234 packets=10
 * bytes=8910 [ASSURED] mark=0 zone=0 use=2` (one line): l3 name and number, l4 name and number,
 * seconds to expiry, the state (TCP, SCTP, DCCP only), then the original tuple and the reply tuple.
 * `conntrack -L` prints the same without the l3 columns unless `-o extended`, and `-o id` adds `id=N`.
 * Traps:
 * - `packets=`/`bytes=` only appear when accounting is on (`net.netfilter.nf_conntrack_acct=1`,
 *   off by default): a line without them means "not measured", never zero traffic. Records then
 *   carry null counters; conntrackAccountingOff() tells the agent to report accounting as off.
 * - /proc prints IPv6 addresses in full (`fd00:0001:0000:...:0023`), conntrack(8) compressed: both
 *   are normalised so a flow has the same id from either source.
 * - With NAT the reply tuple's destination is the router's WAN address, not the LAN host: the LAN
 *   side is the original source for outbound flows and the reply source for port-forwarded ones.
 * - A flow's real ends are the original source (who opened it) and the reply source (who answered,
 *   after any DNAT); the original and reply destinations may be the router's NAT addresses. The LAN
 *   host is whichever real end is on the LAN when the other is not. Flows between two LAN
 *   addresses (routed between VLANs, hairpin NAT) and between two non-LAN addresses are not line
 *   usage: they are dropped, as nlbwmon does, so a LAN-to-LAN flow is counted for neither host;
 *   so are flows with the router itself at either end (its WAN address included: the router's
 *   own traffic, or a device talking to the router) and flows to multicast and broadcast
 *   addresses. Which addresses are the LAN and the router's is the caller's to say (lanMatcher
 *   with the LAN prefixes, including a delegated IPv6 prefix; routerLan.ts learns both from
 *   `ip -j addr`); the default, private ranges only, misses global IPv6 hosts.
 * - `[UNREPLIED]`, `[ASSURED]`, `[OFFLOAD]`, `[HW_OFFLOAD]` flags, and `mark=`, `zone=`, `secctx=`,
 *   `labels=`, `delta-time=`, `use=` fields come and go between versions; unknown ones are ignored.
 *   Hardware-offloaded flows stop updating their counters in some drivers.
 * - conntrack(8) prints its summary (`conntrack v1.4.7 (conntrack-tools): 6 flow entries have
 *   been shown.`) to stderr; when captured with 2>&1 the line is recognised and ignored.
 * - nlbwmon zeroes the counters each time it polls (dump-and-zero): where it runs, use nlbw instead.
 */
import { isIP } from "node:net";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

export interface ConntrackFlow {
  /** The original tuple (protocol, addresses, ports or ICMP type/code/id), stable across readings. */
  id: string;
  /** conntrack's own id (`-o id`), which tells a reused tuple from the same flow; null when not printed. */
  ctId: number | null;
  family: "ipv4" | "ipv6";
  /** Layer-4 protocol name as printed (`tcp`, `udp`, `icmp`, `icmpv6`, `gre`, `unknown`, ...). */
  protocol: string;
  /** The LAN host's address. */
  lanIp: string;
  /** True when the LAN host opened the flow (its sent bytes are the original direction). */
  lanIsOriginator: boolean;
  /** Counters per direction; null when accounting is off. */
  origPackets: number | null;
  origBytes: number | null;
  replyPackets: number | null;
  replyBytes: number | null;
}

export interface ConntrackOptions {
  /** Which addresses are on the LAN. Default: RFC 1918 and ULA fc00::/7 (not RFC 6598: CGNAT is the WAN side). */
  isLan?: (ip: string) => boolean;
  /** The router's own addresses (normalised like the records: IPv6 compressed). Default: none known. */
  isRouter?: (ip: string) => boolean;
}

const SUMMARY = /^conntrack v[\d.]+ \(conntrack-tools\): \d+ flow entries have been shown\.$/;
const FIELD = /^([a-z][a-z0-9_-]*)=(\S*)$/;
/** Keys that make up a tuple (addresses, ports, ICMP type/code/id, GRE keys); the rest describe the flow. */
const TUPLE_KEYS = new Set(["src", "dst", "sport", "dport", "type", "code", "id", "srckey", "dstkey"]);

function ipv4Octets(ip: string): number[] {
  return ip.split(".").map(Number);
}

/** Private LAN ranges: 10/8, 172.16/12, 192.168/16, and IPv6 ULA fc00::/7. */
export function isPrivateLanAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) {
    const [a = 0, b = 0] = ipv4Octets(ip);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (family === 6) return /^f[cd]/i.test(ip);
  return false;
}

function isGroupAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0] = ipv4Octets(ip);
    return (a >= 224 && a <= 239) || ip === "255.255.255.255";
  }
  return /^ff/i.test(ip);
}

/** Builds an isLan predicate from CIDRs (`192.168.1.0/24`, `fd00:1::/64`); invalid entries throw. */
export function lanMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const nets = cidrs.map((cidr) => {
    const [addr = "", lenText = ""] = cidr.split("/");
    const family = isIP(addr);
    const bits = family === 4 ? 32 : 128;
    const len = lenText === "" ? bits : Number(lenText);
    if (family === 0 || !Number.isInteger(len) || len < 0 || len > bits)
      throw new Error(`not a CIDR: ${cidr}`);
    return { family, len, value: addressBits(addr) };
  });
  return (ip: string): boolean => {
    const family = isIP(ip);
    if (family === 0) return false;
    const value = addressBits(ip);
    const bits = family === 4 ? 32 : 128;
    return nets.some(
      (n) => n.family === family && value >> BigInt(bits - n.len) === n.value >> BigInt(bits - n.len),
    );
  };
}

function addressBits(ip: string): bigint {
  if (isIP(ip) === 4) return ipv4Octets(ip).reduce((n, o) => (n << 8n) | BigInt(o), 0n);
  return expandIpv6(ip)
    .split(":")
    .reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** Eight 4-digit groups, for /proc's form and for masking. */
function expandIpv6(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => g.padStart(4, "0")).join(":");
}

/** The compressed, lower-case form (RFC 5952) of an IPv6 address, so /proc and conntrack(8) agree. */
export function compressIpv6(ip: string): string {
  const groups = expandIpv6(ip)
    .split(":")
    .map((g) => g.replace(/^0+(?=.)/, ""));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

interface Tuple {
  fields: [string, string][];
  packets: number | null;
  bytes: number | null;
}

function counterOf(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

export function parseConntrack(text: string, options: ConntrackOptions = {}): ParseResult<ConntrackFlow> {
  const isLan = options.isLan ?? isPrivateLanAddress;
  const isRouter = options.isRouter ?? (() => false);
  const records: ConntrackFlow[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || SUMMARY.test(line)) continue;
    const skip = (reason: string): void => {
      skipped.push(skippedLine(i + 1, reason, line));
    };
    if (unterminated && i === lines.length - 1) {
      skip("unterminated last line (output was cut off)");
      continue;
    }
    const tokens = line.split(/\s+/);
    let pos = 0;
    let family: "ipv4" | "ipv6" | null = null;
    if (tokens[0] === "ipv4" || tokens[0] === "ipv6") {
      family = tokens[0];
      if (!/^\d+$/.test(tokens[1] ?? "")) {
        skip("layer-3 protocol number missing");
        continue;
      }
      pos = 2;
    }
    const protocol = tokens[pos];
    if (!protocol || !/^[a-z][a-z0-9-]*$/.test(protocol) || !/^\d+$/.test(tokens[pos + 1] ?? "")) {
      skip("expected a protocol name and number");
      continue;
    }
    if (!/^\d+$/.test(tokens[pos + 2] ?? "")) {
      skip("expected the seconds to expiry");
      continue;
    }
    pos += 3;
    // A state word (TCP, SCTP, DCCP) precedes the first key=value field.
    if (tokens[pos] && !tokens[pos]?.includes("=") && !tokens[pos]?.startsWith("[")) pos++;
    const tuples: Tuple[] = [];
    let ctId: number | null = null;
    let bad: string | null = null;
    let lastKey = "";
    for (; pos < tokens.length; pos++) {
      const token = tokens[pos] as string;
      if (token.startsWith("[")) continue;
      const m = FIELD.exec(token);
      if (!m) {
        bad = `unexpected token ${JSON.stringify(token.slice(0, 40))}`;
        break;
      }
      const key = m[1] as string;
      const value = m[2] as string;
      if (key === "src" && tuples.length < 2) tuples.push({ fields: [], packets: null, bytes: null });
      const tuple = tuples.at(-1);
      if (key === "id" && lastKey !== "code") {
        // `-o id` prints conntrack's id after the tuples; an `id=` right after `code=` is ICMP's.
        ctId = counterOf(value);
      } else if (key === "packets" || key === "bytes") {
        const n = counterOf(value);
        if (n === null) {
          bad = `${key} is not a whole number below 2^53`;
          break;
        }
        if (tuple) tuple[key] = n;
      } else if (TUPLE_KEYS.has(key) && tuple) {
        tuple.fields.push([key, value]);
      }
      lastKey = key;
    }
    if (bad) {
      skip(bad);
      continue;
    }
    const [orig, reply] = tuples;
    if (!orig || !reply) {
      skip("expected an original and a reply tuple");
      continue;
    }
    const addr = (tuple: Tuple, key: "src" | "dst"): string | null => {
      const value = tuple.fields.find(([k]) => k === key)?.[1];
      if (!value) return null;
      const f = isIP(value);
      if (f === 4) return value;
      if (f === 6) return compressIpv6(value);
      return null;
    };
    const origSrc = addr(orig, "src");
    const origDst = addr(orig, "dst");
    const replySrc = addr(reply, "src");
    const replyDst = addr(reply, "dst");
    if (!origSrc || !origDst || !replySrc || !replyDst) {
      skip("a tuple address is not an IP address");
      continue;
    }
    family ??= isIP(origSrc) === 4 ? "ipv4" : "ipv6";
    // Multicast and broadcast never leave through the line.
    if (isGroupAddress(origDst)) continue;
    if (isRouter(origSrc) || isRouter(replySrc)) continue;
    const lanOriginator = isLan(origSrc);
    if (lanOriginator === isLan(replySrc)) continue;
    const lanIp = lanOriginator ? origSrc : replySrc;
    const lanIsOriginator = lanOriginator;
    const id = [
      protocol,
      ...orig.fields.map(([k, v]) =>
        k === "src" ? `src=${origSrc}` : k === "dst" ? `dst=${origDst}` : `${k}=${v}`,
      ),
    ].join(" ");
    const counted = orig.bytes !== null && reply.bytes !== null;
    records.push({
      id,
      ctId,
      family,
      protocol,
      lanIp,
      lanIsOriginator,
      origPackets: counted ? orig.packets : null,
      origBytes: counted ? orig.bytes : null,
      replyPackets: counted ? reply.packets : null,
      replyBytes: counted ? reply.bytes : null,
    });
  }
  return { records, skipped };
}

/** True when flows were listed but none carried counters: accounting is off, not zero traffic. */
export function conntrackAccountingOff(flows: readonly ConntrackFlow[]): boolean {
  return flows.length > 0 && flows.every((f) => f.origBytes === null);
}
