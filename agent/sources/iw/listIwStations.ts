/**
 * Which stations an `iw dev IF station dump` lists, from its `Station <mac> (on <if>)` header
 * lines only: what the agent's change checks need (a device joined or left a radio), at a small
 * part of the cost of parsing every block (parseIwStationDump.ts), which full collections do.
 *
 * It must name exactly the stations parseIwStationDump reports, or every change check would
 * see a change: the same header rules (a valid MAC and interface name; a station listed twice
 * counts once; a header that is the cut-off last line is no header), held equal by a
 * differential test.
 */
import { normalizeMac } from "../../../protocol/index.js";
import type { StationMembership } from "../source.js";

const HEADER = /^Station (\S+) \(on (.*)\)$/;

/** Same rule as parseIwStationDump: Linux interface names are at most 15 characters. */
const INTERFACE_NAME = /^[^\s/]{1,15}$/;

export function listIwStations(text: string): StationMembership[] {
  const members: StationMembership[] = [];
  const seen = new Set<string>();
  for (let at = text.startsWith("Station ") ? 0 : nextHeader(text, 0); at >= 0; at = nextHeader(text, at)) {
    let end = text.indexOf("\n", at);
    // A header without its newline is the cut-off last line, which the parser skips.
    if (end < 0) break;
    if (end > at && text.charCodeAt(end - 1) === 13) {
      end--; // CRLF output: the CR is not part of the line
    }
    const m = HEADER.exec(text.slice(at, end));
    if (!m) continue;
    const mac = normalizeMac(m[1] as string);
    const ifName = m[2] as string;
    if (mac === null || mac.length !== 17 || !INTERFACE_NAME.test(ifName)) continue;
    const key = `${ifName} ${mac}`;
    if (seen.has(key)) continue;
    seen.add(key);
    members.push({ mac, interface: ifName });
  }
  return members;
}

/** Where the next line starting with `Station ` after `from` starts, or -1. */
function nextHeader(text: string, from: number): number {
  const at = text.indexOf("\nStation ", from);
  return at < 0 ? -1 : at + 1;
}
