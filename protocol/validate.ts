/**
 * The one validation entry point: every payload the collector receives goes through
 * validateMessage, which never throws and returns typed data or a precise list of errors. The
 * payload is JSON, or JSON gzip-compressed (payload.ts).
 *
 * A snapshot whose only faults are a few records (a lease, a neighbour, a station ...) is taken
 * without them: one device's odd host name must not hide every other device of the gateway.
 * Many faulty records mean a broken sender, whose snapshots are refused as a whole, so that the
 * gateway shows as not reporting rather than as empty.
 */
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import {
  type Message,
  snapshotRecordSchemas,
  snapshotSchema,
  speedTestResultSchema,
  stateSchema,
} from "./messages.js";
import { decodePayload } from "./payload.js";
import { INVALID, type Schema, type ValidationError } from "./schema.js";
import { type MessageKind, parseTopic } from "./topics.js";

/** Why a payload was rejected; the collector counts rejections by these reasons. */
export type RejectReason = "topic" | "too-large" | "not-json" | "schema" | "gateway-mismatch";

export type ValidationResult =
  /** `leftOut`: the snapshot records left out, each with its first error; usually none. */
  | { ok: true; message: Message; leftOut: ValidationError[] }
  | { ok: false; reason: RejectReason; errors: ValidationError[] };

/**
 * Records left out of one snapshot at most; past it, or past half of any one array, the sender is
 * taken to be broken and the snapshot is refused.
 */
export const MAX_RECORDS_LEFT_OUT = 20;

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
  let message = schemas[parsed.kind].check(json, "", errors);
  let leftOut: ValidationError[] = [];
  if (message === INVALID && parsed.kind === "snapshot") {
    // Only a snapshot that failed pays for a second look.
    const salvaged = withoutFewInvalidRecords(json);
    const again = salvaged ? snapshotSchema.check(salvaged.json, "", []) : INVALID;
    if (salvaged && again !== INVALID) {
      message = again;
      leftOut = salvaged.leftOut;
    }
  }
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
  return { ok: true, message, leftOut };
}

/**
 * The snapshot without its invalid records, with the first error of each; null when none is
 * invalid, or when too many are (see MAX_RECORDS_LEFT_OUT).
 */
function withoutFewInvalidRecords(json: unknown): { json: unknown; leftOut: ValidationError[] } | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const out: Record<string, unknown> = { ...json };
  const leftOut: ValidationError[] = [];
  for (const [key, schema] of Object.entries(snapshotRecordSchemas) as [string, Schema<unknown>][]) {
    const records = out[key];
    if (!Array.isArray(records)) continue;
    const kept: unknown[] = [];
    let invalid = 0;
    for (let i = 0; i < records.length; i++) {
      const errors: ValidationError[] = [];
      if (schema.check(records[i], `${key}[${i}]`, errors) !== INVALID) {
        kept.push(records[i]);
        continue;
      }
      invalid++;
      leftOut.push(errors[0] ?? { path: `${key}[${i}]`, message: "invalid" });
      if (leftOut.length > MAX_RECORDS_LEFT_OUT) return null;
    }
    if (invalid * 2 > records.length) return null;
    out[key] = kept;
  }
  return leftOut.length > 0 ? { json: out, leftOut } : null;
}
