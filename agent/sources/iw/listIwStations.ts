/**
 * Which stations an `iw dev IF station dump` lists, from its `Station <mac> (on <if>)` header
 * lines only: what the agent's change checks need (a device joined or left a radio), at a small
 * part of the cost of parsing every block (parseIwStationDump.ts), which full collections do.
 *
 * It must name exactly the stations parseIwStationDump reports, or every change check would
 * see a change: the same header reader (readStationHeader), a station listed twice
 * counting once and a header that is the cut-off last line being no header, held equal by a
 * differential test.
 */
import type { StationMembership } from "../source.js";
import { readStationHeader } from "./parseIwStationDump.js";

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
    const { mac, interface: ifName } = readStationHeader(text.slice(at, end));
    if (mac === null || ifName === null) continue;
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
