/**
 * Every command runner this process has started, so that they all end with it: a process
 * "exit" handler kills them and removes their directories (their input closing would end them
 * too, but only once a running command had finished). Also how the benchmarks find the runners'
 * pids to count their CPU time and memory.
 */
import type { ShellRunner } from "./shellRunner.js";

const live = new Set<ShellRunner>();
let exitHandlerInstalled = false;

function killAll(): void {
  for (const runner of live) runner.kill();
  live.clear();
}

export function registerRunner(runner: ShellRunner): void {
  live.add(runner);
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on("exit", killAll);
  }
}

export function forgetRunner(runner: ShellRunner): void {
  live.delete(runner);
}

/** The runners alive now: process id and private directory. */
export function liveRunners(): { pid: number; dir: string }[] {
  return [...live].flatMap((runner) =>
    runner.pid === undefined || runner.gone ? [] : [{ pid: runner.pid, dir: runner.dir }],
  );
}

export function liveRunnerPids(): number[] {
  return liveRunners().map((runner) => runner.pid);
}
