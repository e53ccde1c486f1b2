/**
 * One view per device, joined by MAC from a snapshot's leases, neighbours, Wi-Fi stations and
 * radios: which addresses it holds, whether it is on Wi-Fi (which band, how strong) or wired
 * (which bridge port). Pure, so the agent's `--print` and the collector's queries show the same.
 */
import { isLocallyAdministered } from "./mac.js";
import type { Neighbor, Radio, Snapshot } from "./messages.js";

export type Band = "2.4GHz" | "5GHz" | "6GHz";

export interface DeviceView {
  mac: string;
  ips: string[];
  hostname: string | null;
  /** Locally administered MAC: a phone's per-network random address. */
  randomized: boolean;
  connection: "wifi" | "wired" | "unknown";
  /** Wi-Fi interface for stations; the neighbour's interface (usually the bridge) otherwise. */
  interface: string | null;
  band: Band | null;
  bridgePort: string | null;
  signalDbm: number | null;
  neighborState: Neighbor["state"] | null;
  /** Lease expiry on the gateway's clock (the earliest of the device's leases), null if none or infinite. */
  leaseExpiresAt: number | null;
  hasLease: boolean;
}

export function bandOf(frequencyMhz: number | null): Band | null {
  if (frequencyMhz === null) return null;
  if (frequencyMhz >= 2400 && frequencyMhz < 2500) return "2.4GHz";
  if (frequencyMhz >= 5150 && frequencyMhz < 5925) return "5GHz";
  if (frequencyMhz >= 5925 && frequencyMhz < 7125) return "6GHz";
  return null;
}

type JoinInput = Pick<Snapshot, "leases" | "neighbors" | "stations" | "radios"> &
  Pick<Partial<Snapshot>, "router">;

export function joinDevices(snapshot: JoinInput): DeviceView[] {
  const devices = new Map<string, DeviceView>();
  const device = (mac: string): DeviceView => {
    let d = devices.get(mac);
    if (!d) {
      d = {
        mac,
        ips: [],
        hostname: null,
        randomized: isLocallyAdministered(mac),
        connection: "unknown",
        interface: null,
        band: null,
        bridgePort: null,
        signalDbm: null,
        neighborState: null,
        leaseExpiresAt: null,
        hasLease: false,
      };
      devices.set(mac, d);
    }
    return d;
  };
  const addIp = (d: DeviceView, ip: string) => {
    if (!d.ips.includes(ip)) d.ips.push(ip);
  };

  for (const lease of snapshot.leases) {
    if (!lease.mac) continue; // DHCPv6 leases are keyed by DUID; their neighbours bring the MAC.
    const d = device(lease.mac);
    d.hasLease = true;
    addIp(d, lease.ip);
    d.hostname ??= lease.hostname;
    if (lease.expiresAt !== null && (d.leaseExpiresAt === null || lease.expiresAt < d.leaseExpiresAt)) {
      d.leaseExpiresAt = lease.expiresAt;
    }
  }
  // The upstream router seen on the WAN port is the provider's, not a device on the customer's network.
  const wan = snapshot.router?.wanInterface ?? null;
  for (const n of snapshot.neighbors) {
    if (!n.mac || n.state === "failed" || n.state === "incomplete" || n.interface === wan) continue;
    const d = device(n.mac);
    addIp(d, n.ip);
    d.interface ??= n.interface;
    d.bridgePort ??= n.bridgePort;
    d.neighborState ??= n.state;
  }
  const radios = new Map<string, Radio>(snapshot.radios.map((r) => [r.interface, r]));
  for (const s of snapshot.stations) {
    const d = device(s.mac);
    d.connection = "wifi";
    d.interface = s.interface;
    d.band = bandOf(radios.get(s.interface)?.frequencyMhz ?? null);
    d.signalDbm = s.signalAvgDbm ?? s.signalDbm;
  }
  // A device seen on a bridge port that is not a Wi-Fi station is on a cable.
  for (const d of devices.values()) if (d.connection === "unknown" && d.bridgePort) d.connection = "wired";
  return [...devices.values()].sort((a, b) => a.mac.localeCompare(b.mac));
}
