/**
 * The gateway's IPv4 LAN and its DHCP pool, as OpenWrt configures them: br-lan's address is the
 * first host of a /24 for a home (`option netmask 255.255.255.0`), of a larger network for a
 * business site with more devices than a /24 holds. Hosts are numbered from the network address
 * as OpenWrt's DHCP `start` counts them: host 100 of 192.168.1.0/24 is 192.168.1.100, host 300
 * of 10.0.0.0/22 is 10.0.1.44.
 */
import { ipv4Text } from "../common/ipv4Number.js";

/** A home LAN is a /24; a /16 (65,534 hosts) is more than any site behind one gateway. */
export const DEFAULT_LAN_PREFIX = 24;
export const MIN_LAN_PREFIX = 16;

/** OpenWrt's default pool (`/etc/config/dhcp`: `option start 100`, `option limit 150`): .100 to .249. */
export const DEFAULT_DHCP_START = 100;
export const DEFAULT_DHCP_LIMIT = 150;

/** Host 1 is the gateway, so a pool starts at host 2 at the earliest. */
export const MIN_DHCP_START = 2;

export class Lan {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  /** The last host's number (the one before the broadcast address): 254 for a /24. */
  readonly lastHost: number;

  /** `base`: three octets (`192.168.1`), masked to the prefix, so a /22 of `192.168.1` is 192.168.0.0/22. */
  constructor(
    base: string,
    readonly prefixLength: number,
  ) {
    const [a = 0, b = 0, c = 0] = base.split(".").map(Number);
    const mask = prefixMask(prefixLength);
    this.network = (((a << 24) | (b << 16) | (c << 8)) & mask) >>> 0;
    this.lastHost = lastHostOf(prefixLength);
  }

  /** Host `n` (1 = the gateway) in dotted form. */
  host(n: number): string {
    return ipv4Text(this.network + n);
  }

  get gatewayIp(): string {
    return this.host(1);
  }

  get networkIp(): string {
    return ipv4Text(this.network);
  }

  get broadcastIp(): string {
    return this.host(this.lastHost + 1);
  }

  get netmaskIp(): string {
    return ipv4Text(prefixMask(this.prefixLength));
  }
}

/** The last host's number in a LAN of this prefix length (the one before the broadcast address). */
export function lastHostOf(prefixLength: number): number {
  return 2 ** (32 - prefixLength) - 2;
}

/** Why a LAN prefix length cannot be simulated, or null. */
export function lanPrefixProblem(prefixLength: number): string | null {
  if (Number.isInteger(prefixLength) && prefixLength >= MIN_LAN_PREFIX && prefixLength <= DEFAULT_LAN_PREFIX)
    return null;
  return `the LAN prefix /${prefixLength} is not from /${MIN_LAN_PREFIX} to /${DEFAULT_LAN_PREFIX}`;
}

/** Why a pool (OpenWrt's `start` and `limit`) does not fit a LAN with hosts 1 to `lastHost`, or null. */
export function dhcpPoolProblem(start: number, limit: number, lastHost: number): string | null {
  if (!Number.isInteger(start) || start < MIN_DHCP_START || start > lastHost)
    return `the DHCP pool start ${start} is not a host from ${MIN_DHCP_START} to ${lastHost} (the gateway is host 1)`;
  if (!Number.isInteger(limit) || limit < 1)
    return `the DHCP pool limit ${limit} is not a positive whole number`;
  const end = start + limit - 1;
  if (end > lastHost)
    return `the DHCP pool (start ${start}, limit ${limit}) ends at host ${end}, past the LAN's last host ${lastHost}: lower its start or limit, or widen the LAN`;
  return null;
}

/**
 * The smallest LAN that holds `devices` with the whole of it as pool, as options: for a
 * household whose devices are all leases (a /24 up to 252 devices, a /21 for 2,000).
 */
export function lanForDevices(devices: number): { lanPrefix: number; dhcpStart: number; dhcpLimit: number } {
  let prefix = DEFAULT_LAN_PREFIX;
  const poolSize = (p: number) => lastHostOf(p) - MIN_DHCP_START + 1;
  while (prefix > MIN_LAN_PREFIX && poolSize(prefix) < devices) prefix--;
  return { lanPrefix: prefix, dhcpStart: MIN_DHCP_START, dhcpLimit: poolSize(prefix) };
}

function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}
