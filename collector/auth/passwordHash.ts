/**
 * Gateway passwords at rest: scrypt with a per-entry random salt, stored in a PHC-like string
 * `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64) so the cost can change per entry.
 * Verification recomputes the hash and compares in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptCost {
  /** log2 of scrypt's N (CPU and memory cost). */
  ln: number;
  r: number;
  p: number;
}

/**
 * For the collector's generated 256-bit passwords: they cannot be guessed whatever the cost, so
 * the hash only has to make a copied database useless, while a fleet reconnecting after a
 * collector restart must be verified quickly (about 1.5 ms each here; 10,000 gateways in ~15 s).
 */
export const GENERATED_PASSWORD_COST: ScryptCost = { ln: 10, r: 8, p: 1 };

/** For a password an operator chose (`--password-stdin`), which may be guessable: about 65 ms and 32 MiB per guess. */
export const CHOSEN_PASSWORD_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Costs outside these bounds in a stored hash are refused rather than computed (a tampered row must not hang the broker). */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 4;

function scryptAsync(password: Uint8Array, salt: Uint8Array, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.ln;
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      HASH_BYTES,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(Buffer.from(password, "utf8"), salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!match) return null;
  const cost = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (cost.ln < 1 || cost.ln > MAX_LN || cost.r < 1 || cost.r > MAX_R || cost.p < 1 || cost.p > MAX_P)
    return null;
  const hash = Buffer.from(match[5] as string, "base64");
  if (hash.length !== HASH_BYTES) return null;
  return { cost, salt: Buffer.from(match[4] as string, "base64"), hash };
}

/** True when `password` matches `stored`; false for a mismatch or an unreadable stored hash. */
export async function verifyPassword(password: Uint8Array, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const computed = await scryptAsync(password, parsed.salt, parsed.cost);
  return timingSafeEqual(computed, parsed.hash);
}

/** 32 random bytes, base64url: 256 bits, printable, no characters a shell or config file mangles. */
export function generatePassword(): string {
  return randomBytes(32).toString("base64url");
}

/** A hash of a random password nobody knows: verifying against it costs what a real check costs. */
export const DECOY_HASH = `$scrypt$ln=${GENERATED_PASSWORD_COST.ln},r=8,p=1$${randomBytes(SALT_BYTES).toString("base64")}$${randomBytes(HASH_BYTES).toString("base64")}`;
