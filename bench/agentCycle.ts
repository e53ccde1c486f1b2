/**
 * Agent CPU per collection cycle for a gateway with many devices. A simulated gateway (in this
 * process) writes its real-format files and bin/ commands; the agent's own source path reads
 * them in a separate worker process, as on a gateway, so the agent's figure is not inflated by
 * the simulator's memory (forking costs the parent time in proportion to its size). CPU is the
 * worker's user+system time around collectSnapshot, reported twice: with the commands run for
 * real (the commands' own processes excluded, the agent's side of starting them included), and
 * with the same command outputs replayed from memory, which is the agent's own work (reading,
 * parsing, joining) without process creation. The worker's clock is the simulated gateway's, so
 * the sources' refresh intervals (iw dev, survey, bridge fdb) pass as they would on a gateway
 * polled every POLL_MS; the processes started per cycle are counted, since each one costs the
 * agent about a millisecond. Each variant has its own sources, hence its own remembered outputs.
 *
 *   npm run build && node dist/bench/agentCycle.js [devices=250] [cycles=60] [sources=auto]
 *
 * `sources` is a --sources list (e.g. dnsmasq,ip-neigh,bridge-fdb,proc-net-dev,iw) to compare
 * runs while other sources are being added to auto-detection.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectSnapshot } from "../agent/collectSnapshot.js";
import { parseSourceList, SourceSelection } from "../agent/sources/registry.js";
import type { CommandResult } from "../agent/sources/runCommand.js";
import type { SourceContext } from "../agent/sources/source.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { SimulatedGateway } from "../simulator/index.js";

const WARMUP = 5;
const GATEWAY = "gw-bench";
/** The agent's default --poll: a cycle every 5 s of gateway time. */
const POLL_MS = 5_000;

interface CycleResult {
  cpuMs: number;
  replayedCpuMs: number;
  /** Commands run for real in this cycle: one process each. */
  processes: number;
  counts: string;
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
  let processes = 0;
  const recording: SourceContext = {
    ...real,
    runCommand: async (command, args) => {
      processes++;
      const result = await real.runCommand(command, args);
      outputs.set(`${command} ${args.join(" ")}`, result);
      return result;
    },
  };
  const replaying: SourceContext = {
    ...real,
    runCommand: async (command, args) =>
      outputs.get(`${command} ${args.join(" ")}`) ?? { status: "absent", reason: "not recorded" },
  };
  const names = parseSourceList(sourceList);
  const sources = await new SourceSelection(names, {}).current(real);
  const replayedSources = await new SourceSelection(names, {}).current(real);
  process.on("message", async (message: { now: number }) => {
    gatewayNow = message.now;
    processes = 0;
    let before = process.cpuUsage();
    const { snapshot: s } = await collectSnapshot(sources, recording, GATEWAY);
    const used = process.cpuUsage(before);
    before = process.cpuUsage();
    await collectSnapshot(replayedSources, replaying, GATEWAY);
    const replayed = process.cpuUsage(before);
    const counts =
      `${s.leases.length} leases, ${s.neighbors.length} neighbours, ${s.stations.length} stations, ` +
      `${s.interfaces.length} interfaces; sources ${s.sources.map((x) => `${x.source}:${x.status}`).join(" ")}`;
    process.send?.({
      cpuMs: (used.user + used.system) / 1000,
      replayedCpuMs: (replayed.user + replayed.system) / 1000,
      processes,
      counts,
    } satisfies CycleResult);
  });
  process.send?.("ready");
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 250);
  const cycles = Number(process.argv[3] ?? 60);
  const sourceList = process.argv[4] ?? "auto";
  parseSourceList(sourceList); // refuse an unknown name before starting anything
  const dir = mkdtempSync(join(tmpdir(), "leaseline-bench-agent-"));
  const gateway = new SimulatedGateway({ root: dir, gatewayId: GATEWAY, devices, seed: 7, realtime: false });
  try {
    await gateway.start();
    gateway.advance(10 * 60_000); // let the household arrive
    const child = fork(new URL(import.meta.url).pathname, ["--worker", join(dir, GATEWAY), sourceList], {
      stdio: "inherit",
    });
    const next = () =>
      new Promise<CycleResult | "ready">((resolve) =>
        child.once("message", (m) => resolve(m as CycleResult)),
      );
    await next();
    const samples: number[] = [];
    const replayedSamples: number[] = [];
    const processes: number[] = [];
    let counts = "";
    for (let i = 0; i < WARMUP + cycles; i++) {
      gateway.advance(POLL_MS);
      child.send({ now: gateway.clockMs() });
      const result = (await next()) as CycleResult;
      if (i >= WARMUP) {
        samples.push(result.cpuMs);
        replayedSamples.push(result.replayedCpuMs);
        processes.push(result.processes);
      }
      counts = result.counts;
    }
    // Disconnecting lets the worker end by itself, so a --cpu-prof given to the bench (forked
    // workers inherit execArgv) also writes the worker's profile.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.disconnect();
    await exited;
    console.log(`agent cycle, ${devices} simulated devices: ${counts}`);
    console.log(`agent CPU per cycle over ${cycles} cycles, ms:`);
    console.log(`  commands run for real (their own processes excluded)  ${summary(samples)}`);
    console.log(`  command outputs replayed (reading, parsing, joining)   ${summary(replayedSamples)}`);
    console.log(
      `processes started per cycle (one ${POLL_MS / 1000} s poll each): ${processSummary(processes)}`,
    );
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  return `median ${pick(0.5)}  p95 ${pick(0.95)}  max ${pick(1)}`;
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
