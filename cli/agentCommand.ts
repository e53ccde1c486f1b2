/**
 * `leaseline agent`: runs on the gateway, collects its sources and publishes snapshots. Its
 * flags are generated from the agent's settings table (agent/config/configKeys.ts), so every
 * flag is also a key of the `--config` JSON file; both are checked together, all problems at once.
 */
import { Command } from "commander";
import { Agent } from "../agent/agent.js";
import { CONFIG_KEYS, flagOf } from "../agent/config/configKeys.js";
import { type AgentConfig, resolveConfig } from "../agent/config/resolveConfig.js";
import { SourceSelection } from "../agent/sources/registry.js";
import { createSystemContext, fileClock, underRoot } from "../agent/sources/systemContext.js";
import { createLogger } from "../common/logger.js";
import { LEASELINE_VERSION } from "../common/version.js";
import { joinDevices } from "../protocol/index.js";
import { reportErrors, untilSignal } from "./optionParsers.js";

/** `--once` waits this long for its snapshot to be acknowledged (the broker may be reconnecting). */
const ONCE_FLUSH_MS = 10_000;

export function agentCommand(): Command {
  const command = new Command("agent").description(
    "collect the gateway's leases and publish them to the collector",
  );
  command.option(
    "--config <file>",
    "JSON file of settings (keys are the flags in camelCase); flags override it",
  );
  for (const def of CONFIG_KEYS) {
    const shown = Array.isArray(def.default) ? def.default.join(",") : def.default;
    const description = `${def.description}${shown !== undefined ? ` (default: ${shown})` : ""}`;
    if (def.kind.type === "boolean") command.option(flagOf(def.key), description);
    else if (def.kind.type === "list") {
      command.option(`${flagOf(def.key)} ${def.arg}`, description, (v: string, all: string[] = []) => [
        ...all,
        v,
      ]);
    } else command.option(`${flagOf(def.key)} ${def.arg ?? "<value>"}`, description);
  }
  return command
    .addHelpText(
      "after",
      [
        "",
        "Paths are read under --root, as in a chroot: --root /sim/gw-1 --dnsmasq-leases /tmp/dhcp.leases reads /sim/gw-1/tmp/dhcp.leases.",
        "Every message goes to the outbox on disk first and leaves it when the broker acknowledges it.",
      ].join("\n"),
    )
    .action((flags: Record<string, unknown>) => reportErrors(() => runAgentCommand(flags)));
}

/** The agent a configuration describes (also used by bench/payloadSize.ts). */
export function createAgent(config: AgentConfig, log: ReturnType<typeof createLogger>): Agent {
  const ctx = createSystemContext({
    root: config.root,
    commandTimeoutMs: config.commandTimeoutMs,
    commandDirs: config.commandDirs,
    ...(config.clockFile ? { clock: fileClock(underRoot(config.root, config.clockFile)) } : {}),
  });
  const selection = new SourceSelection(config.sources, {
    ...(config.dnsmasqLeases ? { dnsmasqLeases: config.dnsmasqLeases } : {}),
    ...(config.iscDhcpdLeases ? { iscDhcpdLeases: config.iscDhcpdLeases } : {}),
    ...(config.snmp ? { snmp: config.snmp } : {}),
    pingTargets: config.pingTargets,
  });
  const printing = config.once && config.print;
  return new Agent({
    gatewayId: config.gatewayId,
    ctx,
    sources: selection,
    bootIdFile: config.bootIdFile,
    log,
    version: LEASELINE_VERSION,
    stateDir: printing ? null : config.stateDir,
    broker: config.broker,
    intervalMs: config.intervalMs,
    pollMs: config.pollMs,
    outboxDir: config.outboxDir,
    outboxMaxBytes: config.outboxMaxBytes,
    maxInFlight: config.maxInFlight,
    publishRate: config.publishRate,
    ...(config.security ? { security: config.security } : {}),
    reconnect: config.reconnect,
    healthIntervalMs: config.healthIntervalMs,
    ...(config.hookSpool && !printing ? { hookSpoolDir: config.hookSpool } : {}),
    ...(config.speedtestUrl ? { speedTestUrl: config.speedtestUrl } : {}),
  });
}

async function runAgentCommand(flags: Record<string, unknown>): Promise<void> {
  const { config, warnings } = resolveConfig(flags);
  const log = createLogger("agent", config.logLevel);
  for (const warning of warnings) log.warn(warning);
  const agent = createAgent(config, log);
  if (config.once && config.print) {
    const snapshot = await agent.collect();
    process.stdout.write(`${JSON.stringify({ ...snapshot, devices: joinDevices(snapshot) }, null, 2)}\n`);
    return;
  }
  log.info(
    {
      gatewayId: config.gatewayId,
      broker: config.broker,
      version: LEASELINE_VERSION,
      outboxDir: config.outboxDir,
      intervalMs: config.intervalMs,
      pollMs: config.pollMs,
    },
    "agent starting",
  );
  // Registered before start, so a SIGTERM during the first collection still stops cleanly.
  const signal = untilSignal();
  await agent.start();
  if (config.once) {
    // One snapshot, acknowledged (or left in the outbox after a while), then a clean disconnect.
    if (!(await agent.flush(ONCE_FLUSH_MS)))
      log.warn("snapshot not acknowledged in time; it stays in the outbox");
    await agent.stop();
    return;
  }
  log.info({ signal: await signal }, "stopping");
  await agent.stop();
}
