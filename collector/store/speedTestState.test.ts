/**
 * Speed-test rows in a real SQLite file, through the store's ingest path: pending, completed by
 * the gateway's result, one at a time per gateway, failed at the deadline, and router data of
 * the boot (gone at a reset, and by the router-data maximum age).
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type SpeedTestResult } from "../../protocol/index.js";
import { tempDir } from "../../test/helpers.js";
import { snapshot } from "../../test/messages.js";
import { latestSpeedTests, SpeedTestState, speedTestOf } from "./speedTestState.js";
import { SqliteStore } from "./sqliteStore.js";

const T0 = 1_800_000_000_000;

function result(overrides: Partial<SpeedTestResult> = {}): SpeedTestResult {
  return {
    v: PROTOCOL_VERSION,
    type: "speedtest",
    gatewayId: "gw-1",
    bootId: "boot-a",
    seq: 10,
    collectedAt: T0,
    testId: "t-1",
    server: "collector:9464",
    downloadBitsPerSecond: 94e6,
    uploadBitsPerSecond: 41e6,
    rttMs: 4.5,
    downloadBytes: 26_214_400,
    uploadBytes: 10_485_760,
    downloadSeconds: 2.2,
    uploadSeconds: 2.0,
    error: null,
    ...overrides,
  };
}

describe("speed tests in the store", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let tests: SpeedTestState;
  const apply = (message: Parameters<SqliteStore["applyBatch"]>[0][number]["message"], at: number) =>
    store.applyBatch([{ message, receivedAt: at }])[0];

  beforeEach(() => {
    dir = tempDir("speedtests");
    store = new SqliteStore(join(dir.path, "c.db"));
    tests = new SpeedTestState(store.db);
    apply(snapshot({ seq: 1 }), T0);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it("a pending test is completed by the gateway's result, once; one pending test per gateway", () => {
    expect(tests.start("gw-1", "t-1", T0, T0 + 35_000)).toEqual({ started: true });
    expect(tests.start("gw-1", "t-2", T0 + 1000, T0 + 36_000)).toEqual({
      started: false,
      pending: { testId: "t-1", requestedAt: T0 },
    });
    expect(apply(result(), T0 + 5000)?.outcome).toBe("stored");
    // The result counts as the gateway being seen, like a snapshot.
    expect(store.db.prepare("SELECT last_seen_at FROM gateways WHERE gateway_id = 'gw-1'").get()).toEqual({
      last_seen_at: T0 + 5000,
    });
    expect(speedTestOf(store.db, "gw-1", "t-1")).toMatchObject({
      status: "done",
      requestedAt: T0,
      finishedAt: T0 + 5000,
      downloadBitsPerSecond: 94e6,
      rttMs: 4.5,
      error: null,
    });
    // The same result again (a redelivery) changes nothing.
    expect(apply(result(), T0 + 6000)?.outcome).toBe("duplicate");
    expect(tests.start("gw-1", "t-2", T0 + 7000, T0 + 42_000)).toEqual({ started: true });
    expect(latestSpeedTests(store.db, "gw-1", 10).map((t) => [t.testId, t.status])).toEqual([
      ["t-2", "pending"],
      ["t-1", "done"],
    ]);
  });

  it("an unanswered test fails at its deadline; a late result does not revive it", () => {
    tests.start("gw-1", "t-1", T0, T0 + 35_000);
    expect(tests.expire(T0 + 34_999)).toEqual([]);
    expect(tests.expire(T0 + 35_000)).toEqual([{ gatewayId: "gw-1", testId: "t-1" }]);
    expect(speedTestOf(store.db, "gw-1", "t-1")).toMatchObject({
      status: "failed",
      error: "no answer from the gateway within 35 s",
    });
    apply(result(), T0 + 40_000);
    expect(speedTestOf(store.db, "gw-1", "t-1")?.status).toBe("failed");
    // A past-deadline pending row (a collector stopped before failing it) does not block a new test.
    tests.start("gw-1", "t-2", T0 + 50_000, T0 + 60_000);
    expect(tests.start("gw-1", "t-3", T0 + 61_000, T0 + 90_000)).toEqual({ started: true });
  });

  it("a refused or failed measurement is stored as failed with the gateway's reason", () => {
    tests.start("gw-1", "t-1", T0, T0 + 35_000);
    apply(result({ error: "another speed test is running", downloadBitsPerSecond: null }), T0 + 100);
    expect(speedTestOf(store.db, "gw-1", "t-1")).toMatchObject({
      status: "failed",
      error: "another speed test is running",
    });
  });

  it("is router data: deleted when the gateway resets, and by the maximum age", () => {
    tests.start("gw-1", "t-1", T0, T0 + 35_000);
    apply(result(), T0 + 5000);
    apply(snapshot({ bootId: "boot-b", seq: 1 }), T0 + 60_000);
    expect(latestSpeedTests(store.db, "gw-1", 10)).toEqual([]);

    tests.start("gw-1", "t-2", T0 + 70_000, T0 + 105_000);
    apply(result({ bootId: "boot-b", testId: "t-2" }), T0 + 75_000);
    // The gateway keeps talking; its test is older than the maximum age allows.
    apply(snapshot({ bootId: "boot-b", seq: 2 }), T0 + 200_000);
    store.deleteSilentGateways(T0 + 100_000);
    expect(latestSpeedTests(store.db, "gw-1", 10)).toEqual([]);
    expect(store.stats().gateways).toBe(1);
    // No test for a gateway the collector does not know.
    expect(() => tests.start("gw-9", "t-x", T0, T0 + 1)).toThrow(/FOREIGN KEY/);
  });
});
