/**
 * How much CPU the simulator needs to advance a large fleet by one simulated minute: the model
 * alone, then the model plus rendering every file and command output of every gateway (what a
 * tick of a run that writes files computes), then the same with the files written to disk for a
 * sample of gateways. Target: 10,000 gateways × 20 devices, one simulated minute, under 2 s CPU.
 *
 *   npm run build && node dist/bench/simulatorAdvance.js [--gateways N] [--devices N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gatewayIdFor, SimulatedGateway } from "../simulator/index.js";
import {
  renderBridgeFdb,
  renderBridgeFdbJson,
  renderIpNeigh,
  renderIpNeighJson,
} from "../simulator/render/iproute.js";
import { renderIwDev, renderStationDump, renderSurveyDump } from "../simulator/render/iw.js";
import {
  renderBootId,
  renderProcNetArp,
  renderProcNetDev,
  renderUptime,
  sysfsStatistics,
} from "../simulator/render/proc.js";
import { fdbEntries, kernelStats, neighborEntries } from "../simulator/views.js";

const TARGET_CPU_MS = 2000;
const MINUTE = 60_000;
/** Gateways whose files are really written in the disk measurement (extrapolated to the fleet). */
const DISK_SAMPLE = 200;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} takes a whole number, got ${process.argv[i + 1]}`);
  return value;
}

/** CPU ms (user + system) spent in `fn`. */
function cpu(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Everything a tick renders for one gateway, as strings (no I/O). */
function renderAll(gw: SimulatedGateway): number {
  const neighbors = neighborEntries(gw);
  const fdb = fdbEntries(gw);
  let bytes = gw.renderLeaseFile().length;
  bytes += renderBootId(gw).length + renderUptime(gw).length;
  bytes += renderProcNetArp(gw, neighbors).length + renderProcNetDev(gw).length;
  for (const iface of gw.interfaces)
    for (const [, v] of sysfsStatistics(kernelStats(gw, iface))) bytes += v.length;
  bytes += renderIwDev(gw).length;
  for (const radio of gw.radios)
    bytes += renderStationDump(gw, radio).length + renderSurveyDump(gw, radio).length;
  bytes += renderIpNeigh(gw, "all", neighbors).length + renderIpNeighJson(gw, "all", neighbors).length;
  bytes += renderBridgeFdb(gw, fdb).length + renderBridgeFdbJson(gw, fdb).length;
  return bytes;
}

async function main(): Promise<void> {
  const count = arg("gateways", 10_000);
  const devices = arg("devices", 20);
  const startTime = Date.UTC(2025, 0, 15, 12);
  let gateways: SimulatedGateway[] = [];
  const buildMs = cpu(() => {
    gateways = Array.from(
      { length: count },
      (_, i) =>
        new SimulatedGateway({ gatewayId: gatewayIdFor(i), seed: 1, devices, startTime, realtime: false }),
    );
    // The household present at the start is set up by the first timers.
    for (const gw of gateways) gw.advance(0);
  });
  let events = 0;
  for (const gw of gateways) gw.onEvent(() => events++);

  // A first minute warms the JIT; the measured minute is the second.
  for (const gw of gateways) gw.advance(MINUTE);
  events = 0;
  const modelMs = cpu(() => {
    for (const gw of gateways) gw.advance(MINUTE);
  });
  const modelEvents = events;

  let bytes = 0;
  const renderMs = cpu(() => {
    for (const gw of gateways) {
      gw.advance(MINUTE);
      bytes += renderAll(gw);
    }
  });

  const root = mkdtempSync(join(tmpdir(), "leaseline-bench-"));
  let diskMs = 0;
  try {
    const sample = gateways.slice(0, Math.min(DISK_SAMPLE, count));
    const writers = sample.map(
      (gw) =>
        new SimulatedGateway({ gatewayId: gw.gatewayId, seed: 1, devices, startTime, realtime: false, root }),
    );
    for (const w of writers) await w.start();
    for (const w of writers) w.advance(2 * MINUTE);
    diskMs = cpu(() => {
      for (const w of writers) w.advance(MINUTE);
    });
    diskMs = (diskMs / writers.length) * count;
    for (const w of writers) await w.stop();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  const verdict = (ms: number) => (ms < TARGET_CPU_MS ? "ok" : "OVER TARGET");
  console.log(`simulator: ${count} gateways × ${devices} devices, one simulated minute`);
  console.log(`  build fleet:                 ${buildMs.toFixed(0)} ms CPU`);
  console.log(
    `  advance, model only:         ${modelMs.toFixed(0)} ms CPU (${modelEvents} events)  ${verdict(modelMs)}`,
  );
  console.log(
    `  advance + render all output: ${renderMs.toFixed(0)} ms CPU (${(bytes / 1e6).toFixed(1)} MB rendered)  ${verdict(renderMs)}`,
  );
  console.log(
    `  advance + write files:       ${diskMs.toFixed(0)} ms CPU (extrapolated from ${Math.min(DISK_SAMPLE, count)} gateways)`,
  );
  console.log(`  target: under ${TARGET_CPU_MS} ms CPU for the model and for model + rendering`);
}

await main();
