/**
 * One remembered value with a refresh interval, for command outputs that change far more slowly
 * than the agent polls (every process the agent starts costs it about a millisecond of CPU).
 * Age is measured on the gateway's clock (ctx.now()); a clock that moved backwards (a gateway
 * without RTC before NTP, or NTP stepping it back) makes the value stale, so a jump can never
 * keep a value for longer than the interval. Only successes are stored: a failure is retried
 * at the next cycle.
 *
 * The first value stored may be given a shorter life (`firstIntervalMs`): caches that all fill
 * in the agent's first cycle then refresh in different cycles afterwards, instead of every
 * refresh landing on the same cycle each minute.
 */
export class RefreshCache<T> {
  readonly intervalMs: number;
  #firstIntervalMs: number | null;
  #lifeMs = 0;
  #at = 0;
  #value: T | null = null;

  constructor(intervalMs: number, firstIntervalMs?: number) {
    this.intervalMs = intervalMs;
    this.#firstIntervalMs = firstIntervalMs ?? null;
  }

  /** The value stored less than its interval ago, or null. */
  get(now: number): T | null {
    if (this.#value === null) return null;
    const age = now - this.#at;
    return age >= 0 && age < this.#lifeMs ? this.#value : null;
  }

  set(now: number, value: T): void {
    this.#lifeMs = this.#firstIntervalMs ?? this.intervalMs;
    this.#firstIntervalMs = null;
    this.#at = now;
    this.#value = value;
  }

  clear(): void {
    this.#value = null;
  }
}
