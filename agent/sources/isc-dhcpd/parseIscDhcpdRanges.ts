/**
 * The IPv4 pools in ISC dhcpd's configuration (`/etc/dhcp/dhcpd.conf`): its `range` statements,
 * `range [dynamic-bootp] <low> [<high>];` inside `subnet` or `pool` blocks (dhcpd.conf(5)).
 *
 * Traps: one address may be given alone (low is high); `range6` is DHCPv6's; `#` starts a comment
 * except inside a quoted string (`option domain-name "a#b";`); statements span lines; a pool in a
 * `shared-network NAME { ... }` is named by it, other pools are not named. A range whose high
 * address is below its low one is skipped (dhcpd refuses it). `include "<file>";` names a file
 * read as if it stood there; it is returned to be read on its own (a pool it declares inside a
 * shared network of the including file is not named by it), and a relative path, which depends on
 * dhcpd's working directory, is not followed, and said.
 */
import { isIP } from "node:net";
import { ipv4Number } from "../../../common/ipv4Number.js";
import type { DhcpPool } from "../../../protocol/index.js";
import type { ConfigInclude, ConfigPools } from "../dhcpPoolConfig.js";
import { type SkippedLine, skippedLine } from "../parseResult.js";
import { pastQuoted } from "../pastQuoted.js";

/** The text with its comments blanked out (newlines kept, so offsets still give line numbers). */
function withoutComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const past = pastQuoted(text, i);
      out += text.slice(i, past);
      i = past - 1;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

const INCLUDE = /^include\s+"([^"]*)"$/;

export function parseIscDhcpdRanges(text: string): ConfigPools {
  const records: DhcpPool[] = [];
  const skipped: SkippedLine[] = [];
  const includes: ConfigInclude[] = [];
  const code = withoutComments(text);
  /** The headers of the blocks we are in, outermost first. */
  const blocks: string[] = [];
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      // An unclosed string runs to the end: no statement after it.
      i = pastQuoted(code, i) - 1;
      continue;
    }
    if (c !== "{" && c !== "}" && c !== ";") continue;
    const statement = code.slice(start, i).trim();
    const at = start + (code.slice(start, i).length - code.slice(start, i).trimStart().length);
    start = i + 1;
    if (c === "{") blocks.push(statement);
    else if (c === "}") blocks.pop();
    else if (INCLUDE.test(statement)) {
      const file = (INCLUDE.exec(statement) as RegExpExecArray)[1] as string;
      if (file.startsWith("/")) includes.push({ file });
      else
        skipped.push(skippedLine(lineAt(code, at), "include path is not absolute: not followed", statement));
    } else if (/^range\s/.test(statement)) {
      const words = statement.split(/\s+/).slice(1);
      if (words[0] === "dynamic-bootp") words.shift();
      const [low, high = low, ...rest] = words;
      const line = lineAt(code, at);
      if (low === undefined || isIP(low) !== 4 || isIP(high as string) !== 4 || rest.length > 0) {
        skipped.push(skippedLine(line, "range is not one or two IPv4 addresses", statement));
      } else if (ipv4Number(high as string) < ipv4Number(low)) {
        skipped.push(skippedLine(line, "the range ends before it starts", statement));
      } else {
        const network = blocks.map((b) => /^shared-network\s+"?([^"\s]+)"?$/.exec(b)?.[1]).find(Boolean);
        records.push({ name: network ?? null, start: low, end: high as string });
      }
    }
  }
  return { records, skipped, includes };
}
