/** `leaseline agent`: runs on the gateway, collects its sources and publishes snapshots. */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { Agent } from "../agent/agent.js";
import { BOOT_ID_PATH } from "../agent/bootId.js";
import { SNMP_DEFAULTS, type SnmpFlags, snmpOptionsFromFlags } from "../agent/snmpOptions.js";
import { parseSourceList, SOURCE_NAMES, SourceSelection } from "../agent/sources/registry.js";
import { createSystemContext, fileClock, underRoot } from "../agent/sources/systemContext.js";
import { parseBrokerUrl } from "../common/brokerUrl.js";
import { createLogger } from "../common/logger.js";
import { LEASELINE_VERSION } from "../common/version.js";
import { isValidGatewayId, joinDevices } from "../protocol/index.js";
import { integerOption, numberOption, reportErrors, untilSignal } from "./optionParsers.js";

interface AgentFlags extends SnmpFlags {
  sources: string;
  gatewayId?: string;
  broker?: string;
  dnsmasqLeases?: string;
  iscDhcpdLeases?: string;
  bootIdFile: string;
  root: string;
  interval: number;
  once?: boolean;
  print?: boolean;
  stateDir: string;
  commandDir: string[];
  commandTimeout: number;
  clockFile?: string;
}

export function agentCommand(): Command {
  return new Command("agent")
    .description("collect the gateway's leases and publish them to the collector")
    .option("--gateway-id <id>", "this gateway's id (MQTT client id and topic level)")
    .option("--sources <list>", `auto, or a comma-separated list of: ${SOURCE_NAMES.join(", ")}`, "auto")
    .option("--broker <url>", "collector's MQTT broker, e.g. mqtt://127.0.0.1:1883")
    .option(
      "--dnsmasq-leases <file>",
      "dnsmasq lease file (default: the first of /tmp/dhcp.leases, /var/lib/misc/dnsmasq.leases, /nvram/dnsmasq.leases)",
    )
    .option(
      "--isc-dhcpd-leases <file>",
      "ISC dhcpd lease file (default: /var/lib/dhcp/dhcpd.leases and the other usual places)",
    )
    .option("--boot-id-file <file>", "boot id file", BOOT_ID_PATH)
    .option(
      "--clock-file <file>",
      "read the gateway's clock (ms since epoch) from this file under --root; for simulated gateways, whose clock is not the host's",
    )
    .option("--root <dir>", "prefix for every system path (a simulated gateway's directory)", "/")
    .option("--interval <seconds>", "seconds between snapshots", numberOption(0.1, 86_400), 30)
    .option("--snmp <target>", "poll a router over SNMP: udp://HOST[:PORT] (v2c unless --snmp-v3-user)")
    .option("--snmp-community <name>", "SNMPv2c community", "public")
    .option("--snmp-v3-user <name>", "SNMPv3 user (authPriv when a privacy key is given)")
    .option("--snmp-v3-auth-protocol <p>", "SNMPv3 authentication protocol", "sha")
    .option(
      "--snmp-v3-auth-key-file <file>",
      "file holding the SNMPv3 authentication key (or LEASELINE_SNMP_AUTH_KEY)",
    )
    .option("--snmp-v3-priv-protocol <p>", "SNMPv3 privacy protocol", "aes")
    .option(
      "--snmp-v3-priv-key-file <file>",
      "file holding the SNMPv3 privacy key (or LEASELINE_SNMP_PRIV_KEY)",
    )
    .option(
      "--snmp-timeout <ms>",
      "SNMP request timeout",
      integerOption(100, 60_000),
      SNMP_DEFAULTS.timeoutMs,
    )
    .option(
      "--snmp-retries <n>",
      "SNMP re-sends before a timeout",
      integerOption(0, 10),
      SNMP_DEFAULTS.retries,
    )
    .option("--once", "collect once and exit")
    .option("--print", "print the snapshot as JSON on stdout instead of publishing (with --once)")
    .option(
      "--state-dir <dir>",
      "where per-boot sequence numbers are kept (tmpfs is right: they live for one boot)",
      join(tmpdir(), "leaseline-agent"),
    )
    .option(
      "--command-dir <dir>",
      "directory searched before PATH for iw, ip, bridge (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      "--command-timeout <ms>",
      "timeout for each command the agent runs",
      integerOption(100, 60_000),
      5000,
    )
    .addHelpText(
      "after",
      "\nPaths are read under --root, as in a chroot: --root /sim/gw-1 --dnsmasq-leases /tmp/dhcp.leases reads /sim/gw-1/tmp/dhcp.leases.",
    )
    .action((flags: AgentFlags) => reportErrors(() => runAgentCommand(flags)));
}

async function runAgentCommand(flags: AgentFlags): Promise<void> {
  const errors: string[] = [];
  const printing = Boolean(flags.once && flags.print);
  if (flags.print && !flags.once) errors.push("--print needs --once");
  const gatewayId = flags.gatewayId ?? (printing ? "local" : undefined);
  if (!gatewayId) errors.push("--gateway-id is required to publish");
  else if (!isValidGatewayId(gatewayId))
    errors.push(`--gateway-id ${JSON.stringify(gatewayId)}: use 1-64 of A-Z a-z 0-9 . _ : -`);
  if (!printing) {
    if (!flags.broker) errors.push("--broker is required to publish (or use --once --print)");
    else {
      try {
        parseBrokerUrl(flags.broker, "--broker");
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }
  let sourceNames: ReturnType<typeof parseSourceList> = "auto";
  try {
    sourceNames = parseSourceList(flags.sources);
  } catch (error) {
    errors.push((error as Error).message);
  }
  let snmp: ReturnType<typeof snmpOptionsFromFlags> = null;
  let selection: SourceSelection | null = null;
  try {
    snmp = snmpOptionsFromFlags(flags);
    selection = new SourceSelection(sourceNames, {
      ...(flags.dnsmasqLeases ? { dnsmasqLeases: flags.dnsmasqLeases } : {}),
      ...(flags.iscDhcpdLeases ? { iscDhcpdLeases: flags.iscDhcpdLeases } : {}),
      ...(snmp ? { snmp } : {}),
    });
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (errors.length > 0 || !selection) throw new Error(errors.join("\n  "));

  const log = createLogger("agent");
  const ctx = createSystemContext({
    root: flags.root,
    commandTimeoutMs: flags.commandTimeout,
    commandDirs: flags.commandDir,
    ...(flags.clockFile ? { clock: fileClock(underRoot(flags.root, flags.clockFile)) } : {}),
  });
  const agent = new Agent({
    gatewayId: gatewayId as string,
    ctx,
    sources: selection,
    bootIdFile: flags.bootIdFile,
    log,
    version: LEASELINE_VERSION,
    stateDir: printing ? null : flags.stateDir,
    broker: flags.broker ?? null,
    intervalMs: flags.interval * 1000,
  });
  if (printing) {
    const snapshot = await agent.collect();
    process.stdout.write(`${JSON.stringify({ ...snapshot, devices: joinDevices(snapshot) }, null, 2)}\n`);
    return;
  }
  await agent.start();
  if (flags.once) {
    // One snapshot, acknowledged (or given up after a while), then a clean disconnect.
    await agent.stop();
    return;
  }
  const signal = await untilSignal();
  log.info({ signal }, "stopping");
  await agent.stop();
}
