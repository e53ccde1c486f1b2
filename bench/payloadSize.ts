/**
 * What a snapshot weighs on the wire (protocol/payload.ts): a simulated gateway's snapshot, as
 * the agent's own configuration and sources collect it, as JSON and gzip-compressed, with the CPU
 * to compress it (the agent, once per snapshot) and to inflate it (the collector). Run it with
 * the agent's deploy flags for the gateway's side as deployed:
 *
 *   npm run build && node --lite-mode dist/bench/payloadSize.js [devices=250,2000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../agent/config/resolveConfig.js";
import { createAgent } from "../cli/agentCommand.js";
import { silentLogger } from "../common/logger.js";
import { decodePayload, encodePayload, MAX_PAYLOAD_BYTES } from "../protocol/index.js";
import { SimulatedGateway } from "../simulator/index.js";
import { benchHousehold } from "./benchHousehold.js";

const RUNS = 50;
const GATEWAY = "gw-payload";

/** CPU per call, ms. */
function cpuMs(run: () => unknown): number {
  for (let i = 0; i < 5; i++) run();
  const before = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / RUNS;
}

async function measure(devices: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "leaseline-bench-payload-"));
  const gateway = new SimulatedGateway({ ...benchHousehold(dir, GATEWAY, devices), realtime: false });
  try {
    await gateway.start();
    gateway.advance(10 * 60_000);
    const root = join(dir, GATEWAY);
    const { config } = resolveConfig(
      {
        gatewayId: GATEWAY,
        root,
        commandDir: [join(root, "bin")],
        clockFile: "/.sim/clock",
        once: true,
        print: true,
      },
      {},
    );
    const snapshot = await createAgent(config, silentLogger()).collect();
    const json = JSON.stringify({ ...snapshot, seq: 1 });
    const payload = encodePayload(json);
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(
      `${devices} simulated devices (${snapshot.leases.length} leases, ${snapshot.neighbors.length} neighbours, ` +
        `${snapshot.stations.length} stations): JSON ${kb(json.length)}, on the wire ${kb(payload.length)} ` +
        `(${(json.length / payload.length).toFixed(1)}x smaller; limit ${kb(MAX_PAYLOAD_BYTES)}); ` +
        `compress ${cpuMs(() => encodePayload(json)).toFixed(2)} ms, inflate ${cpuMs(() => decodePayload(payload)).toFixed(2)} ms`,
    );
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const devices of (process.argv[2] ?? "250,2000").split(",").map(Number)) await measure(devices);
// The agent's command runners would keep the process alive until they idle out.
process.exit(0);
