/**
 * One command runner process (runnerScript.ts): a small shell that runs the commands it is sent
 * one at a time, its output in two files of a private directory (0700) in memory: /dev/shm where
 * there is one, else the temp directory (tmpfs on OpenWrt). On a disk file system each output
 * would cost the agent a journalled create and unlink. The agent reads and deletes the files as
 * soon as a command has ended, so no output outlives the cycle that asked for it.
 *
 * The runner is its own process group (a Ctrl-C meant for the agent is the agent's to handle),
 * does not keep the agent's event loop alive, and ends when its input closes: when the agent
 * stops it, exits, or dies. Everything here is synchronous or one pipe message, since the
 * point is to spend as little of the agent's CPU per command as possible.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  unlinkSync,
} from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetRunner, registerRunner } from "./liveRunners.js";
import { outputCapBlocks, RUNNER_NAME, RUNNER_SCRIPT } from "./runnerScript.js";

export interface ShellRunnerOptions {
  /** The POSIX shell to run the script with. */
  shell: string;
  /** The environment commands see (PATH, LC_ALL). */
  env: NodeJS.ProcessEnv;
  maxBytes: number;
  /** Called once when the runner process has gone (after any in-flight command was answered). */
  onExit: (runner: ShellRunner) => void;
}

/** How a command sent to the runner ended. */
export type RunnerOutcome =
  | {
      kind: "exited";
      /** The shell's exit status: the command's, or 128 + the signal that ended it. */
      status: number;
      /** Null when the command wrote more than the cap. */
      stdout: string | null;
      /** Read only for a non-zero status, the only case that reports it. */
      stderr: string;
    }
  /** The runner itself ended (killed, or could not start) before the command's end was reported. */
  | { kind: "runner-gone"; why: string };

interface InFlight {
  resolve: (outcome: RunnerOutcome) => void;
  /** The command's process id, once the runner has reported it. */
  pid: number | null;
  killRequested: boolean;
}

export class ShellRunner {
  readonly dir: string;
  /** performance.now() of the last command's end (or the start). */
  lastUsed = performance.now();
  /** Commands whose end the runner reported. */
  completed = 0;
  /** Promised to a command that has not been sent yet (the pool hands runners out asynchronously). */
  reserved = false;
  #child: ChildProcess;
  #maxBytes: number;
  #inFlight: InFlight | null = null;
  #pending = "";
  #gone = false;
  #stopping = false;
  #startError: string | null = null;

  constructor(options: ShellRunnerOptions) {
    this.#maxBytes = options.maxBytes;
    this.dir = mkdtempSync(join(outputBase(), "leaseline-commands-"));
    const cleanupPath = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
    this.#child = spawn(
      options.shell,
      ["-c", RUNNER_SCRIPT, RUNNER_NAME, this.dir, String(outputCapBlocks(options.maxBytes)), cleanupPath],
      { stdio: ["pipe", "pipe", "ignore"], env: options.env, detached: true },
    );
    registerRunner(this);
    this.#child.unref();
    const stdin = this.#child.stdin as Socket;
    const stdout = this.#child.stdout as Socket;
    stdin.unref();
    stdout.unref();
    // A write to a runner that just died fails with EPIPE; its exit is handled below.
    stdin.on("error", () => {});
    stdout.setEncoding("latin1");
    stdout.on("data", (chunk: string) => this.#onData(chunk));
    this.#child.on("error", (error) => {
      this.#startError = error.message;
    });
    this.#child.on("close", (code, signal) => {
      this.#gone = true;
      forgetRunner(this);
      this.removeDir();
      const why = this.#startError ?? `the command runner ended (${signal ?? `exit ${code}`})`;
      const inFlight = this.#inFlight;
      this.#inFlight = null;
      inFlight?.resolve({ kind: "runner-gone", why });
      options.onExit(this);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get busy(): boolean {
    return this.#inFlight !== null;
  }

  get gone(): boolean {
    return this.#gone;
  }

  /** Free for a command: not running one, not ending. */
  get available(): boolean {
    return this.#inFlight === null && !this.reserved && !this.#gone && !this.#stopping;
  }

  /** Whether it failed to start at all (the shell is missing): the caller should stop using runners. */
  get failedToStart(): boolean {
    return this.#startError !== null && this.#child.pid === undefined;
  }

  /** Runs argv (argv[0] an absolute path; no argument may contain a newline). One at a time. */
  run(argv: readonly string[]): Promise<RunnerOutcome> {
    if (this.#inFlight) throw new Error("command runner is busy");
    this.reserved = false;
    if (this.#gone || this.#stopping) {
      return Promise.resolve({ kind: "runner-gone", why: "the command runner has ended" });
    }
    return new Promise((resolve) => {
      this.#inFlight = { resolve, pid: null, killRequested: false };
      (this.#child.stdin as Socket).write(`${argv.length}\n${argv.join("\n")}\n`);
    });
  }

  /** SIGKILLs the running command, now or as soon as its pid is known. */
  killCommand(): void {
    const inFlight = this.#inFlight;
    if (!inFlight) return;
    inFlight.killRequested = true;
    if (inFlight.pid !== null) killQuietly(inFlight.pid);
  }

  /** Asks the runner to end once its current command is done. */
  stop(): void {
    this.#stopping = true;
    this.#child.stdin?.end();
  }

  /** Ends the runner and its command at once; safe to call from a process "exit" handler. */
  kill(): void {
    if (this.#inFlight?.pid) killQuietly(this.#inFlight.pid);
    if (this.#child.pid !== undefined && !this.#gone) killQuietly(this.#child.pid);
    this.removeDir();
  }

  removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #onData(chunk: string): void {
    this.#pending += chunk;
    let newline = this.#pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.#pending.slice(0, newline);
      this.#pending = this.#pending.slice(newline + 1);
      this.#onLine(line);
      newline = this.#pending.indexOf("\n");
    }
  }

  #onLine(line: string): void {
    const inFlight = this.#inFlight;
    if (!inFlight) return;
    const value = Number(line.slice(2));
    if (line.startsWith("P ") && Number.isSafeInteger(value) && value > 0) {
      inFlight.pid = value;
      if (inFlight.killRequested) killQuietly(value);
    } else if (line.startsWith("X ") && Number.isSafeInteger(value)) {
      this.#inFlight = null;
      this.lastUsed = performance.now();
      this.completed++;
      inFlight.resolve(this.#collect(value));
    }
  }

  /** Reads and deletes the ended command's output files. */
  #collect(status: number): RunnerOutcome {
    const outPath = join(this.dir, "out");
    const errPath = join(this.dir, "err");
    let stdout: string | null = null;
    let stderr = "";
    try {
      const bytes = readFileSync(outPath);
      if (bytes.length <= this.#maxBytes) stdout = bytes.toString("utf8");
      if (status !== 0) stderr = readStart(errPath, STDERR_READ_BYTES);
    } catch {
      // The shell could not create the files (directory removed, disk full): an empty output.
      stdout ??= "";
    }
    unlinkQuietly(outPath);
    unlinkQuietly(errPath);
    return { kind: "exited", status, stdout, stderr };
  }
}

/** Shared memory (tmpfs on every Linux with glibc or musl, and on OpenWrt), when it is usable. */
const SHARED_MEMORY = "/dev/shm";
let base: string | null = null;

function outputBase(): string {
  if (base === null) {
    try {
      if (!statSync(SHARED_MEMORY).isDirectory()) throw new Error("not a directory");
      accessSync(SHARED_MEMORY, constants.W_OK | constants.X_OK);
      base = SHARED_MEMORY;
    } catch {
      base = tmpdir();
    }
  }
  return base;
}

/** Only stderr's first line is reported; a command that writes megabytes there is not read whole. */
const STDERR_READ_BYTES = 64 * 1024;

function readStart(path: string, maxBytes: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(maxBytes);
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, maxBytes, 0));
  } finally {
    closeSync(fd);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not created
  }
}
