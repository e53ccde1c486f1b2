/**
 * Prints a value the way the `ubus` CLI prints a reply (libubox `blobmsg_format_json_indent` with
 * indent 0): tab indentation, `"key": value`, `/` escaped as `\/`, control characters as `\u00XX`,
 * other bytes raw, an empty table or array with a line of tabs inside, and a final newline. Tests and
 * the simulator use it to reproduce real `ubus call dhcp ...` output byte for byte.
 */

export type UbusValue = string | number | boolean | null | UbusValue[] | { [key: string]: UbusValue };

const ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
};

function formatString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (c in ESCAPES) out += ESCAPES[c];
    else if (code < 0x20) out += `\\u00${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return `${out}"`;
}

function formatValue(value: UbusValue, level: number): string {
  if (value === null) return "null";
  if (typeof value === "string") return formatString(value);
  // blobmsg integers are printed with %d / PRId64: no fraction, no exponent.
  if (typeof value === "number") return BigInt(Math.trunc(value)).toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = `\n${"\t".repeat(level + 1)}`;
  const close = `\n${"\t".repeat(level)}`;
  if (Array.isArray(value)) {
    return `[${inner}${value.map((v) => formatValue(v, level + 1)).join(`,${inner}`)}${close}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${formatString(k)}: ${formatValue(v, level + 1)}`);
  return `{${inner}${entries.join(`,${inner}`)}${close}}`;
}

export function formatUbusJson(value: { [key: string]: UbusValue }): string {
  return `${formatValue(value, 0)}\n`;
}
