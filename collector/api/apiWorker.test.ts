/**
 * The API worker thread: queries answer while the main thread is blocked (as during a long
 * commit), what needs the main thread gets a 503 when it does not answer in time, a crashed
 * worker is logged and restarted on the same port (a bounded number of times in a row), and
 * close() stops it.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, tempDir, waitFor } from "../../test/helpers.js";
import { Feed, householdGateway } from "../../test/simulatedFeed.js";
import { SqliteStore } from "../store/sqliteStore.js";
import { devicesOf } from "../store/supportQueries.js";
import { type ApiServer, startApiServer } from "./apiWorkerHost.js";
import { TokenStore } from "./tokenStore.js";

const GW = "gw-00001";

describe("API worker", () => {
  const dir = tempDir("api-worker");
  const db = join(dir.path, "c.db");
  let token: string;
  let privacyToken: string;
  let expectedDevices: unknown;

  beforeAll(async () => {
    const store = new SqliteStore(db);
    await new Feed(householdGateway(GW).gw, store).runUntil(60);
    const tokens = new TokenStore(store.db);
    token = tokens.add("support").token;
    privacyToken = tokens.add("privacy").token;
    expectedDevices = JSON.parse(JSON.stringify(devicesOf(store.db, GW)));
    store.close();
  });
  afterAll(() => dir.remove());

  const start = (log = capturingLogger().log, extra: Partial<Parameters<typeof startApiServer>[0]> = {}) =>
    startApiServer({
      db,
      listen: { host: "127.0.0.1", port: 0 },
      log,
      metrics: () => "leaseline_test 1\n",
      erase: () => new Promise(() => {}),
      replyTimeoutMs: { metrics: 300, erase: 300 },
      ...extra,
    });
  const devices = (server: ApiServer) =>
    fetch(`http://127.0.0.1:${server.port}/api/v1/gateways/${GW}/devices`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it("answers queries while the main thread is blocked; /metrics then gets a 503", async () => {
    const server = await start();
    try {
      // A separate process makes the requests while this thread is stuck in execFileSync (an API
      // served from this thread would deadlock until the timeout kills the child and fails the test).
      const script = `
        const get = async (path) => {
          const r = await fetch("http://127.0.0.1:${server.port}" + path, {
            headers: { authorization: "Bearer ${token}" },
          });
          return { status: r.status, body: await r.text() };
        };
        (async () => {
          const t0 = performance.now();
          const devices = await get("/api/v1/gateways/${GW}/devices");
          const ms = performance.now() - t0;
          const metrics = await get("/metrics");
          console.log(JSON.stringify({ devices, ms, metrics }));
        })();`;
      const out = JSON.parse(
        execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 10_000 }),
      ) as {
        devices: { status: number; body: string };
        ms: number;
        metrics: { status: number; body: string };
      };
      expect(out.devices.status).toBe(200);
      expect(JSON.parse(out.devices.body)).toEqual(expectedDevices);
      expect(expectedDevices).not.toEqual([]);
      expect(out.metrics).toEqual({
        status: 503,
        body: "the collector's main thread did not report its counters within 0.3 s; try again\n",
      });
      // Unblocked, the main thread answers again.
      expect(await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text()).toBe(
        "leaseline_test 1\n",
      );
    } finally {
      await server.close();
    }
  });

  it("an erase the main thread does not confirm in time is a 503 with a JSON error", async () => {
    const server = await start();
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/gateways/${GW}/erase`, {
        method: "POST",
        headers: { authorization: `Bearer ${privacyToken}` },
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /^the collector's main thread did not confirm the erase .* within 0\.3 s/,
      );
    } finally {
      await server.close();
    }
  });

  it("a crashed worker is logged and restarted on the same port", async () => {
    const { log, lines } = capturingLogger();
    const server = await start(log);
    try {
      expect((await devices(server)).status).toBe(200);
      server.crashWorkerForTest();
      await waitFor("the worker restarted", () => server.restarts === 1);
      expect((await devices(server)).status).toBe(200);
      const messages = lines().map((l) => l.msg);
      expect(messages).toContain("HTTP API worker crashed");
      expect(messages).toContain("HTTP API worker exited; restarting it");
      expect(messages).toContain("HTTP API worker restarted");
      const crash = lines().find((l) => l.msg === "HTTP API worker crashed");
      expect(crash?.err).toMatchObject({ message: "API worker crash requested by a test" });
    } finally {
      await server.close();
    }
  });

  it("gives up after the bounded number of crashes in a row, without throwing", async () => {
    const { log, lines } = capturingLogger();
    const server = await start(log, { maxRestarts: 1 });
    try {
      server.crashWorkerForTest();
      await waitFor("the worker restarted", () => server.restarts === 1);
      server.crashWorkerForTest();
      await waitFor("giving up", () =>
        lines().some((l) => String(l.msg).startsWith("HTTP API worker keeps crashing")),
      );
      expect(server.restarts).toBe(1);
      await expect(devices(server)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it("close() stops the worker: the port is released", async () => {
    const server = await start();
    expect((await devices(server)).status).toBe(200);
    await server.close();
    await expect(devices(server)).rejects.toThrow();
  });

  it("reports a port it cannot bind as the collector did", async () => {
    const first = await start();
    try {
      await expect(start(undefined, { listen: { host: "127.0.0.1", port: first.port } })).rejects.toThrow(
        new RegExp(`^--http: cannot listen on 127\\.0\\.0\\.1:${first.port}: .*EADDRINUSE`),
      );
    } finally {
      await first.close();
    }
  });
});
