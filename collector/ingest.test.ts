/**
 * Ingest with the embedded broker: a message is acknowledged only once its transaction
 * committed. A store that fails makes the broker close the client without a PUBACK; the client
 * resends after reconnecting and the message is stored once.
 */
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { topicFor } from "../protocol/index.js";
import { tempDir, waitFor } from "../test/helpers.js";
import { lease, snapshot } from "../test/messages.js";
import { CredentialStore } from "./auth/credentialStore.js";
import { GatewayAuthenticator } from "./auth/gatewayAuthenticator.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "./embeddedBroker.js";
import { Ingest } from "./ingest.js";
import { SqliteStore } from "./store/sqliteStore.js";
import type { ReceivedMessage } from "./store/store.js";
import { storedLeases } from "./store/testSupport.js";

/** A SQLite store whose next commits can be made to fail, as a full disk would. */
class FlakyStore extends SqliteStore {
  failures = 0;
  override applyBatch(batch: readonly ReceivedMessage[]) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error("SQLITE_FULL: database or disk is full (simulated)");
    }
    return super.applyBatch(batch);
  }
}

describe("ingest acknowledges only what it stored", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: FlakyStore;
  let ingest: Ingest;
  let broker: EmbeddedBroker;

  beforeEach(async () => {
    dir = tempDir("ingest");
    store = new FlakyStore(join(dir.path, "c.db"));
    ingest = new Ingest(store, silentLogger());
    broker = await startEmbeddedBroker(ingest, silentLogger(), {
      host: "127.0.0.1",
      port: 0,
      authenticator: new GatewayAuthenticator(new CredentialStore(store.db)),
      allowAnonymous: true,
    });
  });
  afterEach(async () => {
    await broker.close();
    ingest.close();
    store.close();
    dir.remove();
  });

  it("a failed commit closes the client without a PUBACK; the resend after reconnecting is stored", async () => {
    store.failures = 1;
    const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      clientId: "gw-1",
      protocolVersion: 4,
      reconnectPeriod: 100,
    });
    const closes: number[] = [];
    client.on("close", () => closes.push(Date.now()));
    let acknowledged = false;
    const publish = client
      .publishAsync(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ leases: [lease()] })), { qos: 1 })
      .then(() => {
        acknowledged = true;
      });
    await waitFor("the client closed by the broker", () => closes.length > 0);
    expect(acknowledged).toBe(false);
    expect(ingest.metrics.commitFailures).toBe(1);
    expect(storedLeases(store.db, "gw-1")).toEqual([]);
    await publish; // mqtt.js resends the unacknowledged message after reconnecting
    expect(storedLeases(store.db, "gw-1").map((d) => d.ip)).toEqual(["192.168.1.142"]);
    expect(ingest.metrics.stored).toBe(1);
    expect(ingest.metrics.latency.count).toBe(1);
    await client.endAsync();
  });

  it("every submission of a failed batch is rejected, and the next batch commits", async () => {
    store.failures = 1;
    const results = await Promise.allSettled([
      ingest.submit(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ seq: 1 }))),
      ingest.submit(topicFor("gw-2", "snapshot"), JSON.stringify(snapshot({ gatewayId: "gw-2", seq: 1 }))),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await ingest.submit(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ seq: 1 })))).toBe(
      "stored",
    );
  });

  it("messages arriving in one event-loop turn share one transaction", async () => {
    const outcomes = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        ingest.submit(topicFor(`gw-${n}`, "snapshot"), JSON.stringify(snapshot({ gatewayId: `gw-${n}` }))),
      ),
    );
    expect(outcomes).toEqual(["stored", "stored", "stored", "stored", "stored"]);
    expect(ingest.metrics.batches).toBe(1);
  });

  it("a privacy erase drops the gateway's queued messages, or one device's records from them", async () => {
    const other = lease({ ip: "192.168.1.2", mac: "b8:27:eb:12:34:56", hostname: "pi" });
    const pending = [
      ingest.submit(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ leases: [lease()] }))),
      ingest.submit(
        topicFor("gw-2", "snapshot"),
        JSON.stringify(snapshot({ gatewayId: "gw-2", leases: [lease(), other] })),
      ),
    ];
    expect(ingest.queued).toBe(2);
    expect(ingest.dropPending("gw-1")).toBe(1);
    expect(ingest.dropPending("gw-2", "d2:5f:3a:91:0c:7e")).toBe(1);
    expect(await Promise.all(pending)).toEqual(["erased", "stored"]);
    expect(storedLeases(store.db, "gw-1")).toEqual([]);
    expect(storedLeases(store.db, "gw-2").map((d) => d.mac)).toEqual(["b8:27:eb:12:34:56"]);
  });

  it("stores a snapshot without a record it cannot take, and counts what it left out", async () => {
    const bad = { ...lease({ mac: "00:1b:11:20:dc:2d", ip: "192.168.1.143" }), hostname: "x".repeat(300) };
    const payload = JSON.stringify(
      snapshot({ leases: [lease(), bad, lease({ mac: "00:1b:11:20:dc:2e", ip: "192.168.1.144" })] }),
    );
    expect(await ingest.submit(topicFor("gw-1", "snapshot"), payload)).toBe("stored");
    // By MAC: 00:1b:11:20:dc:2e, then the default lease's d2:5f:3a:91:0c:7e.
    expect(storedLeases(store.db, "gw-1").map((l) => l.ip)).toEqual(["192.168.1.144", "192.168.1.142"]);
    expect(ingest.metrics).toMatchObject({ recordsLeftOut: 1, rejected: { schema: 0 } });
  });

  it("after close, submissions are refused (so nothing is acknowledged that will not be stored)", async () => {
    ingest.close();
    await expect(ingest.submit(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot()))).rejects.toThrow(
      /stopping/,
    );
  });
});

describe("ingest sweep", () => {
  it("deletes gateways silent past the router-data maximum age and counts what went", async () => {
    const dir = tempDir("ingest-sweep");
    const store = new SqliteStore(join(dir.path, "c.db"));
    let now = 1_800_000_000_000;
    const ingest = new Ingest(store, silentLogger(), {
      clock: () => now,
      routerDataMaxAgeMs: 30 * 86_400_000,
    });
    await ingest.submit(topicFor("gw-1", "snapshot"), JSON.stringify(snapshot({ leases: [lease()] })));
    now += 30 * 86_400_000 - 1;
    expect(ingest.sweep()).toEqual({ expired: 0, gatewaysAgedOut: 0 });
    now += 1;
    expect(ingest.sweep()).toEqual({ expired: 0, gatewaysAgedOut: 1 });
    expect(ingest.metrics.gatewaysAgedOut).toBe(1);
    expect(ingest.metrics.deleted["gateway-aged-out"]).toBe(1);
    expect(store.stats()).toEqual({ gateways: 0, gatewaysOnline: 0, leases: 0 });
    ingest.close();
    store.close();
    dir.remove();
  });
});
