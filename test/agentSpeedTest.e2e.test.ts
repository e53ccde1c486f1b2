/**
 * The real `leaseline agent` process on the command channel: a broker (aedes on loopback), the
 * test playing the collector, and a paced HTTP test server. The agent runs with
 * `--speedtest-url`, so a speed test whose command names a dead server still measures against
 * the configured one with the command's token; a `snapshot` command brings a snapshot at once.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Aedes } from "aedes";
import { connectAsync } from "mqtt";
import { beforeAll, describe, expect, it } from "vitest";
import { startThrottledTestServer } from "../agent/speedtest/throttledTestServer.js";
import { freePort } from "../common/loopbackPorts.js";
import { commandTopicFor, type Message, PROTOCOL_VERSION, validateMessage } from "../protocol/index.js";
import {
  cleanupsAfterEach,
  requireBuiltCli,
  spawnCli,
  stopProcess,
  tempDir,
  waitFor,
  writeBootId,
} from "./helpers.js";

const GATEWAY = "gw-speed";
const TOKEN = "one-time-token-e2e-0123456789";

describe("agent process: commands", () => {
  const cleanups = cleanupsAfterEach();
  beforeAll(() => requireBuiltCli());

  it("--speedtest-url: the configured server is measured, with the command's token; snapshot on request", async () => {
    const dir = tempDir("agent-speed");
    cleanups.push(dir.remove);
    const root = join(dir.path, "gateway");
    mkdirSync(join(root, "tmp"), { recursive: true });
    writeBootId(root, "3a8b0c1d-0000-4000-8000-0000000000e2");
    writeFileSync(join(root, "tmp/dhcp.leases"), "0 02:00:00:00:00:0e 10.2.0.14 host-e *\n");

    const aedes = await Aedes.createBroker();
    const broker = createServer(aedes.handle);
    await new Promise<void>((resolve) => broker.listen(0, "127.0.0.1", resolve));
    const port = (broker.address() as { port: number }).port;
    cleanups.push(async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    });
    const server = await startThrottledTestServer({ bitsPerSecond: 40_000_000, token: TOKEN });
    cleanups.push(() => server.close());

    const collector = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "test-collector" });
    cleanups.push(() => collector.endAsync(true));
    await collector.subscribeAsync(`leaseline/v1/${GATEWAY}/#`, { qos: 1 });
    const messages: Message[] = [];
    collector.on("message", (topic, payload) => {
      const result = validateMessage(topic, payload);
      if (result.ok) messages.push(result.message);
    });
    const subscribed = new Promise<void>((resolve) =>
      aedes.on("subscribe", (subscriptions) => {
        if (subscriptions.some((s) => s.topic === commandTopicFor(GATEWAY))) resolve();
      }),
    );

    const agent = spawnCli([
      "agent",
      ...["--gateway-id", GATEWAY, "--broker", `mqtt://127.0.0.1:${port}`, "--root", root],
      ...["--sources", "dnsmasq", "--interval", "3600", "--poll", "0.1"],
      ...["--state-dir", join(dir.path, "state"), "--speedtest-url", server.url],
    ]);
    cleanups.push(() => stopProcess(agent));
    await subscribed;
    const snapshots = () => messages.filter((m) => m.type === "snapshot").length;
    await waitFor("the first snapshot", () => snapshots() === 1, 10_000);

    const send = (body: object) =>
      collector.publishAsync(
        commandTopicFor(GATEWAY),
        JSON.stringify({ v: PROTOCOL_VERSION, type: "command", ...body }),
        {
          qos: 1,
        },
      );
    await send({ id: "snap", action: "snapshot" });
    await waitFor("a snapshot on request", () => snapshots() === 2, 1000);

    const dead = await freePort();
    await send({
      id: "e2e-test",
      action: "speedtest",
      speedtest: {
        url: `http://127.0.0.1:${dead}`,
        token: TOKEN,
        downloadBytes: 2 * 1024 * 1024,
        uploadBytes: 2 * 1024 * 1024,
        maxSeconds: 10,
      },
    });
    const result = await waitFor(
      "the speed test result",
      () => messages.find((m) => m.type === "speedtest" && m.testId === "e2e-test"),
      15_000,
    );
    expect(result.type === "speedtest" && result.error).toBeNull();
    expect(result.type === "speedtest" && result.server).toBe(`127.0.0.1:${server.port}`);
    expect(server.unauthorized).toBe(0);
    expect(server.downloads[0]?.bytes).toBe(2 * 1024 * 1024);
    // The token never reaches the agent's log.
    expect(agent.output()).not.toContain(TOKEN);
  });
});
