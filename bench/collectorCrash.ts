/**
 * Crash bench: many SIGKILL rounds against the real collector CLI, with figures.
 * Run after `npm run build`: `node dist/bench/collectorCrash.js [rounds] [publishers]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCrashRounds } from "./collectorCrashRounds.js";

const rounds = Number(process.argv[2] ?? 100);
const publishers = Number(process.argv[3] ?? 4);
const seed = Number(process.env.LEASELINE_CRASH_SEED ?? Date.now() % 2 ** 31);
const dir = mkdtempSync(join(tmpdir(), "leaseline-crash-bench-"));
const cli = join(import.meta.dirname, "../cli/main.js");
const started = Date.now();
try {
  const results = await runCrashRounds({
    cli,
    dir,
    rounds,
    publishers,
    inFlight: 16,
    killAfterMs: [10, 1000],
    seed,
    onRound: (r) => {
      if (r.lost.length > 0 || r.integrity !== "ok")
        process.stdout.write(`round ${r.round}: LOST ${r.lost.length}, integrity ${r.integrity}\n`);
    },
  });
  const acknowledged = results.reduce((n, r) => n + r.acknowledged, 0);
  const stored = results.reduce((n, r) => n + r.stored, 0);
  const lost = results.reduce((n, r) => n + r.lost.length, 0);
  const bad = results.filter((r) => r.integrity !== "ok").length;
  process.stdout.write(
    [
      `collector crash bench (seed ${seed}): ${rounds} SIGKILL rounds, ${publishers} publishers, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  acknowledged messages      ${acknowledged}`,
      `  stored (acked or not)      ${stored}  (${stored - acknowledged} committed but not acknowledged before the kill)`,
      `  acknowledged but lost      ${lost}`,
      `  integrity_check failures   ${bad}`,
      "",
    ].join("\n"),
  );
  if (lost > 0 || bad > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
