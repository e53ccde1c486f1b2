/**
 * One lease's whole life through the real parts: the `leaseline agent` CLI reading a dnsmasq
 * lease file and publishing to a collector (real aedes on an ephemeral loopback port, real
 * SQLite file), and `leaseline query devices` reading what the collector kept.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Collector, startCollector } from "../collector/runCollector.js";
import {
  capturingLogger,
  requireBuiltCli,
  runCli,
  spawnCli,
  stopProcess,
  tempDir,
  waitFor,
} from "./helpers.js";
import { snapshot } from "./messages.js";

const GATEWAY = "gw-e2e";

describe("thin path: agent → embedded broker → SQLite → query", () => {
  const dir = tempDir("e2e");
  const root = join(dir.path, "gateway");
  const db = join(dir.path, "collector.db");
  const logs = capturingLogger();
  let collector: Collector;
  let agent: ReturnType<typeof spawnCli>;

  const writeAtomically = (path: string, text: string) => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };
  const writeLeases = (lines: string[]) =>
    writeAtomically(join(root, "tmp/dhcp.leases"), lines.map((l) => `${l}\n`).join(""));
  const writeBootId = (id: string) =>
    writeAtomically(join(root, "proc/sys/kernel/random/boot_id"), `${id}\n`);
  const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
  const devices = async () => {
    const result = await runCli(["query", "devices", GATEWAY, "--db", db, "--json"]);
    if (result.code !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as Array<{
      mac: string;
      ip: string;
      hostname: string | null;
      expiresAt: string | null;
    }>;
  };
  const macs = async () => (await devices()).map((d) => d.mac).sort();

  const startAgent = () =>
    spawnCli([
      "agent",
      "--gateway-id",
      GATEWAY,
      "--broker",
      `mqtt://127.0.0.1:${collector.broker.port}`,
      "--root",
      root,
      "--interval",
      "0.2",
      "--state-dir",
      join(dir.path, "agent-state"),
    ]);
  const online = async () =>
    (
      JSON.parse((await runCli(["query", "gateways", "--db", db, "--json"])).stdout) as Array<{
        online: boolean;
      }>
    )[0]?.online;

  beforeAll(async () => {
    requireBuiltCli();
    mkdirSync(join(root, "tmp"), { recursive: true });
    mkdirSync(join(root, "proc/sys/kernel/random"), { recursive: true });
    writeBootId("0b5e2f6c-1111-4a4a-9d9d-000000000001");
    writeLeases([
      `${inSeconds(3600)} d2:5f:3a:91:0c:7e 192.168.1.142 Pixel-7 01:d2:5f:3a:91:0c:7e`,
      `0 b8:27:eb:12:34:56 192.168.1.2 raspberrypi *`,
    ]);
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      log: logs.log,
      sweepIntervalMs: 200,
    });
    agent = startAgent();
  });

  afterAll(async () => {
    if (agent) await stopProcess(agent);
    await collector?.close();
    dir.remove();
  });

  it("a lease appears in query devices, with expiry as ISO-8601 UTC", async () => {
    await waitFor("both leases stored", async () => (await macs()).length === 2);
    const pixel = (await devices()).find((d) => d.mac === "d2:5f:3a:91:0c:7e");
    expect(pixel).toMatchObject({ ip: "192.168.1.142", hostname: "Pixel-7" });
    expect(pixel?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(pixel?.expiresAt ?? "") - (Date.now() + 3600_000))).toBeLessThan(10_000);
    const gateways = await runCli(["query", "gateways", "--db", db]);
    expect(gateways.stdout).toMatch(new RegExp(`${GATEWAY}\\s+true\\s+2`));
  });

  it("a released lease disappears", async () => {
    writeLeases([`0 b8:27:eb:12:34:56 192.168.1.2 raspberrypi *`]);
    await waitFor("released lease deleted", async () => (await macs()).join() === "b8:27:eb:12:34:56");
  });

  it("an expired lease disappears even when the gateway has gone silent", async () => {
    writeLeases([
      `0 b8:27:eb:12:34:56 192.168.1.2 raspberrypi *`,
      `${inSeconds(2)} 00:1b:11:20:dc:2c 192.168.1.23 printer *`,
    ]);
    await waitFor("short lease stored", async () => (await macs()).includes("00:1b:11:20:dc:2c"));
    // The agent dies without a word: the broker publishes its last will, and only the sweep can expire the lease.
    await stopProcess(agent, "SIGKILL");
    await waitFor("offline by last will", async () => (await online()) === false);
    await waitFor("expired lease deleted", async () => !(await macs()).includes("00:1b:11:20:dc:2c"), 6000);
    expect(collector.ingest.metrics.deleted.expired).toBe(1);
    expect(await macs()).toEqual(["b8:27:eb:12:34:56"]);
    agent = startAgent();
    await waitFor("online again", async () => (await online()) === true);
  });

  it("a new boot id empties the gateway before the new boot's data is stored", async () => {
    writeLeases([`${inSeconds(600)} ae:00:00:00:00:01 192.168.1.77 after-reboot *`]);
    writeBootId("0b5e2f6c-2222-4a4a-9d9d-000000000002");
    await waitFor("only the new boot's lease", async () => (await macs()).join() === "ae:00:00:00:00:01");
    expect(collector.ingest.metrics.deleted.reset).toBeGreaterThanOrEqual(1);
    const gateways = JSON.parse((await runCli(["query", "gateways", "--db", db, "--json"])).stdout);
    expect(gateways[0].bootId).toBe("0b5e2f6c-2222-4a4a-9d9d-000000000002");
  });

  it("garbage and invalid payloads are counted and logged, and valid messages keep being stored", async () => {
    const client = await connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, {
      clientId: "rogue-test",
    });
    await client.publishAsync(`leaseline/v1/${GATEWAY}/snapshot`, "\u0000garbage{", { qos: 1 });
    await client.publishAsync(
      `leaseline/v1/${GATEWAY}/snapshot`,
      JSON.stringify({ ...snapshot({ gatewayId: GATEWAY }), leases: [{ mac: "not-a-mac" }] }),
      { qos: 1 },
    );
    await client.endAsync();
    expect(collector.ingest.metrics.rejected["not-json"]).toBe(1);
    expect(collector.ingest.metrics.rejected.schema).toBe(1);
    const warnings = logs.lines().filter((l) => l.msg?.toString().startsWith("invalid message rejected"));
    expect(warnings.map((w) => [w.gatewayId, w.reason])).toEqual([
      [GATEWAY, "not-json"],
      [GATEWAY, "schema"],
    ]);

    const storedBefore = collector.ingest.metrics.stored;
    writeLeases([
      `${inSeconds(600)} ae:00:00:00:00:01 192.168.1.77 after-reboot *`,
      `${inSeconds(600)} ae:00:00:00:00:02 192.168.1.78 still-working *`,
    ]);
    await waitFor("a lease stored after the garbage", async () =>
      (await macs()).includes("ae:00:00:00:00:02"),
    );
    expect(collector.ingest.metrics.stored).toBeGreaterThan(storedBefore);
  });
});
