/**
 * The outbox directory's files: append-only segments named by the id of their first record
 * (`0000000000000042.seg`), a small ack cursor, a `format` file naming the layout, and a lock
 * holding the owner's pid so two agents never append to the same queue. Segments are whole units of deletion: once every record of
 * one is acknowledged (or it is the oldest when the queue is full) its file is unlinked, which
 * costs the flash one metadata update instead of a rewrite.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { decodeRecord, HEADER_BYTES, type OutboxRecord } from "./recordCodec.js";

const SEGMENT_PATTERN = /^(\d{16})\.seg$/;
const LOCK_FILE = "lock";
const FORMAT_FILE = "format";
/** Bumped when the record or file layout changes; an agent never reads a layout it does not know. */
export const OUTBOX_FORMAT = "leaseline-outbox 1";
/** Bytes read from a segment at a time when scanning: large enough that syscalls do not dominate. */
export const READ_CHUNK_BYTES = 64 * 1024;

export function segmentPath(dir: string, firstId: number): string {
  return join(dir, `${String(firstId).padStart(16, "0")}.seg`);
}

/** First ids of the segments in `dir`, oldest first. */
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface ScanResult {
  /** Records that decoded, in order. */
  records: number;
  /** Offset after the last good record: where a torn or corrupt tail starts, or the file size. */
  goodBytes: number;
  /** Bytes after goodBytes (a torn write or garbage). */
  badBytes: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem: string | null;
  /** The last good record, so the newest sequence number can be recovered. */
  last: OutboxRecord | null;
}

/**
 * Walks a segment's records from the start, stopping at `stopAt` bytes (a record boundary) or at
 * the first record that is incomplete or fails its checksum. Memory: one chunk plus one record.
 */
export function scanSegment(path: string, stopAt = Number.POSITIVE_INFINITY): ScanResult {
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let bufStart = 0;
    let bufLen = 0;
    let offset = 0;
    let records = 0;
    let last: OutboxRecord | null = null;
    let eof = false;
    for (;;) {
      if (offset >= stopAt) return { records, goodBytes: offset, badBytes: 0, problem: null, last };
      const result = decodeRecord(buf, offset - bufStart, bufLen);
      if (result.kind === "ok") {
        records++;
        last = result.record;
        offset += result.bytes;
        continue;
      }
      if (result.kind === "partial" && !eof) {
        // Keep the unread tail and fill the rest of the buffer (growing it for a large record).
        const keep = bufLen - (offset - bufStart);
        const size = Math.max(READ_CHUNK_BYTES, result.need);
        const next = size > buf.length ? Buffer.allocUnsafe(size) : buf;
        buf.copy(next, 0, offset - bufStart, bufLen);
        buf = next;
        bufStart = offset;
        bufLen = keep;
        const n = readSync(fd, buf, keep, buf.length - keep, offset + keep);
        if (n === 0) eof = true;
        bufLen += n;
        continue;
      }
      const badBytes = fstatSync(fd).size - offset;
      if (badBytes === 0) return { records, goodBytes: offset, badBytes: 0, problem: null, last };
      const problem =
        result.kind === "partial"
          ? `torn record: ${badBytes} bytes where at least ${Math.max(result.need, HEADER_BYTES)} were expected`
          : `corrupt record (${result.reason})`;
      return { records, goodBytes: offset, badBytes, problem, last };
    }
  } finally {
    closeSync(fd);
  }
}

/** Marks a new outbox with its layout, and refuses one written in another layout. */
export function checkFormat(dir: string): void {
  const path = join(dir, FORMAT_FILE);
  let found: string | null = null;
  try {
    found = readFileSync(path, "utf8").trim();
  } catch {
    // a new outbox
  }
  if (found === null) writeFileSync(path, `${OUTBOX_FORMAT}\n`);
  else if (found !== OUTBOX_FORMAT) {
    throw new Error(
      `outbox ${dir} has layout "${found}", this agent writes "${OUTBOX_FORMAT}": ` +
        "deliver it with the agent that wrote it, or move the directory aside",
    );
  }
}

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock; a lock left by a process that no longer exists (SIGKILL, power cut) is taken over. */
export function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  let owner: number | null = null;
  try {
    owner = Number(readFileSync(path, "utf8").trim());
  } catch {
    // no lock yet
  }
  if (owner && owner !== process.pid && Number.isSafeInteger(owner) && isAlive(owner)) {
    throw new Error(
      `outbox ${dir} is in use by another agent (pid ${owner}); give each agent its own --gateway-id or --outbox-dir`,
    );
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      if (Number(readFileSync(path, "utf8").trim()) === process.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  };
}
