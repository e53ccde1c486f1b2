/**
 * Delivers the DHCP server's lease events, written by leaseline-dhcp-hook.sh into the spool
 * directory, to the agent as they arrive: fs.watch on the directory for speed, plus a periodic
 * scan because fs.watch can miss events (overlay and network file systems, a directory replaced
 * under it, an overflowing inotify queue). Files are delivered in name order (the order the hook
 * wrote them), each deleted after its handler returns: at most once, so a handler that throws
 * loses that event (counted) rather than looping on it. Malformed files are counted and deleted.
 * Does nothing until start(); stop() waits for a delivery in progress.
 */
import { type FSWatcher, watch } from "node:fs";
import { mkdir, open, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  compareSpoolNames,
  type LeaseEvent,
  MAX_EVENT_BYTES,
  parseSpoolEvent,
  SPOOL_NAME,
} from "./spoolReader.js";

export const DEFAULT_SPOOL_DIR = "/tmp/leaseline/spool";
/** Fallback scan period: fs.watch normally wakes us first; this bounds the delay when it does not. */
export const DEFAULT_SCAN_INTERVAL_MS = 1000;
/** A `.tmp-*` file this old belongs to a hook that died mid-write: removed so the spool cannot fill with them. */
export const STALE_TEMP_MS = 60_000;

export interface SpoolWatcherOptions {
  dir?: string;
  onEvent: (event: LeaseEvent, file: string) => void | Promise<void>;
  /** Told about malformed files and failing handlers; the watcher carries on. */
  onProblem?: (problem: { file: string; reason: string }) => void;
  scanIntervalMs?: number;
  /** Clock for the stale-temp-file rule (ms since epoch). */
  now?: () => number;
}

export interface SpoolStats {
  delivered: number;
  malformed: number;
  handlerErrors: number;
  /** Scans that found the hook's `.overflow` marker: the spool was full and events were dropped. */
  overflows: number;
}

export class SpoolWatcher {
  readonly dir: string;
  readonly stats: SpoolStats = { delivered: 0, malformed: 0, handlerErrors: 0, overflows: 0 };
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private running = false;

  constructor(private readonly options: SpoolWatcherOptions) {
    this.dir = options.dir ?? DEFAULT_SPOOL_DIR;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // Only the agent and the DHCP server's script (root) should write events here.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.watch();
    this.timer = setInterval(() => this.kick(), this.options.scanIntervalMs ?? DEFAULT_SCAN_INTERVAL_MS);
    this.timer.unref();
    this.kick();
    await this.scanning;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scanning;
  }

  /** Scans now (also used by tests); resolves when the spool has been drained once. */
  async scanNow(): Promise<void> {
    this.kick();
    await this.scanning;
  }

  private watch(): void {
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.kick());
      this.watcher.on("error", () => {
        // The periodic scan keeps delivering; watch again when the directory is back.
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null;
    }
  }

  private kick(): void {
    if (!this.running) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.drain().finally(() => {
      this.scanning = null;
      if (this.again && this.running) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      await mkdir(this.dir, { recursive: true, mode: 0o700 }).catch(() => {});
      return;
    }
    if (this.running && this.watcher === null) this.watch();
    const now = this.options.now?.() ?? Date.now();
    for (const name of names) {
      if (name === ".overflow") {
        this.stats.overflows++;
        await unlink(join(this.dir, name)).catch(() => {});
      } else if (name.startsWith(".tmp-")) {
        const info = await stat(join(this.dir, name)).catch(() => null);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await unlink(join(this.dir, name)).catch(() => {});
      }
    }
    const events = names.filter((n) => !n.startsWith(".")).sort(compareSpoolNames);
    for (const name of events) {
      if (!this.running) return;
      const file = join(this.dir, name);
      const text = SPOOL_NAME.test(name) ? await readSmall(file) : { reason: "not a spool file name" };
      if (text === null) continue; // gone: another reader took it
      const parsed =
        typeof text === "string" ? parseSpoolEvent(text) : { ok: false as const, reason: text.reason };
      if (parsed.ok) {
        try {
          await this.options.onEvent(parsed.event, name);
          this.stats.delivered++;
        } catch (e) {
          this.stats.handlerErrors++;
          this.options.onProblem?.({ file: name, reason: `handler failed: ${(e as Error).message}` });
        }
      } else {
        this.stats.malformed++;
        this.options.onProblem?.({ file: name, reason: parsed.reason });
      }
      await unlink(file).catch(() => {});
    }
  }
}

/** The file's text, `{reason}` when it is too big, null when it no longer exists. */
async function readSmall(file: string): Promise<string | { reason: string } | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(MAX_EVENT_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_EVENT_BYTES) return { reason: `larger than ${MAX_EVENT_BYTES} bytes` };
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch (e) {
    return { reason: `unreadable: ${(e as Error).message}` };
  } finally {
    await handle.close();
  }
}
