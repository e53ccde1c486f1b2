/**
 * Per-device traffic as the connections that carry it, for the tools that account traffic per
 * host: conntrack (flows that appear, grow, linger in TIME_WAIT and vanish) and nlbwmon (totals
 * per MAC, address and service over its accounting period). A device's byte and packet rates
 * (the same ones that drive its station and port counters) are split over a few connections
 * chosen by what it is doing; each run of constant rates is a segment, and a segment's
 * connections are replaced by new ones every `connectionMs` (short web requests) or last the
 * whole segment (a stream, a download). Every figure is a pure function of the segments and
 * the time, so reading after one big advance or many small ones gives the same bytes, and
 * nothing is drawn from the model's random stream (identities come from hashes of the device).
 *
 * nlbwmon's period restarts on the first of the month (gateway clock, UTC) and at every boot (its
 * database lives in tmpfs); the conntrack table is empty after a boot.
 */

import { ipv6FromGroups } from "../common/ipv6Text.js";
import { deviceGlobalIpv6, hasIpv6, sitePrefix, wanIpv6 } from "./addressing.js";
import { flavourTools } from "./flavour.js";
import type { Activity } from "./household.js";
import type { Lan } from "./lan.js";
import { hashString, mix32 } from "./prng.js";
import type { LeaseFormat } from "./scenario.js";
import type { SimDevice } from "./types.js";

/** How long an ended connection stays listed: TCP TIME_WAIT and the UDP stream timeout (nf_conntrack defaults). */
export const CONNTRACK_LINGER_MS = 120_000;
const TCP_ESTABLISHED_TIMEOUT_S = 432_000;
const UDP_STREAM_TIMEOUT_S = 120;
/** nf_conntrack_udp_timeout: a single query and answer (DNS) or an unanswered datagram (SSDP). */
const UDP_TIMEOUT_S = 30;
/** The WAN's NAT keeps the LAN host's source port, as Linux masquerading does when it is free. */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 28232;
/** Ended segments kept unfolded at most (folding builds their connections, which only a reader needs). */
const MAX_UNFOLDED = 512;

interface SlotSpec {
  proto: "tcp" | "udp";
  port: number;
  /** Percent of the device's rates. */
  share: number;
  /** Each connection lasts this long and is replaced by the next; 0 = one for the whole segment. */
  connectionMs: number;
}

/** The connections behind each activity: browsing opens short ones, a stream or download holds one. */
const MIX: Record<Activity, readonly SlotSpec[]> = {
  idle: [{ proto: "tcp", port: 443, share: 100, connectionMs: 0 }],
  light: [
    { proto: "tcp", port: 443, share: 45, connectionMs: 40_000 },
    { proto: "udp", port: 443, share: 40, connectionMs: 60_000 },
    { proto: "tcp", port: 80, share: 15, connectionMs: 30_000 },
  ],
  music: [{ proto: "tcp", port: 443, share: 100, connectionMs: 0 }],
  stream: [
    { proto: "tcp", port: 443, share: 90, connectionMs: 0 },
    { proto: "tcp", port: 443, share: 10, connectionMs: 45_000 },
  ],
  call: [
    { proto: "udp", port: 3478, share: 90, connectionMs: 0 },
    { proto: "tcp", port: 443, share: 10, connectionMs: 0 },
  ],
  bulk: [
    { proto: "tcp", port: 443, share: 50, connectionMs: 0 },
    { proto: "tcp", port: 443, share: 50, connectionMs: 0 },
  ],
  upload: [{ proto: "tcp", port: 443, share: 100, connectionMs: 0 }],
};

/** nlbwmon's protocol list (the ones these connections use); other ports are stored as protocol 0, port 0. */
const LAYER7: Record<string, string> = { "tcp/443": "HTTPS", "udp/443": "QUIC", "tcp/80": "HTTP" };

/** What the traffic model needs from the gateway; read lazily (the model builds it before its own fields). */
export interface TrafficHost {
  readonly seed: number;
  readonly gatewayId: string;
  readonly wanIp: string;
  readonly lan: Lan;
  readonly devices: readonly SimDevice[];
  /** Decides the flavour, and so whether LAN devices have global IPv6 addresses. */
  readonly leaseFormat: LeaseFormat;
  clockMs(t: number): number;
}

interface Slot {
  readonly proto: "tcp" | "udp";
  readonly port: number;
  readonly family: 4 | 6;
  readonly connectionMs: number;
  readonly down: number;
  readonly up: number;
  readonly downPps: number;
  readonly upPps: number;
  readonly remote: string;
  readonly key: number;
  /** nlbwmon's row key without the counters. */
  readonly row: NlbwKey;
}

interface Segment {
  readonly device: SimDevice;
  readonly serial: number;
  readonly mac: string;
  readonly ip: string;
  readonly activity: Activity;
  readonly rates: readonly [number, number, number, number];
  readonly start: number;
  /** Infinity while the rates hold. */
  end: number;
  /** Built on first read: a model that is never rendered (a large fleet's model-only run) skips them. */
  slots: readonly Slot[] | null;
  ip6: string | null;
}

export interface NlbwKey {
  family: 4 | 6;
  /** nlbw's protocol name: `TCP`, `UDP`, or `IP` for traffic on a port its list does not name. */
  proto: string;
  port: number;
  mac: string;
  ip: string;
  layer7: string | null;
}

/** One row of `nlbw -c json` with nlbw's default grouping (family, proto, port, mac, ip, layer7). */
export interface NlbwRow extends NlbwKey {
  conns: number;
  /** Received by the LAN host (download). */
  rxBytes: number;
  rxPackets: number;
  /** Sent by the LAN host (upload). */
  txBytes: number;
  txPackets: number;
}

export interface FlowTuple {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  packets: number;
  bytes: number;
}

/** One connection tracking entry, as both /proc/net/nf_conntrack and `conntrack -L` show it. */
export interface ConntrackEntry {
  family: 4 | 6;
  proto: "tcp" | "udp";
  /** TCP state; null for UDP. */
  state: "ESTABLISHED" | "TIME_WAIT" | null;
  timeoutS: number;
  orig: FlowTuple;
  reply: FlowTuple;
  assured: boolean;
  unreplied: boolean;
  /** The hash-table position the kernel lists it in. */
  order: number;
}

/** Traffic a device carried over a period, per MAC, summed over its addresses and services. */
export interface DeviceTrafficTotals {
  mac: string;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

export class TrafficAccounting {
  /** Start of nlbwmon's current period (simulated ms). */
  periodStart = Number.NEGATIVE_INFINITY;
  private readonly segments: Segment[][] = [];
  /** Segments each device has had, so every segment's connections get their own identities. */
  private readonly serials: number[] = [];
  /** Totals of segments no longer listed by conntrack, per nlbw row. */
  private readonly folded = new Map<string, NlbwRow>();
  /** Segments no longer listed whose totals are not folded in yet. */
  private readonly unfolded: Segment[] = [];
  private monthStart = 0;
  private monthEnd = -1;
  private lastSyncT = Number.NEGATIVE_INFINITY;
  private prefix: number[] | null = null;

  constructor(private readonly host: TrafficHost) {}

  /**
   * Keeps the period in step with the gateway clock; called before and after every clock change
   * so a month boundary is placed exactly (at the NTP step when the clock jumps across one).
   */
  sync(t: number): void {
    if (t < this.lastSyncT) return;
    const c = this.host.clockMs(t);
    if (c >= this.monthStart && c < this.monthEnd) {
      this.lastSyncT = t;
      return;
    }
    const d = new Date(c);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const first = this.monthEnd < 0;
    this.monthStart = start;
    this.monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    if (!first) this.restartPeriod(Math.max(t - (c - start), this.lastSyncT));
    this.lastSyncT = t;
  }

  /** A boot: the conntrack table starts empty and nlbwmon starts a new count (its database is in tmpfs). */
  boot(at: number): void {
    for (const list of this.segments) if (list) list.length = 0;
    this.folded.clear();
    this.unfolded.length = 0;
    this.periodStart = at;
  }

  /** The device's rates changed at `at` (it joined, left, roamed or changed activity). */
  setRates(dev: SimDevice, at: number, down: number, up: number, downPps: number, upPps: number): void {
    this.sync(at);
    let list = this.segments[dev.index];
    if (!list) {
      list = [];
      this.segments[dev.index] = list;
    }
    const open = list.at(-1);
    const active = down > 0 || up > 0;
    if (open && open.end === Number.POSITIVE_INFINITY) {
      if (active && this.continues(open, dev, down, up, downPps, upPps)) return;
      open.end = at;
      if (open.end <= open.start) list.pop();
    }
    this.prune(list, at, false);
    if (!active || dev.ip === null) return;
    const last = list.at(-1);
    // A roam stops and restarts the same rates at the same instant: the connections carry on.
    if (last && last.end === at && this.continues(last, dev, down, up, downPps, upPps)) {
      last.end = Number.POSITIVE_INFINITY;
      return;
    }
    const serial = (this.serials[dev.index] ?? 0) + 1;
    this.serials[dev.index] = serial;
    list.push(this.segment(dev, at, down, up, downPps, upPps, serial));
  }

  /** nlbwmon's table for the current period at time t, largest download first (nlbw's default order). */
  nlbwRows(t: number): NlbwRow[] {
    this.settle(t);
    const rows = new Map<string, NlbwRow>();
    for (const [key, row] of this.folded) rows.set(key, { ...row });
    for (const list of this.segments) {
      if (!list) continue;
      for (const seg of list) this.addSegment(rows, seg, t);
    }
    return [...rows.entries()]
      .sort(
        ([ka, a], [kb, b]) =>
          b.rxBytes - a.rxBytes || b.txBytes - a.txBytes || (ka < kb ? -1 : ka > kb ? 1 : 0),
      )
      .map(([, row]) => row);
  }

  /** Per MAC totals of the current period: what a correct reader of nlbw must report per device. */
  deviceTotals(t: number): DeviceTrafficTotals[] {
    const byMac = new Map<string, DeviceTrafficTotals>();
    for (const row of this.nlbwRows(t)) {
      let d = byMac.get(row.mac);
      if (!d) {
        d = { mac: row.mac, rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 };
        byMac.set(row.mac, d);
      }
      d.rxBytes += row.rxBytes;
      d.txBytes += row.txBytes;
      d.rxPackets += row.rxPackets;
      d.txPackets += row.txPackets;
    }
    return [...byMac.values()];
  }

  /** The connection tracking table at time t, in the kernel's listing order. */
  conntrackEntries(t: number): ConntrackEntry[] {
    this.settle(t);
    const out: ConntrackEntry[] = [];
    for (const list of this.segments) {
      if (!list) continue;
      for (const seg of list) this.segmentEntries(out, seg, t);
    }
    this.chatter(out, t);
    return out.sort((a, b) => a.order - b.order);
  }

  // ------------------------------------------------------------------ internals

  private continues(
    seg: Segment,
    dev: SimDevice,
    down: number,
    up: number,
    dp: number,
    upp: number,
  ): boolean {
    const [d, u, p, q] = seg.rates;
    return (
      d === down &&
      u === up &&
      p === dp &&
      q === upp &&
      seg.mac === dev.mac &&
      seg.ip === dev.ip &&
      seg.activity === dev.activity
    );
  }

  private segment(
    dev: SimDevice,
    at: number,
    down: number,
    up: number,
    downPps: number,
    upPps: number,
    serial: number,
  ): Segment {
    return {
      device: dev,
      serial,
      mac: dev.mac,
      ip: dev.ip as string,
      activity: dev.activity,
      rates: [down, up, downPps, upPps],
      start: at,
      end: Number.POSITIVE_INFINITY,
      slots: null,
      ip6: null,
    };
  }

  /** The segment's connections: its activity's mix, carrying exactly the device's rates between them. */
  private slotsOf(seg: Segment): readonly Slot[] {
    if (seg.slots) return seg.slots;
    const dev = seg.device;
    const [down, up, downPps, upPps] = seg.rates;
    const ip6 =
      flavourTools(this.host.leaseFormat).lanIpv6 && hasIpv6(dev) ? this.deviceIpv6(dev, seg.mac) : null;
    const specs = MIX[seg.activity];
    const segKey = mix32(mix32(dev.key, Math.floor(seg.start)), seg.serial);
    // Slot 0 takes what the shares leave over, so the slots carry exactly the device's rates.
    const part = (total: number, i: number) => Math.floor((total * (specs[i]?.share ?? 0)) / 100);
    const rest = (total: number) =>
      total - specs.reduce((sum, _, i) => (i === 0 ? sum : sum + part(total, i)), 0);
    const slots = specs.map((spec, i): Slot => {
      const key = mix32(segKey, i + 1);
      const family: 4 | 6 = ip6 !== null && mix32(dev.key, 0x600 + i) % 100 < 55 ? 6 : 4;
      const named = LAYER7[`${spec.proto}/${spec.port}`] ?? null;
      return {
        proto: spec.proto,
        port: spec.port,
        family,
        connectionMs: spec.connectionMs > 0 ? spec.connectionMs : Number.POSITIVE_INFINITY,
        down: i === 0 ? rest(down) : part(down, i),
        up: i === 0 ? rest(up) : part(up, i),
        downPps: i === 0 ? rest(downPps) : part(downPps, i),
        upPps: i === 0 ? rest(upPps) : part(upPps, i),
        remote: family === 6 ? remoteIpv6(key) : remoteIpv4(key),
        key,
        row: {
          family,
          proto: named ? spec.proto.toUpperCase() : "IP",
          port: named ? spec.port : 0,
          mac: seg.mac,
          ip: family === 6 ? (ip6 as string) : seg.ip,
          layer7: named,
        },
      };
    });
    seg.slots = slots;
    seg.ip6 = ip6;
    return slots;
  }

  /**
   * Moves segments conntrack no longer lists out of the table; their totals are folded into the
   * period's when someone reads (or when many wait), so a model nobody renders stays cheap.
   */
  private prune(list: Segment[], t: number, foldNow: boolean): void {
    let keep = 0;
    for (const seg of list) {
      if (seg.end + CONNTRACK_LINGER_MS <= t) this.unfolded.push(seg);
      else list[keep++] = seg;
    }
    list.length = keep;
    if (foldNow || this.unfolded.length > MAX_UNFOLDED) {
      for (const seg of this.unfolded) this.addSegment(this.folded, seg, t);
      this.unfolded.length = 0;
    }
  }

  private settle(t: number): void {
    this.sync(t);
    for (const list of this.segments) if (list) this.prune(list, t, false);
    this.prune([], t, true);
  }

  private restartPeriod(at: number): void {
    if (at <= this.periodStart) return;
    this.periodStart = at;
    // Folded and unfolded segments all ended before the last sync, so before this boundary.
    this.folded.clear();
    this.unfolded.length = 0;
  }

  private addSegment(rows: Map<string, NlbwRow>, seg: Segment, t: number): void {
    const from = Math.max(seg.start, this.periodStart);
    const to = Math.min(t, seg.end);
    if (to < from) return;
    for (const slot of this.slotsOf(seg)) {
      const conns = started(seg, slot, to + 1) - started(seg, slot, from);
      const rx = carried(seg, slot, slot.down, to) - carried(seg, slot, slot.down, from);
      const tx = carried(seg, slot, slot.up, to) - carried(seg, slot, slot.up, from);
      const rxP = carried(seg, slot, slot.downPps, to) - carried(seg, slot, slot.downPps, from);
      const txP = carried(seg, slot, slot.upPps, to) - carried(seg, slot, slot.upPps, from);
      if (conns === 0 && rx === 0 && tx === 0) continue;
      const r = slot.row;
      const key = `${r.family}|${r.proto}|${r.port}|${r.mac}|${r.ip}|${r.layer7}`;
      let row = rows.get(key);
      if (!row) {
        row = { ...r, conns: 0, rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
        rows.set(key, row);
      }
      row.conns += conns;
      row.rxBytes += rx;
      row.txBytes += tx;
      row.rxPackets += rxP;
      row.txPackets += txP;
    }
  }

  private segmentEntries(out: ConntrackEntry[], seg: Segment, t: number): void {
    if (seg.start > t || seg.end + CONNTRACK_LINGER_MS <= t) return;
    for (const slot of this.slotsOf(seg)) {
      const L = slot.connectionMs;
      if (!Number.isFinite(L)) {
        out.push(this.flowEntry(seg, slot, 0, seg.start, seg.end, t));
        continue;
      }
      // The connection open at t (or the segment's last one) and those ended less than the linger time ago.
      const lastIndex = Math.ceil((Math.min(t + 1, seg.end) - seg.start) / L) - 1;
      const firstIndex = Math.max(0, Math.floor((t - CONNTRACK_LINGER_MS - seg.start) / L));
      for (let g = firstIndex; g <= lastIndex; g++) {
        const fStart = seg.start + g * L;
        const fEnd = Math.min(fStart + L, seg.end);
        if (fEnd + CONNTRACK_LINGER_MS <= t) continue;
        out.push(this.flowEntry(seg, slot, g, fStart, fEnd, t));
      }
    }
  }

  private flowEntry(
    seg: Segment,
    slot: Slot,
    g: number,
    fStart: number,
    fEnd: number,
    t: number,
  ): ConntrackEntry {
    const gKey = mix32(slot.key, g);
    const sport = EPHEMERAL_FIRST + (gKey % EPHEMERAL_COUNT);
    const span = Math.min(t, fEnd) - fStart;
    const amount = (rate: number) => Math.floor((rate * span) / 1000);
    const live = t < fEnd;
    const src = slot.family === 6 ? (seg.ip6 as string) : seg.ip;
    let timeoutS: number;
    if (slot.proto === "tcp") {
      // An established flow's timer restarts with every packet; a quiet one counts down between keepalives.
      const quiet = slot.downPps + slot.upPps === 0 ? Math.floor(span / 1000) % 60 : 1;
      timeoutS = live
        ? TCP_ESTABLISHED_TIMEOUT_S - quiet
        : CONNTRACK_LINGER_MS / 1000 - Math.floor((t - fEnd) / 1000);
    } else {
      timeoutS = live ? UDP_STREAM_TIMEOUT_S - 1 : UDP_STREAM_TIMEOUT_S - Math.floor((t - fEnd) / 1000);
    }
    return {
      family: slot.family,
      proto: slot.proto,
      state: slot.proto === "tcp" ? (live ? "ESTABLISHED" : "TIME_WAIT") : null,
      timeoutS,
      orig: {
        src,
        dst: slot.remote,
        sport,
        dport: slot.port,
        packets: amount(slot.upPps),
        bytes: amount(slot.up),
      },
      // IPv4 is masqueraded to the WAN address; IPv6 is routed, so replies go to the host itself.
      reply: {
        src: slot.remote,
        dst: slot.family === 6 ? src : this.host.wanIp,
        sport: slot.port,
        dport: sport,
        packets: amount(slot.downPps),
        bytes: amount(slot.down),
      },
      assured: true,
      unreplied: false,
      order: gKey,
    };
  }

  /**
   * Entries that are nobody's line usage, as every real table has them: devices asking the router
   * for names (LAN to LAN; over IPv6 too where the LAN has it, the router's LAN address being the
   * DNS server its router advertisements name), SSDP announcements to a multicast group that never answer, and the
   * router's own NTP over IPv4 and IPv6 (WAN to WAN).
   */
  private chatter(out: ConntrackEntry[], t: number): void {
    const host = this.host;
    const router = host.lan.gatewayIp;
    const lanIpv6 = flavourTools(host.leaseFormat).lanIpv6;
    const [a = 0, b = 0, c = 0, d = 0] = this.sitePrefix();
    const router6 = ipv6FromGroups([a, b, c, d, 0, 0, 0, 1]);
    const window = (key: number) => {
      const phase = key % 30_000;
      const n = Math.floor((t + phase) / 30_000);
      return { n, timeoutS: UDP_TIMEOUT_S - Math.floor(((t + phase) % 30_000) / 1000) };
    };
    for (const dev of host.devices) {
      if (dev.state !== "connected" || dev.ip === null) continue;
      const dns = window(dev.key);
      const dnsKey = mix32(dev.key ^ 0xd45, dns.n);
      const port = EPHEMERAL_FIRST + (dnsKey % EPHEMERAL_COUNT);
      out.push({
        family: 4,
        proto: "udp",
        state: null,
        timeoutS: dns.timeoutS,
        orig: { src: dev.ip, dst: router, sport: port, dport: 53, packets: 1, bytes: 60 + (dnsKey % 20) },
        reply: { src: router, dst: dev.ip, sport: 53, dport: port, packets: 1, bytes: 90 + (dnsKey % 80) },
        assured: false,
        unreplied: false,
        order: dnsKey,
      });
      if (lanIpv6 && hasIpv6(dev)) {
        const ip6 = this.deviceIpv6(dev, dev.mac);
        const key6 = mix32(dnsKey, 0xd46);
        const port6 = EPHEMERAL_FIRST + (key6 % EPHEMERAL_COUNT);
        out.push({
          family: 6,
          proto: "udp",
          state: null,
          timeoutS: dns.timeoutS,
          orig: { src: ip6, dst: router6, sport: port6, dport: 53, packets: 1, bytes: 80 + (key6 % 20) },
          reply: { src: router6, dst: ip6, sport: 53, dport: port6, packets: 1, bytes: 110 + (key6 % 80) },
          assured: false,
          unreplied: false,
          order: key6,
        });
      }
      const kind = dev.profile.kind;
      if (kind === "tv" || kind === "speaker" || kind === "console" || kind === "iot") {
        const ssdp = window(dev.key ^ 0x55d);
        const ssdpKey = mix32(dev.key ^ 0x1900, ssdp.n);
        const sp = EPHEMERAL_FIRST + (ssdpKey % EPHEMERAL_COUNT);
        out.push({
          family: 4,
          proto: "udp",
          state: null,
          timeoutS: ssdp.timeoutS,
          orig: { src: dev.ip, dst: "239.255.255.250", sport: sp, dport: 1900, packets: 1, bytes: 200 },
          reply: { src: "239.255.255.250", dst: dev.ip, sport: 1900, dport: sp, packets: 0, bytes: 0 },
          assured: false,
          unreplied: true,
          order: ssdpKey,
        });
      }
    }
    const gwKey = hashString(host.gatewayId, host.seed);
    const ntp = window(gwKey);
    const wan6 = this.wanIpv6();
    for (const [family, src, dst] of [
      [4, host.wanIp, "203.0.113.123"],
      [6, wan6, "2001:db8:f123::123"],
    ] as const) {
      out.push({
        family,
        proto: "udp",
        state: null,
        timeoutS: ntp.timeoutS,
        orig: { src, dst, sport: 123, dport: 123, packets: 1, bytes: family === 4 ? 76 : 96 },
        reply: { src: dst, dst: src, sport: 123, dport: 123, packets: 1, bytes: family === 4 ? 76 : 96 },
        assured: false,
        unreplied: false,
        order: mix32(gwKey ^ family, ntp.n),
      });
    }
  }

  /** The gateway's /56 from the provider (addressing.ts), computed once. */
  private sitePrefix(): number[] {
    if (!this.prefix) this.prefix = sitePrefix(this.host.seed, this.host.gatewayId);
    return this.prefix;
  }

  private wanIpv6(): string {
    return wanIpv6(this.sitePrefix());
  }

  /** The device's global address in the LAN /64 (addressing.ts). */
  private deviceIpv6(dev: SimDevice, mac: string): string {
    return deviceGlobalIpv6(this.sitePrefix(), dev, mac);
  }
}

/** Servers on the simulated internet live in the documentation ranges. */
function remoteIpv4(key: number): string {
  const net = key & 1 ? "198.51.100" : "203.0.113";
  return `${net}.${1 + ((key >>> 1) % 254)}`;
}

function remoteIpv6(key: number): string {
  return ipv6FromGroups([0x2001, 0xdb8, 0xf000 | (key & 0xfff), 0, 0, 0, 0, 1 + ((key >>> 12) % 0xfffe)]);
}

/** A rate (bytes or packets per second) carried by a slot's successive connections from the segment start to x. */
function carried(seg: Segment, slot: Slot, rate: number, x: number): number {
  const span = Math.min(x, seg.end) - seg.start;
  if (span <= 0 || rate === 0) return 0;
  const L = slot.connectionMs;
  if (!Number.isFinite(L)) return Math.floor((rate * span) / 1000);
  const n = Math.floor(span / L);
  return n * Math.floor((rate * L) / 1000) + Math.floor((rate * (span - n * L)) / 1000);
}

/** Connections of a slot that started before x. */
function started(seg: Segment, slot: Slot, x: number): number {
  const end = Math.min(x, seg.end);
  if (end <= seg.start) return 0;
  const L = slot.connectionMs;
  return Number.isFinite(L) ? Math.ceil((end - seg.start) / L) : 1;
}
