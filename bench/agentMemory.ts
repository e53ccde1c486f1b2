/**
 * The agent's resident memory on a busy gateway: a simulated gateway with 250 devices at 60×
 * speed (an hour of gateway time per wall-clock minute), read by the real agent as a child
 * process (the single-file bundle if built, else dist/agent/main.js) publishing to a real
 * collector. Two paces: "real" keeps the agent's default timers (snapshot every 30 s, change
 * check every 5 s) while the gateway lives an hour; "scaled" divides them by the speed too
 * (0.5 s and 0.1 s), so the agent also does an hour's work in the minute, 60 times the usual
 * allocation rate. Each pace runs with Node's default heap settings, with the low-memory flags
 * the deploy/ service files use, and with those flags but --lite-mode (which costs CPU). Target:
 * at most 60 MB resident with the deploy flags. The agent's command runners (small shells, see
 * agent/sources/runner/) are separate processes: their memory is reported apart, resident and
 * proportional (Pss: their pages shared with each other and with every other shell count once).
 *
 *   npm run build && npm run build:agent && node dist/bench/agentMemory.js [--seconds 60] [--devices 250]
 *     [--paces real,scaled] [--flags default,deploy,no-lite]
 *   AGENT_MEMORY_FLAGS="--max-old-space-size=24 --no-opt" node dist/bench/agentMemory.js --flags candidate
 *     (a candidate set of Node flags, run with the deploy environment)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { childPids } from "../agent/sources/runner/childProcesses.js";
import { startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import { SimulatedGateway } from "../simulator/index.js";
import { benchHousehold } from "./benchHousehold.js";
import { DEPLOY_ENV, DEPLOY_NODE_FLAGS, DEPLOY_NODE_FLAGS_WITHOUT_LITE_MODE } from "./deployNodeFlags.js";

const TARGET_MB = 60;
const SPEED = 60;
const PACES = {
  real: { interval: 30, poll: 5 },
  scaled: { interval: 30 / SPEED, poll: 0.1 },
} as const;
const GATEWAY = "gw-00001";
const FLAG_SETS = {
  default: [],
  deploy: DEPLOY_NODE_FLAGS,
  "no-lite": DEPLOY_NODE_FLAGS_WITHOUT_LITE_MODE,
  // A candidate to compare: AGENT_MEMORY_FLAGS="--flag --flag" (space-separated Node flags).
  candidate: (process.env.AGENT_MEMORY_FLAGS ?? "").split(" ").filter((f) => f !== ""),
} as const;

/** `--paces real,scaled`, `--flags default,deploy,no-lite`: a subset of the runs. */
function listArg(name: string, all: string[]): string[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return all;
  const chosen = (process.argv[i + 1] ?? "").split(",");
  const unknown = chosen.filter((c) => !all.includes(c));
  if (unknown.length > 0) throw new Error(`--${name} takes some of ${all.join(",")}`);
  return chosen;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

/** Resident and proportional set size of the runners, MB. */
function runnersMemoryMb(agentPid: number): { count: number; rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  // The agent's children are its command runners (a runner's own commands are its children).
  const pids = childPids(agentPid);
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
    } catch {
      // ended meanwhile
    }
  }
  return { count: pids.length, rss, pss };
}

/** Resident and peak resident memory of a process, MB, from /proc; anon + file = rss. */
function memoryMb(pid: number): { rss: number; peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return {
    rss: kb("VmRSS") / 1024,
    peak: kb("VmHWM") / 1024,
    anon: kb("RssAnon") / 1024,
    file: kb("RssFile") / 1024,
  };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(
  pace: keyof typeof PACES,
  nodeFlags: string[],
  seconds: number,
  devices: number,
): Promise<{ rss: number; peak: number }> {
  const dir = mkdtempSync(join(tmpdir(), "leaseline-bench-agent-"));
  const log = silentLogger();
  const collector = await startCollector({
    db: join(dir, "collector.db"),
    listen: "mqtt://127.0.0.1:0",
    log,
  });
  const gateway = new SimulatedGateway({ ...benchHousehold(dir, GATEWAY, devices), speed: SPEED });
  await gateway.start();
  const bundle = join(import.meta.dirname, "../leaseline-agent.mjs");
  const entry = existsSync(bundle) ? bundle : join(import.meta.dirname, "../agent/main.js");
  const root = join(dir, GATEWAY);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeFlags,
      entry,
      ...["--gateway-id", GATEWAY, "--broker", `mqtt://127.0.0.1:${collector.broker.port}`],
      ...["--root", root, "--command-dir", join(root, "bin"), "--clock-file", "/.sim/clock"],
      ...["--state-dir", join(dir, "state")],
      ...["--interval", String(PACES[pace].interval), "--poll", String(PACES[pace].poll)],
      ...["--log-level", "warn", "--publish-rate", "100"],
    ],
    // The systemd unit's environment goes with its flags; V8's defaults run as plain `node` does.
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...(nodeFlags.length > 0 ? DEPLOY_ENV : {}) },
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const pid = child.pid as number;
  /** The agent's memory; an agent that ended (its /proc entry may go before Node reaps it) is an error. */
  const agentMemoryMb = (): ReturnType<typeof memoryMb> => {
    try {
      if (child.exitCode === null && child.signalCode === null) return memoryMb(pid);
    } catch {
      // gone between the check and the read
    }
    throw new Error(`the agent ended before the run did: ${stderr.slice(-2000)}`);
  };
  const started = gateway.clockMs();
  const samples: number[] = [];
  try {
    for (let t = 0; t < seconds; t += 5) {
      await sleep(5000);
      samples.push(agentMemoryMb().rss);
    }
    const { rss, peak, anon, file } = agentMemoryMb();
    const runners = runnersMemoryMb(pid);
    const cpu = cpuSeconds(pid);
    const simulatedMinutes = (gateway.clockMs() - started) / 60_000;
    const stored = collector.ingest.metrics.stored;
    const leases = (collector.store.db.prepare("SELECT count(*) AS n FROM leases").get() as { n: number }).n;
    const flags =
      nodeFlags.length === 0
        ? "default V8                "
        : process.env.AGENT_MEMORY_FLAGS === nodeFlags.join(" ")
          ? `candidate (${nodeFlags.join(" ")})`
          : nodeFlags.includes("--lite-mode")
            ? "deploy flags              "
            : "deploy flags, no lite mode";
    const label = `${pace.padEnd(6)} ${flags}`;
    process.stdout.write(
      `${label}  rss ${rss.toFixed(1)} MB (anon ${anon.toFixed(1)}, file ${file.toFixed(1)})  peak ${peak.toFixed(1)} MB  (samples ${samples.map((s) => s.toFixed(0)).join(" ")})  ` +
        `cpu ${cpu.toFixed(1)} s for ${simulatedMinutes.toFixed(0)} simulated min, ${stored} messages stored, ${leases} leases held; ` +
        `${runners.count} command runner${runners.count === 1 ? "" : "s"}: rss ${runners.rss.toFixed(1)} MB, pss ${runners.pss.toFixed(1)} MB\n`,
    );
    return { rss, peak };
  } finally {
    // An agent that died (out of memory, say) has no exit left to wait for.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await gateway.stop();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = arg("seconds", 60);
  const devices = arg("devices", 250);
  process.stdout.write(
    `agent memory: ${devices} devices, ${seconds} s at ${SPEED}x; deploy flags: ${DEPLOY_NODE_FLAGS.join(" ")}; ` +
      `deploy environment (systemd): ${Object.entries(DEPLOY_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}\n`,
  );
  let worst: number | null = null;
  for (const pace of listArg("paces", ["real", "scaled"]) as (keyof typeof PACES)[]) {
    for (const flags of listArg(
      "flags",
      Object.keys(FLAG_SETS).filter((k) => k !== "candidate" || process.env.AGENT_MEMORY_FLAGS),
    ) as (keyof typeof FLAG_SETS)[]) {
      const { peak } = await run(pace, [...FLAG_SETS[flags]], seconds, devices);
      if (flags === "deploy") worst = Math.max(worst ?? 0, peak);
    }
  }
  if (worst === null) return; // the deploy flags were not among --flags: nothing to judge
  const ok = worst <= TARGET_MB;
  process.stdout.write(
    `${ok ? "PASS" : "FAIL"}: peak ${worst.toFixed(1)} MB with the deploy flags (target ${TARGET_MB} MB)\n`,
  );
  if (!ok) process.exitCode = 1;
}

await main();
