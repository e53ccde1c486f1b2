/**
 * Small value readers shared by the `iw` parsers. iw prints every counter with `%u` or `%llu`,
 * so anything but plain digits is a damaged line, and a u64 above 2^53 cannot be stored exactly.
 */

/** A decimal unsigned integer that fits a JavaScript number exactly, or null. */
export function parseUnsigned(text: string): number | null {
  // Without V8's JIT (the agent's --lite-mode) a regular expression is dearer than converting:
  // a text that is the canonical spelling of a safe integer is plain digits, as the test asks.
  const quick = Number(text);
  if (Number.isSafeInteger(quick) && quick >= 0 && String(quick) === text) return quick;
  if (!/^\d{1,20}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** `<digits><unit>` as iw prints it (`1234 ms`, `5 seconds`), or null. */
export function parseUnsignedWithUnit(text: string, unit: string): number | null {
  if (!text.endsWith(unit)) return null;
  return parseUnsigned(text.slice(0, text.length - unit.length));
}

/** Linux interface names are at most IFNAMSIZ - 1 characters and contain no whitespace or slash. */
export const INTERFACE_NAME = /^[^\s/]{1,15}$/;

/** True when a dump was cut off: the last line has no newline and may hold half a value. */
export function endsMidLine(text: string): boolean {
  return text.length > 0 && !text.endsWith("\n");
}
