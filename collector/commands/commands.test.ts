/**
 * Commands to gateways through a running collector (embedded aedes broker with gateway
 * credentials, HTTP API in its worker thread, SQLite file), with real mqtt.js clients as the
 * gateways: a speed test from request to result, refusals (unknown, offline, busy), the timeout
 * of an unanswered test, a fresh snapshot on request, and the broker keeping commands to the
 * collector alone.
 */
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { commandTopicFor, PROTOCOL_VERSION } from "../../protocol/index.js";
import { startTestGateway, type TestGateway } from "../../test/commandGateway.js";
import { tempDir, waitFor } from "../../test/helpers.js";
import { TokenStore } from "../api/tokenStore.js";
import { CredentialStore } from "../auth/credentialStore.js";
import { GENERATED_PASSWORD_COST, hashPassword } from "../auth/passwordHash.js";
import { type Collector, startCollector } from "../runCollector.js";
import { openDatabase } from "../store/openDatabase.js";
import { speedTestOf } from "../store/speedTestState.js";
import { answerWithinMs } from "./speedTestConfig.js";

const PASSWORD = "password-of-the-gateways-0123456789";
const GATEWAYS = ["gw-1", "gw-2", "gw-3", "gw-4"];
const BOUNDS = { downloadBytes: 2 * 1024 * 1024, uploadBytes: 1024 * 1024, maxSeconds: 5 };

describe("commands to gateways through the collector", () => {
  const dir = tempDir("commands");
  const db = join(dir.path, "c.db");
  let collector: Collector;
  let api: string;
  let brokerUrl: string;
  let token: string;
  /** The collector's clock: real time plus what a test skips ahead. */
  let skew = 0;
  const gateways: TestGateway[] = [];

  const call = async (method: "GET" | "POST" | "DELETE", path: string) => {
    const response = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
  };
  const gateway = async (gatewayId: string, answer = true) => {
    const gw = await startTestGateway({ brokerUrl, gatewayId, password: PASSWORD, answer });
    gateways.push(gw);
    await waitFor(
      `${gatewayId} known to the collector`,
      async () => (await call("GET", `/gateways/${gatewayId}`)).status === 200,
    );
    return gw;
  };

  beforeAll(async () => {
    const handle = openDatabase(db);
    const credentials = new CredentialStore(handle);
    for (const id of GATEWAYS)
      credentials.add(id, await hashPassword(PASSWORD, GENERATED_PASSWORD_COST), Date.now());
    handle.close();
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      speedTest: { bounds: BOUNDS },
      log: silentLogger(),
      clock: () => Date.now() + skew,
    });
    api = `http://127.0.0.1:${collector.http?.port}/api/v1`;
    brokerUrl = `mqtt://127.0.0.1:${collector.broker.port}`;
    token = new TokenStore(collector.store.db).add("support").token;
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.close().catch(() => undefined);
    await collector.close();
    dir.remove();
  });

  it("runs a speed test: command with a valid schema, one at a time, result stored, token revoked", async () => {
    const gw = await gateway("gw-1");
    const started = await call("POST", "/gateways/gw-1/speedtest");
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      status: "pending",
      server: `http://127.0.0.1:${collector.http?.port}/speedtest`,
      ...BOUNDS,
    });
    const testId = started.body.testId as string;

    const busy = await call("POST", "/gateways/gw-1/speedtest");
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatch(
      new RegExp(`already running \\(test ${testId}, requested at ${started.body.requestedAt}\\)`),
    );

    await waitFor(
      "the result stored",
      () => speedTestOf(collector.store.db, "gw-1", testId)?.status === "done",
    );
    expect(gw.invalid).toEqual([]);
    expect(gw.commands).toHaveLength(1);
    const command = gw.commands[0];
    expect(command).toMatchObject({ v: PROTOCOL_VERSION, type: "command", id: testId, action: "speedtest" });
    expect(command?.speedtest).toMatchObject({ url: started.body.server, ...BOUNDS });

    const listed = await call("GET", "/gateways/gw-1/speedtest");
    expect(listed.status).toBe(200);
    const [test] = listed.body as Array<Record<string, unknown>>;
    const result = gw.results[0];
    expect(test).toMatchObject({
      testId,
      status: "done",
      downloadBytes: BOUNDS.downloadBytes,
      uploadBytes: BOUNDS.uploadBytes,
      downloadBitsPerSecond: result?.downloadBitsPerSecond,
      rttMs: result?.rttMs,
      server: `127.0.0.1:${collector.http?.port}`,
      error: null,
    });
    expect(test?.downloadBitsPerSecond).toBeGreaterThan(1e6);
    // The test is over: its token opens nothing any more.
    await waitFor("the token revoked", async () => {
      const ping = await fetch(`${started.body.server}/ping`, {
        headers: { authorization: `Bearer ${command?.speedtest?.token}` },
      });
      return ping.status === 401;
    });
    // And the next test may start.
    const again = await call("POST", "/gateways/gw-1/speedtest");
    expect(again.status).toBe(202);
    await waitFor(
      "the second result",
      () => speedTestOf(collector.store.db, "gw-1", again.body.testId as string)?.status === "done",
    );
  });

  it("404 for an unknown gateway, 409 for an offline one", async () => {
    const unknown = await call("POST", "/gateways/gw-9/speedtest");
    expect(unknown.status).toBe(404);
    const gw = await gateway("gw-2");
    await gw.close();
    await waitFor("gw-2 offline", async () => (await call("GET", "/gateways/gw-2")).body.online === false);
    const offline = await call("POST", "/gateways/gw-2/speedtest");
    expect(offline.status).toBe(409);
    expect(offline.body.error).toMatch(
      /gw-2 is offline: it has no connection to the collector's broker now; a speed test needs the gateway online/,
    );
    expect((await call("POST", "/gateways/gw-2/refresh")).status).toBe(409);
    expect((await call("GET", "/gateways/gw-2/speedtest")).body).toEqual([]);
    expect((await call("GET", "/gateways/gw-9/speedtest")).status).toBe(404);
    expect((await call("DELETE", "/gateways/gw-1/speedtest")).status).toBe(405);
  });

  it("fails a test the gateway never answers, at its deadline, and frees the gateway for the next", async () => {
    const gw = await gateway("gw-3", false);
    const started = await call("POST", "/gateways/gw-3/speedtest");
    expect(started.status).toBe(202);
    await waitFor("the command received", () => gw.commands.length === 1);
    // A restarted API worker still accepts the test's token (the main thread tells it again).
    const ping = `${started.body.server}/ping`;
    const headers = { authorization: `Bearer ${gw.commands[0]?.speedtest?.token}` };
    expect((await fetch(ping, { headers })).status).toBe(200);
    collector.http?.crashWorkerForTest();
    await waitFor("the worker restarted", () => collector.http?.restarts === 1);
    expect((await fetch(ping, { headers })).status).toBe(200);
    expect(Date.parse(started.body.answerBy as string) - Date.parse(started.body.requestedAt as string)).toBe(
      answerWithinMs(BOUNDS),
    );
    skew += answerWithinMs(BOUNDS) + 1000;
    const testId = started.body.testId as string;
    await waitFor(
      "the test failed",
      () => speedTestOf(collector.store.db, "gw-3", testId)?.status === "failed",
    );
    const [test] = (await call("GET", "/gateways/gw-3/speedtest")).body as Array<Record<string, unknown>>;
    expect(test?.error).toMatch(/^no answer from the gateway within 2\d s$/);
    expect((await call("POST", "/gateways/gw-3/speedtest")).status).toBe(202);
  });

  it("refresh: answers once the newer snapshot is stored; 202 when none comes within 10 s", async () => {
    const gw = await gateway("gw-4");
    const fresh = await call("POST", "/gateways/gw-4/refresh");
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ status: "updated", lastSnapshotSeq: 3 });
    expect(gw.commands.map((c) => c.action)).toEqual(["snapshot"]);

    const quiet = await gateway("gw-3", false);
    const started = Date.now();
    const waited = await call("POST", "/gateways/gw-3/refresh");
    expect(waited.status).toBe(202);
    expect(waited.body).toMatchObject({ status: "requested" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(quiet.commands.map((c) => c.action)).toEqual(["snapshot"]);
  }, 20_000);

  it("no gateway publishes to a command topic, its own or another's; each subscribes to its own only", async () => {
    const listener = await gateway("gw-2");
    const heard: string[] = [];
    listener.client.on("message", (topic) => heard.push(topic));
    for (const topic of [commandTopicFor("gw-2"), commandTopicFor("gw-1")]) {
      const gw1 = await connectAsync(brokerUrl, {
        clientId: "gw-1",
        username: "gw-1",
        password: PASSWORD,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const closed = new Promise<void>((resolve) => gw1.once("close", () => resolve()));
      gw1.publish(topic, JSON.stringify({ v: 1, type: "command", id: "x", action: "snapshot" }), { qos: 1 });
      await closed;
      gw1.end(true);
    }
    expect(collector.broker.refused["publish-denied"]).toBe(2);
    expect(heard).toEqual([]);
    const gw1 = await connectAsync(brokerUrl, {
      clientId: "gw-1",
      username: "gw-1",
      password: PASSWORD,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const granted = await gw1
      .subscribeAsync([commandTopicFor("gw-1"), commandTopicFor("gw-2")], { qos: 1 })
      .then(
        () => [],
        (error: { packet?: { granted: number[] } }) => error.packet?.granted,
      );
    expect(granted).toEqual([1, 128]);
    await gw1.endAsync();
  });
});
