/**
 * ISC dhcpd lease database (`dhcpd.leases`, `dhcpd6.leases`; also OpenBSD dhcpd's `/var/db/dhcpd.leases`).
 *
 * An append log of `lease <ipv4> { ... }` blocks (DHCPv4) and `ia-na|ia-ta|ia-pd "<iaid+duid>" { ... }`
 * blocks (DHCPv6) between `server-duid`, `authoring-byte-order`, `failover peer`, `host` and comment
 * statements that are not leases. Every change appends a block, so the LAST block for an address wins:
 * a later `binding state free` block ends an earlier active lease. Traps:
 * - Dates are `W YYYY/MM/DD HH:MM:SS;` in UTC, `epoch N; # <local time>` with `db-time-format local`,
 *   or `never;` (infinite).
 * - Only `binding state active` is a lease. `backup` is a free address handed to the failover partner's
 *   pool, bound to no client; `free`, `expired`, `released`, `abandoned`, `reset`, `bootp` are not leases.
 *   OpenBSD and ISC 2.x write no binding state at all: there a block is a lease unless `abandoned;`.
 * - `uid`, `server-duid` and the IA key are binary strings: printable ASCII as is, `"` and `\` escaped
 *   with a backslash, everything else as octal `\NNN`; with `lease-id-format hex` (and in OpenBSD) they
 *   are unquoted `xx:xx:...` instead.
 * - The IA key is a 4-byte IAID in the writing host's byte order (named by `authoring-byte-order`,
 *   missing in files from ISC < 4.3.6) followed by the client DUID.
 * - `ia-pd` delegates a prefix to a downstream router: not a host lease, so it is ignored.
 * - dhcpd appends while we read: a block cut off at the end is skipped and the address keeps its
 *   previous state, because the half-written block is most likely a renewal of that same lease.
 */
import { isIP } from "node:net";
import { type Lease, MAX_ID_LENGTH, MAX_STRING_LENGTH, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";

export type ByteOrder = "little-endian" | "big-endian";

export interface IscDhcpdParseOptions {
  /**
   * Byte order of IAIDs when the file has no `authoring-byte-order` statement: ISC then assumes the
   * reading host's order, so the source passes the gateway's own (most gateways are little-endian).
   */
  defaultByteOrder?: ByteOrder;
}

interface Token {
  kind: "word" | "string" | "{" | "}" | ";";
  /** The word, or the string's source text between its quotes. */
  text: string;
  /** A string's decoded bytes. */
  bytes: number[];
  line: number;
  /** A string whose closing quote never came before the end of its line. */
  broken?: true;
}

interface Statement {
  words: Token[];
  /** The statements inside `{ ... }`, or null for a statement ended by `;`. */
  block: Statement[] | null;
  line: number;
  /** False when the input ended (or a new top-level block began) before the `;` or `}`. */
  complete: boolean;
  /** For an incomplete statement: whether the input ended inside it (a cut-off file). */
  atEnd: boolean;
}

/** Statements that only exist at the top level: meeting one inside a lease means that lease was cut off. */
const TOP_LEVEL_KEYWORDS = new Set([
  "lease",
  "ia-na",
  "ia-ta",
  "ia-pd",
  "host",
  "server-duid",
  "authoring-byte-order",
  "failover",
]);

/** Everything dhcpd writes at the top level; a non-empty file with none of these is not a lease database. */
const DATABASE_KEYWORDS = new Set([...TOP_LEVEL_KEYWORDS, "group", "class", "subclass"]);

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** Splits the file into ISC tokens, decoding string escapes the way dhcpd's own lexer does. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "{" || c === "}" || c === ";") {
      tokens.push({ kind: c, text: c, bytes: [], line });
      i++;
    } else if (c === '"') {
      const bytes: number[] = [];
      let j = i + 1;
      let end: "quote" | "newline" | "eof" = "eof";
      while (j < n) {
        const d = text[j] as string;
        if (d === '"') {
          end = "quote";
          break;
        }
        // dhcpd escapes every control character, so a raw newline means the quoting broke (OpenBSD
        // writes a client's `"` unescaped): ending the string here keeps the damage inside one lease.
        if (d === "\n") {
          end = "newline";
          break;
        }
        if (d === "\\" && j + 1 < n && text[j + 1] !== "\n") {
          j = readEscape(text, j + 1, bytes);
          continue;
        }
        const code = text.codePointAt(j) as number;
        if (code < 0x80) bytes.push(code);
        else bytes.push(...utf8.encode(String.fromCodePoint(code)));
        j += code > 0xffff ? 2 : 1;
      }
      // A string cut off by the end of the input is left out, which makes the enclosing statement
      // incomplete: that is how a truncated file is reported.
      if (end === "eof") break;
      const token: Token = { kind: "string", text: text.slice(i + 1, j), bytes, line };
      if (end === "newline") token.broken = true;
      tokens.push(token);
      i = end === "quote" ? j + 1 : j;
    } else {
      let j = i;
      while (j < n && !/[\s{};"]/.test(text[j] as string)) j++;
      tokens.push({ kind: "word", text: text.slice(i, j), bytes: [], line });
      i = j;
    }
  }
  return tokens;
}

/** Decodes one backslash escape starting after the backslash; returns the index after it. */
function readEscape(text: string, at: number, bytes: number[]): number {
  const c = text[at] as string;
  const simple: Record<string, number> = { t: 9, r: 13, n: 10, b: 8 };
  if (c in simple) {
    bytes.push(simple[c] as number);
    return at + 1;
  }
  const octal = /^[0-3][0-7]{0,2}/.exec(text.slice(at, at + 3));
  if (octal) {
    bytes.push(Number.parseInt(octal[0], 8));
    return at + octal[0].length;
  }
  const hex = /^x([0-9a-fA-F]{1,2})/.exec(text.slice(at, at + 3));
  if (hex) {
    bytes.push(Number.parseInt(hex[1] as string, 16));
    return at + hex[0].length;
  }
  bytes.push(...utf8.encode(c));
  return at + 1;
}

interface BlockResult {
  statements: Statement[];
  next: number;
  closed: boolean;
}

/**
 * Parses statements from `pos` until `}` (when nested) or the end. Inside a lease or IA block
 * (`guarded`), a top-level keyword at the start of a statement ends the block as unterminated.
 */
function parseStatements(
  tokens: Token[],
  pos: number,
  nested: boolean,
  guarded: boolean,
  strays: number[],
): BlockResult {
  const statements: Statement[] = [];
  let i = pos;
  while (i < tokens.length) {
    const first = tokens[i] as Token;
    if (first.kind === "}") {
      if (nested) return { statements, next: i + 1, closed: true };
      strays.push(first.line);
      i++;
      continue;
    }
    if (first.kind === ";") {
      i++;
      continue;
    }
    if (guarded && first.kind === "word" && TOP_LEVEL_KEYWORDS.has(first.text)) {
      return { statements, next: i, closed: false };
    }
    const topLevelBlock = !nested && first.kind === "word" && /^(lease|ia-na|ia-ta|ia-pd)$/.test(first.text);
    const words: Token[] = [];
    let block: Statement[] | null = null;
    let complete = false;
    while (i < tokens.length) {
      const t = tokens[i] as Token;
      if (t.kind === ";") {
        complete = true;
        i++;
        break;
      }
      // `}` without a `;` before it: this statement is incomplete and the `}` closes the enclosing block.
      if (t.kind === "}") break;
      if (t.kind === "{") {
        const inner = parseStatements(tokens, i + 1, true, guarded || topLevelBlock, strays);
        block = inner.statements;
        complete = inner.closed;
        i = inner.next;
        break;
      }
      words.push(t);
      i++;
    }
    statements.push({ words, block, line: first.line, complete, atEnd: i >= tokens.length });
    if (block && !complete && nested) return { statements, next: i, closed: false };
  }
  return { statements, next: i, closed: !nested };
}

function brokenString(block: Statement[]): Token | undefined {
  for (const s of block) {
    const token = s.words.find((t) => t.broken) ?? (s.block ? brokenString(s.block) : undefined);
    if (token) return token;
  }
  return undefined;
}

const wordTexts = (s: Statement): string[] => s.words.map((t) => t.text);

/** The statement inside a block whose leading words are `keyword` (e.g. "binding state"); the last one. */
function find(block: Statement[], keyword: string): Statement | undefined {
  const parts = keyword.split(" ");
  let found: Statement | undefined;
  // The last occurrence wins, as dhcpd's parser overwrites the field.
  for (const s of block) if (parts.every((p, k) => s.words[k]?.text === p)) found = s;
  return found;
}

type DateValue = { ok: true; ms: number | null } | { ok: false };

/** `W YYYY/MM/DD HH:MM:SS` (UTC), `epoch N`, or `never` (infinite, null). */
function parseDate(tokens: string[]): DateValue {
  if (tokens.length === 1 && tokens[0] === "never") return { ok: true, ms: null };
  if (tokens.length === 2 && tokens[0] === "epoch" && /^\d{1,13}$/.test(tokens[1] as string)) {
    return checkedMs(Number(tokens[1]) * 1000);
  }
  const parts = tokens;
  if (parts.length !== 3 || !/^[0-6]$/.test(parts[0] as string)) return { ok: false };
  const date = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(parts[1] as string);
  const time = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(parts[2] as string);
  if (!date || !time) return { ok: false };
  const [y, mo, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const [h, mi, s] = [Number(time[1]), Number(time[2]), Number(time[3])];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return { ok: false };
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2024/02/30 over into March; dhcpd never writes such a date.
  if (new Date(ms).getUTCDate() !== d && s !== 60) return { ok: false };
  return checkedMs(ms);
}

function checkedMs(ms: number): DateValue {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= 8.64e15 ? { ok: true, ms } : { ok: false };
}

/** A binary identifier: a quoted string (decoded bytes) or unquoted `xx:xx:...` hex. */
function identifierBytes(token: Token | undefined): number[] | null {
  if (!token) return null;
  if (token.kind === "string") return token.bytes;
  if (token.kind === "word" && /^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/i.test(token.text)) {
    return token.text.split(":").map((h) => Number.parseInt(h, 16));
  }
  return null;
}

function colonHex(bytes: number[]): string | null {
  if (bytes.length === 0) return null;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
  return hex.length <= MAX_ID_LENGTH ? hex : null;
}

function hostnameFrom(token: Token | undefined): string | null {
  if (token?.kind !== "string") return null;
  const name = utf8Decoder.decode(Uint8Array.from(token.bytes));
  return name === "" || name.length > MAX_STRING_LENGTH ? null : name;
}

const statementText = (s: Statement): string =>
  s.words.map((t) => (t.kind === "string" ? `"${t.text}"` : t.text)).join(" ");

type Outcome = { kind: "lease"; lease: Lease } | { kind: "not-a-lease" } | { kind: "bad"; reason: string };

function interpretLease(s: Statement): Outcome {
  const block = s.block ?? [];
  if (find(block, "abandoned")) return { kind: "not-a-lease" };
  const state = find(block, "binding state");
  // No binding state at all: OpenBSD / ISC 2.x, where a written lease is a live one.
  if (state && state.words[2]?.text !== "active") return { kind: "not-a-lease" };
  const ends = find(block, "ends");
  if (!ends) return { kind: "bad", reason: "active lease without an ends date" };
  const end = parseDate(wordTexts(ends).slice(1));
  if (!end.ok) return { kind: "bad", reason: `invalid ends date: ${wordTexts(ends).slice(1).join(" ")}` };
  let mac: string | null = null;
  const hardware = find(block, "hardware");
  if (hardware && hardware.words.length >= 3) {
    mac = normalizeMac(hardware.words[2]?.text as string);
    if (!mac) return { kind: "bad", reason: "invalid hardware address" };
  }
  const uid = find(block, "uid");
  const uidBytes = uid ? identifierBytes(uid.words[1]) : null;
  if (uid && !uidBytes) return { kind: "bad", reason: "invalid uid" };
  const hostname =
    hostnameFrom(find(block, "client-hostname")?.words[1]) ?? hostnameFrom(find(block, "hostname")?.words[1]);
  return {
    kind: "lease",
    lease: {
      mac,
      ip: s.words[1]?.text as string,
      family: "ipv4",
      hostname,
      expiresAt: end.ms,
      clientId: uidBytes ? colonHex(uidBytes) : null,
      duid: null,
      iaid: null,
      source: "isc-dhcpd",
    },
  };
}

function readIaid(bytes: number[], order: ByteOrder): number {
  const [a, b, c, d] = bytes as [number, number, number, number];
  return order === "big-endian"
    ? ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
    : ((d << 24) | (c << 16) | (b << 8) | a) >>> 0;
}

export function parseIscDhcpdLeases(text: string, options: IscDhcpdParseOptions = {}): ParseResult<Lease> {
  const skipped: SkippedLine[] = [];
  const leases = new Map<string, Lease>();
  const strays: number[] = [];
  const { statements } = parseStatements(tokenize(text), 0, false, false, strays);
  const lines = text.split("\n");
  const lineText = (line: number): string => (lines[line - 1] ?? "").trim();
  if (statements.length > 0 && !statements.some((s) => DATABASE_KEYWORDS.has(s.words[0]?.text ?? ""))) {
    // Line 0: the whole input is unusable, which the source reports as an error rather than as no leases.
    return { records: [], skipped: [skippedLine(0, "not a dhcpd lease database", text.trim())] };
  }
  for (const line of strays) skipped.push(skippedLine(line, "unmatched closing brace", lineText(line)));
  let byteOrder: ByteOrder = options.defaultByteOrder ?? "little-endian";

  /** A later block for an address replaces what an earlier one said; Map order follows the latest write. */
  const apply = (ip: string, lease: Lease | null): void => {
    leases.delete(ip);
    if (lease) leases.set(ip, lease);
  };

  for (const s of statements) {
    const keyword = s.words[0]?.text;
    const isBlock = keyword === "lease" || keyword === "ia-na" || keyword === "ia-ta" || keyword === "ia-pd";
    if (!s.complete) {
      const what = isBlock ? `${keyword} block` : "statement";
      const why = s.atEnd ? "file cut off or being written" : "the next declaration began inside it";
      skipped.push(skippedLine(s.line, `unterminated ${what} (${why})`, lineText(s.line)));
      continue;
    }
    if (keyword === "authoring-byte-order") {
      const order = s.words[1]?.text;
      if (order === "little-endian" || order === "big-endian") byteOrder = order;
      continue;
    }
    if (!isBlock) continue;
    if (!s.block || s.words.length !== 2) {
      skipped.push(skippedLine(s.line, `malformed ${keyword} declaration`, statementText(s)));
      continue;
    }
    const quoting = brokenString(s.block);
    if (quoting) {
      skipped.push(
        skippedLine(quoting.line, `unbalanced quotes in ${keyword} block`, lineText(quoting.line)),
      );
      continue;
    }
    const broken = s.block.find((inner) => !inner.complete);
    if (broken) {
      skipped.push(
        skippedLine(broken.line, `statement without ';' in ${keyword} block`, statementText(broken)),
      );
      continue;
    }
    if (keyword === "lease") {
      const ip = s.words[1]?.text as string;
      if (isIP(ip) !== 4) {
        skipped.push(skippedLine(s.line, "lease address is not an IPv4 address", statementText(s)));
        continue;
      }
      const outcome = interpretLease(s);
      if (outcome.kind === "bad") skipped.push(skippedLine(s.line, outcome.reason, statementText(s)));
      else apply(ip, outcome.kind === "lease" ? outcome.lease : null);
      continue;
    }
    const key = identifierBytes(s.words[1]);
    if (!key || key.length <= 4) {
      skipped.push(skippedLine(s.line, `${keyword} key is not an IAID followed by a DUID`, statementText(s)));
      continue;
    }
    // A delegated prefix is routed to a downstream router, not held by a host.
    if (keyword === "ia-pd") continue;
    const iaid = readIaid(key, byteOrder);
    const duid = colonHex(key.slice(4));
    for (const sub of s.block) {
      if (sub.words[0]?.text !== "iaaddr") continue;
      const ip = (sub.words[1]?.text ?? "").toLowerCase();
      if (!sub.block || sub.words.length !== 2 || isIP(ip) !== 6) {
        skipped.push(skippedLine(sub.line, "iaaddr is not an IPv6 address block", statementText(sub)));
        continue;
      }
      const brokenInner = sub.block.find((inner) => !inner.complete);
      if (brokenInner) {
        skipped.push(
          skippedLine(brokenInner.line, "statement without ';' in iaaddr block", statementText(brokenInner)),
        );
        continue;
      }
      const state = find(sub.block, "binding state")?.words[2]?.text;
      if (state !== "active") {
        apply(ip, null);
        continue;
      }
      const ends = find(sub.block, "ends");
      const end = ends ? parseDate(wordTexts(ends).slice(1)) : ({ ok: false } as const);
      if (!end.ok) {
        skipped.push(skippedLine(sub.line, "active iaaddr without a valid ends date", statementText(sub)));
        continue;
      }
      apply(ip, {
        mac: null,
        ip,
        family: "ipv6",
        hostname: null,
        expiresAt: end.ms,
        clientId: null,
        duid,
        iaid,
        source: "isc-dhcpd",
      });
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  return { records: [...leases.values()], skipped };
}
