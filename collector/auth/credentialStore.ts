/**
 * Gateway credentials in the collector's database (table `gateway_credentials`): the gateway id
 * is the MQTT username and client id, the password is kept only as a scrypt hash. Managed with
 * `leaseline collector gateways add|remove|list`; read by the embedded broker at every connect,
 * so a credential added or removed while the collector runs takes effect at once.
 */
import type { Db } from "../store/openDatabase.js";

export interface CredentialInfo {
  gatewayId: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

export class CredentialStore {
  readonly #db: Db;
  readonly #statements;

  constructor(db: Db) {
    this.#db = db;
    this.#statements = {
      get: db.prepare<[string], { password_hash: string }>(
        "SELECT password_hash FROM gateway_credentials WHERE gateway_id = ?",
      ),
      any: db.prepare<[], { one: number }>("SELECT 1 AS one FROM gateway_credentials LIMIT 1"),
      insert: db.prepare(
        "INSERT INTO gateway_credentials (gateway_id, password_hash, created_at) VALUES (?, ?, ?)",
      ),
      replace: db.prepare(
        `INSERT INTO gateway_credentials (gateway_id, password_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET password_hash = excluded.password_hash, created_at = excluded.created_at`,
      ),
      remove: db.prepare("DELETE FROM gateway_credentials WHERE gateway_id = ?"),
      list: db.prepare<[], { gateway_id: string; created_at: number }>(
        "SELECT gateway_id, created_at FROM gateway_credentials ORDER BY gateway_id",
      ),
      all: db.prepare<[], { gateway_id: string; password_hash: string }>(
        "SELECT gateway_id, password_hash FROM gateway_credentials",
      ),
    };
  }

  /** The stored hash, or undefined when the gateway has no credential. */
  passwordHash(gatewayId: string): string | undefined {
    return this.#statements.get.get(gatewayId)?.password_hash;
  }

  /** True when at least one credential exists: then every client must authenticate. */
  anyConfigured(): boolean {
    return this.#statements.any.get() !== undefined;
  }

  /** Adds a credential; with `replace`, an existing one is overwritten. Returns false when it existed and was kept. */
  add(gatewayId: string, passwordHash: string, now: number, replace = false): boolean {
    try {
      (replace ? this.#statements.replace : this.#statements.insert).run(gatewayId, passwordHash, now);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") return false;
      throw error;
    }
  }

  remove(gatewayId: string): boolean {
    return this.#statements.remove.run(gatewayId).changes > 0;
  }

  list(): CredentialInfo[] {
    return this.#statements.list
      .all()
      .map((r) => ({ gatewayId: r.gateway_id, createdAt: new Date(r.created_at).toISOString() }));
  }

  /** Every gateway id with its hash, for checking connected clients after a change. */
  all(): Map<string, string> {
    return new Map(this.#statements.all.all().map((r) => [r.gateway_id, r.password_hash]));
  }

  /** Changes whenever another connection (e.g. the `gateways` CLI) committed to the database. */
  dataVersion(): number {
    return this.#db.pragma("data_version", { simple: true }) as number;
  }
}
