/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each publish takes
 * one. `reserve` may take a token not yet there (the bucket goes into debt) and says how long
 * the caller must wait for it, so a client over its rate can be slowed down rather than cut
 * off; the caller decides how much debt is too much. Time is passed in (ms), so the rules are
 * tested with explicit timestamps.
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
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#ratePerMs;
  }
}
