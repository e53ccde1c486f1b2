/** The simulator's state and event types, shared by the model, the views and the renderers. */
import type { Band, DeviceProfile } from "./catalog.js";
import type { Counter } from "./counter.js";
import type { Activity } from "./household.js";
import type { IwVersion, LeaseFormat, Scenario } from "./scenario.js";

export interface GatewayModelOptions {
  /** Default `gw-00001`. */
  gatewayId?: string;
  /** Default 1. */
  seed?: number;
  /** Devices in the household when no scenario lists them; default 8. */
  devices?: number;
  /** DHCP lease time; default 600 s (short, so renewals and expiry show within minutes). */
  leaseSeconds?: number;
  /** The LAN's prefix length, /16 to /24 (default 24, a home LAN); see lan.ts. */
  lanPrefix?: number;
  /**
   * The DHCP pool as OpenWrt's `/etc/config/dhcp` sets it: its first host (counted from the
   * network address; the gateway is host 1) and how many addresses it has; default 100 and 150
   * (.100 to .249). Devices beyond the pool get no lease and ask again every minute.
   */
  dhcpStart?: number;
  dhcpLimit?: number;
  leaseFormat?: LeaseFormat;
  /** Real-world time at the start of the run, ms since epoch; NTP syncs to it. Default: now. */
  startTime?: number;
  /** Gateway clock at start and after every reboot; default startTime (a gateway with a synced RTC). */
  startClock?: number;
  /** Seconds after boot when NTP corrects a clock that differs from world time; null = never on its own. */
  ntpSyncSeconds?: number | null;
  /** Lease file survives reboots; default false for dnsmasq (tmpfs), true for ISC dhcpd and Kea. */
  leaseFileOnFlash?: boolean;
  /** Random arrivals, departures, traffic, roaming and rare reboots; default true without a scenario. */
  random?: boolean;
  /** Uptime at the start; default 0 when the clock is not synced (fresh boot), else a random few days. */
  uptimeAtStartSeconds?: number;
  /** Interfaces whose counters wrap at 2^32; default: the Wi-Fi interfaces on a quarter of gateways. */
  wrap32?: readonly string[];
  iwVersion?: IwVersion;
  scenario?: Scenario;
}

export type DeviceState = "away" | "connected" | "lingering";

export interface SimDevice {
  readonly index: number;
  readonly id: string;
  readonly profile: DeviceProfile;
  /** Stable per-device key for stateless noise (signal drift, inactive time). */
  readonly key: number;
  mac: string;
  clientId: string | null;
  state: DeviceState;
  /** Interface the device is (or was last) attached to. */
  iface: string | null;
  connectedAt: number;
  /** When the device last stopped talking (left or went silent); -1 while talking. */
  leftAt: number;
  /** Seen on the LAN since the gateway booted (so it has neighbour and bridge entries). */
  seenThisBoot: boolean;
  ip: string | null;
  downBps: number;
  upBps: number;
  downPps: number;
  upPps: number;
  /** Counters of the current association, from the gateway's side (rx = from the device). */
  readonly rxBytes: Counter;
  readonly txBytes: Counter;
  readonly rxPackets: Counter;
  readonly txPackets: Counter;
  activity: Activity;
  /** Rates set by a scenario; they replace random traffic for this device. */
  scriptedRates: [number, number] | null;
  /** Bumped when the device leaves or the gateway reboots: its pending timers are then stale. */
  gen: number;
}

export interface ServerLease {
  readonly id: number;
  mac: string;
  ip: string;
  hostname: string | null;
  clientId: string | null;
  vendorClass: string | null;
  /** Last transaction, seconds on the gateway clock. */
  startsSec: number;
  /** Expiry, seconds on the gateway clock as the server writes it. */
  expiresSec: number;
  leaseSeconds: number;
  device: number;
  /** Generation of the pending expiry check; -1 once the lease is gone. */
  gen: number;
  /** Simulated time of the pending expiry check, or null. */
  checkAt: number | null;
}

/** One appended record of an ISC dhcpd or Kea lease log. */
export interface JournalEntry {
  lease: Readonly<ServerLease>;
  state: "active" | "free" | "released" | "expired";
  /** Seconds on the gateway clock when it was written. */
  atSec: number;
}

export type InterfaceKind = "loopback" | "ethernet" | "bridge" | "wifi";

export interface SimInterface {
  readonly name: string;
  readonly ifindex: number;
  readonly mac: string;
  readonly kind: InterfaceKind;
  /** BRIDGE-MIB port number when enslaved to br-lan. */
  readonly bridgePort: number | null;
  readonly mtu: number;
  readonly speedMbps: number;
  wrap32: boolean;
  readonly rxBytes: Counter;
  readonly txBytes: Counter;
  readonly rxPackets: Counter;
  readonly txPackets: Counter;
  /** The gateway's own traffic on this interface (DNS, NTP, mDNS, beacons), B/s in and out. */
  readonly background: readonly [number, number];
}

export interface SimRadio {
  readonly iface: string;
  readonly phy: number;
  readonly band: "2.4ghz" | "5ghz";
  readonly ssid: string;
  readonly channel: number;
  readonly frequencyMhz: number;
  readonly widthMhz: number;
  readonly center1Mhz: number;
  readonly txPowerDbm: number;
  readonly noiseDbm: number;
  /** Share of airtime used by neighbouring networks. */
  readonly interference: number;
  /** Radios come up a few seconds after boot. */
  upAt: number;
}

interface BaseEvent {
  /** Simulated ms since the start of the run. */
  t: number;
  /** The gateway's clock, ms since epoch (what the gateway writes in its files). */
  clock: number;
  gatewayId: string;
}
interface DeviceEvent extends BaseEvent {
  device: string;
  mac: string;
  ip: string | null;
}
export type SimEvent =
  | (DeviceEvent & {
      type: "join";
      hostname: string | null;
      interface: string;
      band: Band;
      /**
       * Gateway clock ms when the lease expires; null when the pool had no free address: the
       * device is on the network without an IPv4 address (`ip` null) and asks again every minute.
       */
      expiresAt: number | null;
      /** Present at the start of the run. */
      initial?: true;
      /** Back after the gateway rebooted. */
      rejoin?: true;
    })
  /** `recreated`: the server had no lease for the client (dropped by a clock jump, or none was free when it joined). */
  | (DeviceEvent & { type: "renew"; expiresAt: number; recreated?: true })
  /** DHCPRELEASE: the device left and its lease is gone. */
  | (DeviceEvent & { type: "release" })
  /** The device left without releasing; its lease stays until it expires. */
  | (DeviceEvent & { type: "leave"; interface: string | null })
  | (DeviceEvent & { type: "expire"; reason: "expired" | "clock-jump" | "boot" })
  | (DeviceEvent & { type: "roam"; from: string; to: string; band: Band })
  | (DeviceEvent & { type: "traffic"; downBps: number; upBps: number })
  | (BaseEvent & {
      type: "reboot";
      bootId: string;
      leaseFile: "kept" | "lost";
      leasesLost: { mac: string; ip: string }[];
    })
  | (BaseEvent & { type: "ntp-sync"; from: number; to: number });

export type SimEventType = SimEvent["type"];

/** hostapd drops a station that has been silent this long (ap_max_inactivity). */
export const STATION_INACTIVITY_LIMIT_MS = 300_000;
/** A neighbour entry of a departed device stays STALE this long before a probe marks it FAILED. */
export const NEIGH_STALE_MS = 600_000;
/** ...and FAILED this long before the kernel forgets it. */
export const NEIGH_FAILED_MS = 120_000;
/** Linux bridge ageing time: learned MACs are forgotten after 300 s without traffic. */
export const FDB_AGEING_MS = 300_000;
