/**
 * The `leaseline collector` CLI as an operator uses it: gateway credentials managed with
 * `collector gateways`, a broker that then admits only those gateways, revocation while
 * connected, flag validation, and a SIGTERM that commits everything received before exiting 0.
 */
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitForPort } from "../common/loopbackPorts.js";
import { topicFor } from "../protocol/index.js";
import { connectOutcome } from "./collectorHelpers.js";
import { requireBuiltCli, runCli, spawnCli, stopProcess, tempDir, waitFor } from "./helpers.js";
import { snapshot } from "./messages.js";

beforeAll(() => requireBuiltCli());

describe("leaseline collector gateways + an authenticating broker", () => {
  const dir = tempDir("collector-cli");
  const db = join(dir.path, "c.db");
  let collector: ReturnType<typeof spawnCli>;
  let port: number;
  let password: string;

  afterAll(async () => {
    if (collector) await stopProcess(collector);
    dir.remove();
  });

  it("adds a credential, printing a generated password once, and lists without secrets", async () => {
    const added = await runCli(["collector", "gateways", "add", "gw-1", "--db", db]);
    expect(added.code, added.stderr).toBe(0);
    password = added.stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.stderr).toMatch(/shown only now/);
    const again = await runCli(["collector", "gateways", "add", "gw-1", "--db", db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has a credential/);
    expect((await runCli(["collector", "gateways", "add", "a/b", "--db", db])).stderr).toMatch(
      /not a valid gateway id/,
    );
    const list = await runCli(["collector", "gateways", "list", "--db", db, "--json"]);
    const rows = JSON.parse(list.stdout) as Array<Record<string, string>>;
    expect(rows.map((r) => r.gatewayId)).toEqual(["gw-1"]);
    expect(list.stdout).not.toContain("scrypt");
    expect(list.stdout).not.toContain(password);
  });

  it("admits the gateway with its password, refuses anyone else, and disconnects it when removed", async () => {
    port = await freePort();
    collector = spawnCli(["collector", "--db", db, "--listen", `mqtt://127.0.0.1:${port}`, "--http", "off"]);
    await waitForPort(port);
    const url = `mqtt://127.0.0.1:${port}`;
    expect(
      await connectOutcome(url, { clientId: "gw-1", username: "gw-1", password: "x".repeat(43) }),
    ).toMatch(/bad user ?name or password/i);
    expect(await connectOutcome(url, { clientId: "gw-1" })).toMatch(/not authorized|bad user/i);
    const gw: MqttClient = await connectAsync(url, {
      clientId: "gw-1",
      username: "gw-1",
      password,
      reconnectPeriod: 0,
    });
    await gw.publishAsync(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ gatewayId: "gw-1" })), {
      qos: 1,
    });
    const gateways = await runCli(["query", "gateways", "--db", db, "--json"]);
    expect((JSON.parse(gateways.stdout) as Array<{ gatewayId: string }>).map((g) => g.gatewayId)).toEqual([
      "gw-1",
    ]);

    const removed = await runCli(["collector", "gateways", "remove", "gw-1", "--db", db]);
    expect(removed.code, removed.stderr).toBe(0);
    // The sweep (every ≤ 5 s) notices the removed credential and disconnects the gateway.
    await waitFor("gateway disconnected after its credential was removed", () => !gw.connected, 8000);
    gw.end(true);
    expect(collector.output()).toMatch(/credential removed or changed since login/);
  });

  it("refuses conflicting or incomplete flags with a one-line error", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--broker", "mqtt://127.0.0.1:1", "--listen", "mqtt://127.0.0.1:2"], /exclude each other/],
      [["--share-group", "g"], /--share-group applies only with --broker/],
      [["--broker", "mqtt://127.0.0.1:1", "--password-file", "/x"], /--password-file needs --username/],
      [["--tls-cert", "/x"], /--tls-cert and --tls-key go together/],
      [["--listen", "mqtts://127.0.0.1:0"], /mqtts:\/\/ needs --tls-cert/],
      [["--http", "9464"], /--http: expected HOST:PORT/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(["collector", "--db", join(dir.path, "flags.db"), ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(message);
    }
  });
});

describe("leaseline collector stops gracefully", () => {
  it("on SIGTERM commits every message it received, then exits 0", async () => {
    const dir = tempDir("collector-sigterm");
    const db = join(dir.path, "c.db");
    const port = await freePort();
    const collector = spawnCli([
      "collector",
      "--db",
      db,
      "--listen",
      `mqtt://127.0.0.1:${port}`,
      "--http",
      "off",
      "--max-publish-rate",
      "100000",
    ]);
    try {
      await waitForPort(port);
      const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "load", reconnectPeriod: 0 });
      let acknowledged = 0;
      let n = 0;
      const workers = Array.from({ length: 8 }, async () => {
        while (client.connected) {
          const id = `gw-${n++}`;
          try {
            await client.publishAsync(topicFor(id, "snapshot"), JSON.stringify(snapshot({ gatewayId: id })), {
              qos: 1,
            });
            acknowledged++;
          } catch {
            return;
          }
        }
      });
      await waitFor("messages flowing", () => acknowledged > 200);
      await stopProcess(collector, "SIGTERM");
      client.end(true);
      void workers;
      expect(collector.exitCode, collector.output()).toBe(0);
      const stopped = collector
        .output()
        .split("\n")
        .filter((l) => l.includes('"msg":"stopped"'))
        .map((l) => JSON.parse(l) as Record<string, number>)[0];
      expect(stopped).toBeDefined();
      // Everything received was committed (stored, or recognised as already stored), nothing failed.
      expect(stopped?.received).toBeGreaterThanOrEqual(acknowledged);
      expect((stopped?.stored ?? 0) + (stopped?.duplicates ?? 0)).toBe(stopped?.received);
      expect(stopped?.commitFailures).toBe(0);
      const result = await runCli(["query", "gateways", "--db", db, "--json"]);
      expect((JSON.parse(result.stdout) as unknown[]).length).toBe(stopped?.stored);
    } finally {
      await stopProcess(collector, "SIGKILL");
      dir.remove();
    }
  });
});
