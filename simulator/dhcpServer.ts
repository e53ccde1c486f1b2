/**
 * The simulated gateway's DHCP server: the address pool, granting and renewing leases, releases,
 * expiry on the gateway's own clock, and the lease log ISC dhcpd and Kea append to and compact.
 * It owns what the lease file renderers read (`leases`, `journal`, `version`); the gateway model
 * decides when clients ask, and runs the timers this server asks for, so all of it stays in the
 * gateway's single time-ordered timer heap (which is what keeps a seed's run reproducible).
 */
import type { Lan } from "./lan.js";
import { hashString } from "./prng.js";
import type { LeaseFormat } from "./scenario.js";
import type { JournalEntry, ServerLease, SimDevice } from "./types.js";

/** ISC dhcpd rewrites (compacts) its lease file hourly; Kea's lease file cleanup runs at the same pace. */
export const COMPACT_INTERVAL_MS = 3_600_000;

export type ExpireReason = "expired" | "clock-jump" | "boot";

/** What the server needs from the gateway it runs on. */
export interface DhcpHost {
  readonly format: LeaseFormat;
  readonly leaseSeconds: number;
  readonly lan: Lan;
  /** The pool's first host and its size, as OpenWrt's `start` and `limit` (lan.ts). */
  readonly poolStart: number;
  readonly poolSize: number;
  /** Every device of the household: a present device answers the server's ping for its address. */
  readonly devices: readonly SimDevice[];
  /** Simulated ms since the start of the run. */
  now(): number;
  /** The gateway's clock at simulated time `at`, ms since the epoch: leases are written on it. */
  clockMs(at: number): number;
  /** Asks for `checkExpiry(leaseId, gen)` at simulated time `at`. */
  scheduleExpiryCheck(at: number, device: number, gen: number, leaseId: number): void;
  /** The server dropped a lease of its own accord (not a release). */
  onExpire(lease: ServerLease, reason: ExpireReason): void;
}

export class DhcpServer {
  /** The server's leases, newest first (dnsmasq's order). */
  readonly leases: ServerLease[] = [];
  /** Appended lease records for ISC dhcpd and Kea, compacted hourly. */
  journal: JournalEntry[] = [];
  /** Bumped whenever leases change, so writers know when to re-render the lease file. */
  version = 0;

  private readonly host: DhcpHost;
  private leaseGen = 0;
  private nextLeaseId = 1;

  constructor(host: DhcpHost) {
    this.host = host;
  }

  /** The pool's first and last address. */
  get pool(): { start: string; end: string } {
    const { lan, poolStart, poolSize } = this.host;
    return { start: lan.host(poolStart), end: lan.host(poolStart + poolSize - 1) };
  }

  leaseByMac(mac: string): ServerLease | undefined {
    for (const l of this.leases) if (l.mac === mac) return l;
    return undefined;
  }

  /**
   * The server's side of REQUEST at simulated time `at`: extend the lease of this MAC or create
   * one. Null when the MAC has no lease and every pool address is leased or answers a ping:
   * dnsmasq then logs `no address available` and does not answer the client at all.
   */
  grant(dev: SimDevice, at: number): ServerLease | null {
    const host = this.host;
    const clockSec = Math.floor(host.clockMs(at) / 1000);
    let lease = this.leaseByMac(dev.mac);
    if (!lease) {
      const ip = this.allocate(dev);
      if (ip === null) return null;
      lease = {
        id: this.nextLeaseId++,
        mac: dev.mac,
        ip,
        hostname: dev.profile.hostname,
        clientId: dev.clientId,
        vendorClass: dev.profile.vendorClass,
        startsSec: clockSec,
        expiresSec: clockSec,
        leaseSeconds: host.leaseSeconds,
        device: dev.index,
        gen: 0,
        checkAt: null,
      };
      // dnsmasq puts a new lease at the head of its list: the file is newest first.
      this.leases.unshift(lease);
    }
    lease.startsSec = clockSec;
    lease.expiresSec = clockSec + host.leaseSeconds;
    lease.hostname = dev.profile.hostname;
    lease.clientId = dev.clientId;
    this.journalAppend(lease, "active");
    this.scheduleExpiry(lease, false);
    this.version++;
    return lease;
  }

  /** DHCPRELEASE: the lease is gone at once (the logs record it as released). */
  release(mac: string): void {
    const lease = this.leaseByMac(mac);
    if (!lease) return;
    this.remove(lease);
    this.journalAppend(lease, "released");
  }

  /** A due expiry check: drops the lease if its expiry has passed on the clock, else re-arms. */
  checkExpiry(leaseId: number, gen: number): void {
    const lease = this.leases.find((l) => l.id === leaseId);
    if (!lease || lease.gen !== gen) return;
    lease.checkAt = null;
    if (this.clockSeconds() < lease.expiresSec) this.scheduleExpiry(lease, false);
    else this.expire(lease, "expired");
  }

  /**
   * After the clock moved (a boot reading the lease file, an NTP step): leases whose written
   * expiry is now past go, as dnsmasq drops them; the others get checks on the new clock.
   */
  recheckAll(reason: "clock-jump" | "boot"): void {
    for (const lease of [...this.leases]) {
      if (this.clockSeconds() >= lease.expiresSec) this.expire(lease, reason);
      else this.scheduleExpiry(lease, true);
    }
  }

  /** A reboot with the lease file in tmpfs: the server starts with no leases and an empty log. */
  loseLeaseFile(): void {
    for (const lease of [...this.leases]) this.remove(lease);
    this.journal = [];
  }

  /** ISC dhcpd's hourly rewrite and Kea's lease file cleanup: one record per address, latest state. */
  compactJournal(): void {
    const latest = new Map<string, JournalEntry>();
    for (const entry of this.journal) latest.set(entry.lease.ip, entry);
    // Kea's cleanup drops deleted leases; ISC keeps freed ones as `binding state free`.
    const format = this.host.format;
    const kept = [...latest.values()].filter((e) => format === "isc-dhcpd" || e.state === "active");
    this.journal = kept.sort((a, b) => a.lease.id - b.lease.id);
    this.version++;
  }

  /**
   * dnsmasq hashes the MAC to a start address and probes upwards; a client's previous address
   * wins if free. Null when the pool is exhausted: dnsmasq never takes a live lease away.
   */
  private allocate(dev: SimDevice): string | null {
    const { lan, poolStart, poolSize } = this.host;
    if (dev.ip && !this.ipInUse(dev.ip, dev)) return dev.ip;
    const start = hashString(dev.mac) % poolSize;
    for (let i = 0; i < poolSize; i++) {
      const ip = lan.host(poolStart + ((start + i) % poolSize));
      if (!this.ipInUse(ip, dev)) return ip;
    }
    return null;
  }

  /** Leased, or answering the ping dnsmasq sends before offering an address. */
  private ipInUse(ip: string, except: SimDevice): boolean {
    for (const l of this.leases) if (l.ip === ip) return true;
    for (const d of this.host.devices) if (d !== except && d.state !== "away" && d.ip === ip) return true;
    return false;
  }

  /**
   * Makes sure an expiry check is pending no later than the lease's expiry. A renewal only moves
   * the expiry later, so the pending check stays and re-arms itself when it finds the lease still
   * valid; a clock jump (`force`) can make it due earlier and replaces it.
   */
  private scheduleExpiry(lease: ServerLease, force: boolean): void {
    const now = this.host.now();
    const due = now + Math.max(0, lease.expiresSec * 1000 - this.host.clockMs(now));
    if (!force && lease.checkAt !== null && lease.checkAt <= due) return;
    lease.gen = ++this.leaseGen;
    lease.checkAt = due;
    this.host.scheduleExpiryCheck(due, lease.device, lease.gen, lease.id);
  }

  private expire(lease: ServerLease, reason: ExpireReason): void {
    this.remove(lease);
    this.journalAppend(lease, "expired");
    this.host.onExpire(lease, reason);
  }

  private remove(lease: ServerLease): void {
    const i = this.leases.indexOf(lease);
    if (i >= 0) this.leases.splice(i, 1);
    lease.gen = -1;
    lease.checkAt = null;
    this.version++;
  }

  private journalAppend(lease: ServerLease, state: JournalEntry["state"]): void {
    if (this.host.format === "dnsmasq") return;
    this.journal.push({ lease: { ...lease }, state, atSec: this.clockSeconds() });
    this.version++;
  }

  private clockSeconds(): number {
    return Math.floor(this.host.clockMs(this.host.now()) / 1000);
  }
}
