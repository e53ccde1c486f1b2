/**
 * Builds the SNMP source's options from the agent's flags. Keys are secrets: they come from
 * files or the environment, never from the command line where process lists would show them.
 */
import { readFileSync } from "node:fs";
import {
  DEFAULT_SNMP_RETRIES,
  DEFAULT_SNMP_TIMEOUT_MS,
  SNMP_AUTH_PROTOCOLS,
  SNMP_PRIV_PROTOCOLS,
  type SnmpAuthProtocol,
  type SnmpClientOptions,
  type SnmpPrivProtocol,
} from "./snmp/snmpClient.js";

export interface SnmpFlags {
  snmp?: string;
  snmpCommunity: string;
  snmpV3User?: string;
  snmpV3AuthProtocol: string;
  snmpV3AuthKeyFile?: string;
  snmpV3PrivProtocol: string;
  snmpV3PrivKeyFile?: string;
  snmpTimeout: number;
  snmpRetries: number;
}

function secret(file: string | undefined, env: string, flag: string, problems: string[]): string | undefined {
  if (file) {
    try {
      return readFileSync(file, "utf8").trim();
    } catch (error) {
      problems.push(`${flag}: cannot read ${file}: ${(error as Error).message}`);
      return undefined;
    }
  }
  return process.env[env];
}

/** Null when no --snmp target was given; throws one error listing every problem. */
export function snmpOptionsFromFlags(flags: SnmpFlags): SnmpClientOptions | null {
  if (!flags.snmp) return null;
  const problems: string[] = [];
  const base = { target: flags.snmp, timeoutMs: flags.snmpTimeout, retries: flags.snmpRetries };
  if (!flags.snmpV3User) return { ...base, version: "2c", community: flags.snmpCommunity };
  if (!(SNMP_AUTH_PROTOCOLS as readonly string[]).includes(flags.snmpV3AuthProtocol)) {
    problems.push(`--snmp-v3-auth-protocol: choose from ${SNMP_AUTH_PROTOCOLS.join(", ")}`);
  }
  if (!(SNMP_PRIV_PROTOCOLS as readonly string[]).includes(flags.snmpV3PrivProtocol)) {
    problems.push(`--snmp-v3-priv-protocol: choose from ${SNMP_PRIV_PROTOCOLS.join(", ")}`);
  }
  const authKey = secret(
    flags.snmpV3AuthKeyFile,
    "LEASELINE_SNMP_AUTH_KEY",
    "--snmp-v3-auth-key-file",
    problems,
  );
  const privKey = secret(
    flags.snmpV3PrivKeyFile,
    "LEASELINE_SNMP_PRIV_KEY",
    "--snmp-v3-priv-key-file",
    problems,
  );
  if (!authKey) problems.push("--snmp-v3-user needs --snmp-v3-auth-key-file or LEASELINE_SNMP_AUTH_KEY");
  if (problems.length > 0) throw new Error(problems.join("\n  "));
  return {
    ...base,
    version: "3",
    v3: {
      user: flags.snmpV3User,
      level: privKey ? "authPriv" : "authNoPriv",
      authProtocol: flags.snmpV3AuthProtocol as SnmpAuthProtocol,
      authKey: authKey as string,
      ...(privKey ? { privProtocol: flags.snmpV3PrivProtocol as SnmpPrivProtocol, privKey } : {}),
    },
  };
}

export const SNMP_DEFAULTS = { timeoutMs: DEFAULT_SNMP_TIMEOUT_MS, retries: DEFAULT_SNMP_RETRIES };
