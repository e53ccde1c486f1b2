/**
 * Who the router is: `/etc/openwrt_release`, `/etc/os-release` (`/usr/lib/os-release`) and
 * `ubus call system board`, each read into the same RouterIdentity shape; mergeRouterIdentity
 * combines them (ubus first: it has the model and board the files lack).
 *
 * Traps:
 * - The release files are shell assignments, not INI: OpenWrt writes `DISTRIB_ID='OpenWrt'`
 *   (single quotes, a quote inside written `'\''`), os-release double quotes with backslash
 *   escapes or no quotes at all (`ID=debian`), and values may be concatenated words
 *   (`A="x"'y'`). Parsed with the shell's quoting rules; `$` is not expanded (os-release forbids
 *   unescaped `$`), and a line that would run a command (`A=b c`) or has an open quote is skipped,
 *   as is a last line without its newline (a value cut short would look valid).
 * - os-release's VERSION is `23.05.3` on current OpenWrt but `17.01.6, Reboot` on LEDE and
 *   `12 (bookworm)` on Debian: VERSION_ID is preferred, it is the bare version.
 * - ubus prints JSON with `/` escaped as `\/` (`"target": "ramips\/mt7621"`); `model` and
 *   `board_name` come from /tmp/sysinfo or the device tree and may be missing on x86; a `release`
 *   table only exists when /usr/lib/os-release does.
 */
import {
  type ParseResult,
  readJsonObject,
  type SkippedLine,
  skippedLine,
  splitLines,
} from "../parseResult.js";

export interface RouterIdentity {
  /** Marketing model (`Xiaomi Mi Router 4A Gigabit Edition`). */
  model: string | null;
  /** Board name, OpenWrt's device id (`xiaomi,mi-router-4a-gigabit`). */
  board: string | null;
  distribution: string | null;
  version: string | null;
  /** Build revision (`r23809-234f1a2efa`). */
  revision: string | null;
  /** OpenWrt target/subtarget (`ramips/mt7621`). */
  target: string | null;
  /** Distribution, version and revision in one string (`OpenWrt 23.05.3 r23809-234f1a2efa`). */
  firmware: string | null;
  kernel: string | null;
  hostname: string | null;
  /** SoC / CPU description (`MediaTek MT7621 ver:1 eco:3`). */
  system: string | null;
}

const EMPTY: RouterIdentity = {
  model: null,
  board: null,
  distribution: null,
  version: null,
  revision: null,
  target: null,
  firmware: null,
  kernel: null,
  hostname: null,
  system: null,
};

/** Longest value kept: these are names and versions, a longer one is a damaged file. */
const MAX_VALUE = 256;

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** One shell word with its quoting removed, or null when the quoting is broken or more words follow. */
function shellWord(text: string): string | null {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return null;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return null;
        const d = text[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        // Inside double quotes a backslash escapes only these; elsewhere it stays.
        if (d === "\\" && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1] as string)) {
          out += text[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
    } else if (c === "\\") {
      if (i + 1 >= text.length) return null;
      out += text[i + 1];
      i += 2;
    } else if (c === " " || c === "\t") {
      // Trailing blanks end the word; a comment may follow, another word may not.
      const rest = text.slice(i).trimStart();
      return rest === "" || rest.startsWith("#") ? out : null;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Parses `KEY=value` shell assignments, skipping comments and blank lines. */
export function parseShellAssignments(text: string): { values: Map<string, string>; skipped: SkippedLine[] } {
  const values = new Map<string, string>();
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    // The files are written whole with a final newline: a last line without one was cut off,
    // and an unquoted value cut short would look valid.
    if (unterminated && i === lines.length - 1) {
      skipped.push(skippedLine(i + 1, "unterminated last line (file was cut off)", line));
      return;
    }
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      skipped.push(skippedLine(i + 1, "not a KEY=value assignment", line));
      return;
    }
    const value = shellWord(m[2] as string);
    if (value === null) {
      skipped.push(skippedLine(i + 1, "broken quoting, or more than one word", line));
      return;
    }
    if (value.length > MAX_VALUE) {
      skipped.push(skippedLine(i + 1, `value longer than ${MAX_VALUE} characters`, line));
      return;
    }
    values.set(m[1] as string, value);
  });
  return { values, skipped };
}

function nonEmpty(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  return v === "" ? null : v;
}

function firmwareOf(id: Pick<RouterIdentity, "distribution" | "version" | "revision">): string | null {
  const parts = [id.distribution, id.version, id.revision].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : parts.join(" ");
}

function single(identity: RouterIdentity, skipped: SkippedLine[]): ParseResult<RouterIdentity> {
  const anything = Object.values(identity).some((v) => v !== null);
  return { records: anything ? [{ ...identity, firmware: firmwareOf(identity) }] : [], skipped };
}

/** `/etc/openwrt_release`: DISTRIB_ID, DISTRIB_RELEASE, DISTRIB_REVISION, DISTRIB_TARGET. */
export function parseOpenwrtRelease(text: string): ParseResult<RouterIdentity> {
  const { values, skipped } = parseShellAssignments(text);
  return single(
    {
      ...EMPTY,
      distribution: nonEmpty(values.get("DISTRIB_ID")),
      version: nonEmpty(values.get("DISTRIB_RELEASE")),
      revision: nonEmpty(values.get("DISTRIB_REVISION")),
      target: nonEmpty(values.get("DISTRIB_TARGET")),
    },
    skipped,
  );
}

/** `/etc/os-release`: NAME, VERSION_ID (else VERSION), BUILD_ID, and OpenWrt's OPENWRT_BOARD. */
export function parseOsRelease(text: string): ParseResult<RouterIdentity> {
  const { values, skipped } = parseShellAssignments(text);
  return single(
    {
      ...EMPTY,
      distribution: nonEmpty(values.get("NAME")) ?? nonEmpty(values.get("ID")),
      version: nonEmpty(values.get("VERSION_ID")) ?? nonEmpty(values.get("VERSION")),
      revision: nonEmpty(values.get("BUILD_ID")),
      target: nonEmpty(values.get("OPENWRT_BOARD")) ?? nonEmpty(values.get("LEDE_BOARD")),
    },
    skipped,
  );
}

/** `ubus call system board` (procd). */
export function parseUbusSystemBoard(text: string): ParseResult<RouterIdentity> {
  const doc = readJsonObject(text, "a JSON object");
  if (!doc.ok) return { records: [], skipped: doc.skipped };
  const skipped: SkippedLine[] = [];
  const board = doc.value;
  const str = (obj: Record<string, unknown>, key: string): string | null => {
    const v = obj[key];
    if (v === undefined) return null;
    if (typeof v !== "string" || v.length > MAX_VALUE) {
      skipped.push(skippedLine(0, `${key} is not a short string`, JSON.stringify(v) ?? ""));
      return null;
    }
    return nonEmpty(v);
  };
  let release: Record<string, unknown> = {};
  if (board.release !== undefined) {
    if (typeof board.release === "object" && board.release !== null && !Array.isArray(board.release)) {
      release = board.release as Record<string, unknown>;
    } else {
      skipped.push(skippedLine(0, "release is not an object", JSON.stringify(board.release) ?? ""));
    }
  }
  return single(
    {
      ...EMPTY,
      model: str(board, "model"),
      board: str(board, "board_name"),
      kernel: str(board, "kernel"),
      hostname: str(board, "hostname"),
      system: str(board, "system"),
      distribution: str(release, "distribution"),
      version: str(release, "version"),
      revision: str(release, "revision"),
      target: str(release, "target"),
    },
    skipped,
  );
}

/** Field by field, the first source that knows it; the firmware string is rebuilt from the result. */
export function mergeRouterIdentity(...parts: (RouterIdentity | undefined)[]): RouterIdentity {
  const merged: RouterIdentity = { ...EMPTY };
  for (const part of parts) {
    if (!part) continue;
    for (const key of Object.keys(merged) as (keyof RouterIdentity)[]) merged[key] ??= part[key];
  }
  // Version and revision must come from one release: a mix would name a build that does not exist.
  const from = parts.find((p) => p?.version !== null && p?.version !== undefined);
  if (from) {
    merged.distribution = from.distribution ?? merged.distribution;
    merged.revision = from.revision;
  }
  merged.firmware = firmwareOf(merged);
  return merged;
}
