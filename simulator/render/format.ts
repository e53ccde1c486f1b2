/** printf-style padding helpers, named after the C conversions the real tools use. */

/** `%-Ns`: left-justified in N columns, never truncated. */
export function left(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** `%Ns` / `%Nllu`: right-justified in N columns, never truncated. */
export function right(value: string | number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

/** `%-Nx`: lower-case hex, left-justified. */
export function hexLeft(value: number, width: number): string {
  return left(value.toString(16), width);
}
