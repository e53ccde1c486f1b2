import { describe, expect, it } from "vitest";
import { lease, snapshot, state } from "../test/messages.js";
import { MAX_ARRAY_ITEMS, MAX_PAYLOAD_BYTES } from "./limits.js";
import { parseTopic, topicFor } from "./topics.js";
import { MAX_RECORDS_LEFT_OUT, validateMessage } from "./validate.js";

const SNAPSHOT_TOPIC = "leaseline/v1/gw-1/snapshot";

describe("validateMessage", () => {
  it("accepts a valid snapshot and state and returns typed data", () => {
    const result = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(snapshot({ leases: [lease()] })));
    expect(result).toMatchObject({
      ok: true,
      message: { type: "snapshot", leases: [{ mac: "d2:5f:3a:91:0c:7e" }] },
    });
    expect(validateMessage("leaseline/v1/gw-1/state", JSON.stringify(state())).ok).toBe(true);
  });

  it("lists every error with its path", () => {
    const bad = {
      ...snapshot(),
      seq: -1,
      leases: [
        { ...lease(), mac: "D2-5F-3A-91-0C-7E", ip: "300.1.1.1" },
        { ...lease(), hostname: 42 },
      ],
    };
    const result = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("schema");
    expect(result.errors.map((e) => e.path)).toEqual([
      "seq",
      "leases[0].mac",
      "leases[0].ip",
      "leases[1].hostname",
    ]);
  });

  it("reports missing fields and drops unknown ones", () => {
    const { leases: _omit, ...withoutLeases } = snapshot();
    const missing = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(withoutLeases));
    expect(missing.ok === false && missing.errors).toEqual([{ path: "leases", message: "is required" }]);
    const extra = validateMessage(SNAPSHOT_TOPIC, JSON.stringify({ ...snapshot(), futureField: 1 }));
    expect(extra.ok && "futureField" in extra.message).toBe(false);
  });

  it("rejects garbage, oversize payloads, long arrays and long strings", () => {
    expect(validateMessage(SNAPSHOT_TOPIC, "{not json")).toMatchObject({ ok: false, reason: "not-json" });
    expect(validateMessage(SNAPSHOT_TOPIC, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32))).toMatchObject({
      ok: false,
      reason: "too-large",
    });
    const many = snapshot({ leases: Array.from({ length: MAX_ARRAY_ITEMS + 1 }, () => lease()) });
    const tooMany = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(many));
    expect(tooMany.ok === false && tooMany.errors[0]?.path).toBe("leases");
    const longName = validateMessage(
      SNAPSHOT_TOPIC,
      JSON.stringify(snapshot({ leases: [lease({ hostname: "x".repeat(300) })] })),
    );
    expect(longName.ok === false && longName.errors[0]?.message).toBe("longer than 255 characters");
  });

  it("takes a snapshot without its few invalid records, and refuses one with many", () => {
    const leases = Array.from({ length: 8 }, (_, i) => lease({ ip: `192.168.1.${10 + i}` }));
    leases[3] = lease({ hostname: "x".repeat(300) });
    const few = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(snapshot({ leases })));
    expect(few).toMatchObject({
      ok: true,
      leftOut: [{ path: "leases[3].hostname", message: "longer than 255 characters" }],
    });
    expect(few.ok && few.message.type === "snapshot" && few.message.leases.map((l) => l.ip)).toEqual(
      leases.filter((_, i) => i !== 3).map((l) => l.ip),
    );
    expect(validateMessage(SNAPSHOT_TOPIC, JSON.stringify(snapshot({ leases: [lease()] })))).toMatchObject({
      ok: true,
      leftOut: [],
    });
    // More than half of an array, or more than MAX_RECORDS_LEFT_OUT in all: a broken sender.
    const half = leases.map((l, i) => (i < 5 ? { ...l, mac: "not a mac" } : l));
    expect(validateMessage(SNAPSHOT_TOPIC, JSON.stringify(snapshot({ leases: half })))).toMatchObject({
      ok: false,
      reason: "schema",
    });
    const many = Array.from({ length: 100 }, (_, i) => lease({ ip: `10.0.${i >> 8}.${i & 255}` }));
    for (let i = 0; i <= MAX_RECORDS_LEFT_OUT; i++) many[i * 2] = lease({ hostname: "x".repeat(300) });
    expect(validateMessage(SNAPSHOT_TOPIC, JSON.stringify(snapshot({ leases: many })))).toMatchObject({
      ok: false,
    });
    // A fault outside the records is the message's own: refused whatever its records.
    expect(
      validateMessage(SNAPSHOT_TOPIC, JSON.stringify({ ...snapshot({ leases }), seq: -1 })),
    ).toMatchObject({
      ok: false,
    });
  });

  it("bounds the error list for hostile payloads", () => {
    const hostile = { ...snapshot(), leases: Array.from({ length: 4000 }, () => ({})) };
    const result = validateMessage(SNAPSHOT_TOPIC, JSON.stringify(hostile));
    expect(result.ok === false && result.errors.length).toBeLessThanOrEqual(20);
  });

  it("rejects a message whose gateway or type does not match its topic", () => {
    expect(validateMessage("leaseline/v1/gw-2/snapshot", JSON.stringify(snapshot()))).toMatchObject({
      ok: false,
      reason: "gateway-mismatch",
    });
    expect(validateMessage("leaseline/v1/gw-1/state", JSON.stringify(snapshot()))).toMatchObject({
      ok: false,
    });
    expect(validateMessage("leaseline/v1/gw-1/other", "{}")).toMatchObject({ ok: false, reason: "topic" });
  });
});

describe("topics", () => {
  it("round-trips and refuses wildcards and extra levels", () => {
    expect(parseTopic(topicFor("gw-1", "state"))).toEqual({ gatewayId: "gw-1", kind: "state" });
    expect(parseTopic("leaseline/v1/+/state")).toBeNull();
    expect(parseTopic("leaseline/v1/gw-1/snapshot/extra")).toBeNull();
    expect(() => topicFor("gw/1", "state")).toThrow(/invalid gateway id/);
  });
});
