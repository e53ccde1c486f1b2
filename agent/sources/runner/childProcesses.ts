/**
 * A process's children, from /proc: the kernel's list of children where it keeps one, else every
 * process's parent (kernels without CONFIG_PROC_CHILDREN, as OpenWrt's). The agent needs a
 * runner's command only on a timeout, and the benchmarks the agent's runners, so a scan of /proc
 * is cheap enough.
 */
import { readdirSync, readFileSync } from "node:fs";

export function childPids(parent: number, proc = "/proc"): number[] {
  try {
    const children = readFileSync(`${proc}/${parent}/task/${parent}/children`, "latin1").trim();
    return children === "" ? [] : children.split(" ").map(Number);
  } catch {
    // no such list: look at every process's parent
  }
  const pids: number[] = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`${proc}/${entry}/stat`, "latin1");
      // The parent is the second field after the command name, which may hold spaces and ")".
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** The one child of a runner (the command it runs, or the shell about to exec it); null when none yet. */
export function childOf(parent: number, proc = "/proc"): number | null {
  return childPids(parent, proc)[0] ?? null;
}
