import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { childOf, childPids } from "./childProcesses.js";

describe("childPids and childOf: a process's children, found in /proc", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A /proc with these processes: pid, command name, parent. */
  function fakeProc(processes: [number, string, number][], children?: Record<number, string>): string {
    const proc = mkdtempSync(join(tmpdir(), "leaseline-proc-"));
    dirs.push(proc);
    mkdirSync(join(proc, "self"));
    for (const [pid, comm, ppid] of processes) {
      mkdirSync(join(proc, String(pid), "task", String(pid)), { recursive: true });
      writeFileSync(
        join(proc, String(pid), "stat"),
        `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 0 0\n`,
      );
      const list = children?.[pid];
      if (list !== undefined) writeFileSync(join(proc, String(pid), "task", String(pid), "children"), list);
    }
    return proc;
  }

  it("reads the kernel's list of children where there is one", () => {
    const proc = fakeProc([[100, "sh", 1]], { 100: "4242 " });
    expect(childOf(100, proc)).toBe(4242);
    expect(childOf(100, fakeProc([[100, "sh", 1]], { 100: "" }))).toBeNull();
  });

  it("finds the process whose parent is the runner where the kernel keeps no list", () => {
    const proc = fakeProc([
      [1, "init", 0],
      [100, "sh", 1],
      [150, "a) 100 (b", 1], // a command name with spaces and parentheses, parent 1
      [200, "iw", 100],
    ]);
    expect(childOf(100, proc)).toBe(200);
    expect(childOf(150, proc)).toBeNull();
    expect(childPids(1, proc).sort((a, b) => a - b)).toEqual([100, 150]);
  });
});
