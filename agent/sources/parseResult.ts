/**
 * What every source parser returns: the records it understood and the lines it skipped.
 * Parsers never throw on input; a skipped line is reported with its number and reason
 * so the agent can count and log it while keeping everything else.
 */

export interface SkippedLine {
  /** 1-based line number in the input (0 when the problem is the whole input). */
  line: number;
  reason: string;
  /** The offending text, truncated so a binary blob cannot flood the log. */
  text: string;
}

export interface ParseResult<T> {
  records: T[];
  skipped: SkippedLine[];
}

const MAX_TEXT = 120;

export function skippedLine(line: number, reason: string, text: string): SkippedLine {
  return { line, reason, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text };
}

/** Splits text into lines, accepting LF and CRLF, dropping the empty tail after the last newline. */
export function splitLines(text: string): string[] {
  // Splitting on a string is several times faster than on a regex, and CRLF input is rare.
  const lines = text.includes("\r") ? text.split(/\r?\n/) : text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Parses command output that must be one JSON object (nlbw, ubus). Empty output is no records
 * and no complaint; anything else that is not an object is one skipped entry on line 0.
 */
export function readJsonObject(
  text: string,
  expected: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; skipped: SkippedLine[] } {
  if (text.trim() === "") return { ok: false, skipped: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, skipped: [skippedLine(0, "not valid JSON (output cut off?)", text)] };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, skipped: [skippedLine(0, `expected ${expected}`, text)] };
  }
  return { ok: true, value: doc as Record<string, unknown> };
}
