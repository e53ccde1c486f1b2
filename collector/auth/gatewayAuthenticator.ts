/**
 * Checks a gateway's password against its stored scrypt hash. A successful check is remembered
 * (as an HMAC of the password under a key that exists only in this process, next to the stored
 * hash it matched), so a gateway that reconnects costs an HMAC, not a scrypt; a changed or
 * removed credential no longer matches the remembered hash and is checked afresh.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CredentialStore } from "./credentialStore.js";
import { DECOY_HASH, verifyPassword } from "./passwordHash.js";

/** Remembered verifications at most: one per gateway of a large fleet. */
const MAX_REMEMBERED = 200_000;

export class GatewayAuthenticator {
  readonly #credentials: CredentialStore;
  readonly #key = randomBytes(32);
  readonly #remembered = new Map<string, { storedHash: string; digest: Buffer }>();

  constructor(credentials: CredentialStore) {
    this.#credentials = credentials;
  }

  anyConfigured(): boolean {
    return this.#credentials.anyConfigured();
  }

  /** The stored hash the password matched, or null (unknown gateway or wrong password). */
  async verify(gatewayId: string, password: Uint8Array): Promise<string | null> {
    const storedHash = this.#credentials.passwordHash(gatewayId);
    if (storedHash === undefined) {
      // Same work as a real check, so timing does not tell which gateway ids exist.
      await verifyPassword(password, DECOY_HASH);
      return null;
    }
    const digest = createHmac("sha256", this.#key).update(password).digest();
    const known = this.#remembered.get(gatewayId);
    if (known && known.storedHash === storedHash && timingSafeEqual(known.digest, digest)) return storedHash;
    if (!(await verifyPassword(password, storedHash))) return null;
    if (this.#remembered.size >= MAX_REMEMBERED) this.#remembered.clear();
    this.#remembered.set(gatewayId, { storedHash, digest });
    return storedHash;
  }

  /** Changes when credentials may have changed (another connection, such as the gateways CLI, committed). */
  credentialsVersion(): number {
    return this.#credentials.dataVersion();
  }

  /** The stored hash a gateway must still have to stay connected (undefined once removed). */
  currentHash(gatewayId: string): string | undefined {
    return this.#credentials.passwordHash(gatewayId);
  }
}
