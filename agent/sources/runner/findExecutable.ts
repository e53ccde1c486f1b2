/**
 * Finds a command's executable the way execvp does (a name with a slash is a path, else the
 * first executable regular file of that name in the search path), so that the runner is given
 * an absolute path and a binary that is not installed is known to be absent before anything
 * is started. Found paths are remembered for a while: the same few commands run every cycle.
 */
import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/** A binary installed or removed (a package upgrade) is noticed within this long. */
export const EXECUTABLE_CACHE_MS = 60_000;

/** What execvp would make of one candidate: run it, skip it, or (if nothing else runs) fail with EACCES. */
function candidate(path: string): "executable" | "missing" | "denied" {
  try {
    if (!statSync(path).isFile()) return "denied";
  } catch {
    return "missing";
  }
  try {
    accessSync(path, constants.X_OK);
    return "executable";
  } catch {
    return "denied";
  }
}

/** The path to run; absent (ENOENT: not installed); or denied (EACCES: there, but not executable). */
export type Lookup = { path: string } | { absent: true } | { denied: string };

export class ExecutableFinder {
  readonly #searchPath: readonly string[];
  readonly #found = new Map<string, { path: string; at: number }>();
  readonly #clock: () => number;

  constructor(searchPath: readonly string[], clock: () => number = () => performance.now()) {
    // execvp reads an empty PATH entry as the current directory.
    this.#searchPath = searchPath.map((dir) => resolve(dir === "" ? "." : dir));
    this.#clock = clock;
  }

  find(command: string): Lookup {
    const now = this.#clock();
    const cached = this.#found.get(command);
    if (cached && now - cached.at < EXECUTABLE_CACHE_MS && now >= cached.at) return { path: cached.path };
    const lookup = this.#search(command);
    if ("path" in lookup) this.#found.set(command, { path: lookup.path, at: now });
    else this.#found.delete(command);
    return lookup;
  }

  /** Forgets a path that turned out to be gone. */
  forget(command: string): void {
    this.#found.delete(command);
  }

  #search(command: string): Lookup {
    if (command === "") return { absent: true };
    const paths = command.includes("/")
      ? [isAbsolute(command) ? command : resolve(command)]
      : this.#searchPath.map((dir) => join(dir, command));
    let denied: string | null = null;
    for (const path of paths) {
      const found = candidate(path);
      if (found === "executable") return { path };
      if (found === "denied") denied ??= path;
    }
    return denied === null ? { absent: true } : { denied };
  }
}
