/**
 * The one validation entry point: every payload the collector receives goes through
 * validateMessage, which never throws and returns typed data or a precise list of errors. The
 * payload is JSON, or JSON gzip-compressed (payload.ts).
 */
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import { type Message, snapshotSchema, speedTestResultSchema, stateSchema } from "./messages.js";
import { decodePayload } from "./payload.js";
import { INVALID, type Schema, type ValidationError } from "./schema.js";
import { type MessageKind, parseTopic } from "./topics.js";

/** Why a payload was rejected; the collector counts rejections by these reasons. */
export type RejectReason = "topic" | "too-large" | "not-json" | "schema" | "gateway-mismatch";

export type ValidationResult =
  | { ok: true; message: Message }
  | { ok: false; reason: RejectReason; errors: ValidationError[] };

const schemas: Record<MessageKind, Schema<Message>> = {
  snapshot: snapshotSchema,
  state: stateSchema,
  speedtest: speedTestResultSchema,
};

function reject(reason: RejectReason, path: string, message: string): ValidationResult {
  return { ok: false, reason, errors: [{ path, message }] };
}

export function validateMessage(topic: string, payload: Uint8Array | string): ValidationResult {
  const parsed = parseTopic(topic);
  if (!parsed)
    return reject(
      "topic",
      "(topic)",
      `not a leaseline message topic: ${JSON.stringify(topic.slice(0, 200))}`,
    );
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return reject("too-large", "(payload)", `${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const decoded = decodePayload(payload);
  if (!decoded.ok) return reject(decoded.reason, "(payload)", decoded.message);
  let json: unknown;
  try {
    json = JSON.parse(decoded.json);
  } catch (error) {
    return reject("not-json", "(payload)", `not JSON: ${(error as Error).message}`);
  }
  const errors: ValidationError[] = [];
  const message = schemas[parsed.kind].check(json, "", errors);
  if (message === INVALID) return { ok: false, reason: "schema", errors };
  if (message.type !== parsed.kind) {
    return reject("schema", "type", `message type ${message.type} published on the ${parsed.kind} topic`);
  }
  if (message.gatewayId !== parsed.gatewayId) {
    return reject(
      "gateway-mismatch",
      "gatewayId",
      `${message.gatewayId} published under ${parsed.gatewayId}`,
    );
  }
  return { ok: true, message };
}
