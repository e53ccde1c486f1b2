import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireBuiltCli, tempDir } from "../../test/helpers.js";
import { openDatabase } from "./openDatabase.js";
import { SCHEMA_VERSION } from "./schema.js";

const STORE = join(import.meta.dirname, "../../dist/collector/store/sqliteStore.js");

/** Opens the store in a process of its own: the way several collectors meet one file. */
function openInChild(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `const { SqliteStore } = await import(${JSON.stringify(STORE)}); new SqliteStore(${JSON.stringify(file)}).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("schema migrations", () => {
  it("several processes opening one new database migrate it once, without failing", async () => {
    requireBuiltCli();
    const dir = tempDir("schema");
    try {
      for (let round = 0; round < 3; round++) {
        const file = join(dir.path, `collector-${round}.db`);
        const results = await Promise.all([1, 2, 3, 4].map(() => openInChild(file)));
        for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
        const db = openDatabase(file);
        expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
