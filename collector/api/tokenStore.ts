/**
 * HTTP API bearer tokens (table `api_tokens`), managed like gateway credentials: created with a
 * role, printed once, stored as a SHA-256 of the secret. The secret is 256 random bits, so a fast
 * hash is as safe as a slow one and keeps every request's check in microseconds.
 * Token form: `ll_<id>_<secret>`; the id finds the row, the secret is compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../store/openDatabase.js";

export const ROLES = ["support", "privacy"] as const;
export type Role = (typeof ROLES)[number];

export interface TokenInfo {
  tokenId: string;
  role: Role;
  createdAt: string;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();

export class TokenStore {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      get: db.prepare<[string], { role: Role; secret_hash: string }>(
        "SELECT role, secret_hash FROM api_tokens WHERE token_id = ?",
      ),
      insert: db.prepare(
        "INSERT INTO api_tokens (token_id, role, secret_hash, created_at) VALUES (?, ?, ?, ?)",
      ),
      remove: db.prepare("DELETE FROM api_tokens WHERE token_id = ?"),
      list: db.prepare<[], { token_id: string; role: Role; created_at: number }>(
        "SELECT token_id, role, created_at FROM api_tokens ORDER BY created_at, token_id",
      ),
    };
  }

  /** Creates a token and returns it: the only time the secret exists outside the caller. */
  add(role: Role, now = Date.now()): { tokenId: string; token: string } {
    const tokenId = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    this.#s.insert.run(tokenId, role, sha256(secret).toString("hex"), now);
    return { tokenId, token: `ll_${tokenId}_${secret}` };
  }

  /** The token's role, or null for an unknown, removed or malformed token. */
  verify(token: string): Role | null {
    const match = /^ll_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const row = this.#s.get.get(match[1] as string);
    if (!row) return null;
    const stored = Buffer.from(row.secret_hash, "hex");
    const given = sha256(match[2] as string);
    return stored.length === given.length && timingSafeEqual(stored, given) ? row.role : null;
  }

  remove(tokenId: string): boolean {
    return this.#s.remove.run(tokenId).changes > 0;
  }

  list(): TokenInfo[] {
    return this.#s.list
      .all()
      .map((r) => ({ tokenId: r.token_id, role: r.role, createdAt: new Date(r.created_at).toISOString() }));
  }
}
