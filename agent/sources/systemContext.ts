/**
 * The real SourceContext: system paths resolved under `--root` (a chroot-like view, so the
 * same agent reads a real gateway at `/` or a simulated one in a directory), and commands run
 * with the configured timeout and extra command directories, through long-lived shell runners
 * (runner/) so that the agent does not fork itself for every command.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { rememberByText } from "../../common/rememberByText.js";
import { CommandRunnerPool } from "./runner/commandRunnerPool.js";
import type { SourceContext } from "./source.js";

export interface SystemContextOptions {
  root: string;
  commandTimeoutMs: number;
  /** Searched first for commands (a firmware's odd prefix). */
  commandDirs?: readonly string[];
  clock?: () => number;
}

/**
 * Where commands are looked up: the given directories first, then, like a chroot, the root's
 * own sbin/bin directories; the host's PATH only when the root is the host's `/`. A simulated
 * gateway under --root thus runs its own bin/iw, and never the host's ip with the host's tables.
 */
export function commandSearchPath(root: string, commandDirs: readonly string[]): string[] {
  const dirs = commandDirs.map((d) => resolve(d));
  const base = resolve(root);
  if (base === "/") return [...dirs, ...(process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")];
  return [...dirs, ...["usr/sbin", "usr/bin", "sbin", "bin"].map((d) => join(base, d))];
}

/** Maps a system path to the file to read: absolute paths go under the root; relative ones from the cwd first. */
export function underRoot(root: string, path: string): string {
  return join(resolve(root), resolve("/", resolve(path)));
}

/** More than the paths a gateway's sources read (per-interface sysfs files included). */
const REMEMBERED_PATHS = 1024;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Reads a regular file synchronously: the files read every cycle live in procfs, sysfs, tmpfs or
 * flash, where a blocking read takes microseconds, and fs/promises' open-stat-read-close through
 * the thread pool costs 20 times the CPU. Anything else (a FIFO or device given as a lease file)
 * could block, so it is read the asynchronous way; O_NONBLOCK keeps the open itself from waiting.
 */
async function readSystemPath(file: string): Promise<Buffer>;
async function readSystemPath(file: string, encoding: "utf8"): Promise<string>;
async function readSystemPath(file: string, encoding?: "utf8"): Promise<string | Buffer> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (fstatSync(fd).isFile()) return readFileSync(fd, encoding);
  } finally {
    closeSync(fd);
  }
  return readFile(file, encoding);
}

function missingAsNull(error: unknown): null {
  if (isMissing(error)) return null;
  throw error;
}

export function createSystemContext(options: SystemContextOptions): SourceContext {
  const { root, commandTimeoutMs } = options;
  const searchPath = commandSearchPath(root, options.commandDirs ?? []);
  const commands = new CommandRunnerPool({ timeoutMs: commandTimeoutMs, searchPath });
  // The same few dozen paths every cycle; resolving one costs more than reading a /proc file.
  const file = rememberByText((path) => underRoot(root, path), REMEMBERED_PATHS);
  return {
    root,
    readSystemFile: (path) => readSystemPath(file(path), "utf8").catch(missingAsNull),
    readSystemBytes: (path) => readSystemPath(file(path)).catch(missingAsNull),
    async listSystemDir(path) {
      try {
        // Synchronous for the same reason: sysfs and procfs directories list in microseconds.
        return readdirSync(file(path));
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    runCommand: (command, args) => commands.run(command, args),
    now: options.clock ?? Date.now,
  };
}

/**
 * A clock read from a file holding ms since the epoch, as a simulator writes its gateway's clock.
 * Falls back to the host clock (offset by the last good reading's skew) if the file is unreadable.
 */
export function fileClock(file: string): () => number {
  let skew = 0;
  return () => {
    try {
      const value = Number(readFileSync(file, "utf8").trim());
      if (Number.isSafeInteger(value) && value >= 0) {
        skew = value - Date.now();
        return value;
      }
    } catch {
      // keep the last known skew
    }
    return Date.now() + skew;
  };
}
