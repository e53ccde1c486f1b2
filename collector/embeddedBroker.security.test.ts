/**
 * The embedded broker against every way around its rules we could think of, with real MQTT
 * clients on loopback: each attempt is refused, nothing of it is stored, and a well-behaved
 * gateway connected throughout is unaffected.
 */

import { Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { topicFor } from "../protocol/index.js";
import { connectOutcome } from "../test/collectorHelpers.js";
import { tempDir, waitFor } from "../test/helpers.js";
import { snapshot, state } from "../test/messages.js";
import { CredentialStore } from "./auth/credentialStore.js";
import { GENERATED_PASSWORD_COST, hashPassword } from "./auth/passwordHash.js";
import { type Collector, startCollector } from "./runCollector.js";
import { openDatabase } from "./store/openDatabase.js";
import { listGateways } from "./store/queries.js";

const PASSWORD = { "gw-a": "password-of-gateway-a-0123456789", "gw-b": "password-of-gateway-b-0123456789" };

async function addCredentials(db: string, ids: Array<keyof typeof PASSWORD>): Promise<void> {
  const handle = openDatabase(db);
  try {
    const store = new CredentialStore(handle);
    for (const id of ids)
      store.add(id, await hashPassword(PASSWORD[id], GENERATED_PASSWORD_COST), Date.now());
  } finally {
    handle.close();
  }
}

function connectOptions(overrides: IClientOptions): IClientOptions {
  return { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clean: true, ...overrides };
}

/** The CONNACK refusal (or "closed" without one); rejects if the broker accepted the connection. */
async function refusedConnect(port: number, options: IClientOptions): Promise<string> {
  const outcome = await connectOutcome(`mqtt://127.0.0.1:${port}`, connectOptions(options));
  if (outcome === "connected") throw new Error("the broker accepted the connection");
  return outcome;
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) resolve();
    client.once("close", () => resolve());
  });
}

describe("embedded broker security", () => {
  const dir = tempDir("broker-security");
  const db = join(dir.path, "c.db");
  let collector: Collector;
  let port: number;
  /** Connected from the start to the end: every attack must leave it working. */
  let bystander: MqttClient;
  const gatewayIds = () => listGateways(collector.store.db).map((g) => g.gatewayId);

  const gateway = (id: keyof typeof PASSWORD, extra: IClientOptions = {}) =>
    connectAsync(
      `mqtt://127.0.0.1:${port}`,
      connectOptions({ clientId: id, username: id, password: PASSWORD[id], ...extra }),
    );

  beforeAll(async () => {
    await addCredentials(db, ["gw-a", "gw-b"]);
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      log: silentLogger(),
      brokerLimits: { publishRatePerSecond: 5, publishBurst: 20, maxThrottleMs: 1000 },
    });
    port = collector.broker.port;
    bystander = await gateway("gw-b");
    await bystander.publishAsync(topicFor("gw-b", "state"), JSON.stringify(state({ gatewayId: "gw-b" })), {
      qos: 1,
      retain: true,
    });
  });

  afterAll(async () => {
    // The bystander survived every attack and still gets its messages stored.
    expect(bystander.connected).toBe(true);
    await bystander.publishAsync(
      topicFor("gw-b", "snapshot"),
      JSON.stringify(snapshot({ gatewayId: "gw-b", seq: 99 })),
      { qos: 1 },
    );
    expect(gatewayIds()).toEqual(["gw-b"]);
    await bystander.endAsync();
    await collector.close();
    dir.remove();
  });

  it("accepts a gateway with its own credentials and stores what it publishes", async () => {
    const a = await gateway("gw-a");
    await a.publishAsync(topicFor("gw-a", "snapshot"), JSON.stringify(snapshot({ gatewayId: "gw-a" })), {
      qos: 1,
    });
    expect(gatewayIds()).toEqual(["gw-a", "gw-b"]);
    await a.endAsync();
    // gw-a's rows go again so later assertions only see what attacks could have added.
    collector.store.db.prepare("DELETE FROM gateways WHERE gateway_id = 'gw-a'").run();
  });

  it("refuses an anonymous client on loopback once credentials exist", async () => {
    expect(await refusedConnect(port, { clientId: "gw-a" })).toMatch(/not authorized|bad user/i);
  });

  it("refuses a wrong password, and an unknown gateway", async () => {
    expect(
      await refusedConnect(port, {
        clientId: "gw-a",
        username: "gw-a",
        password: "wrong-password-000000000",
      }),
    ).toMatch(/bad user ?name or password/i);
    expect(
      await refusedConnect(port, { clientId: "gw-x", username: "gw-x", password: PASSWORD["gw-a"] }),
    ).toMatch(/bad user ?name or password/i);
    expect(collector.broker.refused["bad-credentials"]).toBe(2);
  });

  it("refuses another gateway's client id, even with a valid password", async () => {
    expect(
      await refusedConnect(port, { clientId: "gw-b", username: "gw-a", password: PASSWORD["gw-a"] }),
    ).toMatch(/identifier rejected/i);
    expect(bystander.connected).toBe(true);
  });

  it("refuses a last will outside the gateway's subtree at connect", async () => {
    const will = {
      topic: topicFor("gw-b", "state"),
      payload: Buffer.from("{}"),
      qos: 1 as const,
      retain: true,
    };
    expect(
      await refusedConnect(port, { clientId: "gw-a", username: "gw-a", password: PASSWORD["gw-a"], will }),
    ).toMatch(/not authorized/i);
  });

  it("closes a gateway that publishes into another gateway's topic, without acknowledging or storing", async () => {
    const a = await gateway("gw-a");
    let acknowledged = false;
    a.publishAsync(
      topicFor("gw-b", "snapshot"),
      JSON.stringify(snapshot({ gatewayId: "gw-b", seq: 50, leases: [] })),
      { qos: 1 },
    ).then(
      () => {
        acknowledged = true;
      },
      () => undefined,
    );
    await closed(a);
    a.end(true);
    expect(acknowledged).toBe(false);
    expect(collector.broker.refused["publish-denied"]).toBeGreaterThanOrEqual(1);
    expect(collector.ingest.metrics.received).toBe(2);
  });

  it("refuses publishes to $SYS", async () => {
    const a = await gateway("gw-a");
    a.publish("$SYS/broker/anything", "x", { qos: 1 });
    await closed(a);
    a.end(true);
  });

  it("negates wildcard and foreign subscriptions, grants the gateway's own subtree", async () => {
    const a = await gateway("gw-a");
    // mqtt.js reports a SUBACK with any failure as an error carrying the packet.
    const granted = await a
      .subscribeAsync(
        [
          "#",
          "leaseline/v1/+/state",
          topicFor("gw-b", "state"),
          "$SYS/#",
          "$share/g/leaseline/v1/+/#",
          "leaseline/v1/gw-a/cmd",
        ],
        { qos: 1 },
      )
      .then(
        () => [],
        (error: { packet?: { granted: number[] } }) => error.packet?.granted,
      );
    expect(granted).toEqual([128, 128, 128, 128, 128, 1]);
    const received: string[] = [];
    a.on("message", (topic) => received.push(topic));
    // gw-b's retained state exists and gw-b publishes more: none of it reaches gw-a.
    await bystander.publishAsync(
      topicFor("gw-b", "state"),
      JSON.stringify(state({ gatewayId: "gw-b", seq: 2 })),
      {
        qos: 1,
        retain: true,
      },
    );
    await a.publishAsync(topicFor("gw-a", "state"), JSON.stringify(state({ gatewayId: "gw-a" })), { qos: 1 });
    await sleep(100); // room for a forwarded message to arrive, if the broker wrongly sent one
    expect(received).toEqual([]);
    await a.endAsync();
    collector.store.db.prepare("DELETE FROM gateways WHERE gateway_id = 'gw-a'").run();
  });

  it("closes a client that sends an oversized packet, and stores nothing of it", async () => {
    const a = await gateway("gw-a");
    const huge = JSON.stringify(snapshot({ gatewayId: "gw-a", seq: 70, uptimeSeconds: 1 })).replace(
      '"leases":[]',
      `"leases":[],"padding":"${"x".repeat(2 * 1024 * 1024)}"`,
    );
    a.publish(topicFor("gw-a", "snapshot"), huge, { qos: 1 });
    await closed(a);
    a.end(true);
    expect(collector.broker.refused["packet-too-large"]).toBe(1);
    expect(gatewayIds()).toEqual(["gw-b"]);
  });

  it("closes a raw connection the moment a header announces too many bytes, before they arrive", async () => {
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(port, "127.0.0.1", resolve));
    const closedAt = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    // PUBLISH with a remaining length of 200,000,000 (varint 0x80 0x84 0xaf 0x5f), and not one byte of it.
    socket.write(Buffer.from([0x30, 0x80, 0x84, 0xaf, 0x5f]));
    await closedAt;
    expect(collector.broker.refused["packet-too-large"]).toBe(2);
  });

  it("closes a client that publishes to a topic 1,000 levels deep", async () => {
    const a = await gateway("gw-a");
    a.publish(`${topicFor("gw-a", "snapshot")}${"/x".repeat(1000)}`, "{}", { qos: 1 });
    await closed(a);
    a.end(true);
    expect(collector.broker.refused["topic-too-deep"]).toBe(1);
    expect(gatewayIds()).toEqual(["gw-b"]);
  });

  it("slows down, but keeps, a gateway a little over its publish rate that waits for its PUBACKs", async () => {
    const a = await gateway("gw-a");
    const started = Date.now();
    // Burst of 20, then 5/s: the last 5 of 25 sequential publishes wait about 200 ms each.
    for (let seq = 1; seq <= 25; seq++) {
      await a.publishAsync(
        topicFor("gw-a", "snapshot"),
        JSON.stringify(snapshot({ gatewayId: "gw-a", seq })),
        {
          qos: 1,
        },
      );
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(a.connected).toBe(true);
    expect(collector.broker.refused["rate-limit"]).toBe(0);
    await a.endAsync();
    collector.store.db.prepare("DELETE FROM gateways WHERE gateway_id = 'gw-a'").run();
  });

  it("closes a client that floods far beyond the publish rate", async () => {
    const a = await gateway("gw-a");
    for (let i = 0; i < 40; i++) a.publish(topicFor("gw-a", "snapshot"), "{}", { qos: 0 });
    await closed(a);
    a.end(true);
    expect(collector.broker.refused["rate-limit"]).toBe(1);
  });

  it("disconnects a gateway whose credential is removed while it is connected", async () => {
    const a = await gateway("gw-a");
    const other = openDatabase(db);
    new CredentialStore(other).remove("gw-a");
    other.close();
    expect(collector.broker.revalidateCredentials()).toBe(1);
    await closed(a);
    a.end(true);
    expect(
      await refusedConnect(port, { clientId: "gw-a", username: "gw-a", password: PASSWORD["gw-a"] }),
    ).toMatch(/bad user ?name or password/i);
    await addCredentials(db, ["gw-a"]);
  });
});

describe("embedded broker bans an address after repeated authentication failures", () => {
  const dir = tempDir("broker-ban");
  const db = join(dir.path, "c.db");
  let collector: Collector;
  let now = 1_800_000_000_000;

  beforeAll(async () => {
    await addCredentials(db, ["gw-a"]);
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      log: silentLogger(),
      clock: () => now,
      brokerLimits: { ban: { maxFailures: 3, windowMs: 60_000, banMs: 300_000, maxTracked: 100 } },
    });
  });
  afterAll(async () => {
    await collector.close();
    dir.remove();
  });

  it("refuses even the right password during the ban, and admits it after", async () => {
    const port = collector.broker.port;
    const good = { clientId: "gw-a", username: "gw-a", password: PASSWORD["gw-a"] };
    for (let i = 0; i < 3; i++) {
      await refusedConnect(port, { ...good, password: `wrong-${i}-xxxxxxxxxxxxxxxxxxxx` });
    }
    expect(await refusedConnect(port, good)).toBe("closed");
    expect(collector.broker.refused.banned).toBe(1);
    now += 300_001;
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, connectOptions(good));
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe("embedded broker without credentials", () => {
  it("refuses to listen off loopback", async () => {
    const dir = tempDir("broker-anon");
    await expect(
      startCollector({ db: join(dir.path, "c.db"), listen: "mqtt://0.0.0.0:0", log: silentLogger() }),
    ).rejects.toThrow(/not a loopback address and no gateway credential/);
    dir.remove();
  });

  it("serves anonymous clients on loopback, and refuses them once a credential is added", async () => {
    const dir = tempDir("broker-anon");
    const db = join(dir.path, "c.db");
    const collector = await startCollector({ db, listen: "mqtt://127.0.0.1:0", log: silentLogger() });
    const client = await connectAsync(
      `mqtt://127.0.0.1:${collector.broker.port}`,
      connectOptions({ clientId: "local-tool" }),
    );
    await addCredentials(db, ["gw-a"]);
    expect(collector.broker.revalidateCredentials()).toBe(1);
    await waitFor("anonymous client closed", () => !client.connected);
    client.end(true);
    expect(await refusedConnect(collector.broker.port, { clientId: "local-tool" })).toMatch(
      /not authorized|bad user/i,
    );
    await collector.close();
    dir.remove();
  });
});
