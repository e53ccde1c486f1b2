/**
 * `leaseline simulator`: runs simulated gateways that write real-format files under
 * `--root DIR/<gatewayId>/` (and optionally serve SNMP on 127.0.0.1) until SIGINT/SIGTERM or
 * `--duration` simulated seconds. `--events` prints what happens as JSON lines on stdout.
 */

import { Command, InvalidArgumentError, Option } from "commander";
import { parseBrokerUrl } from "../common/brokerUrl.js";
import { createLogger } from "../common/logger.js";
import { FleetAgents } from "../simulator/fleetAgents.js";
import {
  DEFAULT_DHCP_LIMIT,
  DEFAULT_DHCP_START,
  DEFAULT_LAN_PREFIX,
  dhcpPoolProblem,
  LEASE_FORMATS,
  type LeaseFormat,
  lastHostOf,
  loadScenario,
  MIN_DHCP_START,
  MIN_LAN_PREFIX,
  type Scenario,
  ScenarioError,
  SimulatedFleet,
  type SnmpAgentOptions,
} from "../simulator/index.js";

/** Bounds that catch typos; a bigger fleet belongs in several processes. */
const MAX_GATEWAYS = 100_000;
const MAX_DEVICES = 5_000;

interface SimulatorFlags {
  root?: string;
  agents?: boolean;
  broker?: string;
  agentInterval: number;
  progress: number;
  seed: number;
  gateways: number;
  devices: number;
  speed: number;
  duration?: number;
  events?: boolean;
  scenario?: string;
  snmpPort?: number;
  snmpUser?: string;
  snmpAuthKey?: string;
  snmpPrivKey?: string;
  leaseFormat?: LeaseFormat;
  leaseSeconds?: number;
  lanPrefix?: number;
  dhcpStart?: number;
  dhcpLimit?: number;
  startClock?: number;
  tickMs: number;
}

function wholeNumber(flag: string, min: number, max: number, example: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${flag} takes a whole number from ${min} to ${max}, e.g. ${flag} ${example}`,
      );
    }
    return n;
  };
}

function positiveNumber(flag: string, example: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} takes a number greater than 0, e.g. ${flag} ${example}`);
    }
    return n;
  };
}

/** `1970`, `now`, an ISO date or ms since the epoch. */
function parseStartClock(value: string): number {
  if (value === "1970") return 0;
  if (value === "now") return Date.now();
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new InvalidArgumentError(
      "--start-clock takes 1970, now, an ISO date (2024-01-17T10:00:00Z) or ms since the epoch",
    );
  }
  return parsed;
}

export function simulatorCommand(): Command {
  return new Command("simulator")
    .description(
      "Simulate home gateways: real-format lease files, procfs/sysfs, iw/ip/bridge commands and SNMP, " +
        "under --root DIR/<gatewayId>/",
    )
    .option(
      "--root <dir>",
      "directory that receives one folder per gateway (optional with --agents: agents read memory)",
    )
    .option("--agents", "also run a real agent for each gateway in this process, publishing to --broker")
    .option("--broker <url>", "MQTT broker the agents publish to, e.g. mqtt://127.0.0.1:1883")
    .option(
      "--agent-interval <seconds>",
      "agents' snapshot interval",
      positiveNumber("--agent-interval", "30"),
      30,
    )
    .option(
      "--progress <seconds>",
      "print a progress line this often (0: never)",
      wholeNumber("--progress", 0, 86_400, "10"),
      10,
    )
    .option(
      "--seed <n>",
      "random seed: the same seed gives the same run",
      wholeNumber("--seed", 0, 2 ** 32 - 1, "42"),
      1,
    )
    .option(
      "--gateways <n>",
      "number of gateways (gw-00001, gw-00002, ...)",
      wholeNumber("--gateways", 1, MAX_GATEWAYS, "100"),
      1,
    )
    .option(
      "--devices <n>",
      "devices per gateway (without --scenario)",
      wholeNumber("--devices", 0, MAX_DEVICES, "20"),
      8,
    )
    .option(
      "--speed <n>",
      "simulated time runs N times faster than the wall clock",
      positiveNumber("--speed", "10"),
      1,
    )
    .option(
      "--duration <seconds>",
      "stop after this many SIMULATED seconds (wall time is duration / speed); default: run until SIGINT/SIGTERM",
      positiveNumber("--duration", "3600"),
    )
    .option("--events", "print every event as a JSON line on stdout")
    .option("--scenario <file>", "scripted JSON timeline (see simulator/scenarios/)")
    .addOption(
      new Option("--lease-format <format>", "DHCP server whose lease file is written").choices([
        ...LEASE_FORMATS,
      ]),
    )
    .option(
      "--lease-seconds <s>",
      "DHCP lease time (default 600)",
      wholeNumber("--lease-seconds", 120, 31_536_000, "3600"),
    )
    .option(
      "--lan-prefix <n>",
      "prefix length of the LAN, 16 to 24 (default 24; 22 holds 1,021 devices)",
      wholeNumber("--lan-prefix", MIN_LAN_PREFIX, DEFAULT_LAN_PREFIX, "22"),
    )
    .option(
      "--dhcp-start <n>",
      "first host of the DHCP pool, counted from the network address (the gateway is 1), as OpenWrt's `start` (default 100)",
      wholeNumber("--dhcp-start", MIN_DHCP_START, 65534, "2"),
    )
    .option(
      "--dhcp-limit <n>",
      "addresses in the DHCP pool, as OpenWrt's `limit` (default 150); devices beyond it get no lease",
      wholeNumber("--dhcp-limit", 1, 65533, "253"),
    )
    .option(
      "--start-clock <when>",
      "gateway clock at start and after reboots: 1970 (no RTC, NTP fixes it 45 s after boot), now, an ISO date or epoch ms",
      parseStartClock,
    )
    .option(
      "--snmp-port <port>",
      "serve SNMP on 127.0.0.1:PORT (gateway i on PORT+i)",
      wholeNumber("--snmp-port", 1, 65535, "16100"),
    )
    .option(
      "--snmp-user <name>",
      "SNMPv3 user (authPriv, SHA/AES); keys from --snmp-auth-key/--snmp-priv-key",
    )
    .addOption(
      new Option("--snmp-auth-key <key>", "SNMPv3 authentication passphrase (at least 8 characters)").env(
        "LEASELINE_SNMP_AUTH_KEY",
      ),
    )
    .addOption(
      new Option("--snmp-priv-key <key>", "SNMPv3 privacy passphrase (at least 8 characters)").env(
        "LEASELINE_SNMP_PRIV_KEY",
      ),
    )
    .option(
      "--tick-ms <ms>",
      "wall-clock ms between file updates",
      wholeNumber("--tick-ms", 10, 60_000, "500"),
      1000,
    )
    .action(async (flags: SimulatorFlags, command: Command) => {
      await runSimulator(flags, command);
    });
}

async function runSimulator(flags: SimulatorFlags, command: Command): Promise<void> {
  const logger = createLogger("simulator");
  if (!flags.root && !flags.agents)
    command.error("error: --root DIR is required (unless --agents runs agents in memory)");
  if (flags.agents && !flags.broker) command.error("error: --agents needs --broker mqtt://HOST:PORT");
  if (flags.broker && !flags.agents) command.error("error: --broker is for --agents");
  if (flags.broker) {
    try {
      parseBrokerUrl(flags.broker, "--broker");
    } catch (error) {
      command.error(`error: ${(error as Error).message}`);
    }
  }
  let scenario: Scenario | undefined;
  if (flags.scenario) {
    try {
      scenario = loadScenario(flags.scenario);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
  }
  const pool = dhcpPoolProblem(
    flags.dhcpStart ?? scenario?.gateway?.dhcpStart ?? DEFAULT_DHCP_START,
    flags.dhcpLimit ?? scenario?.gateway?.dhcpLimit ?? DEFAULT_DHCP_LIMIT,
    lastHostOf(flags.lanPrefix ?? scenario?.gateway?.lanPrefix ?? DEFAULT_LAN_PREFIX),
  );
  if (pool) command.error(`error: --lan-prefix, --dhcp-start, --dhcp-limit: ${pool}`);
  let snmp: SnmpAgentOptions | undefined;
  if (flags.snmpPort !== undefined) {
    if (flags.snmpPort + flags.gateways - 1 > 65535) {
      command.error(
        `error: --snmp-port ${flags.snmpPort} with --gateways ${flags.gateways} needs ports up to ${flags.snmpPort + flags.gateways - 1}; use a lower --snmp-port`,
      );
    }
    snmp = { port: flags.snmpPort };
    if (flags.snmpUser) {
      const auth = flags.snmpAuthKey ?? "";
      const priv = flags.snmpPrivKey ?? "";
      if (auth.length < 8 || priv.length < 8) {
        command.error(
          "error: --snmp-user needs --snmp-auth-key and --snmp-priv-key (or LEASELINE_SNMP_AUTH_KEY / LEASELINE_SNMP_PRIV_KEY) of at least 8 characters",
        );
      }
      snmp.user = { name: flags.snmpUser, authKey: auth, privKey: priv };
    }
  } else if (flags.snmpUser) {
    command.error("error: --snmp-user needs --snmp-port");
  }

  const fleet = new SimulatedFleet({
    ...(flags.root ? { root: flags.root } : {}),
    seed: flags.seed,
    gateways: flags.gateways,
    devices: flags.devices,
    speed: flags.speed,
    tickMs: flags.tickMs,
    ...(flags.duration !== undefined ? { durationSeconds: flags.duration } : {}),
    ...(scenario ? { scenario } : {}),
    ...(flags.leaseFormat ? { leaseFormat: flags.leaseFormat } : {}),
    ...(flags.leaseSeconds !== undefined ? { leaseSeconds: flags.leaseSeconds } : {}),
    ...(flags.lanPrefix !== undefined ? { lanPrefix: flags.lanPrefix } : {}),
    ...(flags.dhcpStart !== undefined ? { dhcpStart: flags.dhcpStart } : {}),
    ...(flags.dhcpLimit !== undefined ? { dhcpLimit: flags.dhcpLimit } : {}),
    ...(flags.startClock !== undefined ? { startClock: flags.startClock } : {}),
    ...(snmp ? { snmp } : {}),
  });
  let events = 0;
  fleet.onEvent((event) => {
    events++;
    if (flags.events) process.stdout.write(`${JSON.stringify(event)}\n`);
  });
  const agents = flags.agents
    ? new FleetAgents(fleet, {
        broker: flags.broker as string,
        intervalMs: flags.agentInterval * 1000,
        log: logger,
      })
    : null;
  const report = (label: string) => {
    const devices = fleet.gateways.reduce((n, g) => n + g.leaseRecords().length, 0);
    const a = agents?.counters();
    process.stderr.write(
      `${label}: simulated ${(fleet.t / 1000).toFixed(0)} s, ${fleet.gateways.length} gateways, ${devices} devices with a lease, ` +
        `${events} events${a ? `, agents connected ${a.connected}/${a.agents}, messages published ${a.published}, failed ${a.failed}` : ""}\n`,
    );
  };
  const progress = flags.progress > 0 ? setInterval(() => report("progress"), flags.progress * 1000) : null;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "stopping");
    void fleet.stop();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await fleet.start();
    agents?.start();
    logger.info(
      {
        root: flags.root ?? null,
        agents: flags.agents ? flags.broker : null,
        gateways: flags.gateways,
        speed: flags.speed,
        seed: flags.seed,
        durationSeconds: flags.duration ?? null,
        snmpPorts: snmp ? `${snmp.port}-${snmp.port + flags.gateways - 1}` : null,
      },
      "simulator running",
    );
    await fleet.done;
  } catch (error) {
    await fleet.stop();
    logger.error({ err: error }, "simulator failed");
    process.stderr.write(`leaseline simulator: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    if (progress) clearInterval(progress);
    await agents?.stop();
    report("summary");
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
