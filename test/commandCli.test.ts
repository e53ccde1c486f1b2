/**
 * `leaseline query speedtest` and `leaseline query refresh` as support runs them (the built CLI
 * as a child process) against a running collector, with a gateway made of a real mqtt.js client
 * that measures with fetch (test/commandGateway.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenStore } from "../collector/api/tokenStore.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import { startTestGateway, type TestGateway } from "./commandGateway.js";
import { requireBuiltCli, runCli, tempDir, waitFor } from "./helpers.js";

describe("leaseline query speedtest / refresh", () => {
  const dir = tempDir("command-cli");
  const db = join(dir.path, "c.db");
  const tokenFile = join(dir.path, "support.token");
  let collector: Collector;
  let url: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    requireBuiltCli();
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      speedTest: { bounds: { downloadBytes: 4 * 1024 * 1024, uploadBytes: 2 * 1024 * 1024, maxSeconds: 5 } },
      log: silentLogger(),
    });
    url = `http://127.0.0.1:${collector.http?.port}`;
    writeFileSync(tokenFile, `${new TokenStore(collector.store.db).add("support").token}\n`);
    gateway = await startTestGateway({
      brokerUrl: `mqtt://127.0.0.1:${collector.broker.port}`,
      gatewayId: "gw-1",
    });
    await waitFor("gw-1 stored", () => collector.store.stats().gateways === 1);
  });
  afterAll(async () => {
    await gateway?.close();
    await collector?.close();
    dir.remove();
  });

  const api = ["--url", () => url, "--token-file", tokenFile] as const;
  const args = (...rest: string[]) => [...rest, ...api.map((a) => (typeof a === "function" ? a() : a))];

  it("prints the measured throughput, round trip and bytes; --json gives the stored test", async () => {
    const text = await runCli(args("query", "speedtest", "gw-1"));
    expect(text.stderr).toMatch(
      /^speed test [0-9a-f-]{36} of gw-1 requested; the gateway answers by 20\d\d-/,
    );
    expect(text.code).toBe(0);
    const result = gateway.results[0];
    expect(text.stdout).toContain(
      `download   ${((result?.downloadBitsPerSecond ?? 0) / 1e6).toFixed(1)} Mbit/s (4194304 bytes)`,
    );
    expect(text.stdout).toContain(
      `upload     ${((result?.uploadBitsPerSecond ?? 0) / 1e6).toFixed(1)} Mbit/s (2097152 bytes)`,
    );
    expect(text.stdout).toMatch(/rtt +\d+\.\d ms\n/);
    expect(text.stdout).toContain(`server     127.0.0.1:${collector.http?.port}`);
    expect(text.stdout).toMatch(/status +done/);

    const json = await runCli(args("query", "speedtest", "gw-1", "--json"));
    expect(json.code).toBe(0);
    const test = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(test).toMatchObject({
      status: "done",
      testId: gateway.commands[1]?.id,
      downloadBytes: 4194304,
      uploadBytes: 2097152,
      downloadBitsPerSecond: gateway.results[1]?.downloadBitsPerSecond,
      error: null,
    });
  });

  it("refresh waits for the fresh snapshot", async () => {
    const refreshed = await runCli(args("query", "refresh", "gw-1"));
    expect(refreshed.stderr).toBe("");
    expect(refreshed.stdout).toMatch(/^fresh snapshot of gw-1 stored \(sequence \d+, after \d+ ms\)\n$/);
    expect(gateway.commands.at(-1)?.action).toBe("snapshot");
  });

  it("needs the collector's API: --db alone is refused with what to do", async () => {
    for (const what of ["speedtest", "refresh"]) {
      const result = await runCli(["query", what, "gw-1", "--db", db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^leaseline: query ${what} needs the running collector's API .*use --url http://HOST:PORT --token-file FILE\\n$`,
        ),
      );
    }
  });

  it("says why when the gateway is unknown or offline", async () => {
    const unknown = await runCli(args("query", "speedtest", "gw-9"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('leaseline: 404: no gateway "gw-9"\n');
    await gateway.close();
    await waitFor("gw-1 disconnected", () => !collector.broker.isConnected("gw-1"));
    const offline = await runCli(args("query", "speedtest", "gw-1"));
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(
      /^leaseline: 409: gw-1 is offline: .*a speed test needs the gateway online\n$/,
    );
  });
});
