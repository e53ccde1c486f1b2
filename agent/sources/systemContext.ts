/**
 * The real SourceContext: system paths resolved under `--root` (a chroot-like view, so the
 * same agent reads a real gateway at `/` or a simulated one in a directory), and commands run
 * with the configured timeout and extra command directories.
 */
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { runCommand } from "./runCommand.js";
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

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export function createSystemContext(options: SystemContextOptions): SourceContext {
  const { root, commandTimeoutMs } = options;
  const searchPath = commandSearchPath(root, options.commandDirs ?? []);
  return {
    root,
    async readSystemFile(path) {
      try {
        return await readFile(underRoot(root, path), "utf8");
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async listSystemDir(path) {
      try {
        return await readdir(underRoot(root, path));
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    runCommand: (command, args) => runCommand(command, args, { timeoutMs: commandTimeoutMs, searchPath }),
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
