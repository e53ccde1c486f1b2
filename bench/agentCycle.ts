/**
 * Agent CPU per collection cycle for a gateway with many devices. A simulated gateway (in this
 * process) writes its real-format files and bin/ commands; the agent's own source path reads
 * them in a separate worker process, as on a gateway, so the agent's figure is not inflated by
 * the simulator's memory (forking costs the parent time in proportion to its size). CPU is the
 * worker's user+system time around collectSnapshot, reported twice: with the commands run for
 * real (the commands' own processes excluded, the agent's side of starting them included), and
 * with the same command outputs replayed from memory, which is the agent's own work (reading,
 * parsing, joining) without process creation.
 *
 *   npm run build && node dist/bench/agentCycle.js [devices=250] [cycles=60]
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectSnapshot } from "../agent/collectSnapshot.js";
import { SourceSelection } from "../agent/sources/registry.js";
import type { CommandResult } from "../agent/sources/runCommand.js";
import type { SourceContext } from "../agent/sources/source.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { SimulatedGateway } from "../simulator/index.js";

const WARMUP = 5;
const GATEWAY = "gw-bench";

interface CycleResult {
  cpuMs: number;
  replayedCpuMs: number;
  counts: string;
}

async function worker(root: string): Promise<void> {
  const real = createSystemContext({ root, commandTimeoutMs: 5000, commandDirs: [join(root, "bin")] });
  const outputs = new Map<string, CommandResult>();
  const recording: SourceContext = {
    ...real,
    runCommand: async (command, args) => {
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
  const sources = await new SourceSelection("auto", {}).current(real);
  process.on("message", async () => {
    let before = process.cpuUsage();
    const { snapshot: s } = await collectSnapshot(sources, recording, GATEWAY);
    const used = process.cpuUsage(before);
    before = process.cpuUsage();
    await collectSnapshot(sources, replaying, GATEWAY);
    const replayed = process.cpuUsage(before);
    const counts =
      `${s.leases.length} leases, ${s.neighbors.length} neighbours, ${s.stations.length} stations, ` +
      `${s.interfaces.length} interfaces; sources ${s.sources.map((x) => `${x.source}:${x.status}`).join(" ")}`;
    process.send?.({
      cpuMs: (used.user + used.system) / 1000,
      replayedCpuMs: (replayed.user + replayed.system) / 1000,
      counts,
    } satisfies CycleResult);
  });
  process.send?.("ready");
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 250);
  const cycles = Number(process.argv[3] ?? 60);
  const dir = mkdtempSync(join(tmpdir(), "leaseline-bench-agent-"));
  const gateway = new SimulatedGateway({ root: dir, gatewayId: GATEWAY, devices, seed: 7, realtime: false });
  try {
    await gateway.start();
    gateway.advance(10 * 60_000); // let the household arrive
    const child = fork(new URL(import.meta.url).pathname, ["--worker", join(dir, GATEWAY)], {
      stdio: "inherit",
    });
    const next = () =>
      new Promise<CycleResult | "ready">((resolve) =>
        child.once("message", (m) => resolve(m as CycleResult)),
      );
    await next();
    const samples: number[] = [];
    const replayedSamples: number[] = [];
    let counts = "";
    for (let i = 0; i < WARMUP + cycles; i++) {
      gateway.advance(5_000);
      child.send("collect");
      const result = (await next()) as CycleResult;
      if (i >= WARMUP) {
        samples.push(result.cpuMs);
        replayedSamples.push(result.replayedCpuMs);
      }
      counts = result.counts;
    }
    child.kill();
    console.log(`agent cycle, ${devices} simulated devices: ${counts}`);
    console.log(`agent CPU per cycle over ${cycles} cycles, ms:`);
    console.log(`  commands run for real (their own processes excluded)  ${summary(samples)}`);
    console.log(`  command outputs replayed (reading, parsing, joining)   ${summary(replayedSamples)}`);
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

if (process.argv[2] === "--worker") await worker(process.argv[3] as string);
else await main();
