/**
 * Strings in the configuration languages the pool parsers read (ISC dhcpd's, Kea's JSON) are
 * double-quoted with backslash escapes: `\"` does not end one. Comment stripping and statement
 * splitting must both skip them the same way, or a `#`, `;` or `"` inside a string is misread.
 */

/** The index just past the string opened by the quote at `open`; the text's length when it is never closed. */
export function pastQuoted(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
