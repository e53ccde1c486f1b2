/**
 * The simulated state as the agent should see it, in the protocol's record types: what a correct
 * parser must produce from the files and command outputs the simulator writes. Round-trip tests
 * compare the agent's parsers against these; the renderers print the same values.
 */
import type { InterfaceCounters, Lease, Neighbor, Radio, Station } from "../protocol/index.js";
import { deviceGlobalIpv6, hasIpv6 } from "./addressing.js";
import { flavourTools } from "./flavour.js";
import {
  FDB_AGEING_MS,
  type GatewayModel,
  NEIGH_FAILED_MS,
  NEIGH_STALE_MS,
  type SimDevice,
  type SimInterface,
} from "./model.js";
import { mix32, noise } from "./prng.js";
import { stationInfo, surveyInfo } from "./wifi.js";

/** The server's current leases in file order (dnsmasq: newest first). */
export function leaseRecords(model: GatewayModel): Lease[] {
  return model.leases.map((l) => ({
    mac: l.mac,
    ip: l.ip,
    family: "ipv4",
    hostname: l.hostname,
    expiresAt: l.expiresSec * 1000,
    clientId: l.clientId,
    duid: null,
    iaid: null,
    source: model.leaseFormat,
  }));
}

/** Every statistic `/sys/class/net/IF/statistics/` holds, as the kernel reports it (wrapped where the driver wraps). */
export interface KernelStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  rx_missed_errors: number;
  rx_fifo_errors: number;
  rx_length_errors: number;
  rx_over_errors: number;
  rx_crc_errors: number;
  rx_frame_errors: number;
  rx_compressed: number;
  rx_nohandler: number;
  multicast: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
  tx_fifo_errors: number;
  collisions: number;
  tx_carrier_errors: number;
  tx_aborted_errors: number;
  tx_window_errors: number;
  tx_heartbeat_errors: number;
  tx_compressed: number;
}

const TWO_32 = 4294967296;

export function kernelStats(model: GatewayModel, iface: SimInterface, t = model.t): KernelStats {
  const rxPackets = iface.rxPackets.value(t);
  const txPackets = iface.txPackets.value(t);
  const lan = iface.kind === "wifi" || iface.kind === "bridge";
  const w = iface.wrap32 ? (x: number) => x % TWO_32 : (x: number) => x;
  return {
    rx_bytes: w(iface.rxBytes.value(t)),
    rx_packets: w(rxPackets),
    rx_errors: 0,
    // Bridges and radios drop frames of protocols nobody listens to; that is most of "drop" on a router.
    rx_dropped: w(lan ? Math.floor(rxPackets / 3000) : 0),
    rx_missed_errors: 0,
    rx_fifo_errors: 0,
    rx_length_errors: 0,
    rx_over_errors: 0,
    rx_crc_errors: 0,
    rx_frame_errors: 0,
    rx_compressed: 0,
    rx_nohandler: 0,
    multicast: w(iface.kind === "loopback" ? 0 : Math.floor(rxPackets / 50)),
    tx_bytes: w(iface.txBytes.value(t)),
    tx_packets: w(txPackets),
    tx_errors: w(iface.kind === "wifi" ? Math.floor(txPackets / 200_000) : 0),
    tx_dropped: w(iface.kind === "wifi" ? Math.floor(txPackets / 50_000) : 0),
    tx_fifo_errors: 0,
    collisions: 0,
    tx_carrier_errors: 0,
    tx_aborted_errors: 0,
    tx_window_errors: 0,
    tx_heartbeat_errors: 0,
    tx_compressed: 0,
  };
}

export function interfaceRecords(model: GatewayModel, t = model.t): InterfaceCounters[] {
  return model.interfaces.map((iface) => {
    const s = kernelStats(model, iface, t);
    return {
      name: iface.name,
      rxBytes: s.rx_bytes,
      txBytes: s.tx_bytes,
      rxPackets: s.rx_packets,
      txPackets: s.tx_packets,
      rxErrors: s.rx_errors,
      txErrors: s.tx_errors,
      rxDropped: s.rx_dropped + s.rx_missed_errors,
      txDropped: s.tx_dropped,
    };
  });
}

export type NeighState = "reachable" | "stale" | "failed";

export interface NeighborEntry {
  ip: string;
  family: "ipv4" | "ipv6";
  mac: string | null;
  interface: string;
  state: NeighState;
  router: boolean;
}

/** The kernel's neighbour table: IPv4 entries first (the ARP table is dumped before the IPv6 one). */
export function neighborEntries(model: GatewayModel, t = model.t): NeighborEntry[] {
  const v4: NeighborEntry[] = [];
  const v6: NeighborEntry[] = [];
  const upstreamStale = noise(model.seed ^ 0x3c, Math.floor(t / 45_000)) > 0.3;
  const lanIpv6 = flavourTools(model.leaseFormat).lanIpv6;
  v4.push({
    ip: model.wanGatewayIp,
    family: "ipv4",
    mac: model.wanGatewayMac,
    interface: "eth1",
    state: upstreamStale ? "stale" : "reachable",
    router: false,
  });
  for (const dev of model.devices) {
    const state = neighState(dev, t);
    if (!state) continue;
    const mac = state === "failed" ? null : dev.mac;
    // A device the DHCP pool had no address for has no IPv4 entry, but IPv6 needs no lease.
    if (dev.ip) v4.push({ ip: dev.ip, family: "ipv4", mac, interface: "br-lan", state, router: false });
    if (!hasIpv6(dev)) continue;
    v6.push({ ip: linkLocal(dev), family: "ipv6", mac, interface: "br-lan", state, router: false });
    // Its SLAAC address too, where the LAN has a global prefix: it reaches the internet through the router.
    if (lanIpv6) {
      const ip = deviceGlobalIpv6(model.sitePrefix, dev, dev.mac);
      v6.push({ ip, family: "ipv6", mac, interface: "br-lan", state, router: false });
    }
  }
  v6.push({
    ip: `fe80::200:5eff:fe00:1${model.wanGatewayMac.slice(-2)}`,
    family: "ipv6",
    mac: model.wanGatewayMac,
    interface: "eth1",
    state: upstreamStale ? "stale" : "reachable",
    router: true,
  });
  return [...v4, ...v6];
}

function neighState(dev: SimDevice, t: number): NeighState | null {
  if (!dev.seenThisBoot) return null;
  if (dev.state === "connected") {
    if (dev.downBps + dev.upBps > 20_000) return "reachable";
    return noise(dev.key ^ 0x77, Math.floor(t / 30_000)) > -0.2 ? "reachable" : "stale";
  }
  if (dev.leftAt < 0) return null;
  const gone = t - dev.leftAt;
  if (gone < 30_000) return "reachable";
  if (gone < NEIGH_STALE_MS) return "stale";
  if (gone < NEIGH_STALE_MS + NEIGH_FAILED_MS) return "failed";
  return null;
}

const linkLocalCache = new WeakMap<SimDevice, { mac: string; address: string }>();

/** fe80:: address: modified EUI-64 for vendor MACs, a stable random identifier for private ones. */
export function linkLocal(dev: SimDevice): string {
  const cached = linkLocalCache.get(dev);
  if (cached?.mac === dev.mac) return cached.address;
  const address = computeLinkLocal(dev);
  linkLocalCache.set(dev, { mac: dev.mac, address });
  return address;
}

function computeLinkLocal(dev: SimDevice): string {
  const b = dev.mac.split(":").map((x) => Number.parseInt(x, 16));
  let iid: number[];
  if (dev.profile.macPolicy === "vendor") {
    iid = [(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  } else {
    const h1 = mix32(dev.key, hashMac(dev.mac));
    const h2 = mix32(h1, 0x9e37);
    iid = [
      h1 >>> 24,
      (h1 >>> 16) & 0xff,
      (h1 >>> 8) & 0xff,
      h1 & 0xff,
      h2 >>> 24,
      (h2 >>> 16) & 0xff,
      (h2 >>> 8) & 0xff,
      h2 & 0xff,
    ];
  }
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push((((iid[i] ?? 0) << 8) | (iid[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(":")}`;
}

function hashMac(mac: string): number {
  return Number.parseInt(mac.replaceAll(":", "").slice(4), 16) >>> 0;
}

export function neighborRecords(model: GatewayModel, t = model.t): Neighbor[] {
  return neighborEntries(model, t).map((n) => ({
    ip: n.ip,
    mac: n.mac,
    interface: n.interface,
    state: n.state,
    bridgePort: null,
  }));
}

export interface FdbEntry {
  mac: string;
  ifname: string;
  /** Set for entries of the bridge's own table, null for a device's own (`self`) entries. */
  master: string | null;
  flags: string[];
  /** `bridge fdb` state: "" learned, "permanent" local, "static", "stale". */
  state: "" | "permanent" | "static" | "stale";
  /** Since the bridge last saw a frame from the MAC (the kernel's ageing timer); 0 for permanent entries. */
  idleMs: number;
}

/** A connected device's frames come at least this often, so its ageing timer stays below it. */
const CONNECTED_IDLE_MAX_MS = 5_000;

/** An address of the bridge's own, or of one of its ports: `permanent`, never ageing. */
const localEntry = (iface: SimInterface): FdbEntry => ({
  mac: iface.mac,
  ifname: iface.name,
  master: "br-lan",
  flags: [],
  state: "permanent",
  idleMs: 0,
});

/** `bridge fdb show`: per interface, the bridge's learned and local entries, then the device's own. */
export function fdbEntries(model: GatewayModel, t = model.t): FdbEntry[] {
  const out: FdbEntry[] = [];
  for (const iface of model.interfaces) {
    if (iface.kind === "loopback") continue;
    if (iface.bridgePort !== null) {
      for (const dev of model.devices) {
        if (dev.iface !== iface.name || !dev.seenThisBoot) continue;
        const learned = dev.state === "connected" || (dev.leftAt >= 0 && t - dev.leftAt < FDB_AGEING_MS);
        if (!learned) continue;
        const idleMs =
          dev.state === "connected"
            ? mix32(dev.key, Math.floor(t / 1000)) % CONNECTED_IDLE_MAX_MS
            : t - dev.leftAt;
        out.push({ mac: dev.mac, ifname: iface.name, master: "br-lan", flags: [], state: "", idleMs });
      }
      out.push(localEntry(iface));
      if (iface.name === "eth0" && model.switchFdbDuplicates) {
        for (const dev of model.devices) {
          if (dev.iface === "eth0" && dev.state === "connected")
            out.push({ mac: dev.mac, ifname: "eth0", master: null, flags: ["self"], state: "", idleMs: 0 });
        }
      }
    }
    if (iface.kind === "bridge") out.push(localEntry(iface));
    const tail = iface.mac.slice(9);
    for (const mac of ["33:33:00:00:00:01", "01:00:5e:00:00:01", `33:33:ff:${tail}`]) {
      out.push({ mac, ifname: iface.name, master: null, flags: ["self"], state: "permanent", idleMs: 0 });
    }
  }
  return out;
}

/** Stations each radio lists: connected devices and silent ones it has not dropped yet. */
export function stationInfos(model: GatewayModel, iface: string, t = model.t) {
  const radio = model.radios.find((r) => r.iface === iface);
  if (!radio) return [];
  return model.devices
    .filter((d) => d.iface === iface && (d.state === "connected" || d.state === "lingering"))
    .map((d) => stationInfo(model, d, radio, t));
}

/** Radios in the order `iw dev` lists them (newest phy first), which is the order the agent reports. */
function radiosInIwOrder(model: GatewayModel) {
  return [...model.radios].sort((a, b) => b.phy - a.phy);
}

export function stationRecords(model: GatewayModel, t = model.t): Station[] {
  return radiosInIwOrder(model).flatMap((radio) =>
    stationInfos(model, radio.iface, t).map((s) => ({
      mac: s.mac,
      interface: s.iface,
      signalDbm: s.signal,
      signalAvgDbm: s.signalAvg,
      rxBytes: s.rxBytes,
      txBytes: s.txBytes,
      rxPackets: s.rxPackets,
      txPackets: s.txPackets,
      txRetries: s.txRetries,
      txFailed: s.txFailed,
      rxBitrateMbps: s.rxBitrate.rate / 10,
      txBitrateMbps: s.txBitrate.rate / 10,
      rxBitrate: describeBitrate(s.rxBitrate.text),
      txBitrate: describeBitrate(s.txBitrate.text),
      connectedSeconds: s.connectedSeconds,
      inactiveMs: s.inactiveMs,
      authorized: true,
      associated: true,
      suspect: [],
    })),
  );
}

/** The protocol keeps what iw says about a bitrate besides the rate itself (MCS, width, GI, streams). */
function describeBitrate(text: string): string | null {
  const rest = text.replace(/^\S+ MBit\/s\s*/, "");
  return rest === "" ? null : rest;
}

export function radioRecords(model: GatewayModel, t = model.t): Radio[] {
  return radiosInIwOrder(model).map((radio) => {
    const inUse = surveyInfo(model, radio, t).find((s) => s.inUse);
    return {
      interface: radio.iface,
      phy: `phy${radio.phy}`,
      type: "AP",
      ssid: radio.ssid,
      mac: model.iface(radio.iface)?.mac ?? null,
      frequencyMhz: radio.frequencyMhz,
      channel: radio.channel,
      channelWidthMhz: radio.widthMhz,
      txPowerDbm: radio.txPowerDbm,
      noiseDbm: inUse?.noiseDbm ?? null,
      channelActiveMs: inUse?.activeMs ?? null,
      channelBusyMs: inUse?.busyMs ?? null,
      channelRxMs: inUse?.rxMs ?? null,
      channelTxMs: inUse?.txMs ?? null,
    };
  });
}
