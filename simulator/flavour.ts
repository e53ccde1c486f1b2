/**
 * Which kind of router a simulated gateway is, and so which tools it ships. The DHCP server
 * decides, as on real gateways: dnsmasq means OpenWrt (BusyBox ping, nlbwmon for per-host
 * traffic, IPv6 on the LAN through odhcpd, ubus), ISC dhcpd or Kea a Debian-style box (iputils ping,
 * conntrack-tools and /proc/net/nf_conntrack with accounting on, a /64 of the delegated prefix on
 * the LAN bridge, which devices take SLAAC addresses from).
 */
import type { LeaseFormat } from "./scenario.js";

export type GatewayFlavour = "openwrt" | "debian";

export interface FlavourTools {
  flavour: GatewayFlavour;
  /** `nlbw` (nlbwmon's client) is installed and nlbwmon runs. */
  nlbw: boolean;
  /** `conntrack` and /proc/net/nf_conntrack with net.netfilter.nf_conntrack_acct=1. */
  conntrack: boolean;
  ping: "busybox" | "iputils";
  /** LAN devices get global IPv6 addresses (router advertisements with a delegated prefix). */
  lanIpv6: boolean;
  /** OpenWrt's bus: `ubus call system board` says what the router is. */
  ubus: boolean;
}

const OPENWRT: FlavourTools = {
  flavour: "openwrt",
  nlbw: true,
  conntrack: false,
  ping: "busybox",
  lanIpv6: true,
  ubus: true,
};
const DEBIAN: FlavourTools = {
  flavour: "debian",
  nlbw: false,
  conntrack: true,
  ping: "iputils",
  lanIpv6: true,
  ubus: false,
};

export function flavourTools(leaseFormat: LeaseFormat): FlavourTools {
  return leaseFormat === "dnsmasq" ? OPENWRT : DEBIAN;
}
