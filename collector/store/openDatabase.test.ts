/**
 * The switch to WAL on a new file, which needs the only lock on it. When several collectors
 * start on one new file, each can hold a read lock while asking for the switch, and SQLite then
 * answers SQLITE_BUSY at once rather than wait in its busy handler (both would wait forever), so
 * openDatabase tries the switch again for as long as its busy timeout. The test makes SQLite
 * answer at once with the busy handler off, while another process reads.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { switchToWal } from "./openDatabase.js";

/** Another process holding a read transaction on `file` for `ms`; resolves once it holds it. */
function readerHolding(file: string, ms: number): Promise<{ done: Promise<number | null> }> {
  const script = `import Database from "better-sqlite3";
const db = new Database(${JSON.stringify(file)});
db.exec("BEGIN");
db.prepare("SELECT count(*) FROM t").get();
process.stdout.write("holding\\n");
setTimeout(() => { db.exec("COMMIT"); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(import.meta.dirname, "../.."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const done = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve({ done }));
    child.once("exit", (code) => reject(new Error(`reader ended early (${code})`)));
  });
}

describe("switchToWal", () => {
  it("tries again until another process's lock on a new file is gone", async () => {
    const dir = tempDir("wal");
    try {
      const file = join(dir.path, "new.db");
      const setup = new Database(file);
      setup.exec("CREATE TABLE t (x INTEGER)");
      setup.close();
      const reader = await readerHolding(file, 300);
      const db = new Database(file, { timeout: 0 });
      try {
        // Without the busy handler the switch fails at once while the other process reads.
        expect(() => db.pragma("journal_mode = WAL")).toThrow(
          expect.objectContaining({ code: "SQLITE_BUSY" }),
        );
        switchToWal(db, 5000);
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      } finally {
        db.close();
      }
      expect(await reader.done).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it("gives up after its timeout, and at once on any other error", () => {
    let calls = 0;
    const busy = {
      pragma: () => {
        calls++;
        throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      },
    };
    const started = Date.now();
    expect(() => switchToWal(busy as never, 100)).toThrow("database is locked");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(calls).toBeGreaterThan(2);
    calls = 0;
    const broken = {
      pragma: () => {
        calls++;
        throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
      },
    };
    expect(() => switchToWal(broken as never, 1000)).toThrow("disk I/O error");
    expect(calls).toBe(1);
  });
});
