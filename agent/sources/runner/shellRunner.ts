/**
 * One command runner process (runnerScript.ts): a small shell that runs the commands it is sent
 * one at a time, its output in two files of a private directory (0700) in memory: /dev/shm where
 * there is one, else the temp directory (tmpfs on OpenWrt). On a disk file system each output
 * would cost the agent a journalled create and unlink. The agent reads and deletes the files as
 * soon as a command has ended, so no output outlives the cycle that asked for it. (Deleted, not
 * emptied in place: a killed command's leftover child may still hold the file and write to it.)
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
import { childOf } from "./childProcesses.js";
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

/** Called once with how the command sent to a runner ended. */
export type RunnerDone = (outcome: RunnerOutcome) => void;

/** While a kill is asked for before the runner has started the command: how often to look again. */
const PID_POLL_MS = 5;

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
  readonly #outPath: string;
  readonly #errPath: string;
  #inFlight: RunnerDone | null = null;
  /** Set while a kill was asked for and the command's pid is not known yet. */
  #killPoll: NodeJS.Timeout | null = null;
  /** An incomplete line of the runner's output (a pipe may split one). */
  #pending: Buffer | null = null;
  #gone = false;
  #stopping = false;
  #startError: string | null = null;

  constructor(options: ShellRunnerOptions) {
    this.#maxBytes = options.maxBytes;
    this.dir = mkdtempSync(join(outputBase(), "leaseline-commands-"));
    this.#outPath = join(this.dir, "out");
    this.#errPath = join(this.dir, "err");
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
    stdout.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#child.on("error", (error) => {
      this.#startError = error.message;
    });
    this.#child.on("close", (code, signal) => {
      this.#gone = true;
      forgetRunner(this);
      this.removeDir();
      const why = this.#startError ?? `the command runner ended (${signal ?? `exit ${code}`})`;
      const inFlight = this.#inFlight;
      this.#endInFlight();
      inFlight?.({ kind: "runner-gone", why });
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

  /**
   * Runs argv (argv[0] an absolute path; no argument may contain a newline), one at a time; `done`
   * is called once, never synchronously. A callback, not a promise: this is on every command's path.
   */
  run(argv: readonly string[], done: RunnerDone): void {
    if (this.#inFlight) throw new Error("command runner is busy");
    this.reserved = false;
    if (this.#gone || this.#stopping) {
      queueMicrotask(() => done({ kind: "runner-gone", why: "the command runner has ended" }));
      return;
    }
    this.#inFlight = done;
    (this.#child.stdin as Socket).write(`${argv.length}\n${argv.join("\n")}\n`);
  }

  /** SIGKILLs the running command, now or as soon as the runner has started it. */
  killCommand(): void {
    if (!this.#inFlight || this.#killPoll) return;
    if (this.#killRunning()) return;
    this.#killPoll = setInterval(() => {
      if (!this.#inFlight || this.#killRunning()) this.#stopKillPoll();
    }, PID_POLL_MS);
    this.#killPoll.unref();
  }

  /** Asks the runner to end once its current command is done. */
  stop(): void {
    this.#stopping = true;
    this.#child.stdin?.end();
  }

  /** Ends the runner and its command at once; safe to call from a process "exit" handler. */
  kill(): void {
    if (this.#inFlight) this.#killRunning();
    if (this.#child.pid !== undefined && !this.#gone) killQuietly(this.#child.pid);
    this.removeDir();
  }

  removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Kills the running command, the runner's child; false if the runner has not started it yet. */
  #killRunning(): boolean {
    const runner = this.#child.pid;
    const pid = runner === undefined ? null : childOf(runner);
    if (pid === null) return false;
    killQuietly(pid);
    return true;
  }

  #stopKillPoll(): void {
    if (this.#killPoll) clearInterval(this.#killPoll);
    this.#killPoll = null;
  }

  #endInFlight(): void {
    this.#inFlight = null;
    this.#stopKillPoll();
  }

  /** The runner's stdout is bytes, scanned for newlines: no string decoder on the way. */
  #onData(chunk: Buffer): void {
    let data = chunk;
    if (this.#pending) {
      data = Buffer.concat([this.#pending, chunk]);
      this.#pending = null;
    }
    let start = 0;
    let newline = data.indexOf(NEWLINE);
    while (newline >= 0) {
      this.#onLine(data, start, newline);
      start = newline + 1;
      newline = data.indexOf(NEWLINE, start);
    }
    if (start < data.length) this.#pending = data.subarray(start);
  }

  /** `X <status>` in data[start, end): the command has ended. */
  #onLine(data: Buffer, start: number, end: number): void {
    const done = this.#inFlight;
    if (!done || end - start < 3 || data[start] !== X || data[start + 1] !== SPACE) return;
    const status = parseDigits(data, start + 2, end);
    if (status === null) return;
    this.#endInFlight();
    this.lastUsed = performance.now();
    this.completed++;
    done(this.#collect(status));
  }

  /** Reads and deletes the ended command's output files. */
  #collect(status: number): RunnerOutcome {
    let stdout: string | null = null;
    let stderr = "";
    try {
      const bytes = readFileSync(this.#outPath);
      if (bytes.length <= this.#maxBytes) stdout = bytes.toString("utf8");
      if (status !== 0) stderr = readStart(this.#errPath, STDERR_READ_BYTES);
    } catch {
      // The shell could not create the files (directory removed, disk full): an empty output.
      stdout ??= "";
    }
    unlinkQuietly(this.#outPath);
    unlinkQuietly(this.#errPath);
    return { kind: "exited", status, stdout, stderr };
  }
}

const NEWLINE = 0x0a;
const X = 0x58;
const SPACE = 0x20;
const ZERO = 0x30;

/** A non-negative decimal in data[start, end), else null. */
function parseDigits(data: Buffer, start: number, end: number): number | null {
  if (end <= start || end - start > 15) return null;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (data[i] as number) - ZERO;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
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
