/**
 * The command channel end to end in one process: a real aedes broker on a loopback port, a real
 * agent subscribed to its cmd topic, a test client playing the collector (sending commands,
 * reading what the agent publishes), and a loopback HTTP test server paced to a known rate that
 * measures each transfer on its own side.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Aedes } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { freePort } from "../../common/loopbackPorts.js";
import {
  type Command,
  commandTopicFor,
  type Message,
  PROTOCOL_VERSION,
  type SpeedTestRequest,
  type SpeedTestResult,
  validateMessage,
} from "../../protocol/index.js";
import { cleanupsAfterEach, tempDir, waitFor } from "../../test/helpers.js";
import { Agent } from "../agent.js";
import type { Source } from "../sources/source.js";
import { createSystemContext } from "../sources/systemContext.js";
import {
  combinedBitsPerSecond,
  startThrottledTestServer,
  type ThrottledTestServer,
} from "../speedtest/throttledTestServer.js";
import { SPEED_TEST_BUSY } from "./commandHandler.js";

const GATEWAY = "gw-cmd";
const TOKEN = "one-time-token-0123456789";
const MBIT = 1_000_000;
const log = silentLogger();

interface Broker {
  port: number;
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The collector's part: sends commands, keeps every valid message the gateway publishes. */
async function startCollectorSide(port: number) {
  const client: MqttClient = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: "test-collector",
    reconnectPeriod: 0,
  });
  await client.subscribeAsync(`leaseline/v1/${GATEWAY}/#`, { qos: 1 });
  const messages: Message[] = [];
  client.on("message", (topic, payload) => {
    const result = validateMessage(topic, payload);
    if (result.ok) messages.push(result.message);
  });
  const send = (payload: string | object) =>
    client.publishAsync(
      commandTopicFor(GATEWAY),
      typeof payload === "string" ? payload : JSON.stringify(payload),
      {
        qos: 1,
      },
    );
  const snapshots = () => messages.filter((m) => m.type === "snapshot");
  const results = () => messages.filter((m): m is SpeedTestResult => m.type === "speedtest");
  return { client, messages, send, snapshots, results, close: () => client.endAsync(true) };
}

function command(id: string, action: Command["action"], speedtest?: SpeedTestRequest): Command {
  return { v: PROTOCOL_VERSION, type: "command", id, action, ...(speedtest ? { speedtest } : {}) };
}

function speedTest(url: string, overrides: Partial<SpeedTestRequest> = {}): SpeedTestRequest {
  return {
    url,
    token: TOKEN,
    downloadBytes: 4 * 1024 * 1024,
    uploadBytes: 4 * 1024 * 1024,
    maxSeconds: 10,
    ...overrides,
  };
}

/** One lease that never changes: after the first snapshot, nothing is due for an hour. */
const staticSource: Source = {
  name: "dnsmasq",
  detect: async () => true,
  collect: async () => ({
    status: "ok",
    records: {
      leases: [
        {
          mac: "02:00:00:00:00:01",
          ip: "10.1.0.1",
          family: "ipv4",
          hostname: "static",
          expiresAt: null,
          clientId: null,
          duid: null,
          iaid: null,
          source: "dnsmasq",
        },
      ],
    },
    skipped: [],
  }),
};

function within(measured: number | null, reference: number | null, tolerance: number): boolean {
  if (measured === null || reference === null) return false;
  return Math.abs(measured - reference) <= tolerance * reference;
}

describe("agent command channel", () => {
  const cleanups = cleanupsAfterEach();

  async function setUp(options: { speedTestUrl?: string } = {}) {
    const dir = tempDir("commands");
    cleanups.push(dir.remove);
    const root = join(dir.path, "gateway");
    mkdirSync(join(root, "proc/sys/kernel/random"), { recursive: true });
    writeFileSync(join(root, "proc/sys/kernel/random/boot_id"), "6f1c2d3e-0000-4000-8000-0000000000c1\n");
    const broker = await startBroker();
    let currentBroker = broker;
    cleanups.push(() => currentBroker.close());
    // Listening before the agent starts, so its first snapshot is seen too.
    const collector = await startCollectorSide(broker.port);
    cleanups.push(() => collector.close());
    const agent = new Agent({
      gatewayId: GATEWAY,
      ctx: createSystemContext({ root, commandTimeoutMs: 1000 }),
      sources: { current: async () => [staticSource], snmpOnly: () => null },
      bootIdFile: "/proc/sys/kernel/random/boot_id",
      log,
      version: "test",
      stateDir: join(dir.path, "state"),
      broker: `mqtt://127.0.0.1:${broker.port}`,
      intervalMs: 3_600_000,
      pollMs: 50,
      reconnect: { baseMs: 50, capMs: 250 },
      shutdownFlushMs: 2000,
      ...options,
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    await waitFor("the cmd topic subscribed", () => (agent.publisher?.subscribed ?? 0) >= 1);
    await waitFor("the first snapshot", () => collector.snapshots().length >= 1);
    return {
      agent,
      collector,
      broker,
      /** Restarts the broker on the same port. */
      restartBroker: async () => {
        await currentBroker.close();
        currentBroker = await startBroker(broker.port);
      },
    };
  }

  async function testServer(bitsPerSecond: number, pingDelayMs = 0): Promise<ThrottledTestServer> {
    const server = await startThrottledTestServer({ bitsPerSecond, token: TOKEN, pingDelayMs });
    cleanups.push(() => server.close());
    return server;
  }

  it("snapshot: a new full snapshot within 1 s though nothing changed", async () => {
    const { collector } = await setUp();
    const before = collector.snapshots().length;
    // Nothing changes and the interval is an hour: without a command, no snapshot comes.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(collector.snapshots().length).toBe(before);
    const sentAt = Date.now();
    await collector.send(command("snap-1", "snapshot"));
    await waitFor("the requested snapshot", () => collector.snapshots().length > before, 1000);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    const latest = collector.snapshots().at(-1);
    expect(latest?.type === "snapshot" && latest.leases.map((l) => l.ip)).toEqual(["10.1.0.1"]);
  });

  it("speedtest: the result is published, numbered with the snapshots, within 20% of the server's measurement", async () => {
    const { collector } = await setUp();
    const server = await testServer(40 * MBIT, 10);
    const request = speedTest(server.url);
    await collector.send(command("st-1", "speedtest", request));
    const [result] = await waitFor(
      "the result",
      () => (collector.results().length > 0 ? collector.results() : null),
      20_000,
    );
    const snapshot = collector.snapshots().at(-1);
    expect(result?.testId).toBe("st-1");
    expect(result?.error).toBeNull();
    expect(result?.server).toBe(`127.0.0.1:${server.port}`);
    expect(result?.bootId).toBe(snapshot?.bootId);
    expect(result?.seq).toBeGreaterThan(snapshot?.seq ?? Number.POSITIVE_INFINITY);
    expect(result?.downloadBytes).toBe(request.downloadBytes);
    expect(result?.uploadBytes).toBe(request.uploadBytes);
    const [down] = server.downloads;
    expect(within(result?.downloadBitsPerSecond ?? null, down?.bitsPerSecond ?? null, 0.2)).toBe(true);
    expect(within(result?.uploadBitsPerSecond ?? null, combinedBitsPerSecond(server.uploads), 0.2)).toBe(
      true,
    );
    expect(result?.rttMs).toBeGreaterThanOrEqual(10);
    expect(result?.rttMs).toBeLessThan(100);
  });

  it("a second speedtest while one runs is answered at once: already running", async () => {
    const { agent, collector } = await setUp();
    const server = await testServer(8 * MBIT);
    await collector.send(
      command(
        "long",
        "speedtest",
        speedTest(server.url, { downloadBytes: 64 * 1024 * 1024, uploadBytes: 0, maxSeconds: 2 }),
      ),
    );
    await waitFor("the first test running", () => agent.commands.testing);
    await collector.send(command("second", "speedtest", speedTest(server.url)));
    const busy = await waitFor(
      "the refusal",
      () => collector.results().find((r) => r.testId === "second"),
      1000,
    );
    expect(busy.error).toBe(SPEED_TEST_BUSY);
    expect(busy.downloadBitsPerSecond).toBeNull();
    expect(busy.downloadBytes).toBe(0);
    expect(collector.results().find((r) => r.testId === "long")).toBeUndefined();
    const long = await waitFor(
      "the first result",
      () => collector.results().find((r) => r.testId === "long"),
      10_000,
    );
    expect(long.error).toBeNull();
    expect(long.downloadSeconds).toBeLessThanOrEqual(2);
    expect(long.downloadBytes).toBeLessThan(64 * 1024 * 1024);
    expect(agent.commands.counters).toMatchObject({ speedTests: 1, busy: 1 });
  });

  it("garbage commands are ignored and counted; the agent keeps publishing", async () => {
    const { agent, collector } = await setUp();
    await collector.send("this is not JSON {");
    await collector.send({ v: PROTOCOL_VERSION, type: "command", id: "x", action: "reboot" });
    await collector.send({ v: PROTOCOL_VERSION, type: "command", id: "no-request", action: "speedtest" });
    await collector.send(Buffer.alloc(0).toString());
    await waitFor("four commands received", () => agent.commands.counters.received === 4);
    expect(agent.commands.counters.rejected).toBe(4);
    expect(collector.results()).toHaveLength(0);
    const before = collector.snapshots().length;
    await collector.send(command("after-garbage", "snapshot"));
    await waitFor("a snapshot after the garbage", () => collector.snapshots().length > before, 1000);
    expect(agent.publisher?.connected).toBe(true);
  });

  it("a repeated command id is acted on once", async () => {
    const { agent, collector } = await setUp();
    const before = collector.snapshots().length;
    await collector.send(command("same-id", "snapshot"));
    await collector.send(command("same-id", "snapshot"));
    await waitFor("both received", () => agent.commands.counters.received === 2);
    await waitFor("the snapshot", () => collector.snapshots().length > before, 1000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.snapshots().length).toBe(before + 1);
    expect(agent.commands.counters.duplicates).toBe(1);
  });

  it("an unreachable test server gives a result with an error", async () => {
    const { collector } = await setUp();
    const port = await freePort();
    await collector.send(command("dead", "speedtest", speedTest(`http://127.0.0.1:${port}`)));
    const result = await waitFor(
      "the result",
      () => collector.results().find((r) => r.testId === "dead"),
      5000,
    );
    expect(result.error).toMatch(/^round trip: .*ECONNREFUSED/);
    expect(result.rttMs).toBeNull();
    expect(result.downloadBitsPerSecond).toBeNull();
    expect(result.uploadBitsPerSecond).toBeNull();
  });

  it("--speedtest-url replaces the command's server and keeps its token", async () => {
    const server = await testServer(40 * MBIT);
    const { collector } = await setUp({ speedTestUrl: server.url });
    const dead = await freePort();
    const request = speedTest(`http://127.0.0.1:${dead}`, {
      downloadBytes: 1024 * 1024,
      uploadBytes: 1024 * 1024,
    });
    await collector.send(command("own-server", "speedtest", request));
    const result = await waitFor(
      "the result",
      () => collector.results().find((r) => r.testId === "own-server"),
      10_000,
    );
    expect(result.error).toBeNull();
    expect(result.server).toBe(`127.0.0.1:${server.port}`);
    expect(server.pings).toBe(5);
    expect(server.unauthorized).toBe(0);
    expect(server.downloads[0]?.bytes).toBe(1024 * 1024);
  });

  it("a broker restart on the same port: the agent subscribes again and still takes commands", async () => {
    const { agent, collector, broker, restartBroker } = await setUp();
    await collector.close();
    await restartBroker();
    await waitFor("subscribed on the new connection", () => (agent.publisher?.subscribed ?? 0) >= 2, 10_000);
    const fresh = await startCollectorSide(broker.port);
    cleanups.push(() => fresh.close());
    await fresh.send(command("after-restart", "snapshot"));
    await waitFor("a snapshot on request after the restart", () => fresh.snapshots().length >= 1, 1000);
  });

  it("stopping the agent during a test still delivers a result saying so", async () => {
    const { agent, collector } = await setUp();
    const server = await testServer(8 * MBIT);
    await collector.send(
      command(
        "cut-short",
        "speedtest",
        speedTest(server.url, { downloadBytes: 64 * 1024 * 1024, maxSeconds: 30 }),
      ),
    );
    await waitFor("the test running", () => server.downloads.length > 0 || server.active > 0);
    await agent.stop();
    const result = await waitFor(
      "the result",
      () => collector.results().find((r) => r.testId === "cut-short"),
      3000,
    );
    expect(result.error).toBe("download: stopped: the agent is shutting down");
  });
});
