/**
 * The speed tests the test server accepts now, by their one-time bearer token. The main thread,
 * which starts tests and sees them finish, grants and revokes them by worker message; a grant
 * also lapses by itself at the test's answer deadline, so a lost revoke cannot keep a token alive.
 * Each grant carries the test's byte budget per direction: what a leaked token can cost a line is
 * bounded by the test's own limits.
 */

/** What the main thread tells the API worker when it starts a test. */
export interface SpeedTestGrant {
  token: string;
  gatewayId: string;
  testId: string;
  downloadBytes: number;
  uploadBytes: number;
  maxSeconds: number;
  /** From when the worker receives it, how long the token is valid at most; ms. */
  validForMs: number;
}

export type Direction = "download" | "upload";

export interface ActiveGrant {
  readonly grant: SpeedTestGrant;
  readonly expiresAt: number;
  /** Bytes this test may still move in each direction. */
  left: Record<Direction, number>;
  revoked: boolean;
}

export class SpeedTestGrants {
  readonly #byToken = new Map<string, ActiveGrant>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#byToken.size;
  }

  /** A repeated grant (sent again to a restarted worker) replaces the earlier one. */
  add(grant: SpeedTestGrant): void {
    this.#prune();
    this.#byToken.set(grant.token, {
      grant,
      expiresAt: this.#clock() + grant.validForMs,
      left: { download: grant.downloadBytes, upload: grant.uploadBytes },
      revoked: false,
    });
  }

  revoke(token: string): void {
    const active = this.#byToken.get(token);
    if (active) active.revoked = true;
    this.#byToken.delete(token);
  }

  /** The grant an `Authorization: Bearer <token>` header names, or null when none is valid now. */
  authorize(header: string | undefined): ActiveGrant | null {
    const match = /^Bearer\s+(\S{1,200})$/i.exec(header ?? "");
    if (!match) return null;
    const active = this.#byToken.get(match[1] as string);
    if (!active) return null;
    if (!this.isValid(active)) {
      this.#byToken.delete(active.grant.token);
      return null;
    }
    return active;
  }

  /** Still granted: not revoked and not past its deadline (checked again while bytes flow). */
  isValid(active: ActiveGrant): boolean {
    return !active.revoked && this.#clock() < active.expiresAt;
  }

  #prune(): void {
    const now = this.#clock();
    for (const [token, active] of this.#byToken) if (now >= active.expiresAt) this.#byToken.delete(token);
  }
}
