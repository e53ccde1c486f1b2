/**
 * How a message travels: as JSON text, or as that text gzip-compressed (RFC 1952). A snapshot of
 * 250 devices is about 210 KB of JSON, and a business gateway's over the 1-MiB payload limit;
 * compressed they are 5-6 times smaller, on the uplink, in the agent's outbox and at the broker.
 * MQTT 3.1.1 (aedes) has no content type, so the collector tells the two apart by gzip's magic
 * bytes 1f 8b, which no JSON text starts with (it starts with `{` or whitespace).
 */
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { MAX_JSON_BYTES } from "./limits.js";

/** Smaller texts go as they are: compressing them would save little and cost a gateway's CPU. */
export const COMPRESS_ABOVE_BYTES = 16 * 1024;

/**
 * The payload for a message's JSON text. The fastest level: a 250-device snapshot takes 1.1 ms of
 * the agent's CPU (--lite-mode, bench/payloadSize.ts) for 5.3 times smaller; level 6 takes over
 * twice that for about a fifth less.
 */
export function encodePayload(json: string): string | Buffer {
  if (json.length < COMPRESS_ABOVE_BYTES) return json;
  return gzipSync(json, { level: constants.Z_BEST_SPEED });
}

export type DecodedPayload =
  | { ok: true; json: string }
  | { ok: false; reason: "too-large" | "not-json"; message: string };

function isGzip(payload: Uint8Array): boolean {
  return payload.length >= 2 && payload[0] === 0x1f && payload[1] === 0x8b;
}

/** A payload's JSON text; a compressed one is inflated to at most MAX_JSON_BYTES. Never throws. */
export function decodePayload(payload: Uint8Array | string): DecodedPayload {
  if (typeof payload === "string") return { ok: true, json: payload };
  // A view of the bytes, not a copy: this is on every message's way into the collector.
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (!isGzip(bytes)) return { ok: true, json: bytes.toString("utf8") };
  try {
    return { ok: true, json: gunzipSync(bytes, { maxOutputLength: MAX_JSON_BYTES }).toString("utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      return { ok: false, reason: "too-large", message: `expands to more than ${MAX_JSON_BYTES} bytes` };
    }
    return { ok: false, reason: "not-json", message: `not valid gzip: ${(error as Error).message}` };
  }
}
