/**
 * `isIP` from node:net, remembered per address text. The agent runs without V8's JIT
 * (--lite-mode), where node's isIP, two regular expressions, costs microseconds an address; a
 * gateway's sources print the same few hundred addresses every cycle, and a map lookup of a
 * string is native. The answer depends on the text alone, so the parsers stay pure.
 */
import { isIP } from "node:net";

/** More than a large household's addresses; past it the memory is dropped and rebuilt. */
const REMEMBERED = 4096;

const families = new Map<string, number>();

/** 4, 6 or 0 (not an address), as isIP. */
export function ipFamily(text: string): number {
  let family = families.get(text);
  if (family === undefined) {
    family = isIP(text);
    if (families.size >= REMEMBERED) families.clear();
    families.set(text, family);
  }
  return family;
}
