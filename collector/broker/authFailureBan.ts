/**
 * Bans an address that fails authentication repeatedly: `maxFailures` within `windowMs` and
 * the address is refused for `banMs`. Time is passed in (ms), so the rule is tested with
 * explicit timestamps. The table is bounded: past `maxTracked` addresses the oldest entry goes.
 */
import {
  AUTH_BAN_MS,
  AUTH_FAILURE_WINDOW_MS,
  AUTH_FAILURES_BEFORE_BAN,
  MAX_TRACKED_ADDRESSES,
} from "./limits.js";

export interface BanPolicy {
  maxFailures: number;
  windowMs: number;
  banMs: number;
  maxTracked: number;
}

export const DEFAULT_BAN_POLICY: BanPolicy = {
  maxFailures: AUTH_FAILURES_BEFORE_BAN,
  windowMs: AUTH_FAILURE_WINDOW_MS,
  banMs: AUTH_BAN_MS,
  maxTracked: MAX_TRACKED_ADDRESSES,
};

interface Entry {
  /** Failure times within the window, oldest first. */
  failures: number[];
  bannedUntil: number;
}

export class AuthFailureBan {
  readonly #policy: BanPolicy;
  /** Insertion-ordered, so the first key is the least recently touched address. */
  readonly #entries = new Map<string, Entry>();

  constructor(policy: BanPolicy = DEFAULT_BAN_POLICY) {
    this.#policy = policy;
  }

  isBanned(address: string, now: number): boolean {
    const entry = this.#entries.get(address);
    return entry !== undefined && entry.bannedUntil > now;
  }

  /** Records a failure; returns true when this failure started a ban. */
  recordFailure(address: string, now: number): boolean {
    const entry = this.#entries.get(address) ?? { failures: [], bannedUntil: 0 };
    this.#entries.delete(address);
    this.#entries.set(address, entry);
    const since = now - this.#policy.windowMs;
    while (entry.failures.length > 0 && (entry.failures[0] as number) <= since) entry.failures.shift();
    entry.failures.push(now);
    let started = false;
    if (entry.failures.length >= this.#policy.maxFailures && entry.bannedUntil <= now) {
      entry.bannedUntil = now + this.#policy.banMs;
      entry.failures = [];
      started = true;
    }
    while (this.#entries.size > this.#policy.maxTracked) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return started;
  }

  /** Drops entries with neither a ban nor a failure in the window (called periodically). */
  prune(now: number): void {
    for (const [address, entry] of this.#entries) {
      const last = entry.failures[entry.failures.length - 1] ?? 0;
      if (entry.bannedUntil <= now && last <= now - this.#policy.windowMs) this.#entries.delete(address);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
