/**
 * Which addresses are the LAN, as the router's own interfaces say: every prefix on an interface
 * that is neither the WAN (the default route's) nor loopback — the IPv4 subnets and the global
 * (delegated) and ULA IPv6 prefixes on br-lan, a guest bridge, a VLAN, a VPN server's tunnel —
 * and fe80::/10, over which hosts talk to the router. And which addresses are the router's own
 * (every interface's, the WAN's and loopback's included): a flow to or from one of them is the
 * router's traffic, not a device's, whatever side of it looks like the LAN. Pure.
 */
import { rememberByText } from "../../../common/rememberByText.js";
import type { InterfaceAddress } from "../router/parseProcRouterFiles.js";
import { type ConntrackOptions, compressIpv6, lanMatcher } from "./parseConntrack.js";

export interface RouterLan {
  /** CIDRs of the LAN side, `address/prefixlen` as configured (lanMatcher masks the host bits). */
  lanCidrs: string[];
  /** The router's own addresses, normalised as parseConntrack prints them. */
  routerAddresses: string[];
}

/** Link-local is always the LAN side: it never leaves the link, and hosts reach the router over it. */
export const LINK_LOCAL_CIDR = "fe80::/10";

/** Null when no interface but the WAN and loopback has an address: the LAN cannot be told from it. */
export function routerLan(
  addresses: readonly InterfaceAddress[],
  wanInterface: string | null,
): RouterLan | null {
  const lan = new Set<string>();
  const router = new Set<string>();
  for (const a of addresses) {
    const norm = (ip: string) => (a.family === "ipv6" ? compressIpv6(ip) : ip);
    router.add(norm(a.address));
    if (a.loopback || a.interface === wanInterface || a.scope === "host") continue;
    // fe80::/10 covers every link's link-local prefix, the WAN's too (never forwarded either way).
    if (a.family === "ipv6" && a.address.startsWith("fe80:")) continue;
    lan.add(`${norm(a.address)}/${a.prefixLength}`);
    // A point-to-point link's far end (a VPN client) is on the LAN side of this router.
    if (a.peer !== null) lan.add(`${norm(a.peer)}/${a.prefixLength}`);
  }
  if (lan.size === 0) return null;
  return { lanCidrs: [...lan, LINK_LOCAL_CIDR], routerAddresses: [...router] };
}

/** Answers remembered: a table names the same hosts over and over, and matching a prefix costs BigInt work. */
const MEMO_LIMIT = 8192;

/** parseConntrack's options for this LAN; lanMatcher throws on a bad CIDR, which routerLan never makes from parsed addresses. */
export function conntrackOptionsFor(lan: RouterLan): Required<ConntrackOptions> {
  const router = new Set(lan.routerAddresses);
  return { isLan: rememberByText(lanMatcher(lan.lanCidrs), MEMO_LIMIT), isRouter: (ip) => router.has(ip) };
}
