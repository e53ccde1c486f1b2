/**
 * The real `leaseline agent` process: killed with SIGKILL (its whole process group) while its
 * outbox holds messages the broker never saw, then restarted: everything is delivered, in order,
 * and the restarted agent's new messages get numbers above the queued ones. And a broken
 * configuration: every problem reported in one run, with the flag or key that causes it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listSegments, scanSegment, segmentPath } from "../agent/outbox/segmentFiles.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import {
  cleanupsAfterEach,
  requireBuiltCli,
  runCli,
  spawnCli,
  stopProcess,
  tempDir,
  waitFor,
  writeBootId,
} from "./helpers.js";

const GATEWAY = "gw-kill";
const log = silentLogger();

describe("agent process", () => {
  const cleanups = cleanupsAfterEach();
  beforeAll(() => requireBuiltCli());

  it("SIGKILL with a non-empty outbox, then restart: everything delivered in order", async () => {
    const dir = tempDir("agent-kill");
    cleanups.push(dir.remove);
    const root = join(dir.path, "gateway");
    const stateDir = join(dir.path, "state");
    const outbox = join(stateDir, "outbox", GATEWAY);
    const db = join(dir.path, "collector.db");
    mkdirSync(join(root, "tmp"), { recursive: true });
    writeBootId(root, "3a8b0c1d-0000-4000-8000-000000000001");
    const ipOf = (v: number) => `10.2.0.${v}`;
    const writeVersion = (v: number) => {
      const file = join(root, "tmp/dhcp.leases");
      writeFileSync(
        `${file}.tmp`,
        `0 02:00:00:00:00:${v.toString(16).padStart(2, "0")} ${ipOf(v)} host-${v} *\n`,
      );
      renameSync(`${file}.tmp`, file);
    };
    const queued = () =>
      listSegments(outbox).reduce((sum, id) => sum + scanSegment(segmentPath(outbox, id)).records, 0);

    const probe = await startCollector({ db, listen: "mqtt://127.0.0.1:0", log });
    const port = probe.broker.port;
    await probe.close();
    const args = [
      "agent",
      ...["--gateway-id", GATEWAY, "--broker", `mqtt://127.0.0.1:${port}`, "--root", root],
      ...["--sources", "dnsmasq", "--interval", "3600", "--poll", "0.05", "--state-dir", stateDir],
      ...["--reconnect-min", "0.05", "--reconnect-max", "0.2"],
    ];
    const VERSIONS = 6;
    writeVersion(1);
    let agent = spawnCli(args);
    cleanups.push(() => stopProcess(agent));
    // Each lease file version is a change: one snapshot each, queued because no broker listens.
    for (let v = 1; v <= VERSIONS; v++) {
      if (v > 1) writeVersion(v);
      await waitFor(`snapshot ${v} queued`, () => queued() === v, 10_000);
    }
    await stopProcess(agent, "SIGKILL");
    expect(readFileSync(join(outbox, "lock"), "utf8").trim()).toBe(String(agent.pid));

    const collector: Collector = await startCollector({ db, listen: `mqtt://127.0.0.1:${port}`, log });
    cleanups.push(() => collector.close());
    agent = spawnCli(args);
    const leases = () =>
      (
        collector.store.db.prepare("SELECT ip FROM leases WHERE gateway_id = ?").all(GATEWAY) as Array<{
          ip: string;
        }>
      ).map((r) => r.ip);
    await waitFor("the last queued lease stored", () => leases().join() === ipOf(VERSIONS), 15_000);
    // Six snapshots applied in order release exactly five leases; a lost or reordered one releases fewer.
    expect(collector.ingest.metrics.deleted.released).toBe(VERSIONS - 1);
    // Numbers handed out after the restart are above the queued ones, or this change would be refused as stale.
    writeVersion(VERSIONS + 1);
    await waitFor("a change after the restart stored", () => leases().join() === ipOf(VERSIONS + 1), 10_000);
    expect(collector.ingest.metrics.deleted.released).toBe(VERSIONS);
    await stopProcess(agent);
    expect(agent.exitCode).toBe(0);
    expect(readdirSync(outbox)).not.toContain("lock");
  });

  it("a broken configuration: every problem at once, naming the flag or key and the fix", async () => {
    const dir = tempDir("agent-config");
    cleanups.push(dir.remove);
    const config = join(dir.path, "agent.json");
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: "gw 1",
        intervall: 30,
        poll: "5",
        password: "hunter2",
        outboxMaxBytes: "8MB",
      }),
    );
    const result = await runCli([
      "agent",
      ...["--config", config, "--interval", "ten", "--broker", "mqtt://127.0.0.1:1883"],
      ...["--ca-file", join(dir.path, "missing-ca.pem"), "--username", "gw-1"],
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines).toEqual([
      `  - ${config}: unknown key "intervall" (did you mean "interval"?)`,
      `  - ${config}: "password" is not accepted: put the password in a file readable only by the agent and set "passwordFile"`,
      '  - --interval: expected a number from 0.1 to 86400 seconds, got "ten"',
      `  - ${config}: "poll": expected a number from 0.01 to 3600 seconds, got "5"; write it without quotes`,
      `  - ${config}: "outboxMaxBytes": expected a size such as 8MiB, 512KiB or 1048576 (bytes), from 65536 to 1073741824 bytes, got "8MB"`,
      `  - ${config}: "gatewayId": "gw 1" is not a gateway id; use 1-64 of A-Z a-z 0-9 . _ : -`,
      "  - --ca-file: TLS files need an mqtts:// broker, but --broker is mqtt://",
      "  - --username: broker credentials need both --username and --password-file",
      `  - --ca-file: cannot read ${join(dir.path, "missing-ca.pem")}: ENOENT`,
    ]);
    expect(result.stderr).not.toContain("hunter2");
  });
});
