/**
 * The IPv4 pools in Kea's DHCPv4 configuration (`/etc/kea/kea-dhcp4.conf`): `Dhcp4.subnet4[].pools[]
 * .pool`, and the subnets of `Dhcp4.shared-networks[]`, whose `name` names their pools.
 *
 * Traps: the file is JSON with comments (`//`, `#` and `/* *\/`, none of them inside strings); a
 * pool is a range (`"192.0.2.10 - 192.0.2.200"`, spaces optional) or a prefix (`"192.0.2.64/26"`,
 * every address of it); `<?include "file"?>` stands for the text of that file, anywhere outside
 * comments and strings (Kea's lexer reads it in place, so a list of subnets can live in a file of
 * its own). keaIncludes finds them for the reader to splice in (dhcpPoolConfig.ts); one left in the
 * text is blanked. A file that is not JSON is one skipped entry on line 0; a pool that is neither
 * form is skipped with its subnet's place.
 */
import { isIP } from "node:net";
import { ipv4Number, ipv4Text } from "../../../common/ipv4Number.js";
import type { DhcpPool } from "../../../protocol/index.js";
import type { TextInclude } from "../dhcpPoolConfig.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import { pastQuoted } from "../pastQuoted.js";

/** Kea's directive: `<?`, `include`, a quoted file name without quotes or newlines, `?>`, blanks between. */
const INCLUDE_DIRECTIVE = /<\?[ \t\r\n]*include[ \t\r\n]*"([^"\n]+)"[ \t\r\n]*\?>/y;

/** The text with comments and include directives blanked out, strings left as they are; and the directives. */
function scanKeaConfig(text: string): { code: string; includes: TextInclude[] } {
  let code = "";
  const includes: TextInclude[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const past = pastQuoted(text, i);
      code += text.slice(i, past);
      i = past - 1;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      while (i < text.length && text[i] !== "\n") i++;
      code += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const comment = text.slice(i, end < 0 ? text.length : end + 2);
      code += comment.replace(/[^\n]/g, " ");
      i += comment.length - 1;
    } else if (c === "<" && text[i + 1] === "?") {
      INCLUDE_DIRECTIVE.lastIndex = i;
      const directive = INCLUDE_DIRECTIVE.exec(text);
      // Not a directive Kea knows: left in, so the text is not JSON, as Kea would not start with it.
      if (!directive) code += c;
      else {
        includes.push({ start: i, end: i + directive[0].length, file: directive[1] as string });
        code += directive[0].replace(/[^\n]/g, " ");
        i += directive[0].length - 1;
      }
    } else code += c;
  }
  return { code, includes };
}

/** The `<?include "file"?>` directives of a Kea configuration, in order, outside comments and strings. */
export function keaIncludes(text: string): TextInclude[] {
  return scanKeaConfig(text).includes;
}

/** `a - b` or `a/len`: the first and last address, or null. */
function poolRange(text: string): { start: string; end: string } | null {
  const range = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(text);
  if (range && isIP(range[1] as string) === 4 && isIP(range[2] as string) === 4) {
    const [start, end] = [range[1] as string, range[2] as string];
    return ipv4Number(end) >= ipv4Number(start) ? { start, end } : null;
  }
  const prefix = /^\s*([\d.]+)\/(\d{1,2})\s*$/.exec(text);
  const length = Number(prefix?.[2]);
  if (!prefix || isIP(prefix[1] as string) !== 4 || length > 32) return null;
  const size = 2 ** (32 - length);
  const first = Math.floor(ipv4Number(prefix[1] as string) / size) * size;
  return { start: ipv4Text(first), end: ipv4Text(first + size - 1) };
}

const asArray = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v) => typeof v === "object" && v !== null) : [];

export function parseKeaPools(text: string): ParseResult<DhcpPool> {
  const records: DhcpPool[] = [];
  const skipped: SkippedLine[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(scanKeaConfig(text).code);
  } catch {
    return { records, skipped: [skippedLine(0, "not valid JSON once comments are removed", text)] };
  }
  const dhcp4 = (doc as { Dhcp4?: Record<string, unknown> } | null)?.Dhcp4;
  if (typeof dhcp4 !== "object" || dhcp4 === null) {
    return { records, skipped: [skippedLine(0, "no Dhcp4 object", text)] };
  }
  const subnets = [
    ...asArray(dhcp4.subnet4).map((subnet, i) => ({
      subnet,
      name: null as string | null,
      where: `subnet4[${i}]`,
    })),
    ...asArray(dhcp4["shared-networks"]).flatMap((network, n) => {
      const name = typeof network.name === "string" && network.name !== "" ? network.name : null;
      return asArray(network.subnet4).map((subnet, i) => ({
        subnet,
        name,
        where: `shared-networks[${n}].subnet4[${i}]`,
      }));
    }),
  ];
  for (const { subnet, name, where } of subnets) {
    asArray(subnet.pools).forEach((pool, p) => {
      const range = typeof pool.pool === "string" ? poolRange(pool.pool) : null;
      if (range) records.push({ name, ...range });
      else
        skipped.push(
          skippedLine(0, `${where}.pools[${p}] is not an IPv4 range or prefix`, JSON.stringify(pool)),
        );
    });
  }
  return { records, skipped };
}
