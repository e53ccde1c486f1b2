/**
 * Kill -9 the real collector CLI at random moments while publishers send QoS 1 messages: after
 * each kill, every message a publisher saw acknowledged is in the database and SQLite's
 * integrity check passes. More rounds and figures: `node dist/bench/collectorCrash.js`.
 */
import { describe, expect, it } from "vitest";
import { runCrashRounds } from "../bench/collectorCrashRounds.js";
import { CLI, requireBuiltCli, tempDir } from "./helpers.js";

const ROUNDS = 20;

describe("collector crash safety (SIGKILL)", () => {
  it(`loses no acknowledged message over ${ROUNDS} kills`, async () => {
    requireBuiltCli();
    const dir = tempDir("crash");
    const seed = Number(process.env.LEASELINE_CRASH_SEED ?? Date.now() % 2 ** 31);
    try {
      const results = await runCrashRounds({
        cli: CLI,
        dir: dir.path,
        rounds: ROUNDS,
        publishers: 3,
        inFlight: 8,
        killAfterMs: [20, 300],
        seed,
      });
      const where = `seed ${seed} (rerun with LEASELINE_CRASH_SEED=${seed})`;
      for (const r of results) {
        expect(r.lost, `round ${r.round}, ${where}`).toEqual([]);
        expect(r.integrity, `round ${r.round}, ${where}`).toBe("ok");
        expect(r.stored).toBeGreaterThanOrEqual(r.acknowledged);
      }
      // The kills must have landed while messages were flowing, or the test proves nothing.
      expect(results.filter((r) => r.acknowledged > 0).length).toBeGreaterThanOrEqual(ROUNDS / 2);
    } finally {
      dir.remove();
    }
  }, 60_000);
});
