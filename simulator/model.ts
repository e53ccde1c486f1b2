/**
 * The simulated gateway's state and everything that happens to it, without any I/O. Time is
 * simulated milliseconds since the start of the run (`t`); the gateway's own clock is a separate
 * value that can start in 1970 and jump when NTP syncs, because real routers write lease expiry on
 * their own clock. All randomness is drawn inside event handlers, in time order, so the same seed
 * gives the same run however `advance` is sliced. The model is cheap by design (a fleet of 10,000
 * gateways advances a simulated minute in about a second of CPU): no per-tick work, counters are
 * rates integrated on read, and pending actions sit in one timer heap per gateway. The DHCP
 * server's side (pool, leases, expiry, lease log) is dhcpServer.ts; this model decides when clients
 * ask and runs the server's timers in the same heap.
 */
import { sitePrefix, wanIpv6 } from "./addressing.js";
import { type Band, clientIdFor, randomMac } from "./catalog.js";
import type { Counter } from "./counter.js";
import { COMPACT_INTERVAL_MS, DhcpServer } from "./dhcpServer.js";
import { flavourTools } from "./flavour.js";
import { buildHardware } from "./hardware.js";
import { ACTIVITY_MEAN_MS, createDevices, PRESENCE_MEAN_MS, pickActivity } from "./household.js";
import {
  DEFAULT_DHCP_LIMIT,
  DEFAULT_DHCP_START,
  DEFAULT_LAN_PREFIX,
  dhcpPoolProblem,
  Lan,
  lanPrefixProblem,
} from "./lan.js";
import { hashString, hexColon, mix32, Prng, uuidV4 } from "./prng.js";
import { type FirmwareRelease, firmwareFor, type RouterHardware } from "./routerModels.js";
import type { IwVersion, LeaseFormat, Scenario, ScenarioEntry } from "./scenario.js";
import { TimerQueue } from "./timerQueue.js";
import { TrafficAccounting } from "./traffic.js";
import {
  type GatewayModelOptions,
  type JournalEntry,
  type ServerLease,
  type SimDevice,
  type SimEvent,
  type SimInterface,
  type SimRadio,
  STATION_INACTIVITY_LIMIT_MS,
} from "./types.js";

export type * from "./types.js";
export { FDB_AGEING_MS, NEIGH_FAILED_MS, NEIGH_STALE_MS, STATION_INACTIVITY_LIMIT_MS } from "./types.js";

type TimerKind =
  | "start"
  | "presence"
  | "renew"
  | "traffic"
  | "roam"
  | "linger-end"
  | "rejoin"
  | "lease-expiry"
  | "ntp"
  | "reboot"
  | "scenario"
  | "compact";

/** Time from power-on until devices can associate again. */
const BOOT_TO_WIFI_MS = 15_000;
/** Mean time between random reboots of a gateway. */
const REBOOT_MEAN_MS = 5 * 86_400_000;
/** Share of 5 GHz devices that land on 2.4 GHz when they join (edge of 5 GHz coverage). */
const JOIN_ON_24_SHARE = 0.15;
/** Mean time on the home band before roaming, and away from it before roaming back. */
const ROAM_AWAY_MEAN_MS = 45 * 60_000;
const ROAM_BACK_MEAN_MS = 6 * 60_000;

/**
 * A client that got no answer to DISCOVER (the pool was full) asks again: BusyBox udhcpc after
 * 20 s (`-A`), Android's DhcpClient backing off to 64 s; a minute in between.
 */
const DHCP_RETRY_MS = 60_000;

const SUBNETS = ["192.168.1", "192.168.0", "10.0.0", "192.168.178", "192.168.8"];

/** Average frame sizes that turn byte rates into packet rates (downloads: full frames; uploads: many ACKs). */
const DOWN_FRAME_BYTES = 1200;
const UP_FRAME_BYTES = 400;

export class GatewayModel {
  readonly gatewayId: string;
  readonly seed: number;
  readonly leaseFormat: LeaseFormat;
  readonly leaseSeconds: number;
  readonly leaseFileOnFlash: boolean;
  readonly startTime: number;
  readonly startClock: number;
  readonly ntpSyncSeconds: number | null;
  readonly random: boolean;
  readonly iwVersion: IwVersion;
  /** Learned bridge entries of wired devices are repeated as `self` rows, as hardware switches do. */
  readonly switchFdbDuplicates: boolean;
  /** The LAN's IPv4 network (lan.ts): a /24 from a home router's usual ones unless a larger one is asked for. */
  readonly lan: Lan;
  /** WAN IPv4 by DHCP, in 192.0.2.0/24 (documentation space the simulated internet's servers do not use). */
  readonly wanIp: string;
  readonly wanGatewayIp: string;
  readonly wanGatewayMac: string;
  /** The provider's /56 and the WAN's DHCPv6 address in its link /64 (addressing.ts); stable across reboots. */
  readonly sitePrefix: readonly number[];
  readonly wanIpv6: string;
  /** What the router is and runs (routerModels.ts); the flavour follows the DHCP server. */
  readonly hardware: RouterHardware;
  readonly firmware: FirmwareRelease;
  /** OpenWrt keeps its default hostname; a Debian box is named after its line when provisioned. */
  readonly hostname: string;

  readonly devices: SimDevice[];
  readonly interfaces: SimInterface[];
  readonly radios: SimRadio[];
  /** The gateway's DHCP server (dhcpServer.ts): its leases and lease log. */
  readonly dhcp: DhcpServer;

  /** Simulated ms since the start of the run. */
  t = 0;
  /** Simulated time of the last boot (negative when the gateway was up before the run). */
  bootT = 0;
  bootId = "";
  bootCount = 0;
  /** Per-device connections and nlbwmon's period totals, fed by every rate change. */
  readonly traffic: TrafficAccounting = new TrafficAccounting(this);

  private readonly prng: Prng;
  private readonly queue = new TimerQueue<TimerKind>();
  private readonly byId = new Map<string, SimDevice>();
  private readonly ifByName = new Map<string, SimInterface>();
  private readonly bridge: SimInterface;
  private readonly wan: SimInterface;
  private readonly scenario: Scenario | null;
  private clockAnchorT = 0;
  private clockAnchorMs = 0;
  private bootGen = 0;
  private readonly listeners: ((event: SimEvent) => void)[] = [];

  constructor(options: GatewayModelOptions = {}) {
    const sg = options.scenario?.gateway ?? {};
    this.gatewayId = options.gatewayId ?? "gw-00001";
    this.seed = (options.seed ?? 1) >>> 0;
    const prng = new Prng(mix32(this.seed, hashString(this.gatewayId)));
    this.prng = prng;
    this.scenario = options.scenario ?? null;
    this.leaseFormat = options.leaseFormat ?? sg.leaseFormat ?? "dnsmasq";
    this.leaseSeconds = options.leaseSeconds ?? sg.leaseSeconds ?? 600;
    this.leaseFileOnFlash = options.leaseFileOnFlash ?? sg.leaseFileOnFlash ?? this.leaseFormat !== "dnsmasq";
    this.startTime = options.startTime ?? Date.now();
    this.startClock = options.startClock ?? sg.startClock ?? this.startTime;
    // null is a real value here ("never by itself"), so only undefined falls back.
    const ntp = options.ntpSyncSeconds !== undefined ? options.ntpSyncSeconds : sg.ntpSyncSeconds;
    this.ntpSyncSeconds = ntp === undefined ? 45 : ntp;
    this.random = options.random ?? this.scenario?.random ?? this.scenario === null;
    this.iwVersion = options.iwVersion ?? sg.iwVersion ?? (prng.chance(0.2) ? "6.17" : "6.9");
    this.switchFdbDuplicates = prng.chance(0.3);
    const lanPrefix = options.lanPrefix ?? sg.lanPrefix ?? DEFAULT_LAN_PREFIX;
    const prefixProblem = lanPrefixProblem(lanPrefix);
    if (prefixProblem) throw new Error(prefixProblem);
    this.lan = new Lan(prng.pick(SUBNETS), lanPrefix);
    // Three draws as before, so every later value of a seed stays what it was.
    prng.int(64, 127);
    prng.int(0, 255);
    this.wanIp = `192.0.2.${prng.int(2, 254)}`;
    this.wanGatewayIp = "192.0.2.1";
    this.wanGatewayMac = `00:00:5e:00:01:${hexColon(prng.bytes(1))}`;

    const tools = flavourTools(this.leaseFormat);
    const flavour = tools.flavour;
    const wrapDefault = prng.chance(0.25) ? Object.values(tools.wifiInterfaces) : [];
    const wrap32 = new Set(options.wrap32 ?? sg.wrap32 ?? wrapDefault);
    const hardware = buildHardware(prng, wrap32, tools);
    const names = hardware.interfaces.map((i) => i.name);
    const unknown = [...wrap32].filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new Error(
        `wrap32: this ${tools.flavour} gateway has no interface ${unknown.join(", ")}; it has ${names.join(", ")}`,
      );
    }
    this.interfaces = hardware.interfaces;
    this.radios = hardware.radios;
    this.hardware = hardware.hardware;
    // From a hash, not the stream: choosing firmware leaves the household's random values alone.
    this.firmware = firmwareFor(flavour, mix32(this.seed, hashString(this.gatewayId) ^ 0xf1f));
    this.hostname = flavour === "openwrt" ? "OpenWrt" : this.gatewayId;
    this.sitePrefix = sitePrefix(this.seed, this.gatewayId);
    this.wanIpv6 = wanIpv6(this.sitePrefix);
    for (const iface of this.interfaces) this.ifByName.set(iface.name, iface);
    this.bridge = this.ifByName.get("br-lan") as SimInterface;
    this.wan = this.ifByName.get("eth1") as SimInterface;
    this.devices = createDevices(
      prng,
      this.seed,
      this.gatewayId,
      options.devices ?? 8,
      this.scenario?.devices,
    );
    for (const dev of this.devices) this.byId.set(dev.id, dev);
    const poolStart = options.dhcpStart ?? sg.dhcpStart ?? DEFAULT_DHCP_START;
    const poolSize = options.dhcpLimit ?? sg.dhcpLimit ?? DEFAULT_DHCP_LIMIT;
    const poolProblem = dhcpPoolProblem(poolStart, poolSize, this.lan.lastHost);
    if (poolProblem) throw new Error(poolProblem);
    this.dhcp = new DhcpServer({
      format: this.leaseFormat,
      leaseSeconds: this.leaseSeconds,
      lan: this.lan,
      poolStart,
      poolSize,
      devices: this.devices,
      now: () => this.t,
      clockMs: (at) => this.clockMs(at),
      scheduleExpiryCheck: (at, device, gen, leaseId) =>
        this.queue.push(at, "lease-expiry", device, gen, leaseId),
      onExpire: (lease, reason) =>
        this.emit({
          t: this.t,
          clock: this.clockMs(),
          gatewayId: this.gatewayId,
          type: "expire",
          device: this.devices[lease.device]?.id ?? "",
          mac: lease.mac,
          ip: lease.ip,
          reason,
        }),
    });

    const clockSynced = this.startClock === this.startTime;
    const uptimeS =
      options.uptimeAtStartSeconds ??
      sg.uptimeAtStartSeconds ??
      (clockSynced ? prng.int(3600, 14 * 86400) : 0);
    this.boot(-uptimeS * 1000, this.startClock - uptimeS * 1000, true);
    this.setClock(0, this.startClock);
    // The household is populated by the first timer, so listeners attached after construction see it.
    this.queue.push(0, "start", -1, 0, uptimeS * 1000);
    this.scenario?.timeline.forEach((entry, i) => {
      this.queue.push(Math.round(entry.at * 1000), "scenario", -1, 0, i);
    });
    if (this.random) this.queue.push(prng.exp(REBOOT_MEAN_MS), "reboot", -1, this.bootGen);
    if (this.leaseFormat !== "dnsmasq") this.queue.push(COMPACT_INTERVAL_MS, "compact", -1, 0);
  }

  // ---------------------------------------------------------------- public API

  /** The server's leases, newest first (dnsmasq's order). */
  get leases(): readonly ServerLease[] {
    return this.dhcp.leases;
  }

  /** Appended lease records for ISC dhcpd and Kea, compacted hourly. */
  get journal(): readonly JournalEntry[] {
    return this.dhcp.journal;
  }

  /** Bumped whenever leases change, so writers know when to re-render the lease file. */
  get leaseVersion(): number {
    return this.dhcp.version;
  }

  onEvent(listener: (event: SimEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Runs the simulation forward by `ms` simulated milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance() needs a non-negative number of ms, got ${ms}`);
    this.runUntil(this.t + ms);
  }

  /** Runs the simulation to the simulated time `target` (ms since start); never goes back. */
  runUntil(target: number): void {
    const queue = this.queue;
    while (queue.peekAt() <= target) {
      const timer = queue.pop();
      if (!timer) break;
      if (timer.at > this.t) this.t = timer.at;
      const { kind, device, gen, arg } = timer;
      queue.recycle(timer);
      this.fire(kind, device, gen, arg);
    }
    if (target > this.t) this.t = target;
  }

  /** The gateway's clock, ms since epoch. */
  clockMs(at = this.t): number {
    return this.clockAnchorMs + (at - this.clockAnchorT);
  }

  clockSeconds(at = this.t): number {
    return Math.floor(this.clockMs(at) / 1000);
  }

  uptimeMs(): number {
    return this.t - this.bootT;
  }

  iface(name: string): SimInterface | undefined {
    return this.ifByName.get(name);
  }

  /** The interface a device on this band is on: the LAN port, or that band's radio. */
  bandIface(band: Band): string {
    if (band === "ethernet") return "eth0";
    return (this.radios.find((r) => r.band === band) as SimRadio).iface;
  }

  device(id: string): SimDevice | undefined {
    return this.byId.get(id);
  }

  /** Applies a scenario action now (also how scripted timelines run). */
  apply(entry: Omit<ScenarioEntry, "at">): void {
    const e = entry as ScenarioEntry;
    if (e.type === "reboot") {
      this.reboot(e.leaseFileKept);
      return;
    }
    if (e.type === "ntp-sync") {
      this.ntpSync(e.clock);
      return;
    }
    const dev = this.byId.get(e.device);
    if (!dev) throw new Error(`${this.gatewayId}: no device "${e.device}"`);
    switch (e.type) {
      case "join":
        if (e.downBps !== undefined || e.upBps !== undefined) {
          dev.scriptedRates = [
            e.downBps ?? dev.scriptedRates?.[0] ?? 0,
            e.upBps ?? dev.scriptedRates?.[1] ?? 0,
          ];
        }
        this.join(dev, e.band, false);
        return;
      case "leave":
        this.leave(dev, e.release ?? true);
        return;
      case "release":
        this.leave(dev, true);
        return;
      case "silent":
        this.leave(dev, false);
        return;
      case "roam":
        this.roam(dev, e.band);
        return;
      case "traffic":
        dev.scriptedRates = [e.downBps, e.upBps];
        this.setRates(dev, e.downBps, e.upBps, true);
        return;
    }
  }

  /** Power cycle: new boot id, uptime and counters from zero, the lease file lost unless it is on flash. */
  reboot(leaseFileKept?: boolean): void {
    const kept = leaseFileKept ?? this.leaseFileOnFlash;
    const lost = kept ? [] : this.leases.map((l) => ({ mac: l.mac, ip: l.ip }));
    const reconnecting: SimDevice[] = [];
    for (const dev of this.devices) {
      if (dev.state === "connected") reconnecting.push(dev);
      if (dev.state !== "away") this.setRates(dev, 0, 0, false);
      dev.state = "away";
      dev.gen++;
      dev.seenThisBoot = false;
      dev.leftAt = -1;
    }
    if (!kept) this.dhcp.loseLeaseFile();
    const rtcLost = this.startClock !== this.startTime;
    this.boot(this.t, rtcLost ? this.startClock : this.clockMs(), false);
    this.emit({
      t: this.t,
      clock: this.clockMs(),
      gatewayId: this.gatewayId,
      type: "reboot",
      bootId: this.bootId,
      leaseFile: kept ? "kept" : "lost",
      leasesLost: lost,
    });
    // dnsmasq drops leases that are already over when it reads its file at start.
    this.dhcp.recheckAll("boot");
    for (const dev of this.devices) {
      // Clients notice the radio is back and reconnect, asking for their old address.
      if (reconnecting.includes(dev)) {
        this.queue.push(
          this.t + BOOT_TO_WIFI_MS + this.prng.int(5_000, 60_000),
          "rejoin",
          dev.index,
          dev.gen,
        );
      } else this.schedulePresence(dev, false);
    }
    if (this.random) this.queue.push(this.t + this.prng.exp(REBOOT_MEAN_MS), "reboot", -1, this.bootGen);
  }

  /** NTP steps the clock to world time (or to `clock`); leases written on the old clock may now look expired. */
  ntpSync(clock?: number): void {
    const from = this.clockMs();
    const to = clock ?? this.startTime + this.t;
    this.setClock(this.t, to);
    this.emit({ t: this.t, clock: to, gatewayId: this.gatewayId, type: "ntp-sync", from, to });
    if (from === to) return;
    this.dhcp.recheckAll("clock-jump");
  }

  // ---------------------------------------------------------------- timers

  private fire(kind: TimerKind, index: number, gen: number, arg: number): void {
    switch (kind) {
      case "start":
        this.populateStart(arg);
        return;
      case "scenario": {
        const entry = this.scenario?.timeline[arg];
        if (entry) this.apply(entry);
        return;
      }
      case "lease-expiry":
        this.dhcp.checkExpiry(arg, gen);
        return;
      case "ntp":
        if (gen === this.bootGen) this.ntpSync();
        return;
      case "reboot":
        if (gen === this.bootGen) this.reboot();
        return;
      case "compact":
        this.dhcp.compactJournal();
        this.queue.push(this.t + COMPACT_INTERVAL_MS, "compact", -1, 0);
        return;
    }
    const dev = this.devices[index];
    if (!dev || dev.gen !== gen) return;
    switch (kind) {
      case "presence":
        if (dev.state === "connected") this.leave(dev, this.prng.chance(dev.profile.releaseProbability));
        else this.join(dev, undefined, false);
        return;
      case "rejoin":
        this.join(dev, undefined, false, undefined, true);
        return;
      case "renew":
        this.renew(dev);
        return;
      case "traffic":
        if (dev.state === "connected") {
          this.randomTraffic(dev, true, this.t);
          this.scheduleTraffic(dev);
        }
        return;
      case "roam":
        if (dev.state === "connected") {
          this.roam(dev);
          this.scheduleRoam(dev);
        }
        return;
      case "linger-end":
        if (dev.state === "lingering") dev.state = "away";
        return;
    }
  }

  /** Devices present when the run starts, with leases and counters as if they had been there a while. */
  private populateStart(uptimeMs: number): void {
    if (!this.random) return;
    const prng = this.prng;
    const present: SimDevice[] = [];
    for (const dev of this.devices) {
      const p = dev.profile.presence;
      const here = p === "always" ? true : prng.chance(p === "mobile" ? 0.6 : 0.4);
      if (here) present.push(dev);
      else this.schedulePresence(dev, false);
    }
    if (uptimeMs === 0) {
      // A fresh boot: everyone associates within the first minute.
      for (const dev of present) {
        this.queue.push(BOOT_TO_WIFI_MS + prng.int(0, 45_000), "presence", dev.index, dev.gen);
      }
      return;
    }
    for (const dev of present) {
      const age = Math.min(uptimeMs, Math.floor(prng.exp(PRESENCE_MEAN_MS[dev.profile.presence][0])));
      const leaseAge = prng.int(0, Math.min(age, (this.leaseSeconds * 1000) / 2));
      this.join(dev, undefined, true, { connectedAgo: age, leaseAgo: leaseAge });
    }
  }

  private schedulePresence(dev: SimDevice, present: boolean): void {
    if (!this.random) return;
    const [stay, away] = PRESENCE_MEAN_MS[dev.profile.presence];
    const min = present ? 120_000 : 60_000;
    const delay = min + Math.floor(this.prng.exp(present ? stay : away));
    this.queue.push(this.t + delay, "presence", dev.index, dev.gen);
  }

  private scheduleTraffic(dev: SimDevice): void {
    if (!this.random || dev.scriptedRates) return;
    const delay = 5_000 + Math.floor(this.prng.exp(ACTIVITY_MEAN_MS[dev.activity]));
    this.queue.push(this.t + delay, "traffic", dev.index, dev.gen);
  }

  private scheduleRoam(dev: SimDevice): void {
    if (!this.random || !dev.profile.dualBand) return;
    const onHome = dev.iface === this.bandIface(dev.profile.homeBand);
    const delay = 30_000 + Math.floor(this.prng.exp(onHome ? ROAM_AWAY_MEAN_MS : ROAM_BACK_MEAN_MS));
    this.queue.push(this.t + delay, "roam", dev.index, dev.gen);
  }

  // ---------------------------------------------------------------- behaviour

  private join(
    dev: SimDevice,
    band: Band | undefined,
    initial: boolean,
    history?: { connectedAgo: number; leaseAgo: number },
    rejoin = false,
  ): void {
    if (dev.state === "connected") return;
    if (dev.profile.macPolicy === "random-per-join" && !initial && !rejoin) {
      dev.mac = randomMac(this.prng);
      dev.ip = null;
    }
    dev.clientId = clientIdFor(dev.profile, dev.mac);
    let chosen = band ?? dev.profile.homeBand;
    if (!band && chosen === "5ghz" && this.random && this.prng.chance(JOIN_ON_24_SHARE)) chosen = "2.4ghz";
    const ifname = this.bandIface(chosen);
    dev.gen++;
    dev.state = "connected";
    dev.iface = ifname;
    dev.leftAt = -1;
    dev.seenThisBoot = true;
    const connectedAt = this.t - (history?.connectedAgo ?? 0);
    dev.connectedAt = connectedAt;
    const grantAt = this.t - (history?.leaseAgo ?? 0);
    const lease = this.dhcp.grant(dev, grantAt);
    dev.ip = lease?.ip ?? null;
    if (lease) this.queue.push(grantAt + (this.leaseSeconds * 1000) / 2, "renew", dev.index, dev.gen);
    else this.queue.push(this.t + DHCP_RETRY_MS, "renew", dev.index, dev.gen);
    // A new association starts its counters at zero; a history fills them as if traffic had flowed.
    resetCounters(dev, connectedAt);
    if (dev.scriptedRates) this.setRates(dev, dev.scriptedRates[0], dev.scriptedRates[1], false, connectedAt);
    else this.randomTraffic(dev, false, connectedAt);
    if (this.listeners.length > 0) {
      const event: SimEvent = {
        t: this.t,
        clock: this.clockMs(),
        gatewayId: this.gatewayId,
        type: "join",
        device: dev.id,
        mac: dev.mac,
        ip: dev.ip,
        hostname: dev.profile.hostname,
        interface: ifname,
        band: chosen,
        expiresAt: lease ? lease.expiresSec * 1000 : null,
      };
      if (initial) event.initial = true;
      if (rejoin) event.rejoin = true;
      this.emit(event);
    }
    this.schedulePresence(dev, true);
    this.scheduleTraffic(dev);
    this.scheduleRoam(dev);
  }

  /** Renewal at half the lease time, or for a device without a lease its next DISCOVER. */
  private renew(dev: SimDevice): void {
    if (dev.state !== "connected") return;
    const existed = this.dhcp.leaseByMac(dev.mac) !== undefined;
    const lease = this.dhcp.grant(dev, this.t);
    if (!lease) {
      // Still no free address: nothing changes on the gateway, the client asks again later.
      dev.ip = null;
      this.queue.push(this.t + DHCP_RETRY_MS, "renew", dev.index, dev.gen);
      return;
    }
    dev.ip = lease.ip;
    this.queue.push(this.t + (this.leaseSeconds * 1000) / 2, "renew", dev.index, dev.gen);
    if (this.listeners.length > 0) {
      const event: SimEvent = {
        t: this.t,
        clock: this.clockMs(),
        gatewayId: this.gatewayId,
        type: "renew",
        device: dev.id,
        mac: dev.mac,
        ip: dev.ip,
        expiresAt: lease.expiresSec * 1000,
      };
      if (!existed) event.recreated = true;
      this.emit(event);
    }
  }

  private leave(dev: SimDevice, release: boolean): void {
    if (dev.state !== "connected") return;
    dev.gen++;
    const ifname = dev.iface;
    this.setRates(dev, 0, 0, false);
    dev.leftAt = this.t;
    const base = {
      t: this.t,
      clock: this.clockMs(),
      gatewayId: this.gatewayId,
      device: dev.id,
      mac: dev.mac,
      ip: dev.ip,
    };
    if (release) {
      this.dhcp.release(dev.mac);
      // A releasing client disassociates cleanly, so the station disappears at once.
      dev.state = "away";
      this.emit({ ...base, type: "release" });
    } else {
      if (ifname === "eth0") dev.state = "away";
      else {
        // The AP keeps a silent station until its inactivity limit.
        dev.state = "lingering";
        this.queue.push(this.t + STATION_INACTIVITY_LIMIT_MS, "linger-end", dev.index, dev.gen);
      }
      this.emit({ ...base, type: "leave", interface: ifname });
    }
    this.schedulePresence(dev, false);
  }

  private roam(dev: SimDevice, band?: Band): void {
    if (dev.state !== "connected" || !dev.iface || dev.iface === "eth0") return;
    const from = dev.iface;
    const fromBand = this.radios.find((r) => r.iface === from)?.band;
    const target: Band = band ?? (fromBand === "5ghz" ? "2.4ghz" : "5ghz");
    const to = this.bandIface(target);
    if (to === from || to === "eth0") return;
    const down = dev.downBps;
    const up = dev.upBps;
    this.setRates(dev, 0, 0, false);
    dev.iface = to;
    dev.connectedAt = this.t;
    resetCounters(dev, this.t);
    this.setRates(dev, down, up, false);
    this.emit({
      t: this.t,
      clock: this.clockMs(),
      gatewayId: this.gatewayId,
      type: "roam",
      device: dev.id,
      mac: dev.mac,
      ip: dev.ip,
      from,
      to,
      band: target,
    });
  }

  private randomTraffic(dev: SimDevice, emit: boolean, at: number): void {
    const [activity, down, up] = pickActivity(this.prng, dev.profile.kind);
    dev.activity = activity;
    this.setRates(dev, down, up, emit, at);
  }

  /**
   * Changes a device's rates and every counter it feeds (its port, the bridge, the WAN). The
   * station's own counters start at `at`, which lies in the past for devices present at the start
   * (interface counters got their history when the gateway booted).
   */
  private setRates(dev: SimDevice, down: number, up: number, emit: boolean, at = this.t): void {
    const active = dev.state === "connected" && dev.iface !== null;
    const newDown = active ? Math.round(down) : 0;
    const newUp = active ? Math.round(up) : 0;
    const downPps = newDown > 0 ? Math.ceil(newDown / DOWN_FRAME_BYTES) : 0;
    const upPps = newUp > 0 ? Math.ceil(newUp / UP_FRAME_BYTES) : 0;
    const t = this.t;
    const dD = newDown - dev.downBps;
    const dU = newUp - dev.upBps;
    const dDp = downPps - dev.downPps;
    const dUp = upPps - dev.upPps;
    const port = dev.iface === null ? undefined : this.ifByName.get(dev.iface);
    if (port) addRates(port, t, dU, dD, dUp, dDp);
    addRates(this.bridge, t, dU, dD, dUp, dDp);
    // PPPoE/IP headers on the WAN side: a few percent more bytes for the same packets.
    addRates(
      this.wan,
      t,
      overhead(newDown) - overhead(dev.downBps),
      overhead(newUp) - overhead(dev.upBps),
      dDp,
      dUp,
    );
    this.traffic.setRates(dev, at, newDown, newUp, downPps, upPps);
    dev.rxBytes.setRate(at, newUp);
    dev.txBytes.setRate(at, newDown);
    dev.rxPackets.setRate(at, upPps);
    dev.txPackets.setRate(at, downPps);
    dev.downBps = newDown;
    dev.upBps = newUp;
    dev.downPps = downPps;
    dev.upPps = upPps;
    if (emit && active && this.listeners.length > 0) {
      this.emit({
        t,
        clock: this.clockMs(),
        gatewayId: this.gatewayId,
        type: "traffic",
        device: dev.id,
        mac: dev.mac,
        ip: dev.ip,
        downBps: newDown,
        upBps: newUp,
      });
    }
  }

  private boot(at: number, clockMs: number, first: boolean): void {
    this.bootGen++;
    this.bootCount++;
    this.bootT = at;
    this.bootId = uuidV4(this.prng);
    this.setClock(at, clockMs);
    this.traffic.boot(at);
    const uptime = first ? Math.max(0, this.t - at) : 0;
    for (const iface of this.interfaces) {
      resetCounters(iface, at);
      if (!first) continue;
      const [bgIn, bgOut] = iface.background;
      iface.rxBytes.setRate(at, bgIn);
      iface.txBytes.setRate(at, bgOut);
      iface.rxPackets.setRate(at, Math.ceil(bgIn / 300));
      iface.txPackets.setRate(at, Math.ceil(bgOut / 300));
      // Devices that came and went before the run started moved traffic too.
      if (uptime > 0 && iface.kind !== "loopback") {
        const down = Math.floor(this.prng.next() * (uptime / 1000) * 20_000);
        iface.rxBytes.add(at, Math.floor(down / 8));
        iface.txBytes.add(at, down);
        iface.rxPackets.add(at, Math.floor(down / 8 / UP_FRAME_BYTES));
        iface.txPackets.add(at, Math.floor(down / DOWN_FRAME_BYTES));
      }
    }
    for (const radio of this.radios) radio.upAt = at + BOOT_TO_WIFI_MS - 5_000;
    if (this.ntpSyncSeconds !== null && this.startClock !== this.startTime) {
      this.queue.push(Math.max(at, 0) + this.ntpSyncSeconds * 1000, "ntp", -1, this.bootGen);
    }
  }

  private setClock(at: number, clockMs: number): void {
    // nlbwmon's period follows the clock: settle it on the old clock, then on the new one.
    this.traffic.sync(at);
    this.clockAnchorT = at;
    this.clockAnchorMs = clockMs;
    this.traffic.sync(at);
  }

  private emit(event: SimEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function resetCounters(
  c: { rxBytes: Counter; txBytes: Counter; rxPackets: Counter; txPackets: Counter },
  at: number,
) {
  c.rxBytes.reset(at);
  c.txBytes.reset(at);
  c.rxPackets.reset(at);
  c.txPackets.reset(at);
}

function addRates(iface: SimInterface, t: number, rx: number, tx: number, rxP: number, txP: number): void {
  if (rx !== 0) iface.rxBytes.addRate(t, rx);
  if (tx !== 0) iface.txBytes.addRate(t, tx);
  if (rxP !== 0) iface.rxPackets.addRate(t, rxP);
  if (txP !== 0) iface.txPackets.addRate(t, txP);
}

function overhead(bytes: number): number {
  return bytes + Math.floor((bytes * 3) / 100);
}
