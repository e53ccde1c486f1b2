/**
 * The gateway's own addresses, all in documentation space: the WAN IPv4 address and the IPv6
 * address and /56 prefix the provider hands out, OpenWrt's ULA, link-local addresses, the LAN
 * devices' SLAAC addresses in the prefix's first /64, and the DHCP lifetimes `ip addr` counts down.
 *
 * Both stay the same for a gateway across reboots. The WAN is plain DHCP (the default route has
 * a next hop, so not PPPoE), and DHCP/DHCPv6 servers give a returning client (same MAC, same
 * DUID) its previous lease back; stable prefixes are what RIPE-690 recommends and what most
 * DHCP-based providers do. Providers that renumber on every reconnect are mostly PPPoE ones.
 */

import { ipv6FromGroups } from "../common/ipv6Text.js";
import { hashString, mix32 } from "./prng.js";
import type { SimDevice } from "./types.js";

/** The gateway's /56 from the provider: [2001, db8, a, N00], N in 1..255, so its /64s never meet the WAN link's. */
export function sitePrefix(seed: number, gatewayId: string): number[] {
  const h = mix32(seed, hashString(gatewayId) ^ 0x6b6);
  return [0x2001, 0xdb8, 1 + (h % 0xfffe), (1 + ((h >>> 16) % 0xff)) << 8];
}

/** The WAN address from DHCPv6 (IA_NA) in the provider's link /64 beside the delegated prefix. */
export function wanIpv6(prefix: readonly number[]): string {
  const [a = 0, b = 0, c = 0] = prefix;
  return ipv6FromGroups([a, b, c, 0, 0, 0, 0, 2]);
}

/** OpenWrt's ula_prefix: fd00::/8 plus 40 random bits, generated once at first boot. */
export function ulaPrefix(seed: number, gatewayId: string): number[] {
  const h = mix32(seed ^ 0x55a, hashString(gatewayId));
  const g = mix32(h, 0x1a);
  return [0xfd00 | (h >>> 24), h & 0xffff, g & 0xffff];
}

/** fe80::/64 with the modified EUI-64 of the interface's MAC (the kernel's default for Ethernet-like links). */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(":").map((x) => Number.parseInt(x, 16) || 0);
  return ipv6FromGroups([
    0xfe80,
    0,
    0,
    0,
    (((b[0] ?? 0) ^ 0x02) << 8) | (b[1] ?? 0),
    ((b[2] ?? 0) << 8) | 0xff,
    0xfe00 | (b[3] ?? 0),
    ((b[4] ?? 0) << 8) | (b[5] ?? 0),
  ]);
}

/**
 * A LAN device's global address by SLAAC in the first /64 of the site prefix (the one the LAN
 * bridge advertises): EUI-64 for vendor MACs, a stable random identifier for private ones.
 */
export function deviceGlobalIpv6(prefix: readonly number[], dev: SimDevice, mac: string): string {
  const b = mac.split(":").map((x) => Number.parseInt(x, 16) || 0);
  let iid: number[];
  if (dev.profile.macPolicy === "vendor") {
    iid = [
      (((b[0] ?? 0) ^ 0x02) << 8) | (b[1] ?? 0),
      ((b[2] ?? 0) << 8) | 0xff,
      0xfe00 | (b[3] ?? 0),
      ((b[4] ?? 0) << 8) | (b[5] ?? 0),
    ];
  } else {
    const h1 = mix32(dev.key, hashString(mac));
    const h2 = mix32(h1, 0x9e37);
    iid = [h1 >>> 16, h1 & 0xffff, h2 >>> 16, h2 & 0xffff];
  }
  return ipv6FromGroups([...prefix.slice(0, 4), ...iid]);
}

/** IoT gadgets and printers often run IPv4 only (in the neighbour table and in their traffic). */
export function hasIpv6(dev: SimDevice): boolean {
  return dev.profile.kind !== "iot" && dev.profile.kind !== "printer";
}

/** A DHCP(v6) lease as the client keeps it: obtained `atS` seconds after boot, renewed at half of `validS`. */
export interface LeaseLifetime {
  atS: number;
  validS: number;
  preferredS: number;
}

/** WAN IPv4 by DHCP: a day's lease, as many providers give. */
export const WAN_DHCP4: LeaseLifetime = { atS: 5, validS: 86_400, preferredS: 86_400 };
/** DHCPv6 IA_NA and IA_PD: the lifetimes a provider's server typically sends. */
export const WAN_DHCP6: LeaseLifetime = { atS: 8, validS: 7_200, preferredS: 3_600 };

/** Remaining valid and preferred seconds at `uptimeS`, or null before the lease was obtained. */
export function remainingLifetime(
  lease: LeaseLifetime,
  uptimeS: number,
): { valid: number; preferred: number } | null {
  if (uptimeS < lease.atS) return null;
  const renew = lease.validS / 2;
  const since = Math.floor(uptimeS - lease.atS) % renew;
  return { valid: lease.validS - since, preferred: Math.max(0, lease.preferredS - since) };
}
