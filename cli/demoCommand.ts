/**
 * `leaseline demo`: a collector with its embedded broker and SQLite file, one simulated gateway
 * whose network lives at N times real speed, and an agent reading that gateway through the
 * real source paths (its files under the gateway's root, its bin/ commands), all in one process,
 * with the HTTP API on loopback and a support token, so `query gateway`, `query speedtest` and the
 * rest can be tried against it. Prints where to look and, every few seconds, what the collector holds.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { Agent } from "../agent/agent.js";
import { BOOT_ID_PATH } from "../agent/bootId.js";
import { SourceSelection } from "../agent/sources/registry.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { TokenStore } from "../collector/api/tokenStore.js";
import { startCollector } from "../collector/runCollector.js";
import { listGateways } from "../collector/store/queries.js";
import { devicesOf, gatewayDetail } from "../collector/store/supportQueries.js";
import { createLogger } from "../common/logger.js";
import { LEASELINE_VERSION } from "../common/version.js";
import { SimulatedGateway } from "../simulator/index.js";
import { formatTable } from "./formatTable.js";
import { integerOption, numberOption, reportErrors, untilSignal } from "./optionParsers.js";
import { DEVICE_COLUMNS, deviceCells, dhcpPoolUse } from "./supportText.js";

interface DemoFlags {
  dir?: string;
  port: number;
  speed: number;
  seed: number;
  devices: number;
  duration?: number;
}

const GATEWAY_ID = "gw-00001";

export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "run a collector, a simulated gateway and an agent together, and show what the collector holds",
    )
    .option(
      "--dir <dir>",
      "where the database and the simulated gateway live (default: a new temporary directory)",
    )
    .option(
      "--port <port>",
      "embedded broker port on 127.0.0.1 (0 = any free port)",
      integerOption(0, 65535),
      0,
    )
    .option("--speed <n>", "simulated time runs N times faster than real time", numberOption(1, 1000), 10)
    .option("--seed <n>", "simulation seed", integerOption(0, 2 ** 32 - 1), 1)
    .option("--devices <n>", "devices in the simulated household", integerOption(1, 200), 8)
    .option(
      "--duration <seconds>",
      "stop after this many real seconds (default: until Ctrl-C)",
      numberOption(1, 86_400),
    )
    .action((flags: DemoFlags) => reportErrors(() => runDemo(flags)));
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const dir = resolve(flags.dir ?? mkdtempSync(join(tmpdir(), "leaseline-demo-")));
  mkdirSync(dir, { recursive: true });
  const db = join(dir, "collector.db");
  const log = createLogger("demo", process.env.LEASELINE_LOG_LEVEL ?? "warn");

  const collector = await startCollector({
    db,
    listen: `mqtt://127.0.0.1:${flags.port}`,
    http: { host: "127.0.0.1", port: 0 },
    log,
  });
  const tokenFile = join(dir, "support.token");
  writeFileSync(tokenFile, `${new TokenStore(collector.store.db).add("support").token}\n`, { mode: 0o600 });
  const api = `--url http://127.0.0.1:${collector.http?.port} --token-file ${tokenFile}`;
  const gateway = new SimulatedGateway({
    root: dir,
    gatewayId: GATEWAY_ID,
    seed: flags.seed,
    devices: flags.devices,
    speed: flags.speed,
  });
  const events: string[] = [];
  gateway.onEvent((e) => {
    if (e.type === "traffic") return;
    const who = "mac" in e ? `${e.mac}${e.ip ? ` ${e.ip}` : ""}` : "";
    events.push(`${new Date(e.clock).toISOString()} ${e.type.padEnd(8)} ${who}`);
  });
  await gateway.start();
  const gatewayRoot = join(dir, GATEWAY_ID);
  const agent = new Agent({
    gatewayId: GATEWAY_ID,
    ctx: createSystemContext({
      root: gatewayRoot,
      commandTimeoutMs: 5000,
      commandDirs: [join(gatewayRoot, "bin")],
      clock: () => gateway.clockMs(),
    }),
    sources: new SourceSelection("auto", {}),
    bootIdFile: BOOT_ID_PATH,
    log,
    version: LEASELINE_VERSION,
    stateDir: join(dir, "agent-state"),
    broker: `mqtt://127.0.0.1:${collector.broker.port}`,
    intervalMs: 2000,
  });
  await agent.start();

  const out = process.stdout;
  out.write(
    [
      "Leaseline demo",
      `  collector      embedded MQTT broker on mqtt://127.0.0.1:${collector.broker.port}, database ${db}`,
      `  gateway        ${GATEWAY_ID}, simulated at ${flags.speed}x under ${gatewayRoot}`,
      `  agent          reading ${gatewayRoot} every 2 s (${GATEWAY_ID}'s files and its bin/ commands)`,
      `  HTTP API       http://127.0.0.1:${collector.http?.port}/api/v1 (support token in ${tokenFile})`,
      "",
      "Ask the collector yourself, in another terminal:",
      `  npx leaseline query gateways --db ${db}`,
      `  npx leaseline query devices ${GATEWAY_ID} --db ${db} [--json]`,
      `  npx leaseline query gateway ${GATEWAY_ID} ${api}`,
      `  npx leaseline query speedtest ${GATEWAY_ID} ${api}`,
      "Stop with Ctrl-C.",
      "",
    ].join("\n"),
  );
  const show = () => {
    const fresh = events.splice(0);
    if (fresh.length > 0)
      out.write(`\nOn the simulated network (gateway clock):\n${fresh.map((e) => `  ${e}`).join("\n")}\n`);
    const gw = listGateways(collector.store.db).find((g) => g.gatewayId === GATEWAY_ID);
    if (!gw) return;
    const pools = gatewayDetail(collector.store.db, GATEWAY_ID)?.router?.dhcpPools ?? [];
    const poolUse = pools.map((p) => `, DHCP pool ${p.name ? `${p.name} ` : ""}${dhcpPoolUse(p)}`);
    out.write(
      `\n${GATEWAY_ID}: ${gw.online ? "online" : "offline"}, boot ${gw.bootId}, ${gw.deviceCount} leases${poolUse.join("")}\n`,
    );
    out.write(formatTable(deviceCells(devicesOf(collector.store.db, GATEWAY_ID)), DEVICE_COLUMNS));
  };
  const timer = setInterval(show, 5000);
  const stopAfter =
    flags.duration === undefined
      ? null
      : new Promise<void>((r) => setTimeout(r, (flags.duration as number) * 1000));
  await (stopAfter ? Promise.race([stopAfter, untilSignal()]) : untilSignal());
  clearInterval(timer);
  show();
  await agent.stop();
  await gateway.stop();
  await collector.close();
  out.write(`\nDemo stopped. The database stays at ${db}.\n`);
}
