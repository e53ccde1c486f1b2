/**
 * Runs the sources' commands through a few long-lived shell runners (shellRunner.ts) instead of
 * forking the agent for each one, with exactly runCommand's results: ok with stdout; absent when
 * the binary is not installed; error on a non-zero exit (stdout kept), a timeout (the command is
 * SIGKILLed) or output over the cap. Sources run concurrently, so there is one runner per command
 * in flight, up to a few; more wait their turn. A runner that dies is replaced at the next
 * command (the command it was running gets an error); one idle for a minute is ended.
 *
 * Falls back to execFile (runCommand) when the shell is missing or runners keep dying, and for
 * an argument a runner cannot carry (a newline or NUL).
 */
import { existsSync } from "node:fs";
import {
  type CommandResult,
  commandEnv,
  commandFailed,
  DEFAULT_MAX_COMMAND_OUTPUT,
  notInstalled,
  overOutputLimit,
  runCommand,
  timedOut,
} from "../runCommand.js";
import { ExecutableFinder } from "./findExecutable.js";
import { type RunnerOutcome, ShellRunner } from "./shellRunner.js";

export interface CommandRunnerPoolOptions {
  timeoutMs: number;
  /** The directories searched for commands, in order; default the agent's own PATH. */
  searchPath?: readonly string[];
  maxBytes?: number;
  /** Default /bin/sh, present on every gateway. */
  shell?: string;
  maxRunners?: number;
}

/**
 * Commands in flight at once: the sources that run commands (neighbours, bridge, Wi-Fi, router,
 * traffic) plus a ping per target; past it commands queue, which costs wall time, not CPU.
 */
export const DEFAULT_MAX_RUNNERS = 8;

/** A runner unused this long is ended: the extra runners of a burst do not stay around. */
export const RUNNER_IDLE_MS = 60_000;

/** After SIGKILL a command's end is reported at once; a runner silent this long is killed itself. */
export const KILL_GRACE_MS = 2_000;

/** Runners that die this many times in a row without finishing a command: use execFile instead. */
const RUNNER_FAILURES_BEFORE_FALLBACK = 3;

/** What the shell reports for a command it could not execute (gone between lookup and exec). */
const SHELL_NOT_FOUND_STATUS = 127;

const UNSENDABLE = /[\n\0]/;

interface Waiting {
  resolve: (runner: ShellRunner | null) => void;
}

export class CommandRunnerPool {
  readonly #options: Required<Omit<CommandRunnerPoolOptions, "searchPath">> & {
    searchPath?: readonly string[];
  };
  readonly #finder: ExecutableFinder;
  readonly #env: NodeJS.ProcessEnv;
  readonly #runners: ShellRunner[] = [];
  readonly #queue: Waiting[] = [];
  #fallback: boolean;
  #failuresInARow = 0;

  constructor(options: CommandRunnerPoolOptions) {
    this.#options = {
      shell: "/bin/sh",
      maxBytes: DEFAULT_MAX_COMMAND_OUTPUT,
      maxRunners: DEFAULT_MAX_RUNNERS,
      ...options,
    };
    this.#env = commandEnv(options.searchPath);
    this.#finder = new ExecutableFinder(
      options.searchPath ?? (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":"),
    );
    this.#fallback = !existsSync(this.#options.shell);
  }

  /** Whether commands go through execFile (no shell, or runners that keep failing). */
  get usesFallback(): boolean {
    return this.#fallback;
  }

  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    if (this.#fallback || UNSENDABLE.test(command) || args.some((a) => UNSENDABLE.test(a))) {
      return this.#execFile(command, args);
    }
    const lookup = this.#finder.find(command);
    if ("absent" in lookup) return notInstalled(command);
    if ("denied" in lookup) {
      return {
        status: "error",
        error: `${command} ${args.join(" ")} failed: spawn ${command} EACCES`.slice(0, 250),
      };
    }
    const argv = [lookup.path, ...args];
    const acquired = this.#acquire();
    const runner = acquired instanceof Promise ? await acquired : acquired;
    if (runner === null) return this.#execFile(command, args);
    const outcome = await this.#runWithTimeout(runner, argv);
    if (outcome === "timeout") return timedOut(command, this.#options.timeoutMs);
    if (outcome.kind === "runner-gone") {
      if (this.#fallback) return this.#execFile(command, args);
      return { status: "error", error: `${command} ${args.join(" ")} failed: ${outcome.why}`.slice(0, 250) };
    }
    if (outcome.stdout === null) return overOutputLimit(command);
    if (outcome.status === 0) return { status: "ok", stdout: outcome.stdout };
    if (outcome.status === SHELL_NOT_FOUND_STATUS && !existsSync(lookup.path)) {
      this.#finder.forget(command);
      return notInstalled(command);
    }
    return commandFailed(command, args, outcome.stderr, outcome.stdout);
  }

  /** Ends every runner (each after its current command); later commands start new ones. */
  stop(): void {
    for (const runner of this.#runners) runner.stop();
  }

  #execFile(command: string, args: readonly string[]): Promise<CommandResult> {
    const { timeoutMs, maxBytes, searchPath } = this.#options;
    return runCommand(command, args, { timeoutMs, maxBytes, ...(searchPath ? { searchPath } : {}) });
  }

  /** The timeout runs from when the command is handed to a runner, as execFile's runs from spawn. */
  #runWithTimeout(runner: ShellRunner, argv: readonly string[]): Promise<RunnerOutcome | "timeout"> {
    return new Promise((resolve) => {
      let grace: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        resolve("timeout");
        runner.killCommand();
        grace = setTimeout(() => runner.kill(), KILL_GRACE_MS);
        grace.unref();
      }, this.#options.timeoutMs);
      runner.run(argv, (outcome) => {
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        resolve(outcome);
        // Only now, even after a timeout: the runner is free once the command's end is reported.
        this.#release(runner);
      });
    });
  }

  /**
   * An idle runner, a new one if there is room, else (a promise of) the next to become free; null:
   * use execFile. Synchronous when a runner is at hand, as it nearly always is: no promise to wait on.
   */
  #acquire(): ShellRunner | null | Promise<ShellRunner | null> {
    let runner: ShellRunner | null = null;
    for (const r of this.#runners) {
      if (r.available) {
        runner = r;
        break;
      }
    }
    if (runner === null) {
      if (this.#runners.length >= this.#options.maxRunners) {
        // #release marks the runner it hands over as reserved.
        return new Promise<ShellRunner | null>((resolve) => this.#queue.push({ resolve }));
      }
      runner = this.#start();
    }
    if (runner) runner.reserved = true;
    return runner;
  }

  #start(): ShellRunner | null {
    try {
      const runner = new ShellRunner({
        shell: this.#options.shell,
        env: this.#env,
        maxBytes: this.#options.maxBytes,
        onExit: (r) => this.#onRunnerExit(r),
      });
      this.#runners.push(runner);
      return runner;
    } catch {
      // No private directory (temp not writable) or no process: execFile needs neither.
      return null;
    }
  }

  /** Hands the runner to the next waiting command, or leaves it idle (ending others idle too long). */
  #release(runner: ShellRunner): void {
    const next = this.#queue.shift();
    if (next) {
      const free = runner.available ? runner : this.#fallback ? null : this.#start();
      if (free) free.reserved = true;
      next.resolve(free);
      // With no runner at all the rest of the queue goes to execFile too.
      if (free === null) for (const waiting of this.#queue.splice(0)) waiting.resolve(null);
      return;
    }
    const now = performance.now();
    for (const other of this.#runners) {
      if (other !== runner && other.available && now - other.lastUsed >= RUNNER_IDLE_MS) other.stop();
    }
  }

  #onRunnerExit(runner: ShellRunner): void {
    const at = this.#runners.indexOf(runner);
    if (at >= 0) this.#runners.splice(at, 1);
    if (runner.completed > 0) this.#failuresInARow = 0;
    else if (runner.failedToStart || ++this.#failuresInARow >= RUNNER_FAILURES_BEFORE_FALLBACK) {
      this.#fallback = true;
    }
  }
}
