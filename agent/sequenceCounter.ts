/**
 * Per-boot message sequence numbers that survive an agent restart within the same boot, so the
 * collector can tell a duplicate from a gap. Numbers are reserved in blocks: the file is
 * written once per block, not per message (flash wear), and a restart resumes after the
 * reserved block, leaving a harmless gap rather than reusing a number. The outbox may still hold
 * messages numbered before a restart; `skipTo` keeps new numbers above them.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Numbers reserved per write of the state file. */
export const SEQUENCE_BLOCK = 1000;

export class SequenceCounter {
  readonly #file: string | null;
  #bootId: string;
  #next = 0;
  #reservedUpTo = 0;

  /** `file` null keeps numbers in memory only (for `--once --print`). */
  constructor(file: string | null, bootId: string) {
    this.#file = file;
    this.#bootId = bootId;
    const saved = file ? readSaved(file) : null;
    if (saved && saved.bootId === bootId) {
      this.#next = saved.reservedUpTo;
      this.#reservedUpTo = saved.reservedUpTo;
    }
  }

  get bootId(): string {
    return this.#bootId;
  }

  /** A new boot starts numbering from zero. */
  resetForBoot(bootId: string): void {
    this.#bootId = bootId;
    this.#next = 0;
    this.#reservedUpTo = 0;
  }

  /**
   * Numbers below `n` are taken (messages a previous run queued in the outbox): a safeguard for
   * when the state file was lost while the outbox was not, so no queued number is handed out twice.
   */
  skipTo(n: number): void {
    if (n > this.#next) this.#next = n;
  }

  next(): number {
    if (this.#next >= this.#reservedUpTo) {
      this.#reservedUpTo = this.#next + SEQUENCE_BLOCK;
      this.#save();
    }
    return this.#next++;
  }

  #save(): void {
    if (!this.#file) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ bootId: this.#bootId, reservedUpTo: this.#reservedUpTo }));
    renameSync(tmp, this.#file);
  }
}

function readSaved(file: string): { bootId: string; reservedUpTo: number } | null {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof data !== "object" || data === null) return null;
    const { bootId, reservedUpTo } = data as Record<string, unknown>;
    if (typeof bootId !== "string" || !Number.isSafeInteger(reservedUpTo) || (reservedUpTo as number) < 0)
      return null;
    return { bootId, reservedUpTo: reservedUpTo as number };
  } catch {
    // Missing or corrupt (power cut mid-write cannot happen with rename, but a hand edit can): start afresh.
    return null;
  }
}
