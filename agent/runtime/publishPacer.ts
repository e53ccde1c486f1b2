/**
 * Paces the outbox's publishes with a token bucket. After a long outage the outbox may hold
 * thousands of messages; sent all at once they would trip the broker's per-client rate limit
 * (the embedded broker allows 20/s sustained with bursts of 200, then disconnects the client),
 * and the agent would reconnect, resend and be cut off again. The default pace is half of that:
 * a day's backlog of 30-second snapshots replays in about five minutes, and live traffic (one
 * message per poll at most) never waits.
 */

/** Messages per second sustained: half the embedded broker's limit. */
export const DEFAULT_PUBLISH_RATE = 10;
/** Messages sent at once before the rate applies: half the embedded broker's burst. */
export const DEFAULT_PUBLISH_BURST = 100;

export class PublishPacer {
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

  /** Takes a token if one is available at `now`. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds from `now` until the next token. */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }
}
