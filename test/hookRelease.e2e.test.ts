/**
 * A release reported by the DHCP server's hook reaches the collector at once: the agent (the
 * real CLI, polling only every 30 s here) watches the hook's spool, and the event triggers a
 * cycle that reads the rewritten lease file and publishes it.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHook } from "../agent/hooks/hookTestHelpers.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { storedLeases } from "../collector/store/testSupport.js";
import { silentLogger } from "../common/logger.js";
import { requireBuiltCli, spawnCli, stopProcess, tempDir, waitFor, writeBootId } from "./helpers.js";

const GATEWAY = "gw-hook";
const PHONE = "d2:5f:3a:91:0c:7e";
const NAS = "00:1b:11:20:dc:2c";

describe("DHCP hook → agent → collector", () => {
  const dir = tempDir("hook-release");
  const root = join(dir.path, "gateway");
  const spool = join(dir.path, "spool");
  let collector: Collector;
  let agent: ReturnType<typeof spawnCli>;
  const leaseFile = join(root, "tmp/dhcp.leases");
  const writeLeases = (lines: string[]) => {
    writeFileSync(`${leaseFile}.tmp`, lines.map((l) => `${l}\n`).join(""));
    renameSync(`${leaseFile}.tmp`, leaseFile);
  };
  const macs = () =>
    storedLeases(collector.store.db, GATEWAY)
      .map((d) => d.mac)
      .sort();
  const expiry = () => Math.floor(Date.now() / 1000) + 3600;

  beforeAll(async () => {
    requireBuiltCli();
    mkdirSync(join(root, "tmp"), { recursive: true });
    writeBootId(root, "5b1d8a7e-0000-4000-8000-000000000001");
    writeLeases([`${expiry()} ${PHONE} 192.168.1.142 Pixel-7 *`, `${expiry()} ${NAS} 192.168.1.20 nas *`]);
    collector = await startCollector({
      db: join(dir.path, "c.db"),
      listen: "mqtt://127.0.0.1:0",
      log: silentLogger(),
    });
    agent = spawnCli([
      ...["agent", "--gateway-id", GATEWAY, "--broker", `mqtt://127.0.0.1:${collector.broker.port}`],
      ...["--root", root, "--sources", "dnsmasq", "--interval", "300", "--poll", "30"],
      ...["--state-dir", join(dir.path, "state"), "--hook-spool", spool],
    ]);
  });

  afterAll(async () => {
    if (agent) await stopProcess(agent);
    await collector?.close();
    dir.remove();
  });

  it("publishes a release within a second of the hook, long before the next poll", async () => {
    await waitFor("both leases stored", () => macs().length === 2, 15_000);
    writeLeases([`${expiry()} ${NAS} 192.168.1.20 nas *`]);
    const started = Date.now();
    const hook = runHook(["sh"], spool, ["del", PHONE, "192.168.1.142", "Pixel-7"]);
    expect(hook.status).toBe(0);
    await waitFor("released lease gone", () => macs().join() === NAS, 5_000);
    const elapsed = Date.now() - started;
    expect(elapsed, `release took ${elapsed} ms`).toBeLessThan(1000);
  });
});
