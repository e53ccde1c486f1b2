import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers.js";
import { runHook } from "./hookTestHelpers.js";
import type { LeaseEvent } from "./spoolReader.js";
import { SpoolWatcher } from "./spoolWatcher.js";

let root: string;
let spool: string;
let watcher: SpoolWatcher | null = null;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "leaseline-spool-"));
  spool = join(root, "spool");
});
afterEach(async () => {
  await watcher?.stop();
  watcher = null;
  rmSync(root, { recursive: true, force: true });
});

const event = (ip: string, action = "add") =>
  `v=1\nserver=dnsmasq\naction=${action}\nmac=3c:22:fb:8e:41:07\nip=${ip}\ntime=1732360000\n`;

function collect(options: Partial<ConstructorParameters<typeof SpoolWatcher>[0]> = {}) {
  const seen: { event: LeaseEvent; file: string }[] = [];
  const problems: { file: string; reason: string }[] = [];
  watcher = new SpoolWatcher({
    dir: spool,
    onEvent: (e, file) => {
      seen.push({ event: e, file });
    },
    onProblem: (p) => problems.push(p),
    // Long enough that only fs.watch can explain a fast delivery.
    scanIntervalMs: 60_000,
    ...options,
  });
  return { seen, problems, watcher };
}

describe("SpoolWatcher", () => {
  it("does nothing before start and creates the spool directory on start", async () => {
    const { watcher: w } = collect();
    expect(() => readdirSync(spool)).toThrow();
    await w.start();
    expect(readdirSync(spool)).toEqual([]);
  });

  it("delivers an event the hook writes within 200 ms and deletes the file", async () => {
    const { seen, watcher: w } = collect();
    await w.start();
    const delivered = new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        if (seen.length > 0) {
          clearInterval(poll);
          resolve(performance.now());
        }
      }, 2);
    });
    const run = runHook(["sh"], spool, ["add", "3c:22:fb:8e:41:07", "192.168.1.23", "pixel"], {
      DNSMASQ_VENDOR_CLASS: "android-dhcp-14",
    });
    const written = performance.now();
    expect(run.status).toBe(0);
    const at = await Promise.race([delivered, new Promise<number>((r) => setTimeout(() => r(-1), 1000))]);
    expect(at, "delivered at all").toBeGreaterThan(0);
    expect(at - written).toBeLessThan(200);
    expect(seen[0]?.event).toMatchObject({
      action: "add",
      ip: "192.168.1.23",
      vendorClass: "android-dhcp-14",
    });
    // The file goes once the handler is done with it (so a crash in between loses nothing): just after.
    await waitFor("the event file deleted", () => readdirSync(spool).length === 0, 1000);
    expect(w.stats).toEqual({ delivered: 1, malformed: 0, handlerErrors: 0, overflows: 0 });
  });

  it("delivers waiting files in the order they were written, not the order they are listed", async () => {
    mkdirSync(spool);
    writeFileSync(join(spool, "1732360000000000003-0000000300-00100000"), event("192.168.1.3", "del"));
    writeFileSync(join(spool, "1732360000000000001-0000000100-00100000"), event("192.168.1.1"));
    writeFileSync(join(spool, "999999999000000000-0000009999-00100000"), event("192.168.1.0"));
    writeFileSync(join(spool, "1732360000000000002-0000000200-00100000"), event("192.168.1.2", "old"));
    const { seen, watcher: w } = collect();
    await w.start();
    expect(seen.map((s) => `${s.event.action} ${s.event.ip}`)).toEqual([
      "add 192.168.1.0",
      "add 192.168.1.1",
      "old 192.168.1.2",
      "del 192.168.1.3",
    ]);
  });

  it("skips, counts and deletes malformed files, and still delivers the rest", async () => {
    mkdirSync(spool);
    writeFileSync(join(spool, "1732360000000000001-0000000100-00100000"), "garbage\n");
    writeFileSync(join(spool, "1732360000000000002-0000000100-00100000"), event("192.168.1.2"));
    writeFileSync(join(spool, "not-a-spool-name"), event("192.168.1.9"));
    writeFileSync(join(spool, "1732360000000000003-0000000100-00100000"), event("192.168.1.3").repeat(60));
    const { seen, problems, watcher: w } = collect();
    await w.start();
    expect(seen.map((s) => s.event.ip)).toEqual(["192.168.1.2"]);
    expect(problems).toEqual([
      { file: "1732360000000000001-0000000100-00100000", reason: 'not a key=value line: "garbage"' },
      { file: "1732360000000000003-0000000100-00100000", reason: "larger than 4096 bytes" },
      { file: "not-a-spool-name", reason: "not a spool file name" },
    ]);
    expect(w.stats).toMatchObject({ delivered: 1, malformed: 3 });
    expect(readdirSync(spool)).toEqual([]);
  });

  it("counts a handler that throws, deletes its file and goes on", async () => {
    mkdirSync(spool);
    writeFileSync(join(spool, "1732360000000000001-0000000100-00100000"), event("192.168.1.1"));
    writeFileSync(join(spool, "1732360000000000002-0000000100-00100000"), event("192.168.1.2"));
    const delivered: string[] = [];
    const { watcher: w, problems } = collect({
      onEvent: async (e) => {
        if (e.ip === "192.168.1.1") throw new Error("store is down");
        delivered.push(e.ip);
      },
    });
    await w.start();
    expect(delivered).toEqual(["192.168.1.2"]);
    expect(problems).toEqual([
      { file: "1732360000000000001-0000000100-00100000", reason: "handler failed: store is down" },
    ]);
    expect(w.stats).toMatchObject({ delivered: 1, handlerErrors: 1 });
    expect(readdirSync(spool)).toEqual([]);
  });

  it("counts the hook's overflow marker and removes temp files a dead hook left behind", async () => {
    mkdirSync(spool);
    writeFileSync(join(spool, ".overflow"), "");
    writeFileSync(join(spool, ".tmp-old"), "v=1\n");
    writeFileSync(join(spool, ".tmp-fresh"), "v=1\n");
    const written = Date.parse("2024-11-23T11:00:00Z") / 1000;
    utimesSync(join(spool, ".tmp-old"), written, written);
    utimesSync(join(spool, ".tmp-fresh"), written + 100, written + 100);
    // The clock reads 61 s after the old file's write and 39 s before the fresh one's: only the old one is stale.
    const { watcher: w } = collect({ now: () => (written + 61) * 1000 });
    await w.start();
    expect(w.stats.overflows).toBe(1);
    expect(readdirSync(spool).sort()).toEqual([".tmp-fresh"]);
  });

  it("delivers nothing after stop", async () => {
    const { seen, watcher: w } = collect({ scanIntervalMs: 20 });
    await w.start();
    await w.stop();
    writeFileSync(join(spool, "1732360000000000001-0000000100-00100000"), event("192.168.1.1"));
    await w.scanNow();
    expect(seen).toEqual([]);
    expect(readdirSync(spool)).toHaveLength(1);
  });

  it("finds files by the periodic scan when fs.watch says nothing", async () => {
    const { seen, watcher: w } = collect({ scanIntervalMs: 25 });
    await w.start();
    // Silence the directory watch, as a lost inotify event would, so only the timer can find the file.
    (w as unknown as { watcher: { close(): void } | null }).watcher?.close();
    writeFileSync(join(spool, "1732360000000000001-0000000100-00100000"), event("192.168.1.1"));
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.map((s) => s.event.ip)).toEqual(["192.168.1.1"]);
  });
});
