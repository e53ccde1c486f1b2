import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { lease, snapshot } from "../test/messages.js";
import { MAX_JSON_BYTES, MAX_PAYLOAD_BYTES } from "./limits.js";
import { COMPRESS_ABOVE_BYTES, decodePayload, encodePayload } from "./payload.js";
import { validateMessage } from "./validate.js";

const SNAPSHOT_TOPIC = "leaseline/v1/gw-1/snapshot";

/** A snapshot whose JSON is well over the payload limit: a business gateway's. */
function bigSnapshot(leases: number): string {
  return JSON.stringify(
    snapshot({
      leases: Array.from({ length: leases }, (_, i) =>
        lease({
          mac: `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
          ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
          hostname: `device-${i}-with-a-long-descriptive-name-as-some-clients-send`,
        }),
      ),
    }),
  );
}

describe("payload encoding", () => {
  it("sends small messages as JSON text, larger ones gzip-compressed", () => {
    const small = JSON.stringify(snapshot());
    expect(small.length).toBeLessThan(COMPRESS_ABOVE_BYTES);
    expect(encodePayload(small)).toBe(small);
    const big = bigSnapshot(200);
    const encoded = encodePayload(big) as Buffer;
    expect([encoded[0], encoded[1]]).toEqual([0x1f, 0x8b]);
    expect(encoded.length).toBeLessThan(big.length / 5);
    expect(decodePayload(encoded)).toEqual({ ok: true, json: big });
  });

  it("makes a snapshot over the payload limit fit, and the collector's validation reads it whole", () => {
    const json = bigSnapshot(5000);
    expect(json.length).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    expect(validateMessage(SNAPSHOT_TOPIC, json)).toMatchObject({ ok: false, reason: "too-large" });
    const encoded = encodePayload(json);
    expect(encoded.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    const result = validateMessage(SNAPSHOT_TOPIC, encoded);
    expect(result.ok).toBe(true);
    if (result.ok && result.message.type === "snapshot") expect(result.message.leases).toHaveLength(5000);
  });

  it("refuses a compressed payload that expands past the JSON limit, without inflating it all", () => {
    // 17 MiB of spaces gzip to about 17 KB.
    const bomb = gzipSync(Buffer.alloc(MAX_JSON_BYTES + 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(validateMessage(SNAPSHOT_TOPIC, bomb)).toMatchObject({
      ok: false,
      reason: "too-large",
      errors: [{ path: "(payload)", message: `expands to more than ${MAX_JSON_BYTES} bytes` }],
    });
  });

  it("refuses a payload that starts like gzip but is not, and compressed garbage, as not JSON", () => {
    const cut = (encodePayload(bigSnapshot(200)) as Buffer).subarray(0, 500);
    expect(validateMessage(SNAPSHOT_TOPIC, cut)).toMatchObject({ ok: false, reason: "not-json" });
    expect(validateMessage(SNAPSHOT_TOPIC, Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toMatchObject({
      ok: false,
      reason: "not-json",
    });
    expect(validateMessage(SNAPSHOT_TOPIC, gzipSync("{not json"))).toMatchObject({
      ok: false,
      reason: "not-json",
    });
  });
});
