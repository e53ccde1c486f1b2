import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandResult, runCommand } from "../runCommand.js";
import { CommandRunnerPool } from "./commandRunnerPool.js";
import { liveRunners } from "./liveRunners.js";

let dir: string;
const pools: CommandRunnerPool[] = [];

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function pool(options: Partial<ConstructorParameters<typeof CommandRunnerPool>[0]> = {}): CommandRunnerPool {
  const p = new CommandRunnerPool({ timeoutMs: 5000, searchPath: [dir, "/usr/bin", "/bin"], ...options });
  pools.push(p);
  return p;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (condition()) return true;
  return condition();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "leaseline-runner-test-"));
  script("args", `for a in "$@"; do printf '[%s]\\n' "$a"; done`);
  script("fail", "echo partial summary; echo 'first complaint' >&2; echo second >&2; exit 3");
  script("quiet-fail", "exit 4");
  script("big", "i=0; while [ $i -lt 200 ]; do printf '%050d\\n' $i; i=$((i + 1)); done");
  script("pidsleep", 'echo $$ > "$1"; exec sleep 30');
  script("slow", 'sleep 0.3; echo "$1"');
  script("env", 'printf "%s|%s\\n" "$LC_ALL" "$PATH"');
  writeFileSync(join(dir, "not-executable"), "#!/bin/sh\necho no\n");
});

afterAll(async () => {
  for (const p of pools) p.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("CommandRunnerPool", () => {
  it("passes arguments as data: spaces, quotes, $(...), ;, globs and backslashes reach the command unchanged", async () => {
    const args = [
      "a b",
      "'single'",
      '"double"',
      "$(touch /tmp/leaseline-pwned)",
      "; exit 9",
      "*",
      "\\n",
      "",
      "-c",
    ];
    const result = await pool().run("args", args);
    expect(result).toEqual({ status: "ok", stdout: args.map((a) => `[${a}]\n`).join("") });
    expect(existsSync("/tmp/leaseline-pwned")).toBe(false);
  });

  it("gives exactly what execFile gives, for success, failure with and without stderr, absence and permissions", async () => {
    const p = pool();
    const searchPath = [dir, "/usr/bin", "/bin"];
    const cases: [string, string[]][] = [
      ["args", ["x"]],
      ["fail", []],
      ["quiet-fail", ["with", "args"]],
      ["no-such-command", ["dev"]],
      [join(dir, "no-such-file"), []],
      ["not-executable", []],
      ["env", []],
    ];
    for (const [command, args] of cases) {
      const viaRunner = await p.run(command, args);
      const viaExecFile = await runCommand(command, args, { timeoutMs: 5000, searchPath });
      expect({ command, result: viaRunner }).toEqual({ command, result: viaExecFile });
    }
    expect(await p.run("fail", [])).toEqual({
      status: "error",
      error: "fail  failed: first complaint",
      stdout: "partial summary\n",
    } satisfies CommandResult);
    expect(await p.run("env", [])).toEqual({ status: "ok", stdout: `C|${searchPath.join(":")}\n` });
  });

  it("kills a command that outlives the timeout and keeps working", async () => {
    const p = pool({ timeoutMs: 300 });
    const pidFile = join(dir, "sleeper.pid");
    const started = Date.now();
    expect(await p.run("pidsleep", [pidFile])).toEqual({
      status: "error",
      error: "pidsleep timed out after 300 ms",
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    expect(pid).toBeGreaterThan(0);
    expect(await until(() => !alive(pid))).toBe(true);
    expect(await p.run("args", ["after"])).toEqual({ status: "ok", stdout: "[after]\n" });
  });

  it("refuses output over the cap, as execFile's maxBuffer did", async () => {
    const p = pool({ maxBytes: 1000 });
    expect(await p.run("big", [])).toEqual({
      status: "error",
      error: "big printed more than the output limit",
    });
    expect(await runCommand("big", [], { timeoutMs: 5000, maxBytes: 1000, searchPath: [dir] })).toEqual(
      await p.run("big", []),
    );
    expect(await pool({ maxBytes: 20_000 }).run("big", [])).toMatchObject({ status: "ok" });
  });

  it("runs an argument with a newline through execFile, unchanged", async () => {
    expect(await pool().run("args", ["two\nlines", "x"])).toEqual({
      status: "ok",
      stdout: "[two\nlines]\n[x]\n",
    });
  });

  it("runs concurrent commands at once, and queues those beyond its runners", async () => {
    const p = pool({ maxRunners: 4 });
    let started = Date.now();
    const four = await Promise.all([1, 2, 3, 4].map((i) => p.run("slow", [String(i)])));
    expect(four).toEqual([1, 2, 3, 4].map((i) => ({ status: "ok", stdout: `${i}\n` })));
    expect(Date.now() - started).toBeLessThan(1000);
    started = Date.now();
    const eight = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => p.run("slow", [String(i)])));
    expect(eight).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ status: "ok", stdout: `${i}\n` })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it("answers the command in flight with an error when its runner is killed, and starts a new runner", async () => {
    const p = pool();
    await p.run("args", ["warm"]);
    const before = new Set(liveRunners().map((r) => r.pid));
    const inFlight = p.run("slow", ["never"]);
    await sleep(100);
    const runner = liveRunners().find((r) => before.has(r.pid) && existsSync(join(r.dir, "out")));
    expect(runner).toBeDefined();
    process.kill(runner?.pid as number, "SIGKILL");
    expect(await inFlight).toMatchObject({
      status: "error",
      error: expect.stringContaining("command runner ended"),
    });
    expect(await until(() => !existsSync(runner?.dir as string))).toBe(true);
    expect(await p.run("args", ["again"])).toEqual({ status: "ok", stdout: "[again]\n" });
    expect(p.usesFallback).toBe(false);
  });

  it("leaves no files behind once its runners have stopped", async () => {
    const p = pool();
    const before = new Set(liveRunners().map((r) => r.pid));
    await Promise.all([p.run("args", ["a"]), p.run("fail", []), p.run("big", [])]);
    const mine = liveRunners().filter((r) => !before.has(r.pid));
    expect(mine.length).toBeGreaterThan(0);
    p.stop();
    expect(await until(() => mine.every((r) => !alive(r.pid) && !existsSync(r.dir)))).toBe(true);
  });

  it("falls back to execFile without a shell", async () => {
    const p = pool({ shell: join(dir, "no-shell") });
    expect(p.usesFallback).toBe(true);
    expect(await p.run("args", ["x y"])).toEqual({ status: "ok", stdout: "[x y]\n" });
  });

  it("works with BusyBox ash, the shell of OpenWrt", async () => {
    const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((b) => existsSync(b));
    if (!busybox) return;
    const sh = join(dir, "sh");
    if (!existsSync(sh)) symlinkSync(busybox, sh);
    const p = pool({ shell: sh, timeoutMs: 300 });
    const args = ["a b", "$(id)", "'q'", "; x", "\\t", ""];
    expect(await p.run("args", args)).toEqual({ status: "ok", stdout: args.map((a) => `[${a}]\n`).join("") });
    expect(await p.run("fail", [])).toMatchObject({ status: "error", stdout: "partial summary\n" });
    expect(await p.run("pidsleep", [join(dir, "ash.pid")])).toMatchObject({
      error: "pidsleep timed out after 300 ms",
    });
    expect(p.usesFallback).toBe(false);
  });
});

describe("command runners and the agent's process", () => {
  // A separate Node process using the built runner (dist/: build first, as for the CLI tests).
  const built = (file: string) =>
    JSON.stringify(new URL(`../../../dist/agent/sources/runner/${file}`, import.meta.url).href);
  const agentScript = (end: string) => `
    import { CommandRunnerPool } from ${built("commandRunnerPool.js")};
    import { liveRunners } from ${built("liveRunners.js")};
    const pool = new CommandRunnerPool({ timeoutMs: 5000 });
    await pool.run("true", []);
    console.log(JSON.stringify(liveRunners()));
    ${end}
  `;

  /** Starts the agent and waits for its first line (the runners) and, if asked, for a second. */
  async function startAgent(
    end: string,
    ready = false,
  ): Promise<{ child: ChildProcess; runners: { pid: number; dir: string }[] }> {
    const child = spawn(process.execPath, ["--input-type=module", "-e", agentScript(end)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = await new Promise<string[]>((resolve) => {
      let text = "";
      child.stdout?.on("data", (d: Buffer) => {
        text += d.toString();
        const complete = text.split("\n").slice(0, -1);
        if (complete.length >= (ready ? 2 : 1)) resolve(complete);
      });
    });
    return { child, runners: JSON.parse(lines[0] as string) };
  }

  it("ends the runners when the agent exits", async () => {
    const { runners } = await startAgent("");
    expect(runners.length).toBe(1);
    expect(await until(() => runners.every((r) => !alive(r.pid) && !existsSync(r.dir)))).toBe(true);
  });

  it("ends a runner whose agent is killed while its command runs, once the command is done", async () => {
    const { child, runners } = await startAgent(
      'pool.run("sleep", ["1"]); setTimeout(() => console.log("ready"), 200); setInterval(() => {}, 1000);',
      true,
    );
    child.kill("SIGKILL");
    await sleep(300);
    expect(runners.every((r) => alive(r.pid) && existsSync(r.dir))).toBe(true);
    expect(await until(() => runners.every((r) => !alive(r.pid) && !existsSync(r.dir)))).toBe(true);
  });

  it("ends the runners when the agent is killed", async () => {
    const { child, runners } = await startAgent("setInterval(() => {}, 1000);");
    expect(runners.every((r) => alive(r.pid))).toBe(true);
    child.kill("SIGKILL");
    expect(await until(() => runners.every((r) => !alive(r.pid) && !existsSync(r.dir)))).toBe(true);
  });
});
