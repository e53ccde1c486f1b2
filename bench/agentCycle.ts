/**
 * Agent CPU per collection cycle for a gateway with many devices, on the agent's own schedule: a
 * poll every 5 s of gateway time (the agent's --poll) whose change check reads the lease servers
 * and the Wi-Fi stations' headers (collectChanges.ts), and a full collection of every source at
 * each 30-s interval (--interval), as when nothing changes in between. A simulated gateway (in
 * this process) writes its real-format files and bin/ commands; the agent's own source path
 * reads them in a separate worker process, as on a gateway, so the agent's figure is not inflated
 * by the simulator's memory (forking costs the parent time in proportion to its size). CPU is the
 * worker's user+system time around each cycle, reported twice: with the commands run for real
 * (the commands' own processes excluded, the agent's side of starting them included), and with
 * the same command outputs replayed from memory, which is the agent's own work (reading,
 * parsing, joining) without process creation. Commands run through the agent's shell command
 * runners (agent/sources/runner/), whose own CPU time is the agent's cost too: it is read from
 * /proc/<pid>/schedstat (ns; the commands, their children, are not in it) around each cycle and
 * reported apart and in the total. The worker's clock is the simulated gateway's, so the sources'
 * refresh intervals (iw dev, survey, bridge fdb) pass as on a gateway; the processes started per
 * cycle are counted per source. Each variant has its own sources, hence its own remembered
 * outputs. Everything is measured twice: with Node's defaults, and with the flags the agent is
 * deployed with (deploy/), whose --lite-mode turns off V8's optimising compiler to save memory
 * and makes the same work several times dearer.
 *
 *   npm run build && node dist/bench/agentCycle.js [devices=250] [cycles=60] [sources=auto]
 *
 * `cycles` counts full collections (each with the change checks of its interval). `sources` is a
 * --sources list (e.g. dnsmasq,ip-neigh,bridge-fdb,proc-net-dev,iw) to weigh sources apart.
 * AGENT_CYCLE_FLAGS="--flag --flag" adds a third variant with those Node flags, to weigh a
 * candidate for the deploy files.
 */
import { fork } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectChanges } from "../agent/collectChanges.js";
import { collectSnapshot } from "../agent/collectSnapshot.js";
import { CONFIG_KEYS } from "../agent/config/configKeys.js";
import { parseSourceList, SourceSelection } from "../agent/sources/registry.js";
import type { CommandResult } from "../agent/sources/runCommand.js";
import { liveRunnerPids } from "../agent/sources/runner/liveRunners.js";
import type { Source, SourceContext } from "../agent/sources/source.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { SimulatedGateway } from "../simulator/index.js";
import { benchHousehold } from "./benchHousehold.js";
import { DEPLOY_NODE_FLAGS } from "./deployNodeFlags.js";

const WARMUP = 5;
const GATEWAY = "gw-bench";

function agentDefaultMs(key: "poll" | "interval"): number {
  return Number(CONFIG_KEYS.find((k) => k.key === key)?.default) * 1000;
}

/** The agent's default --poll (a change check every 5 s) and --interval (a full collection every 30 s). */
const POLL_MS = agentDefaultMs("poll");
const INTERVAL_MS = agentDefaultMs("interval");
const POLLS_PER_INTERVAL = Math.round(INTERVAL_MS / POLL_MS);

type CycleKind = "full" | "check";

interface CycleResult {
  /** The worker's own CPU with commands run for real. */
  cpuMs: number;
  /** The command runners' own CPU in the same cycle. */
  runnerMs: number;
  replayedCpuMs: number;
  /** Commands run for real in this cycle (one process each), by source. */
  processes: Record<string, number>;
  counts: string;
}

/** CPU time of a process so far, ms: schedstat's run time (ns), else user+system ticks from stat. */
function processCpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return 0; // ended in between
    }
  }
}

function runnersCpuMs(): Map<number, number> {
  return new Map(liveRunnerPids().map((pid) => [pid, processCpuMs(pid)]));
}

async function worker(root: string, sourceList: string): Promise<void> {
  let gatewayNow = 0;
  const real = createSystemContext({
    root,
    commandTimeoutMs: 5000,
    commandDirs: [join(root, "bin")],
    clock: () => gatewayNow,
  });
  const outputs = new Map<string, CommandResult>();
  let processes: Record<string, number> = {};
  /** Each source gets a context that counts its commands under its name and remembers their outputs. */
  const recording = (source: string): SourceContext => ({
    ...real,
    runCommand: async (command, args) => {
      processes[source] = (processes[source] ?? 0) + 1;
      const result = await real.runCommand(command, args);
      outputs.set(`${command} ${args.join(" ")}`, result);
      return result;
    },
  });
  const replaying: SourceContext = {
    ...real,
    runCommand: async (command, args) =>
      outputs.get(`${command} ${args.join(" ")}`) ?? { status: "absent", reason: "not recorded" },
  };
  const names = parseSourceList(sourceList);
  const counted = (await new SourceSelection(names, {}).current(real)).map((source): Source => {
    const probe = source.probe;
    return {
      ...source,
      collect: () => source.collect(recording(source.name)),
      ...(probe ? { probe: () => probe(recording(source.name)) } : {}),
    };
  });
  const replayedSources = await new SourceSelection(names, {}).current(real);
  let counts = "";
  process.on("message", async (message: { now: number; kind: CycleKind }) => {
    gatewayNow = message.now;
    processes = {};
    const runnersBefore = runnersCpuMs();
    let before = process.cpuUsage();
    if (message.kind === "full") {
      const { snapshot: s } = await collectSnapshot(counted, real, GATEWAY);
      counts =
        `${s.leases.length} leases, ${s.neighbors.length} neighbours, ${s.stations.length} stations, ` +
        `${s.interfaces.length} interfaces, ${s.traffic?.length ?? 0} traffic, ${s.lineQuality?.length ?? 0} ping targets; ` +
        `sources ${s.sources.map((x) => `${x.source}:${x.status}`).join(" ")}`;
    } else {
      await collectChanges(counted, real);
    }
    const used = process.cpuUsage(before);
    let runnerMs = 0;
    for (const [pid, ms] of runnersCpuMs()) runnerMs += ms - (runnersBefore.get(pid) ?? 0);
    before = process.cpuUsage();
    if (message.kind === "full") await collectSnapshot(replayedSources, replaying, GATEWAY);
    else await collectChanges(replayedSources, replaying);
    const replayed = process.cpuUsage(before);
    process.send?.({
      cpuMs: (used.user + used.system) / 1000,
      runnerMs,
      replayedCpuMs: (replayed.user + replayed.system) / 1000,
      processes,
      counts,
    } satisfies CycleResult);
  });
  process.send?.("ready");
}

/** How the worker's Node runs: with V8's defaults, and with the flags the agent is deployed with. */
const VARIANTS = [
  { label: "Node defaults", flags: [] as string[] },
  { label: `as deployed (${DEPLOY_NODE_FLAGS.join(" ")})`, flags: [...DEPLOY_NODE_FLAGS] },
  // A candidate to compare: AGENT_CYCLE_FLAGS="--flag --flag" (space-separated Node flags).
  ...(process.env.AGENT_CYCLE_FLAGS
    ? [
        {
          label: `candidate (${process.env.AGENT_CYCLE_FLAGS})`,
          flags: process.env.AGENT_CYCLE_FLAGS.split(" "),
        },
      ]
    : []),
];

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 250);
  const cycles = Number(process.argv[3] ?? 60);
  const sourceList = process.argv[4] ?? "auto";
  parseSourceList(sourceList); // refuse an unknown name before starting anything
  for (const variant of VARIANTS) await measure(variant, devices, cycles, sourceList);
}

/** One worker, on a fresh simulated gateway with the same seed, so every variant reads the same household. */
async function measure(
  variant: (typeof VARIANTS)[number],
  devices: number,
  cycles: number,
  sourceList: string,
): Promise<void> {
  const dir = mkdtempSync(join(filesBase(), "leaseline-bench-agent-"));
  const gateway = new SimulatedGateway({ ...benchHousehold(dir, GATEWAY, devices), realtime: false });
  try {
    await gateway.start();
    gateway.advance(10 * 60_000); // let the household arrive
    const child = fork(new URL(import.meta.url).pathname, ["--worker", join(dir, GATEWAY), sourceList], {
      stdio: "inherit",
      execArgv: [...process.execArgv, ...variant.flags],
    });
    const next = () =>
      new Promise<CycleResult | "ready">((resolve) =>
        child.once("message", (m) => resolve(m as CycleResult)),
      );
    await next();
    const results: Record<CycleKind, CycleResult[]> = { full: [], check: [] };
    let counts = "";
    for (let i = 0; i < (WARMUP + cycles) * POLLS_PER_INTERVAL; i++) {
      gateway.advance(POLL_MS);
      const kind: CycleKind = i % POLLS_PER_INTERVAL === 0 ? "full" : "check";
      child.send({ now: gateway.clockMs(), kind });
      const result = (await next()) as CycleResult;
      if (i >= WARMUP * POLLS_PER_INTERVAL) results[kind].push(result);
      counts = result.counts;
    }
    // Disconnecting lets the worker end by itself, so a --cpu-prof given to the bench (forked
    // workers inherit execArgv) also writes the worker's profile.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.disconnect();
    await exited;
    console.log(`agent cycle, ${devices} simulated devices (files in ${filesBase()}): ${counts}`);
    console.log(`agent CPU per cycle, ms (the commands' own processes excluded), ${variant.label}:`);
    report(`full collection, every ${INTERVAL_MS / 1000} s (${cycles} cycles)`, results.full);
    report(`change check, the other polls (${results.check.length} cycles)`, results.check);
    const all = [...results.full, ...results.check];
    const mean = all.reduce((sum, r) => sum + r.cpuMs + r.runnerMs, 0) / all.length;
    console.log(
      `  mean per ${POLL_MS / 1000}-s poll, agent + runners: ${mean.toFixed(2)} ms (${((mean / POLL_MS) * 100).toFixed(3)}% of a core)`,
    );
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One kind of cycle's figures, and the processes its cycles started. */
function report(title: string, results: CycleResult[]): void {
  const column = (f: (r: CycleResult) => number) => summary(results.map(f));
  console.log(`  ${title}:`);
  console.log(`    total: agent + command runners   ${column((r) => r.cpuMs + r.runnerMs)}`);
  console.log(`      agent process                  ${column((r) => r.cpuMs)}`);
  console.log(`      command runners (sh)           ${column((r) => r.runnerMs)}`);
  console.log(
    `    outputs replayed, agent only     ${column((r) => r.replayedCpuMs)}   (reading, parsing, joining)`,
  );
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const bySource = new Map<string, number>();
  for (const r of results)
    for (const [k, v] of Object.entries(r.processes)) bySource.set(k, (bySource.get(k) ?? 0) + v);
  console.log(
    `    processes started per cycle: ${processSummary(results.map((r) => total(r.processes)))}; by source, mean: ` +
      [...bySource].map(([k, v]) => `${k} ${(v / results.length).toFixed(2)}`).join(", "),
  );
}

/**
 * Where the simulated gateway's files go: a gateway's lease file and /tmp are in memory (tmpfs)
 * and /proc and /sys are no disk either, so the files are put in /dev/shm where there is one.
 */
function filesBase(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  return `median ${pick(0.5).padStart(5)}  p95 ${pick(0.95).padStart(5)}  max ${pick(1).padStart(5)}`;
}

/** The mean, and how many cycles started how many processes (refresh cycles start more). */
function processSummary(values: number[]): string {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const cyclesBy = new Map<number, number>();
  for (const v of values) cyclesBy.set(v, (cyclesBy.get(v) ?? 0) + 1);
  const spread = [...cyclesBy]
    .sort((a, b) => a[0] - b[0])
    .map(([n, c]) => `${n} on ${c} cycle${c === 1 ? "" : "s"}`)
    .join(", ");
  return `mean ${mean.toFixed(2)} (${spread})`;
}

if (process.argv[2] === "--worker") await worker(process.argv[3] as string, process.argv[4] ?? "auto");
else await main();
