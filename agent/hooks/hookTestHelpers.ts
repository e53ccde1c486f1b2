/**
 * Runs leaseline-dhcp-hook.sh the way a DHCP server does, under each POSIX shell on this
 * machine, for the hook's tests. Test-only helper (not imported by the agent).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";

export const HOOK = join(import.meta.dirname, "leaseline-dhcp-hook.sh");

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** [label, argv prefix] for sh and, when installed, dash and BusyBox ash. */
export function shells(): [string, string[]][] {
  const found: [string, string[]][] = [["sh", ["sh"]]];
  const sh = which("sh");
  const dash = which("dash");
  // Debian's sh is dash: run it once.
  if (dash && (!sh || realpathSync(sh) !== realpathSync(dash))) found.push(["dash", ["dash"]]);
  if (which("busybox")) found.push(["busybox sh", ["busybox", "sh"]]);
  return found;
}

export interface HookRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runHook(
  shell: string[],
  spool: string,
  args: string[],
  env: Record<string, string> = {},
): HookRun {
  const [cmd, ...pre] = shell as [string, ...string[]];
  const result = spawnSync(cmd, [...pre, HOOK, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LEASELINE_SPOOL: spool, ...env },
    encoding: "utf8",
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Event files in the spool (not dot-files), in name order, with their text. */
export function spoolFiles(spool: string): { name: string; text: string }[] {
  return readdirSync(spool)
    .filter((n) => !n.startsWith("."))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(spool, name), "utf8") }));
}
