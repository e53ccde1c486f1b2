/**
 * The outbox's on-disk record: `[u32 body length][u32 CRC-32 of body][body]`, body =
 * `[u16 topic length][topic][payload]`, little-endian. A power cut can leave the last record of a
 * segment half written (the kernel writes back pages in any order): the length says where it
 * should end and the checksum says whether what is there is what was written, so a torn or
 * garbled tail is recognised and skipped instead of being sent as a broken message.
 */
import * as zlib from "node:zlib";

export const HEADER_BYTES = 8;
/** Largest body accepted: the protocol's 1 MiB payload plus topic, with room; a bigger length is garbage. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface OutboxRecord {
  topic: string;
  payload: Buffer;
}

export type DecodeResult =
  | { kind: "ok"; record: OutboxRecord; bytes: number }
  /** The buffer ends before the record does: read more, or (at the end of a file) a torn write. */
  | { kind: "partial"; need: number }
  | { kind: "corrupt"; reason: string };

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32Js(data: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < data.length; i++)
    crc = (TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** zlib.crc32 (Node ≥ 20.15, native) where the gateway's Node has it; the table version otherwise. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
export const crc32: (data: Uint8Array) => number = nativeCrc32 ?? crc32Js;

export function encodeRecord(topic: string, payload: string | Buffer): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  const payloadBytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  const bodyBytes = 2 + topicBytes + payloadBytes;
  if (topicBytes > 0xffff || bodyBytes > MAX_BODY_BYTES) {
    throw new RangeError(`outbox record of ${bodyBytes} bytes exceeds the ${MAX_BODY_BYTES}-byte limit`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  frame.writeUInt32LE(bodyBytes, 0);
  frame.writeUInt16LE(topicBytes, HEADER_BYTES);
  frame.write(topic, HEADER_BYTES + 2, "utf8");
  if (typeof payload === "string") frame.write(payload, HEADER_BYTES + 2 + topicBytes, "utf8");
  else payload.copy(frame, HEADER_BYTES + 2 + topicBytes);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return frame;
}

/** Decodes the record starting at `offset`; the payload is copied, so `buf` may be reused. */
export function decodeRecord(buf: Buffer, offset: number, end: number = buf.length): DecodeResult {
  if (end - offset < HEADER_BYTES) return { kind: "partial", need: HEADER_BYTES };
  const bodyBytes = buf.readUInt32LE(offset);
  if (bodyBytes < 2 || bodyBytes > MAX_BODY_BYTES) return { kind: "corrupt", reason: `length ${bodyBytes}` };
  const total = HEADER_BYTES + bodyBytes;
  if (end - offset < total) return { kind: "partial", need: total };
  const body = buf.subarray(offset + HEADER_BYTES, offset + total);
  if (crc32(body) !== buf.readUInt32LE(offset + 4)) return { kind: "corrupt", reason: "checksum mismatch" };
  const topicBytes = body.readUInt16LE(0);
  if (2 + topicBytes > bodyBytes) return { kind: "corrupt", reason: "topic longer than record" };
  return {
    kind: "ok",
    bytes: total,
    record: {
      topic: body.toString("utf8", 2, 2 + topicBytes),
      payload: Buffer.from(body.subarray(2 + topicBytes)),
    },
  };
}
