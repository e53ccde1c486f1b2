/**
 * Runs a gateway command (iw, ip, bridge, ubus, ...) without a shell, with a timeout and an
 * output cap. A binary that is not installed is reported as absent, not as an error, because
 * gateways differ in what they ship.
 *
 * This is the plain execFile way, one fork of the agent per command; the system context runs
 * commands through a small shell runner instead (./runner/), which gives the same results and
 * falls back to this. The messages below are shared so both say exactly the same thing.
 */
import { execFile } from "node:child_process";

export type CommandResult =
  | { status: "ok"; stdout: string }
  | { status: "absent"; reason: string }
  /** `stdout` is what a command that exited non-zero printed (ping prints its summary and exits 1). */
  | { status: "error"; error: string; stdout?: string };

export interface RunCommandOptions {
  timeoutMs: number;
  /** The directories searched for the command, in order; default the agent's own PATH. */
  searchPath?: readonly string[];
  /** Output larger than this is an error: no table on a gateway is that big. */
  maxBytes?: number;
}

/** Generous enough for 5,000-row tables as JSON, small enough to bound the agent's memory. */
export const DEFAULT_MAX_COMMAND_OUTPUT = 16 * 1024 * 1024;

/** The environment commands see: the agent's, in the C locale (parsers expect English and `.` decimals). */
export function commandEnv(searchPath: readonly string[] | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  if (searchPath) env.PATH = searchPath.join(":");
  return env;
}

export function notInstalled(command: string): CommandResult {
  return { status: "absent", reason: `${command} is not installed` };
}

export function timedOut(command: string, timeoutMs: number): CommandResult {
  return { status: "error", error: `${command} timed out after ${timeoutMs} ms` };
}

export function overOutputLimit(command: string): CommandResult {
  return { status: "error", error: `${command} printed more than the output limit` };
}

/** A non-zero exit: the first line of stderr says why (else Node's own "Command failed: ..." wording). */
export function commandFailed(
  command: string,
  args: readonly string[],
  stderr: string,
  stdout: string,
): CommandResult {
  const detail = stderr.trim().split("\n")[0] ?? "";
  const commandLine = args.length > 0 ? `${command} ${args.join(" ")}` : command;
  const why = detail || `Command failed: ${commandLine}\n${stderr}`;
  return { status: "error", error: `${command} ${args.join(" ")} failed: ${why}`.slice(0, 250), stdout };
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBytes ?? DEFAULT_MAX_COMMAND_OUTPUT,
        env: commandEnv(options.searchPath),
        killSignal: "SIGKILL",
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ status: "ok", stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return resolve(notInstalled(command));
        if (error.killed) return resolve(timedOut(command, options.timeoutMs));
        if (code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return resolve(overOutputLimit(command));
        if (typeof code === "number" || error.signal) {
          return resolve(commandFailed(command, args, String(stderr), String(stdout)));
        }
        // Not an exit status: spawn itself failed (EACCES, E2BIG, ...).
        resolve({
          status: "error",
          error: `${command} ${args.join(" ")} failed: ${error.message}`.slice(0, 250),
        });
      },
    );
  });
}
