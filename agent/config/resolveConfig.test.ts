import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { agentCommand } from "../../cli/agentCommand.js";
import { tempDir } from "../../test/helpers.js";
import { CONFIG_KEYS, flagOf } from "./configKeys.js";
import { ConfigError, resolveConfig } from "./resolveConfig.js";

const dirs: Array<{ path: string; remove: () => void }> = [];
function dir(): string {
  const d = tempDir("config");
  dirs.push(d);
  return d.path;
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function configFile(settings: unknown): string {
  const path = join(dir(), "agent.json");
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

function problemsOf(flags: Record<string, unknown>): string[] {
  try {
    resolveConfig(flags, {});
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const publishing = (stateDir: string) => ({ gatewayId: "gw-1", broker: "mqtt://127.0.0.1:1883", stateDir });

describe("agent configuration", () => {
  it("has defaults that need nothing but an id and a broker, and flags win over the file", () => {
    const stateDir = dir();
    const config = configFile({ interval: 60, poll: 10, sources: ["dnsmasq", "iw"], outboxMaxBytes: "2MiB" });
    const { config: c } = resolveConfig({ ...publishing(stateDir), config, poll: "2" }, {});
    expect(c).toMatchObject({
      gatewayId: "gw-1",
      intervalMs: 60_000,
      pollMs: 2000,
      sources: ["dnsmasq", "iw"],
      outboxMaxBytes: 2 * 1024 * 1024,
      outboxDir: join(stateDir, "outbox"),
      maxInFlight: 8,
      publishRate: 10,
      reconnect: { baseMs: 1000, capMs: 60_000 },
      root: "/",
      logLevel: "info",
    });
    const defaults = resolveConfig(publishing(stateDir), {}).config;
    expect(defaults).toMatchObject({
      intervalMs: 30_000,
      pollMs: 5000,
      sources: "auto",
      outboxMaxBytes: 8 << 20,
    });
  });

  it("caps the change check at the snapshot interval", () => {
    expect(resolveConfig({ ...publishing(dir()), interval: "0.2" }, {}).config.pollMs).toBe(200);
  });

  it("--once --print needs neither a broker nor a gateway id nor a writable state directory", () => {
    const { config } = resolveConfig({ once: true, print: true, stateDir: "/proc/not-writable" }, {});
    expect(config).toMatchObject({ gatewayId: "local", broker: null, once: true, print: true });
  });

  it("reads sizes strictly: binary units, no ambiguous MB", () => {
    const size = (v: unknown) =>
      resolveConfig({ ...publishing(dir()), outboxMaxBytes: v }, {}).config.outboxMaxBytes;
    expect([size("512KiB"), size("1M"), size("1.5MiB"), size("1048576")]).toEqual([
      512 * 1024,
      1 << 20,
      1.5 * (1 << 20),
      1 << 20,
    ]);
    expect(problemsOf({ ...publishing(dir()), outboxMaxBytes: "1MB" })[0]).toMatch(
      /^--outbox-max-bytes: expected a size/,
    );
  });

  it("suggests the camelCase key for a kebab-case or misspelt one", () => {
    const path = configFile({ "gateway-id": "gw-1", brokr: "mqtt://127.0.0.1:1", zzzzzz: 1 });
    const problems = problemsOf({ config: path, stateDir: dir() });
    expect(problems).toContain(`${path}: unknown key "gateway-id" (did you mean "gatewayId"?)`);
    expect(problems).toContain(`${path}: unknown key "brokr" (did you mean "broker"?)`);
    expect(problems.find((p) => p.includes('"zzzzzz"'))).toMatch(/known keys: gatewayId, broker,/);
  });

  it("reports an unreadable or non-object config file by its flag", () => {
    expect(problemsOf({ config: "/nonexistent/agent.json" })[0]).toBe(
      "--config /nonexistent/agent.json: cannot read it (ENOENT)",
    );
    const path = join(dir(), "agent.json");
    writeFileSync(path, "{ interval: 30 }");
    expect(problemsOf({ config: path })[0]).toMatch(/^--config .*agent\.json: not valid JSON/);
    expect(problemsOf({ config: configFile([1, 2]) })[0]).toMatch(/expected a JSON object of settings/);
  });

  it("reads the broker password from its file, never shows it, and takes LEASELINE_LOG_LEVEL", () => {
    const d = dir();
    writeFileSync(join(d, "password"), "s3cret-Pa55\n");
    writeFileSync(join(d, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    const { config } = resolveConfig(
      {
        ...publishing(d),
        broker: "mqtts://collector.example.net:8883",
        username: "gw-1",
        passwordFile: join(d, "password"),
        caFile: join(d, "ca.pem"),
      },
      { LEASELINE_LOG_LEVEL: "debug" },
    );
    expect(config.security?.password?.toString()).toBe("s3cret-Pa55");
    expect(config.security?.ca?.toString()).toMatch(/BEGIN CERTIFICATE/);
    expect(config.security).toMatchObject({ username: "gw-1", rejectUnauthorized: true });
    expect(JSON.stringify(config)).not.toContain("s3cret");
    expect(inspect(config, { depth: 5 })).not.toContain("s3cret");
    expect(config.logLevel).toBe("debug");
  });

  it("warns (does not refuse) when a password would cross the network without TLS", () => {
    const d = dir();
    writeFileSync(join(d, "password"), "pw");
    const flags = {
      ...publishing(d),
      broker: "mqtt://192.0.2.10:1883",
      username: "gw-1",
      passwordFile: join(d, "password"),
    };
    expect(resolveConfig(flags, {}).warnings).toEqual([
      "the broker password crosses the network in clear to 192.0.2.10; use mqtts://",
    ]);
  });

  it("takes an http(s) --speedtest-url, from a flag or the file, and refuses anything else", () => {
    const stateDir = dir();
    const flag = { ...publishing(stateDir), speedtestUrl: "https://speed.isp.example:8443/t" };
    expect(resolveConfig(flag, {}).config.speedtestUrl).toBe("https://speed.isp.example:8443/t");
    const file = configFile({ speedtestUrl: "http://10.0.0.1:8080" });
    expect(resolveConfig({ ...publishing(stateDir), config: file }, {}).config.speedtestUrl).toBe(
      "http://10.0.0.1:8080",
    );
    expect(resolveConfig(publishing(stateDir), {}).config.speedtestUrl).toBeUndefined();
    expect(problemsOf({ ...publishing(stateDir), speedtestUrl: "speed.isp.example" })).toEqual([
      '--speedtest-url: expected an http:// or https:// URL, got "speed.isp.example"',
    ]);
    expect(problemsOf({ ...publishing(stateDir), config: configFile({ speedtestUrl: "ftp://x" }) })).toEqual([
      expect.stringMatching(/"speedtestUrl": expected an http:\/\/ or https:\/\/ URL, got ftp:/),
    ]);
  });

  it("reports a state directory that cannot be created, with the fix", () => {
    const d = dir();
    writeFileSync(join(d, "file"), "");
    const stateDir = join(d, "file", "state");
    expect(problemsOf(publishing(stateDir))).toEqual([
      `--state-dir ${stateDir}: ${join(d, "file")} is not a directory; choose another directory`,
    ]);
  });

  it("every setting is a flag of `leaseline agent`, and every earlier flag still exists", () => {
    const flags = agentCommand().options.map((o) => o.long);
    for (const def of CONFIG_KEYS) expect(flags).toContain(flagOf(def.key));
    for (const old of [
      "--gateway-id",
      "--sources",
      "--broker",
      "--dnsmasq-leases",
      "--isc-dhcpd-leases",
      "--boot-id-file",
      "--clock-file",
      "--root",
      "--interval",
      "--once",
      "--print",
      "--state-dir",
      "--command-dir",
      "--command-timeout",
      "--snmp",
      "--snmp-community",
      "--snmp-v3-user",
      "--snmp-v3-auth-protocol",
      "--snmp-v3-auth-key-file",
      "--snmp-v3-priv-protocol",
      "--snmp-v3-priv-key-file",
      "--snmp-timeout",
      "--snmp-retries",
      "--config",
    ]) {
      expect(flags).toContain(old);
    }
    expect(flags).not.toContain("--password");
  });
});
