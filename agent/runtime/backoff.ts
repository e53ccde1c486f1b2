/**
 * Reconnect delays: exponential with full jitter (a uniformly random delay between zero and the
 * exponential bound, capped). After a broker restart every gateway of a fleet loses its
 * connection at the same instant; a fixed interval, or exponential backoff without jitter, brings
 * them all back in the same instant again, over and over. Full jitter spreads each round over
 * its whole window, so the broker sees a steady trickle instead of synchronised waves.
 */

export interface BackoffOptions {
  /** Bound of the first retry's window, ms. */
  baseMs: number;
  /** Largest window, ms. */
  capMs: number;
}

/** One second: a broker that restarts quickly is back within a couple of rounds. */
export const DEFAULT_RECONNECT_BASE_MS = 1000;
/** One minute: a gateway notices a recovered broker within a minute, and a fleet of 10,000 makes ~170 attempts a second while it is down. */
export const DEFAULT_RECONNECT_CAP_MS = 60_000;

/** The delay before retry number `attempt` (0 for the first): uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const window = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * window);
}

/** Counts attempts since the last connection that stayed up; a short-lived connection does not reset it. */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions, random: () => number = Math.random) {
    if (!(options.baseMs > 0) || !(options.capMs >= options.baseMs)) {
      throw new RangeError(`backoff needs 0 < base (${options.baseMs}) <= cap (${options.capMs})`);
    }
    this.#options = options;
    this.#random = random;
  }

  get attempt(): number {
    return this.#attempt;
  }

  next(): number {
    return backoffDelay(this.#attempt++, this.#options, this.#random);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
