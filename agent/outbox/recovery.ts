/**
 * What the outbox finds on disk when it opens: its segments (the newest cut back to its last
 * complete record, since only it can end in a torn write; older ones were fsynced when they
 * filled), the id the next record gets, the newest record (so the agent's sequence numbers stay
 * above every queued one), and where the unacknowledged records begin.
 */
import { statSync, truncateSync } from "node:fs";
import type { Logger } from "../../common/logger.js";
import { type CursorPosition, readCursor } from "./ackCursor.js";
import type { OutboxRecord } from "./recordCodec.js";
import { listSegments, removeFile, scanSegment, segmentPath } from "./segmentFiles.js";

export interface Segment {
  firstId: number;
  /** Bytes in the file. */
  size: number;
  /** Where readable records end: the size, or where an unreadable record was found. */
  end: number;
}

export interface Recovered {
  segments: Segment[];
  nextId: number;
  newest: OutboxRecord | null;
  ack: CursorPosition;
}

export function recover(dir: string, log: Logger | undefined): Recovered {
  const segments: Segment[] = listSegments(dir).map((firstId) => {
    const size = statSync(segmentPath(dir, firstId)).size;
    return { firstId, size, end: size };
  });
  const last = segments[segments.length - 1];
  if (!last) {
    // The file itself is created when the outbox opens it for appending.
    const fresh = { firstId: 0, size: 0, end: 0 };
    return { segments: [fresh], nextId: 0, newest: null, ack: { segment: 0, offset: 0, id: 0 } };
  }
  const path = segmentPath(dir, last.firstId);
  const scan = scanSegment(path);
  if (scan.badBytes > 0) {
    log?.warn(
      { segment: last.firstId, offset: scan.goodBytes, bytes: scan.badBytes, problem: scan.problem },
      "outbox: incomplete last record (power cut?) cut off",
    );
    truncateSync(path, scan.goodBytes);
  }
  last.size = scan.goodBytes;
  last.end = scan.goodBytes;
  let newest = scan.last;
  // A segment begun just before a crash may be empty: the newest record is then in the one before.
  for (let i = segments.length - 2; newest === null && i >= 0; i--) {
    newest = scanSegment(segmentPath(dir, (segments[i] as Segment).firstId)).last;
  }
  const ack = recoverCursor(dir, segments);
  return { segments, nextId: last.firstId + scan.records, newest, ack };
}

/** The saved cursor if it is a record boundary with the right id; else the oldest segment's start. */
function recoverCursor(dir: string, segments: Segment[]): CursorPosition {
  const head = segments[0] as Segment;
  const start = { segment: head.firstId, offset: 0, id: head.firstId };
  const saved = readCursor(dir);
  if (!saved) return start;
  const index = segments.findIndex((s) => s.firstId === saved.segment);
  const segment = segments[index];
  if (!segment || saved.offset > segment.size) return start;
  const scan = scanSegment(segmentPath(dir, segment.firstId), saved.offset);
  if (scan.goodBytes !== saved.offset || segment.firstId + scan.records !== saved.id) return start;
  // Segments older than the cursor were acknowledged; a crash came before they were deleted.
  for (const old of segments.splice(0, index)) removeFile(segmentPath(dir, old.firstId));
  return saved;
}
