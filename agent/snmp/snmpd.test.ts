/**
 * Against Debian's Net-SNMP snmpd (packages snmpd, snmp), started here on 127.0.0.1 with a
 * private config and persistent directory. Skipped where /usr/sbin/snmpd is missing, except
 * under CI=true, where a missing snmpd is a failure (CI installs it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeUdpPort } from "./fakeRouterAgent.js";
import { createSnmpClient, type SnmpClientOptions } from "./snmpClient.js";
import { createSnmpCollector } from "./snmpSource.js";
import { SYSTEM_OIDS } from "./systemGroup.js";

const SNMPD = "/usr/sbin/snmpd";
const installed = existsSync(SNMPD);
const COMMUNITY = "leaseline-ro";
const USER = { name: "leaseline", auth: "auth-pass-123", priv: "priv-pass-456" };

if (!installed && process.env.CI === "true") {
  it("snmpd is installed (required under CI: apt-get install -y snmpd snmp)", () => {
    expect(existsSync(SNMPD), `${SNMPD} is missing`).toBe(true);
  });
}

describe.skipIf(!installed)("SNMP source against Debian snmpd", () => {
  let dir: string;
  let port: number;
  let snmpd: ChildProcess | null = null;
  let v2c: SnmpClientOptions;
  let v3: SnmpClientOptions;

  async function startSnmpd(): Promise<void> {
    // With -C, snmpd reads only the -c files, not even its own persistent file: without
    // listing it, every start would have a new random engine id and snmpEngineBoots 1.
    const persisted = join(dir, "persist", "snmpd.conf");
    const configs = [join(dir, "snmpd.conf"), ...(existsSync(persisted) ? [persisted] : [])].join(",");
    const child = spawn(
      SNMPD,
      [
        "-f",
        "-Lf",
        join(dir, "snmpd.log"),
        "-C",
        "-c",
        configs,
        "-p",
        join(dir, "snmpd.pid"),
        `--persistentDir=${join(dir, "persist")}`,
        `udp:127.0.0.1:${port}`,
      ],
      { stdio: "ignore" },
    );
    snmpd = child;
    const probe = createSnmpClient({ ...v2c, timeoutMs: 200, retries: 0 });
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        if (child.exitCode !== null) break;
        const answer = await probe.get([SYSTEM_OIDS.sysUpTime]).catch(() => null);
        if (answer?.has(SYSTEM_OIDS.sysUpTime)) return;
        await sleep(100);
      }
    } finally {
      probe.close();
    }
    const log = existsSync(join(dir, "snmpd.log"))
      ? readFileSync(join(dir, "snmpd.log"), "utf8").slice(-2000)
      : "";
    throw new Error(`snmpd did not answer on 127.0.0.1:${port}\n${log}`);
  }

  async function stopSnmpd(): Promise<void> {
    const child = snmpd;
    snmpd = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leaseline-snmpd-"));
    port = await freeUdpPort();
    writeFileSync(
      join(dir, "snmpd.conf"),
      [
        `rocommunity ${COMMUNITY} 127.0.0.1`,
        `createUser ${USER.name} SHA "${USER.auth}" AES "${USER.priv}"`,
        `rouser ${USER.name} priv`,
        "",
      ].join("\n"),
    );
    const target = `udp://127.0.0.1:${port}`;
    v2c = { target, version: "2c", community: COMMUNITY, timeoutMs: 1000, retries: 1 };
    v3 = {
      target,
      version: "3",
      v3: {
        user: USER.name,
        level: "authPriv",
        authProtocol: "sha",
        authKey: USER.auth,
        privProtocol: "aes",
        privKey: USER.priv,
      },
      timeoutMs: 1000,
      retries: 1,
    };
    await startSnmpd();
  });

  afterAll(async () => {
    await stopSnmpd();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reads identity, Counter64 interface counters and the neighbour table over v2c", async () => {
    const result = await createSnmpCollector(v2c).collect();
    expect(result.identity).toMatchObject({
      sysName: hostname(),
      sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
      engineBoots: 1,
    });
    expect(result.identity?.hrSystemUptime).toBeGreaterThan(0);
    expect(result.identity?.engineId).toMatch(/^80001f88[0-9a-f]+$/);
    expect(result.tables.system?.status).toBe("ok");
    expect(result.tables.ifTable?.status).toBe("ok");
    expect(result.tables.ifXTable?.status).toBe("ok");
    expect(result.interfaces.find((i) => i.name === "lo")).toMatchObject({ name: "lo" });
    expect(["ok", "noSuchObject"]).toContain(result.tables.ipNetToPhysicalTable?.status);
    // Linux snmpd has no BRIDGE-MIB module: recorded as absent, and the FDB is not walked.
    expect(result.tables.dot1dBasePortTable?.status).toBe("noSuchObject");
    expect(result.tables.dot1dTpFdbTable).toBeUndefined();
    expect(result.skipped).toEqual([]);
    expect(result.bootId).toMatch(/^snmp:[0-9a-f]{16}:1:0$/);
  });

  it("reads the same router over v3 authPriv (SHA/AES)", async () => {
    const [viaV2c, viaV3] = [
      await createSnmpCollector(v2c).collect(),
      await createSnmpCollector(v3).collect(),
    ];
    expect(viaV3.identity?.engineId).toBe(viaV2c.identity?.engineId);
    expect(viaV3.interfaces.map((i) => i.name)).toEqual(viaV2c.interfaces.map((i) => i.name));
    expect(viaV3.tables.ifXTable?.status).toBe("ok");
    expect(viaV3.bootId).toBe(viaV2c.bootId);
  });

  it("sees an snmpd restart as a reload (host uptime ran on), keeping the bootId", async () => {
    const collector = createSnmpCollector(v2c);
    const before = await collector.collect();
    await stopSnmpd();
    await startSnmpd();
    const after = await collector.collect();
    expect(after.identity?.engineBoots).toBe((before.identity?.engineBoots ?? 0) + 1);
    expect(after.reset?.verdict).toBe("reload");
    expect(after.bootId).toBe(before.bootId);
  });
});
