/**
 * A SourceContext for tests: system paths resolve below a temporary root directory, exactly as
 * the agent's `--root` does, and commands are answered by a function instead of being run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CommandResult } from "../runCommand.js";
import type { SourceContext } from "../source.js";

export type CommandHandler = (command: string, args: readonly string[]) => CommandResult;

export interface FakeSourceContext extends SourceContext {
  /** Writes a file at a system path below the root. */
  write(path: string, content: string | Uint8Array): void;
  /** Every command run, as `command arg arg`. */
  commands: string[];
  cleanup(): void;
}

/** The value read, or null where the path does not exist. */
function orNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw error;
  }
}

export function fakeSourceContext(
  onCommand: CommandHandler = (command) => ({ status: "absent", reason: `${command} is not installed` }),
): FakeSourceContext {
  const root = mkdtempSync(join(tmpdir(), "leaseline-src-"));
  const commands: string[] = [];
  return {
    root,
    commands,
    readSystemFile: async (path) => orNull(() => readFileSync(join(root, path), "utf8")),
    readSystemBytes: async (path) => orNull(() => readFileSync(join(root, path))),
    listSystemDir: async (path) => orNull(() => readdirSync(join(root, path))),
    async runCommand(command, args) {
      commands.push([command, ...args].join(" "));
      return onCommand(command, args);
    },
    now: () => 1_732_360_000_000,
    write(path, content) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
