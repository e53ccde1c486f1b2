/**
 * The agent's outbox on disk: append 100,000 messages (the backlog of a long outage), close,
 * reopen (the recovery scan a restart does), then hand every message out and acknowledge it
 * (what a replay does, minus the network). Target: all of it in under 10 s. Also prints the
 * memory the process held, which must not grow with the queue.
 *
 *   npm run build && node dist/bench/agentOutbox.js [--messages N] [--bytes B]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Outbox } from "../agent/outbox/outbox.js";

const TARGET_MS = 10_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
}

function main(): void {
  const messages = arg("messages", 100_000);
  const bytes = arg("bytes", 1024);
  const dir = mkdtempSync(join(tmpdir(), "leaseline-bench-outbox-"));
  const topic = "leaseline/v1/gw-00001/snapshot";
  const filler = "x".repeat(Math.max(0, bytes - 120));
  const maxBytes = Math.ceil(messages * (bytes + 64) * 1.1);
  try {
    const t0 = performance.now();
    let outbox = Outbox.open(dir, { maxBytes });
    for (let seq = 0; seq < messages; seq++) {
      outbox.append(
        topic,
        `{"v":1,"type":"snapshot","gatewayId":"gw-00001","bootId":"b","seq":${seq},"pad":"${filler}"}`,
      );
    }
    const diskBytes = outbox.stats.bytes;
    outbox.close();
    const t1 = performance.now();
    outbox = Outbox.open(dir, { maxBytes });
    const t2 = performance.now();
    let replayed = 0;
    let heapPeak = 0;
    for (let entry = outbox.take(); entry; entry = outbox.take()) {
      outbox.ack(entry.id);
      if (++replayed % 10_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    outbox.close();
    const t3 = performance.now();
    if (replayed !== messages) throw new Error(`replayed ${replayed} of ${messages}`);
    const total = t3 - t0;
    const rows = [
      ["write (append + close)", t1 - t0],
      ["reopen (recovery scan)", t2 - t1],
      ["replay (take + ack)", t3 - t2],
      ["total", total],
    ] as const;
    process.stdout.write(
      `outbox: ${messages} messages of ${bytes} bytes, ${(diskBytes / 2 ** 20).toFixed(1)} MiB on disk\n`,
    );
    for (const [what, ms] of rows) {
      process.stdout.write(
        `  ${what.padEnd(24)} ${ms.toFixed(0).padStart(6)} ms  ${((messages / ms) * 1000).toFixed(0).padStart(8)} msg/s\n`,
      );
    }
    process.stdout.write(
      `  heap during replay       ${(heapPeak / 2 ** 20).toFixed(1)} MiB (does not grow with the queue)\n`,
    );
    process.stdout.write(
      `${total <= TARGET_MS ? "PASS" : "FAIL"}: ${total.toFixed(0)} ms (target ${TARGET_MS} ms)\n`,
    );
    if (total > TARGET_MS) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
