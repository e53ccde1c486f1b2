/**
 * Which kind of router a simulated gateway is, and so which tools it ships. The DHCP server
 * decides, as on real gateways: dnsmasq means OpenWrt (BusyBox ping, nlbwmon for per-host
 * traffic, IPv6 on the LAN through odhcpd, ubus), ISC dhcpd or Kea a Debian-style box (iputils ping,
 * conntrack-tools and /proc/net/nf_conntrack with accounting on, a /64 of the delegated prefix on
 * the LAN bridge, which devices take SLAAC addresses from). The access points are named as each
 * firmware names them: `phy<N>-ap<M>` on OpenWrt 23.05 and later (netifd names them after the
 * radio), `wlan<N>` with hostapd on Debian.
 */
import type { Band } from "./catalog.js";
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
  /** The access point interface of each radio: phy0 is the 2.4 GHz one, phy1 the 5 GHz one. */
  wifiInterfaces: Readonly<Record<WifiBand, string>>;
}

export type WifiBand = Exclude<Band, "ethernet">;

const OPENWRT: FlavourTools = {
  flavour: "openwrt",
  nlbw: true,
  conntrack: false,
  ping: "busybox",
  lanIpv6: true,
  ubus: true,
  wifiInterfaces: { "2.4ghz": "phy0-ap0", "5ghz": "phy1-ap0" },
};
const DEBIAN: FlavourTools = {
  flavour: "debian",
  nlbw: false,
  conntrack: true,
  ping: "iputils",
  lanIpv6: true,
  ubus: false,
  wifiInterfaces: { "2.4ghz": "wlan0", "5ghz": "wlan1" },
};

export function flavourTools(leaseFormat: LeaseFormat): FlavourTools {
  return leaseFormat === "dnsmasq" ? OPENWRT : DEBIAN;
}
