/**
 * Reads records from the outbox's segments one at a time, oldest first, through one reusable
 * buffer: replaying a queue of any length costs one chunk of memory (more only while a record
 * larger than a chunk is read), and a sequential replay makes one read() per 64 KiB.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { type DecodeResult, decodeRecord, HEADER_BYTES } from "./recordCodec.js";
import { READ_CHUNK_BYTES, segmentPath } from "./segmentFiles.js";

export class SegmentReader {
  readonly #dir: string;
  #segment = -1;
  #fd: number | null = null;
  #buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  /** File offset of #buf[0] and how many bytes of it are valid. */
  #bufStart = 0;
  #bufLen = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Decodes the record at `offset` of segment `firstId`, whose readable bytes end at `end`. */
  read(firstId: number, offset: number, end: number): DecodeResult {
    if (this.#segment !== firstId || this.#fd === null) {
      this.close();
      this.#fd = openSync(segmentPath(this.#dir, firstId), "r");
      this.#segment = firstId;
    }
    const inBuffer = offset >= this.#bufStart && offset < this.#bufStart + this.#bufLen;
    let result: DecodeResult = inBuffer
      ? decodeRecord(this.#buf, offset - this.#bufStart, this.#bufLen)
      : { kind: "partial", need: HEADER_BYTES };
    // At most two refills: one that reads the header (and usually the record), one sized for a large record.
    for (let refill = 0; refill < 2 && result.kind === "partial"; refill++) {
      if (offset + result.need > end)
        return { kind: "corrupt", reason: "record runs past the end of the segment" };
      this.#fill(offset, Math.max(READ_CHUNK_BYTES, result.need), end);
      result = decodeRecord(this.#buf, 0, this.#bufLen);
    }
    return result.kind === "partial" ? { kind: "corrupt", reason: "short read" } : result;
  }

  /** Reads from `offset` into the buffer (grown for a large record, shrunk back after it). */
  #fill(offset: number, size: number, end: number): void {
    if (size > this.#buf.length || (size === READ_CHUNK_BYTES && this.#buf.length > 4 * READ_CHUNK_BYTES)) {
      this.#buf = Buffer.allocUnsafe(size);
    }
    this.#bufStart = offset;
    this.#bufLen = readSync(
      this.#fd as number,
      this.#buf,
      0,
      Math.min(this.#buf.length, end - offset),
      offset,
    );
  }

  /** Forgets segment `firstId` (deleted); the next read opens whichever segment it needs. */
  forget(firstId: number): void {
    if (this.#segment === firstId) this.close();
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#segment = -1;
    this.#bufLen = 0;
  }
}
