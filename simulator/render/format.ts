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

/** The kernel's `%pI6`: eight zero-padded groups, nothing compressed (/proc/net/nf_conntrack). */
export function ipv6Expanded(text: string): string {
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => g.padStart(4, "0")).join(":");
}
