/**
 * Runs a gateway command (iw, ip, bridge, ubus, ...) without a shell, with a timeout and an
 * output cap. A binary that is not installed is reported as absent, not as an error, because
 * gateways differ in what they ship.
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

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  if (options.searchPath) env.PATH = options.searchPath.join(":");
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBytes ?? DEFAULT_MAX_COMMAND_OUTPUT,
        env,
        killSignal: "SIGKILL",
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ status: "ok", stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return resolve({ status: "absent", reason: `${command} is not installed` });
        if (error.killed)
          return resolve({ status: "error", error: `${command} timed out after ${options.timeoutMs} ms` });
        if (code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
          return resolve({ status: "error", error: `${command} printed more than the output limit` });
        }
        const detail = String(stderr).trim().split("\n")[0] ?? "";
        resolve({
          status: "error",
          error: `${command} ${args.join(" ")} failed: ${detail || error.message}`.slice(0, 250),
        });
      },
    );
  });
}
