/**
 * The agent's on-disk outbox: every message is appended here before it is sent and stays until
 * the broker acknowledges it, so a broker outage or an agent restart loses nothing up to the size
 * limit; past it the oldest segment is dropped and its unsent messages counted (one in flight
 * only if its acknowledgement never comes: the broker may have it). A message the
 * protocol would refuse (over MAX_PAYLOAD_BYTES) is dropped and counted at once: queued, it would
 * be sent, refused and sent again, holding up every message behind it.
 *
 * Layout (segmentFiles.ts): append-only segment files plus an ack cursor. Memory does not grow
 * with the queue: the process holds the list of segments (bounded by maxBytes / segmentBytes),
 * one read buffer, and the records handed out and not yet acknowledged (the sender's window).
 *
 * Durability and flash wear: a record is written to the segment with one write() before it is
 * sent, so an agent crash or SIGKILL loses nothing (the kernel holds the page). There is no fsync
 * per message: a segment is fsynced when it is full and when the outbox closes, and otherwise
 * the kernel's writeback batches the pages (on OpenWrt /var is RAM and nothing reaches flash at
 * all). A power cut can thus lose the last seconds of messages; the torn record it leaves is
 * recognised by its length and checksum at the next start and cut off.
 */
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";
import type { Logger } from "../../common/logger.js";
import { MAX_PAYLOAD_BYTES } from "../../protocol/index.js";
import { CursorFile, type CursorPosition } from "./ackCursor.js";
import { DroppedInFlight } from "./droppedInFlight.js";
import { encodeRecord, HEADER_BYTES, MAX_BODY_BYTES, type OutboxRecord } from "./recordCodec.js";
import { recover, type Segment } from "./recovery.js";
import { acquireLock, checkFormat, removeFile, segmentPath } from "./segmentFiles.js";
import { SegmentReader } from "./segmentReader.js";

export interface OutboxOptions {
  /** Bytes on disk at most, acknowledged-but-not-yet-deleted records included. */
  maxBytes: number;
  /** Size at which a segment is closed and a new one begun; default maxBytes / 8 within 16 KiB..4 MiB. */
  segmentBytes?: number;
  log?: Logger;
}

export interface OutboxEntry extends OutboxRecord {
  id: number;
}

export interface OutboxStats {
  /** Messages not yet acknowledged. */
  messages: number;
  bytes: number;
  limitBytes: number;
  /** Messages appended by this process. */
  appended: number;
  /** Messages lost: dropped as the oldest when full, too large, or unreadable. */
  dropped: number;
}

interface Taken {
  id: number;
  segment: number;
  end: number;
  acked: boolean;
}

/** What the publisher needs of an outbox: the on-disk Outbox, or MemoryOutbox. */
export interface OutboxQueue {
  readonly stats: OutboxStats;
  append(topic: string, payload: string | Buffer): boolean;
  take(): OutboxEntry | null;
  ack(id: number): void;
  rewind(): void;
  close(): void;
}

export class Outbox implements OutboxQueue {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #log: Logger | undefined;
  readonly #cursorFile: CursorFile;
  readonly #releaseLock: () => void;
  readonly #segments: Segment[];
  #writeFd: number;
  #nextId: number;
  #totalBytes: number;
  #ack: CursorPosition;
  #send: CursorPosition;
  #taken: Taken[] = [];
  /** Records dropped with their segment while in flight (sent, not yet acknowledged). */
  readonly #droppedInFlight = new DroppedInFlight();
  readonly #reader: SegmentReader;
  #appended = 0;
  #dropped = 0;
  #closed = false;
  /** The newest record found on disk at open (for sequence numbers), until read once. */
  #recoveredNewest: OutboxRecord | null;

  private constructor(dir: string, options: OutboxOptions, releaseLock: () => void) {
    this.#dir = dir;
    this.#maxBytes = options.maxBytes;
    this.#segmentBytes =
      options.segmentBytes ?? Math.min(4 << 20, Math.max(16 << 10, Math.floor(options.maxBytes / 8)));
    this.#log = options.log;
    this.#releaseLock = releaseLock;
    this.#cursorFile = new CursorFile(dir);
    this.#reader = new SegmentReader(dir);
    const recovered = recover(dir, this.#log);
    this.#segments = recovered.segments;
    this.#nextId = recovered.nextId;
    this.#recoveredNewest = recovered.newest;
    this.#ack = recovered.ack;
    this.#totalBytes = this.#segments.reduce((sum, s) => sum + s.size, 0);
    this.#send = { ...this.#ack };
    this.#writeFd = openSync(segmentPath(dir, this.#last.firstId), "a");
  }

  /** Opens (creating) the outbox in `dir`, recovering what a previous run left. */
  static open(dir: string, options: OutboxOptions): Outbox {
    mkdirSync(dir, { recursive: true });
    const release = acquireLock(dir);
    try {
      checkFormat(dir);
      return new Outbox(dir, options, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  get stats(): OutboxStats {
    return {
      messages: this.#nextId - this.#ack.id,
      bytes: this.#totalBytes - this.#ack.offset,
      limitBytes: this.#maxBytes,
      appended: this.#appended,
      dropped: this.#dropped,
    };
  }

  /** Segments held: bounded by maxBytes / segmentBytes + 1, whatever the number of messages. */
  get segmentCount(): number {
    return this.#segments.length;
  }

  /** The newest record a previous run left (acknowledged or not), once; null on a fresh outbox. */
  takeRecoveredNewest(): OutboxRecord | null {
    const newest = this.#recoveredNewest;
    this.#recoveredNewest = null;
    return newest;
  }

  /** Appends a message; false if it was dropped (larger than the whole outbox or the protocol allows, or the write failed). */
  append(topic: string, payload: string | Buffer): boolean {
    this.#assertOpen();
    const payloadBytes = Buffer.byteLength(payload);
    const bytes = HEADER_BYTES + 2 + Buffer.byteLength(topic) + payloadBytes;
    if (bytes > Math.min(this.#maxBytes, MAX_BODY_BYTES) || payloadBytes > MAX_PAYLOAD_BYTES) {
      this.#dropped++;
      this.#log?.error(
        { topic, bytes: payloadBytes, limit: Math.min(this.#maxBytes, MAX_PAYLOAD_BYTES) },
        "message larger than the outbox or the protocol allows: dropped",
      );
      return false;
    }
    const frame = encodeRecord(topic, payload);
    if (this.#last.size > 0 && this.#last.size + frame.length > this.#segmentBytes) this.#roll();
    while (this.#totalBytes + frame.length > this.#maxBytes) {
      if (this.#segments.length === 1) this.#roll();
      this.#dropOldest();
    }
    if (!this.#write(frame)) return false;
    this.#last.size += frame.length;
    this.#last.end = this.#last.size;
    this.#totalBytes += frame.length;
    this.#nextId++;
    this.#appended++;
    return true;
  }

  /** Writes a whole frame, or nothing: a failed write (disk full) is cut off so later records stay readable. */
  #write(frame: Buffer): boolean {
    let written = 0;
    try {
      while (written < frame.length) written += writeSync(this.#writeFd, frame, written);
      return true;
    } catch (error) {
      try {
        ftruncateSync(this.#writeFd, this.#last.size);
      } catch {
        // the next start's recovery cuts the partial record off instead
      }
      this.#dropped++;
      this.#log?.error(
        { err: (error as Error).message, bytes: frame.length },
        "outbox write failed: message dropped",
      );
      return false;
    }
  }

  /** The next record not yet handed out, oldest first; null when all are out. */
  take(): OutboxEntry | null {
    this.#assertOpen();
    for (;;) {
      const index = this.#segments.findIndex((s) => s.firstId === this.#send.segment);
      const segment = this.#segments[index];
      if (!segment) {
        this.#send = { ...this.#ack };
        continue;
      }
      const next = this.#segments[index + 1];
      if (this.#send.offset >= segment.end) {
        if (!next) return null;
        this.#send = { segment: next.firstId, offset: 0, id: next.firstId };
        continue;
      }
      const result = this.#reader.read(segment.firstId, this.#send.offset, segment.end);
      if (result.kind === "ok") {
        const { id, offset } = this.#send;
        const end = offset + result.bytes;
        this.#taken.push({ id, segment: segment.firstId, end, acked: false });
        this.#send = { segment: segment.firstId, offset: end, id: id + 1 };
        return { id, ...result.record };
      }
      // Unreadable in the middle (a failing disk, or a segment damaged by a power cut): the rest of it is lost.
      const lost = (next ? next.firstId : this.#nextId) - this.#send.id;
      this.#dropped += lost;
      this.#log?.error(
        {
          segment: segment.firstId,
          offset: this.#send.offset,
          lost,
          problem: result.kind === "corrupt" ? result.reason : "short",
        },
        "outbox segment unreadable: the rest of it is skipped",
      );
      segment.end = this.#send.offset;
      if (!next) this.#roll();
      this.#collectAcked();
    }
  }

  /** The broker acknowledged record `id`; acknowledgements of records no longer held are ignored. */
  ack(id: number): void {
    const taken = this.#taken.find((t) => t.id === id);
    if (!taken) {
      this.#droppedInFlight.acknowledged(id);
      return;
    }
    taken.acked = true;
    let moved = false;
    while (this.#taken[0]?.acked) {
      const t = this.#taken.shift() as Taken;
      this.#ack = { segment: t.segment, offset: t.end, id: t.id + 1 };
      moved = true;
    }
    if (!moved) return;
    this.#collectAcked();
    this.#cursorFile.update(this.#ack);
  }

  /** The connection was lost: records handed out and not acknowledged will be handed out again. */
  rewind(): void {
    this.#dropped += this.#droppedInFlight.takeLost();
    this.#taken = [];
    this.#send = { ...this.#ack };
  }

  /** Writes the cursor, fsyncs the open segment and releases the directory. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropped += this.#droppedInFlight.takeLost();
    this.#cursorFile.update(this.#ack);
    this.#cursorFile.flush();
    fsyncSync(this.#writeFd);
    closeSync(this.#writeFd);
    this.#reader.close();
    this.#releaseLock();
  }

  get #last(): Segment {
    return this.#segments[this.#segments.length - 1] as Segment;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("outbox is closed");
  }

  #roll(): void {
    fsyncSync(this.#writeFd);
    closeSync(this.#writeFd);
    const segment = { firstId: this.#nextId, size: 0, end: 0 };
    this.#segments.push(segment);
    this.#writeFd = openSync(segmentPath(this.#dir, segment.firstId), "a");
    this.#collectAcked();
  }

  #removeHead(): Segment {
    const head = this.#segments.shift() as Segment;
    removeFile(segmentPath(this.#dir, head.firstId));
    this.#totalBytes -= head.size;
    this.#reader.forget(head.firstId);
    const next = this.#segments[0] as Segment;
    if (this.#ack.segment === head.firstId)
      this.#ack = { segment: next.firstId, offset: 0, id: next.firstId };
    if (this.#send.segment === head.firstId) this.#send = { ...this.#ack };
    this.#taken = this.#taken.filter((t) => t.segment !== head.firstId);
    return head;
  }

  #dropOldest(): void {
    const headId = (this.#segments[0] as Segment).firstId;
    const lost = this.#ack.segment === headId ? this.#segments[1] : undefined;
    // The head's records past the ack cursor, less those already sent: delivered if acknowledged.
    const sent = this.#taken.filter((t) => t.segment === headId);
    for (const t of sent) if (!t.acked) this.#droppedInFlight.add(t.id);
    const lostCount = (lost ? lost.firstId - this.#ack.id : 0) - sent.length;
    const head = this.#removeHead();
    this.#dropped += lostCount;
    this.#log?.warn(
      { dropped: lostCount, bytes: head.size, limit: this.#maxBytes },
      "outbox full: oldest messages dropped",
    );
    this.#cursorFile.update(this.#ack);
  }

  /** Deletes leading segments whose every record is acknowledged (never the one being written). */
  #collectAcked(): void {
    let removed = false;
    while (this.#segments.length > 1) {
      const head = this.#segments[0] as Segment;
      if (this.#ack.segment !== head.firstId || this.#ack.offset < head.end) break;
      this.#removeHead();
      removed = true;
    }
    if (removed) this.#cursorFile.update(this.#ack);
  }
}
