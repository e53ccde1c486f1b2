/**
 * Network namespaces for tests that need a real kernel (bridges, neighbours, DHCP): names unique
 * to the test process, the checks for what such a test needs, and the clean-up of namespaces an
 * earlier, crashed run left behind. Nothing a test does in its namespaces reaches the machine's
 * own network.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";

export function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin")
    .split(":")
    .concat(["/usr/sbin", "/sbin"])
    .some((dir) => dir !== "" && existsSync(join(dir, cmd)));
}

/** A prefix for this process's namespaces: `<prefix>-<pid>-<random>`, then a suffix per namespace. */
export function namespaceRun(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
}

export function deleteNamespace(name: string): void {
  spawnSync("ip", ["netns", "del", name], { timeout: 5000 });
}

/** Deletes the namespaces named by namespaceRun(prefix) whose process is gone (a crash skipped their cleanup). */
export function removeLeftoverNamespaces(prefix: string): void {
  const list = sh("ip", ["netns", "list"]).out;
  for (const line of list.split("\n")) {
    const m = new RegExp(`^(${prefix}-(\\d+)-[a-z0-9]+-[a-z0-9]+)\\b`).exec(line);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      deleteNamespace(m[1] as string);
    }
  }
}

/** What is missing to run a namespace test with these commands: root, the commands, the right to make namespaces. */
export function namespaceRequirements(run: string, commands: readonly string[]): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root");
  for (const cmd of ["ip", ...commands]) if (!onPath(cmd)) missing.push(cmd);
  if (missing.length === 0) {
    const probe = `${run}-probe`;
    if (!sh("ip", ["netns", "add", probe]).ok) missing.push("permission to create network namespaces");
    deleteNamespace(probe);
  }
  return missing;
}

/** Under CI=true a namespace test must not skip: its missing requirements fail the run instead. */
export function failUnderCiWhenMissing(title: string, missing: readonly string[], install: string): void {
  if (missing.length === 0 || process.env.CI !== "true") return;
  describe(title, () => {
    it("has its requirements under CI", () => {
      throw new Error(`missing: ${missing.join(", ")} (${install})`);
    });
  });
}
