/**
 * `ip -j addr show [dev IF]` as iproute2 prints it (ip/ipaddress.c, print_linkinfo and
 * print_addrinfo, compact JSON): per link ifindex, ifname, flags, mtu, qdisc, master (bridge
 * ports), operstate, group, txqlen, link_type, address, broadcast, then addr_info. Per address:
 * family, local, prefixlen, broadcast (IPv4), scope, `dynamic` for anything with a lifetime
 * (the kernel's IFA_F_PERMANENT is unset), `noprefixroute`, label (IPv4 only), protocol, and
 * the lifetimes in seconds (4294967295 for forever). IPv4 first; IPv6 global before link.
 *
 * Traps kept: bridge ports carry no addresses (`"addr_info":[]`); kernels from 6.3 mark the
 * addresses they make themselves (`"protocol":"kernel_lo"`/`"kernel_ll"`) and give ::1
 * noprefixroute, which OpenWrt 24.10 (kernel 6.6, iproute2 6.11) shows and 23.05 and Debian 12
 * (5.15, 6.1) do not.
 */

import { ipv6FromGroups } from "../../common/ipv6Text.js";
import {
  eui64LinkLocal,
  type LeaseLifetime,
  remainingLifetime,
  ulaPrefix,
  WAN_DHCP4,
  WAN_DHCP6,
} from "../addressing.js";
import { flavourTools } from "../flavour.js";
import type { GatewayModel } from "../model.js";
import type { SimInterface } from "../types.js";

const FOREVER = 4294967295;

type Row = Record<string, unknown>;

/** Kernels from 6.3 tag the addresses they configure themselves (IFA_PROTO). */
function kernelTagsAddresses(kernel: string): boolean {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  return major > 6 || (major === 6 && minor >= 3);
}

function lifetimes(lease: LeaseLifetime | null, uptimeS: number): Row | null {
  if (!lease) return { valid_life_time: FOREVER, preferred_life_time: FOREVER };
  const left = remainingLifetime(lease, uptimeS);
  return left ? { valid_life_time: left.valid, preferred_life_time: left.preferred } : null;
}

interface Address {
  family: "inet" | "inet6";
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope: "global" | "host" | "link";
  /** Null: configured for good; else the DHCP lease it came with. */
  lease: LeaseLifetime | null;
  noprefixroute?: boolean;
  protocol?: string;
}

function addressRow(iface: string, a: Address, uptimeS: number): Row | null {
  const life = lifetimes(a.lease, uptimeS);
  if (!life) return null;
  const row: Row = { family: a.family, local: a.local, prefixlen: a.prefixlen };
  if (a.broadcast) row.broadcast = a.broadcast;
  row.scope = a.scope;
  if (a.lease) row.dynamic = true;
  if (a.noprefixroute) row.noprefixroute = true;
  if (a.family === "inet") row.label = iface;
  if (a.protocol) row.protocol = a.protocol;
  return { ...row, ...life };
}

function addresses(model: GatewayModel, iface: SimInterface): Address[] {
  const openwrt = flavourTools(model.leaseFormat).flavour === "openwrt";
  const tagged = kernelTagsAddresses(model.firmware.kernel);
  const linkLocal = (): Address => ({
    family: "inet6",
    local: eui64LinkLocal(iface.mac),
    prefixlen: 64,
    scope: "link",
    lease: null,
    ...(tagged ? { protocol: "kernel_ll" } : {}),
  });
  if (iface.kind === "loopback") {
    return [
      { family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host", lease: null },
      {
        family: "inet6",
        local: "::1",
        prefixlen: 128,
        scope: "host",
        lease: null,
        ...(tagged ? { noprefixroute: true, protocol: "kernel_lo" } : {}),
      },
    ];
  }
  if (iface.bridgePort !== null) return [];
  if (iface.name === "eth1") {
    return [
      {
        family: "inet",
        local: model.wanIp,
        prefixlen: 24,
        broadcast: model.wanIp.replace(/\.\d+$/, ".255"),
        scope: "global",
        lease: WAN_DHCP4,
      },
      // odhcp6c's IA_NA comes without a prefix route; dhclient's does not set the flag.
      {
        family: "inet6",
        local: model.wanIpv6,
        prefixlen: 128,
        scope: "global",
        lease: WAN_DHCP6,
        noprefixroute: openwrt,
      },
      linkLocal(),
    ];
  }
  const lan: Address[] = [
    {
      family: "inet",
      local: model.lan.gatewayIp,
      prefixlen: model.lan.prefixLength,
      broadcast: model.lan.broadcastIp,
      scope: "global",
      lease: null,
    },
  ];
  const [a = 0, b = 0, c = 0, d = 0] = model.sitePrefix;
  if (flavourTools(model.leaseFormat).lanIpv6 && !openwrt) {
    // dhcpcd (or networkd) gives the LAN bridge a /64 of the delegated prefix, with the
    // delegation's lifetimes and a prefix route; no ULA.
    lan.push({
      family: "inet6",
      local: ipv6FromGroups([a, b, c, d, 0, 0, 0, 1]),
      prefixlen: 64,
      scope: "global",
      lease: WAN_DHCP6,
    });
  } else if (flavourTools(model.leaseFormat).lanIpv6) {
    // OpenWrt's lan has ip6assign 60: a /60 of the delegated prefix (newest first) and of the ULA.
    const [u0 = 0, u1 = 0, u2 = 0] = ulaPrefix(model.seed, model.gatewayId);
    lan.push(
      {
        family: "inet6",
        local: ipv6FromGroups([a, b, c, d, 0, 0, 0, 1]),
        prefixlen: 60,
        scope: "global",
        lease: WAN_DHCP6,
        noprefixroute: true,
      },
      {
        family: "inet6",
        local: ipv6FromGroups([u0, u1, u2, 0, 0, 0, 0, 1]),
        prefixlen: 60,
        scope: "global",
        lease: null,
        noprefixroute: true,
      },
    );
  }
  lan.push(linkLocal());
  return lan;
}

function linkRow(model: GatewayModel, iface: SimInterface, uptimeS: number): Row {
  const loopback = iface.kind === "loopback";
  const openwrt = flavourTools(model.leaseFormat).flavour === "openwrt";
  const row: Row = {
    ifindex: iface.ifindex,
    ifname: iface.name,
    flags: loopback ? ["LOOPBACK", "UP", "LOWER_UP"] : ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
    mtu: iface.mtu,
    // OpenWrt defaults to fq_codel; the APU's i210 ports are multiqueue (mq). Bridges, mac80211 and lo queue nothing.
    qdisc: iface.kind === "ethernet" ? (openwrt ? "fq_codel" : "mq") : "noqueue",
  };
  if (iface.bridgePort !== null) row.master = "br-lan";
  row.operstate = loopback ? "UNKNOWN" : "UP";
  row.group = "default";
  row.txqlen = 1000;
  row.link_type = loopback ? "loopback" : "ether";
  row.address = iface.mac;
  row.broadcast = loopback ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  const rows = addresses(model, iface)
    .map((a) => addressRow(iface.name, a, uptimeS))
    .filter((r): r is Row => r !== null);
  row.addr_info = rows;
  return row;
}

/** `ip -j addr show` (every link) or `ip -j addr show dev NAME` (one); null for a device that does not exist. */
export function renderIpAddrJson(model: GatewayModel, dev?: string): string | null {
  const uptimeS = Math.floor(model.uptimeMs() / 1000);
  const links = model.interfaces.filter((i) => dev === undefined || i.name === dev);
  if (links.length === 0) return null;
  return `${JSON.stringify(links.map((i) => linkRow(model, i, uptimeS)))}\n`;
}
