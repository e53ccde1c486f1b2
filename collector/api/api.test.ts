/**
 * The HTTP API of a running collector: the support queries answer what the store functions
 * answer, tokens and roles (401 without a token, 403 for a support token on privacy actions),
 * 400 with a clear message for bad parameters, and an erase that also clears the gateway's
 * retained `state` message in the embedded broker.
 */
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { topicFor } from "../../protocol/index.js";
import { tempDir } from "../../test/helpers.js";
import { state } from "../../test/messages.js";
import { Feed, householdGateway } from "../../test/simulatedFeed.js";
import { type Collector, startCollector } from "../runCollector.js";
import { devicesOf } from "../store/supportQueries.js";
import { TokenStore } from "./tokenStore.js";

const GW = "gw-00001";

describe("HTTP API /api/v1", () => {
  const dir = tempDir("api");
  let collector: Collector;
  let base: string;
  let support: string;
  let privacy: string;

  beforeAll(async () => {
    collector = await startCollector({
      db: join(dir.path, "c.db"),
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      log: silentLogger(),
    });
    base = `http://127.0.0.1:${collector.http?.port}/api/v1`;
    const tokens = new TokenStore(collector.store.db);
    support = tokens.add("support").token;
    privacy = tokens.add("privacy").token;
    await new Feed(householdGateway(GW).gw, collector.store).runUntil(120);
  });
  afterAll(async () => {
    await collector.close();
    dir.remove();
  });

  const get = async (path: string, token?: string, method = "GET") => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
  };

  it("serves the OpenAPI document without a token", async () => {
    const { status, body } = await get("/openapi.json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object)).toContain("/api/v1/gateways/{gateway}/devices");
  });

  it("401 without or with a wrong token", async () => {
    expect((await get("/gateways")).status).toBe(401);
    expect(
      (await get("/gateways", "ll_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status,
    ).toBe(401);
    expect((await get("/gateways", `${support}x`)).status).toBe(401);
  });

  it("answers the support queries as the store does", async () => {
    const { status, body } = await get(`/gateways/${GW}/devices`, support);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(devicesOf(collector.store.db, GW))));
    const detail = (await get(`/gateways/${GW}`, support)).body;
    expect(detail.radios).toHaveLength(2);
    // The simulated OpenWrt gateway's pool, with the household's leases in it.
    expect((detail.router as { dhcpPools: unknown[] }).dhcpPools).toEqual([
      expect.objectContaining({
        name: "lan",
        size: 150,
        leased: devicesOf(collector.store.db, GW).length,
        full: false,
      }),
    ]);
    expect((await get("/gateways", support)).body).toHaveLength(1);
    expect((await get(`/gateways/${GW}/events?since=1h`, support)).status).toBe(200);
    expect((await get(`/gateways/${GW}/bandwidth?limit=5`, support)).body).toHaveLength(5);
    const history = await get(`/gateways/${GW}/devices/DA-A1-19-5C-2E-01/history`, support);
    expect(history.body.length).toBeGreaterThan(0);
  });

  it("400 with a clear message for bad parameters, 404 for unknown things", async () => {
    const badMac = await get(`/gateways/${GW}/devices/not-a-mac/history`, support);
    expect(badMac).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^mac: "not-a-mac" is not a MAC/) },
    });
    const badTime = await get(`/gateways/${GW}/events?since=yesterday`, support);
    expect(badTime.status).toBe(400);
    expect(badTime.body.error).toMatch(/^since: expected an ISO-8601 time/);
    expect((await get(`/gateways/${GW}/events?limit=0`, support)).status).toBe(400);
    expect((await get("/gateways/gw-unknown/devices", support)).status).toBe(404);
    expect((await get("/gateways/bad%20id", support)).status).toBe(400);
    expect((await get("/nothing", support)).status).toBe(404);
  });

  it("403 for a support token on export and erase; privacy token exports", async () => {
    expect((await get(`/gateways/${GW}/export`, support)).status).toBe(403);
    expect((await get(`/gateways/${GW}/erase`, support, "POST")).status).toBe(403);
    const exported = await get(`/gateways/${GW}/export?mac=da:a1:19:5c:2e:01`, privacy);
    expect(exported.status).toBe(200);
    expect((exported.body.tables as Record<string, unknown[]>).devices).toHaveLength(1);
    expect((await get(`/gateways/${GW}/erase`, privacy, "GET")).status).toBe(405);
  });

  it("erase deletes the gateway's data and its retained state message", async () => {
    const agent = await connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, {
      clientId: GW,
      reconnectPeriod: 0,
    });
    const live = await (await import("../store/queries.js")).listGateways(collector.store.db, {
      gatewayId: GW,
    })[0];
    await agent.publishAsync(
      topicFor(GW, "state"),
      JSON.stringify(state({ gatewayId: GW, bootId: live?.bootId, seq: 1 })),
      {
        qos: 1,
        retain: true,
      },
    );
    await agent.endAsync();
    const retained = async () => {
      const watcher = await connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, {
        clientId: "watcher",
        reconnectPeriod: 0,
      });
      const got: Buffer[] = [];
      watcher.on("message", (_t, payload, packet) => {
        if (packet.retain && payload.length > 0) got.push(payload);
      });
      await watcher.subscribeAsync(topicFor(GW, "state"), { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      await watcher.endAsync();
      return got.length;
    };
    expect(await retained()).toBe(1);
    const { status, body } = await get(`/gateways/${GW}/erase`, privacy, "POST");
    expect(status).toBe(200);
    expect(body).toMatchObject({ retainedState: "cleared", checkpointed: true, deleted: { gateways: 1 } });
    expect(await retained()).toBe(0);
    expect((await get(`/gateways/${GW}/devices`, support)).status).toBe(404);
  });
});
