/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each publish takes
 * one. The collector's broker uses `reserve`, which may take a token not yet there (the bucket
 * goes into debt) and says how long the caller must wait for it, so a client over its rate is
 * slowed down rather than cut off; the agent's publisher uses `take` and `waitMs` to pace its
 * outbox replay. Time is passed in (ms), so the rules are tested with explicit timestamps.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes one token now or on credit; returns how many ms until it would have been there (0 = now). */
  reserve(now: number): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#ratePerMs;
  }

  /** Takes a token if one is available at `now`. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds from `now` until the next whole token. */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }
}
