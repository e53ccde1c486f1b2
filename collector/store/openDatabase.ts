/**
 * Opens the collector's SQLite file with the settings the lifetime rules depend on:
 * WAL for concurrent readers, synchronous=NORMAL (a crash loses at most the last
 * un-checkpointed transactions' durability window, never consistency), and secure_delete
 * so that a deleted lease's MAC and hostname are overwritten, not left in free pages.
 */
import Database from "better-sqlite3";
import { migrate } from "./schema.js";

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
}

/** How long a connection waits for another's lock before giving up. */
const BUSY_TIMEOUT_MS = 5000;

/** Between two tries of the switch to WAL. */
const WAL_RETRY_PAUSE_MS = 10;

/**
 * Switches the file to WAL (a no-op once it is: the mode is stored in the file). On a new file
 * the switch needs the only lock on it, and when several collectors start on one new file at
 * once SQLite can answer SQLITE_BUSY at once, without waiting in its busy handler: the switch is
 * tried again for as long as the busy timeout.
 */
export function switchToWal(db: Pick<Db, "pragma">, timeoutMs = BUSY_TIMEOUT_MS): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      // Opening happens once, at start: a short synchronous pause is simpler than making it async.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_PAUSE_MS);
    }
  }
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    const hint = readonly ? " (is the path right, and has a collector created it?)" : "";
    throw new Error(`cannot open database ${file}: ${(error as Error).message}${hint}`);
  }
  db.pragma("secure_delete = ON");
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!readonly) {
    switchToWal(db);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
  }
  return db;
}

/**
 * Moves the WAL into the database file and truncates it, so deleted rows' old page images do
 * not linger in the WAL. Returns false when a reader kept the checkpoint from completing.
 */
export function checkpointTruncate(db: Db): boolean {
  const row = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
  return row[0]?.busy === 0;
}

const statements = new WeakMap<Db, Map<string, Database.Statement<unknown[], unknown>>>();

/**
 * The connection's prepared statement for `sql`, compiled on first use: a hot query (an API read
 * per request) then costs no SQL parsing and planning each time. Only for statements run to
 * completion (`get`, `all`, `run`): an open `iterate` would keep the shared one busy.
 */
export function statement<P extends unknown[], R>(db: Db, sql: string): Database.Statement<P, R> {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared as unknown as Database.Statement<P, R>;
}
