/**
 * Turns the command line and the optional JSON config file into the agent's settings: flags win
 * over the file, the file over the defaults. Everything is checked in one pass and every problem
 * is reported together, each naming the flag or the file's key and what would be accepted, so a
 * gateway's config is fixed in one round instead of one error per restart. Unknown keys are
 * rejected (a typo must not silently fall back to a default), with the closest known key.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isLoopbackHost, parseBrokerUrl } from "../../common/brokerUrl.js";
import { isValidGatewayId } from "../../protocol/index.js";
import type { BackoffOptions } from "../runtime/backoff.js";
import { type BrokerSecurity, readBrokerSecurity } from "../runtime/brokerSecurity.js";
import type { SnmpClientOptions } from "../snmp/snmpClient.js";
import { snmpOptionsFromFlags } from "../snmpOptions.js";
import { parseSourceList, type SourceName } from "../sources/registry.js";
import { testServerUrlProblem } from "../speedtest/testServerUrls.js";
import { CONFIG_KEYS, flagOf, KEY_NAMES } from "./configKeys.js";
import { didYouMean } from "./didYouMean.js";
import { parseValue } from "./parseValue.js";

export interface AgentConfig {
  /** "local" when printing without an id. */
  gatewayId: string;
  broker: string | null;
  sources: SourceName[] | "auto";
  dnsmasqLeases?: string;
  iscDhcpdLeases?: string;
  bootIdFile: string;
  clockFile?: string;
  hookSpool?: string;
  speedtestUrl?: string;
  root: string;
  intervalMs: number;
  pollMs: number;
  once: boolean;
  print: boolean;
  stateDir: string;
  outboxDir: string;
  outboxMaxBytes: number;
  maxInFlight: number;
  publishRate: number;
  commandDirs: string[];
  pingTargets: string[];
  commandTimeoutMs: number;
  snmp: SnmpClientOptions | null;
  security: BrokerSecurity | undefined;
  reconnect: BackoffOptions;
  healthIntervalMs: number;
  logLevel: string;
}

export interface ResolvedConfig {
  config: AgentConfig;
  /** Accepted but worth a log line (e.g. a password over plain mqtt:// off loopback). */
  warnings: string[];
}

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const n = problems.length;
    super(`invalid agent configuration (${n} problem${n === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

/** Keys that look like settings but must not be: where to put them instead. */
const REFUSED_KEYS: Record<string, string> = {
  password: 'put the password in a file readable only by the agent and set "passwordFile"',
  config: "a config file cannot name another one",
};

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    problems.push(
      `--config ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    problems.push(`--config ${path}: not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    problems.push(`--config ${path}: expected a JSON object of settings, e.g. {"gatewayId": "gw-1"}`);
    return {};
  }
  const settings = data as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    if (KEY_NAMES.includes(key)) continue;
    const refused = REFUSED_KEYS[key];
    const guess = didYouMean(key, KEY_NAMES);
    problems.push(
      refused
        ? `${path}: "${key}" is not accepted: ${refused}`
        : `${path}: unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : `; known keys: ${KEY_NAMES.join(", ")}`}`,
    );
    delete settings[key];
  }
  return settings;
}

/** The nearest existing ancestor must be a writable directory, or the directory cannot be created. */
function checkWritableDir(dir: string, label: string, problems: string[]): void {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const fix = "run as a user who can, or choose another directory";
  if (!statSync(existing).isDirectory()) {
    problems.push(`${label} ${dir}: ${existing} is not a directory; choose another directory`);
    return;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    problems.push(
      `${label} ${dir}: cannot write to ${existing} (${(error as NodeJS.ErrnoException).code}); ${fix}`,
    );
  }
}

export function resolveConfig(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const configPath = typeof flags.config === "string" ? flags.config : null;
  const file = configPath ? readConfigFile(configPath, problems) : {};
  const values = new Map<string, unknown>();
  const origin = new Map<string, string>();
  const where = (key: string) => origin.get(key) ?? flagOf(key);

  for (const def of CONFIG_KEYS) {
    const flag = flags[def.key];
    const given = flag !== undefined && !(Array.isArray(flag) && flag.length === 0);
    let raw: unknown;
    let label: string;
    if (given) {
      [raw, label] = [flag, flagOf(def.key)];
    } else if (def.key in file) {
      [raw, label] = [file[def.key], `${configPath}: "${def.key}"`];
    } else if (def.key === "logLevel" && env.LEASELINE_LOG_LEVEL) {
      [raw, label] = [env.LEASELINE_LOG_LEVEL, "LEASELINE_LOG_LEVEL"];
    } else {
      if (def.default !== undefined) {
        const parsed = parseValue(def.kind, def.default, true);
        if (parsed.ok) values.set(def.key, parsed.value);
      }
      continue;
    }
    origin.set(def.key, label);
    const parsed = parseValue(def.kind, raw, given || label === "LEASELINE_LOG_LEVEL");
    if (parsed.ok) values.set(def.key, parsed.value);
    else problems.push(`${label}: ${parsed.problem}`);
  }
  const str = (key: string) => values.get(key) as string | undefined;
  const num = (key: string) => values.get(key) as number;
  const bool = (key: string) => values.get(key) === true;

  const once = bool("once");
  const print = bool("print");
  const printing = once && print;
  if (print && !once) problems.push(`${where("print")} needs --once ("once": true)`);

  let gatewayId = str("gatewayId") ?? (printing ? "local" : undefined);
  if (!gatewayId) {
    problems.push(`--gateway-id ("gatewayId") is required to publish`);
    gatewayId = "";
  } else if (!isValidGatewayId(gatewayId)) {
    problems.push(
      `${where("gatewayId")}: ${JSON.stringify(gatewayId)} is not a gateway id; use 1-64 of A-Z a-z 0-9 . _ : -`,
    );
  }

  const broker = str("broker") ?? null;
  let security: BrokerSecurity | undefined;
  if (!printing) {
    const tlsKeys = ["caFile", "certFile", "keyFile"].filter((k) => values.has(k));
    let url: ReturnType<typeof parseBrokerUrl> | null = null;
    if (!broker) problems.push(`--broker ("broker") is required to publish (or use --once --print)`);
    else {
      try {
        url = parseBrokerUrl(broker, where("broker"));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (url?.protocol === "mqtt" && tlsKeys.length > 0) {
      problems.push(
        `${tlsKeys.map(where).join(", ")}: TLS files need an mqtts:// broker, but ${where("broker")} is mqtt://`,
      );
    }
    if (values.has("certFile") !== values.has("keyFile")) {
      problems.push(
        `${where(values.has("certFile") ? "certFile" : "keyFile")}: a client certificate needs both --cert-file and --key-file`,
      );
    }
    if (values.has("username") !== values.has("passwordFile")) {
      problems.push(
        `${where(values.has("username") ? "username" : "passwordFile")}: broker credentials need both --username and --password-file`,
      );
    }
    if (url?.protocol === "mqtt" && values.has("passwordFile") && !isLoopbackHost(url.host)) {
      warnings.push(`the broker password crosses the network in clear to ${url.host}; use mqtts://`);
    }
    const securityFiles = {
      ...(str("caFile") ? { caFile: str("caFile") } : {}),
      ...(str("certFile") ? { certFile: str("certFile") } : {}),
      ...(str("keyFile") ? { keyFile: str("keyFile") } : {}),
      ...(str("username") ? { username: str("username") } : {}),
      ...(str("passwordFile") ? { passwordFile: str("passwordFile") } : {}),
    };
    if (Object.keys(securityFiles).length > 0) security = readBrokerSecurity(securityFiles, problems);
  }

  if (values.has("reconnectMin") && values.has("reconnectMax") && num("reconnectMin") > num("reconnectMax")) {
    problems.push(
      `${where("reconnectMin")}: must not exceed ${where("reconnectMax")} (${num("reconnectMax")} seconds)`,
    );
  }

  let sources: SourceName[] | "auto" = "auto";
  try {
    sources = parseSourceList(str("sources") ?? "auto");
  } catch (error) {
    problems.push((error as Error).message.replace(/^--sources/, where("sources")));
  }

  let snmp: SnmpClientOptions | null = null;
  try {
    snmp = snmpOptionsFromFlags({
      ...(str("snmp") ? { snmp: str("snmp") } : {}),
      snmpCommunity: str("snmpCommunity") ?? "public",
      ...(str("snmpV3User") ? { snmpV3User: str("snmpV3User") } : {}),
      snmpV3AuthProtocol: str("snmpV3AuthProtocol") ?? "sha",
      ...(str("snmpV3AuthKeyFile") ? { snmpV3AuthKeyFile: str("snmpV3AuthKeyFile") } : {}),
      snmpV3PrivProtocol: str("snmpV3PrivProtocol") ?? "aes",
      ...(str("snmpV3PrivKeyFile") ? { snmpV3PrivKeyFile: str("snmpV3PrivKeyFile") } : {}),
      snmpTimeout: num("snmpTimeout"),
      snmpRetries: num("snmpRetries"),
    });
  } catch (error) {
    problems.push(...(error as Error).message.split("\n  "));
  }

  const speedtestUrl = str("speedtestUrl");
  const speedtestUrlProblem = speedtestUrl === undefined ? null : testServerUrlProblem(speedtestUrl);
  if (speedtestUrlProblem) problems.push(`${where("speedtestUrl")}: ${speedtestUrlProblem}`);

  const stateDir = str("stateDir") as string;
  const outboxDir = str("outboxDir") ?? join(stateDir, "outbox");
  if (!printing) {
    checkWritableDir(stateDir, where("stateDir"), problems);
    if (values.has("outboxDir")) checkWritableDir(outboxDir, where("outboxDir"), problems);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const optional = (key: "dnsmasqLeases" | "iscDhcpdLeases" | "clockFile" | "hookSpool" | "speedtestUrl") =>
    str(key) ? { [key]: str(key) as string } : {};
  const config: AgentConfig = {
    gatewayId,
    broker,
    sources,
    ...optional("dnsmasqLeases"),
    ...optional("iscDhcpdLeases"),
    ...optional("clockFile"),
    ...optional("hookSpool"),
    ...optional("speedtestUrl"),
    bootIdFile: str("bootIdFile") as string,
    root: str("root") as string,
    intervalMs: num("interval") * 1000,
    pollMs: Math.min(num("poll"), num("interval")) * 1000,
    once,
    print,
    stateDir,
    outboxDir,
    outboxMaxBytes: num("outboxMaxBytes"),
    maxInFlight: num("maxInFlight"),
    publishRate: num("publishRate"),
    commandDirs: (values.get("commandDir") as string[] | undefined) ?? [],
    pingTargets: (values.get("pingTarget") as string[] | undefined) ?? [],
    commandTimeoutMs: num("commandTimeout"),
    snmp,
    security,
    reconnect: { baseMs: num("reconnectMin") * 1000, capMs: num("reconnectMax") * 1000 },
    healthIntervalMs: num("healthInterval") * 1000,
    logLevel: str("logLevel") as string,
  };
  return { config, warnings };
}
