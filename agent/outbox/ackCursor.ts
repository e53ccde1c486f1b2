/**
 * Where the outbox's unacknowledged records begin: segment, byte offset and record id, kept in
 * a tiny file. Acknowledgements arrive one by one; writing the file for each would wear flash
 * for nothing, so it is written at most once per ACK_PERSIST_MS and on close. A crash loses at
 * most that much progress, and the records concerned are sent again: the collector drops a
 * sequence number it has already stored, so a repeat costs bandwidth, never correctness.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How stale the cursor file may be: at worst this much of the queue is sent twice after a crash. */
export const ACK_PERSIST_MS = 1000;

export interface CursorPosition {
  /** First id of the segment holding the first unacknowledged record. */
  segment: number;
  /** Byte offset of that record in the segment. */
  offset: number;
  /** Its id. */
  id: number;
}

const FILE = "cursor.json";

export function readCursor(dir: string): CursorPosition | null {
  try {
    const data = JSON.parse(readFileSync(join(dir, FILE), "utf8")) as Record<string, unknown>;
    const { segment, offset, id } = data;
    if ([segment, offset, id].every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
      return { segment, offset, id } as CursorPosition;
    }
  } catch {
    // missing or unreadable: start from the oldest segment (repeats are harmless)
  }
  return null;
}

export class CursorFile {
  readonly #dir: string;
  #pending: CursorPosition | null = null;
  #written = "";
  #timer: NodeJS.Timeout | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Records the position; it reaches the disk within ACK_PERSIST_MS. */
  update(position: CursorPosition): void {
    this.#pending = position;
    this.#timer ??= setTimeout(() => this.flush(), ACK_PERSIST_MS).unref();
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#pending) return;
    const text = JSON.stringify(this.#pending);
    this.#pending = null;
    if (text === this.#written) return;
    const path = join(this.#dir, FILE);
    // Rename is atomic: a power cut leaves the old cursor or the new one, never half of each.
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    this.#written = text;
  }
}
