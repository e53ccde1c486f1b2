/**
 * Splits the top-level JSON array that iproute2 prints with `-j` into its rows without parsing
 * the whole text at once, so one bad or cut-off row costs that row and not the table: a command
 * killed mid-output leaves a valid prefix, and every row can be reported with its line number
 * (one line for compact output, one per row start for `-p`). Never throws.
 */
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";

/** A row that parsed as JSON, or the reason it did not; in input order. */
export type JsonRow =
  | {
      ok: true;
      /** 1-based line on which the row starts. */
      line: number;
      /** 1-based position of the row in the array (across concatenated arrays). */
      index: number;
      value: unknown;
    }
  | { ok: false; skipped: SkippedLine };

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

export function jsonArrayRows(text: string): JsonRow[] {
  const rows: JsonRow[] = [];
  const skip = (line: number, reason: string, raw: string): void => {
    rows.push({ ok: false, skipped: skippedLine(line, reason, raw) });
  };
  let pos = 0;
  let line = 1;
  let index = 0;

  const skipWhitespace = (): void => {
    while (pos < text.length && WHITESPACE.has(text[pos] as string)) {
      if (text[pos] === "\n") line++;
      pos++;
    }
  };

  skipWhitespace();
  if (pos >= text.length) return rows;
  // Some iproute2 versions print one array per address family back to back: read them all.
  while (pos < text.length) {
    if (text[pos] !== "[") {
      // Line 0 when nothing was read: the input as a whole is not what the command prints.
      const at = index === 0 ? 0 : line;
      skip(at, "expected a JSON array", text.slice(pos, pos + 120));
      return rows;
    }
    pos++;
    for (;;) {
      skipWhitespace();
      if (pos >= text.length) {
        skip(line, "JSON array is not closed (output was cut off)", "");
        return rows;
      }
      if (text[pos] === "]") {
        pos++;
        break;
      }
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      const start = pos;
      const startLine = line;
      index++;
      const end = scanValue(text, start);
      if (end.pos === start) {
        // A stray `}` where a row should start: report it and step over it.
        skip(startLine, `row ${index}: not valid JSON`, text.slice(start, start + 120));
        pos++;
        continue;
      }
      const rowText = text.slice(start, end.pos);
      line += end.newlines;
      pos = end.pos;
      if (!end.complete) {
        skip(startLine, `row ${index}: cut off (output was truncated)`, rowText);
        return rows;
      }
      try {
        rows.push({ ok: true, line: startLine, index, value: JSON.parse(rowText) });
      } catch {
        skip(startLine, `row ${index}: not valid JSON`, rowText);
      }
    }
    skipWhitespace();
  }
  return rows;
}

/**
 * Finds the end of the JSON value starting at `start`: the first `,` or `]` outside strings at
 * nesting depth zero. `complete` is false when the text ends first.
 */
function scanValue(text: string, start: number): { pos: number; newlines: number; complete: boolean } {
  let depth = 0;
  let newlines = 0;
  let inString = false;
  for (let pos = start; pos < text.length; pos++) {
    const c = text[pos];
    if (c === "\n") newlines++;
    if (inString) {
      if (c === "\\") pos++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (depth === 0) return { pos, newlines, complete: true };
      depth--;
    } else if (c === "," && depth === 0) return { pos, newlines, complete: true };
  }
  return { pos: text.length, newlines, complete: false };
}

/** What reading one object row gives: its record, why it was skipped, or null to pass over it silently. */
export type RowOutcome<T> = { record: T } | { skip: string } | null;

/**
 * Parses the rows of an iproute2 `-j` array as objects with `readRow`, reporting rows that are
 * not JSON objects or that `readRow` refuses as skipped lines (with their row number and text).
 */
export function parseJsonObjectRows<T>(
  text: string,
  readRow: (row: Record<string, unknown>) => RowOutcome<T>,
): ParseResult<T> {
  return wholeArrayRows(text, readRow) ?? rowByRow(text, readRow);
}

/**
 * The common case, a well-formed table whose every row is read: one JSON.parse of the whole
 * text, several times cheaper than scanning it character by character. Null at the first row or
 * text that needs a line number in a skipped entry: the caller then reads row by row, which
 * gives the same records and knows the lines.
 */
function wholeArrayRows<T>(
  text: string,
  readRow: (row: Record<string, unknown>) => RowOutcome<T>,
): ParseResult<T> | null {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const records: T[] = [];
  for (const value of rows) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const outcome = readRow(value as Record<string, unknown>);
    if (outcome === null) continue;
    if (!("record" in outcome)) return null;
    records.push(outcome.record);
  }
  return { records, skipped: [] };
}

function rowByRow<T>(text: string, readRow: (row: Record<string, unknown>) => RowOutcome<T>): ParseResult<T> {
  const records: T[] = [];
  const skipped: SkippedLine[] = [];
  for (const item of jsonArrayRows(text)) {
    if (!item.ok) {
      skipped.push(item.skipped);
      continue;
    }
    const { line, index, value } = item;
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    const outcome = isObject ? readRow(value as Record<string, unknown>) : { skip: "not an object" };
    if (outcome === null) continue;
    if ("record" in outcome) records.push(outcome.record);
    else skipped.push(skippedLine(line, `row ${index}: ${outcome.skip}`, JSON.stringify(value) ?? ""));
  }
  return { records, skipped };
}

/** What a remembered row gave: its record, why it was skipped, or neither (passed over). */
interface RememberedRow<T> {
  record: T | null;
  /** Why the row was skipped, or null. */
  skip: string | null;
  /** The row as rowByRow prints a skipped one, "" for the others. */
  raw: string;
  /** The last call that met the row. */
  seen: number;
}

/**
 * Remembered rows beyond those of the last call, before the ones the last call did not meet are
 * dropped: a quarter of the table, and this many more.
 */
const SPARE_ROWS = 64;

/**
 * Past this many rows in one table nothing is remembered: a remembered row takes some 400 bytes
 * with its key, so the memo (at most 1.25 times the table and SPARE_ROWS) stays under half a
 * megabyte.
 */
const MAX_REMEMBERED_ROWS = 768;

/**
 * parseJsonObjectRows for the compact output iproute2 prints every cycle, remembering each row's
 * outcome by the row's text: most rows repeat from one cycle to the next, and an unchanged row
 * then costs a map lookup instead of JSON.parse and `readRow`. The records are shared by every
 * call that meets the same row text: callers must never modify them. `readRow` must be a pure
 * function of the row. What is remembered is the rows of the last call (MAX_REMEMBERED_ROWS at
 * most) and a few more, whatever the input.
 *
 * The returned function answers null, and the caller parses with parseJsonObjectRows, for any
 * text that is not one compact array of objects: `[{R1},{R2},...,{Rn}]` with no newline but a
 * final one, split natively at `},{`. Why a split at a `},{` inside a string or a nested value
 * cannot give wrong records: every piece `{Ri}` is parsed on its own (or was, when remembered)
 * and must be valid JSON, else the answer is null. When they all are, the text is exactly `[`
 * {R1} `,` ... `,` {Rn} `]`, and as JSON's grammar is unambiguous that is a valid array whose
 * rows are exactly {R1}..{Rn}, the values JSON.parse(text) and jsonArrayRows give. With no
 * newline before the end every row starts on line 1 and row i is the array's i-th value, as
 * rowByRow numbers them.
 */
export function rememberedObjectRows<T extends object>(
  readRow: (row: Record<string, unknown>) => RowOutcome<T>,
): (text: string) => ParseResult<T> | null {
  let rows = new Map<string, RememberedRow<T>>();
  let call = 0;

  /** A row not met lately: what it gives, remembered, or null when it is not valid JSON. */
  const readPiece = (piece: string): RememberedRow<T> | null => {
    const rowText = `{${piece}}`;
    let value: unknown;
    try {
      value = JSON.parse(rowText);
    } catch {
      return null;
    }
    // Valid JSON that starts with `{` is an object.
    const outcome = readRow(value as Record<string, unknown>);
    const row: RememberedRow<T> =
      outcome === null
        ? { record: null, skip: null, raw: "", seen: call }
        : "record" in outcome
          ? { record: outcome.record, skip: null, raw: "", seen: call }
          : { record: null, skip: outcome.skip, raw: JSON.stringify(value), seen: call };
    // The piece is a slice of the whole text and would keep it alive as a key: JSON.parse
    // flattened the row's text into a string of its own, and the key is cut from that.
    rows.set(rowText.slice(1, -1), row);
    return row;
  };

  return (text) => {
    if (!text.startsWith("[{")) return null;
    const newline = text.indexOf("\n");
    const end = newline < 0 ? text.length - 2 : newline === text.length - 1 ? newline - 2 : -1;
    if (end < 2 || text.slice(end, end + 2) !== "}]") return null;
    const pieces = text.slice(2, end).split("},{");
    if (pieces.length > MAX_REMEMBERED_ROWS) {
      rows = new Map();
      return null;
    }
    const now = ++call;
    let result: ParseResult<T> | null = { records: [], skipped: [] };
    const { records, skipped } = result;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      let row = rows.get(piece);
      if (row === undefined) {
        const read = readPiece(piece);
        if (read === null) {
          result = null;
          break;
        }
        row = read;
      } else row.seen = now;
      const record = row.record;
      if (record !== null) records.push(record);
      else if (row.skip !== null) skipped.push(skippedLine(1, `row ${i + 1}: ${row.skip}`, row.raw));
    }
    if (rows.size > pieces.length + (pieces.length >> 2) + SPARE_ROWS) {
      rows.forEach((row, key, map) => {
        if (row.seen !== now) map.delete(key);
      });
    }
    return result;
  };
}
