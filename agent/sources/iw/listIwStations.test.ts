import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateStationDump } from "./generateStationDump.js";
import { listIwStations } from "./listIwStations.js";
import { parseIwStationDump } from "./parseIwStationDump.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/iw-station-dump");

/** What the full parser reports, as memberships: what listIwStations must equal. */
function parsedMembers(text: string) {
  return parseIwStationDump(text).records.map((s) => ({ mac: s.mac, interface: s.interface }));
}

/** A small seeded generator, so a failing input can be found again from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const HEADER_DAMAGE = [
  "Station 00:11:22:33:44:55 (on wlan0)",
  "Station 00:11:22:33:44:55 (on wlan1)",
  "Station 00-11-22-33-44-55 (on wlan0)",
  "Station 00:11:22:33:44 (on wlan0)",
  "Station zz:11:22:33:44:55 (on wlan0)",
  "Station 00:11:22:33:44:55 (on a-very-long-interface-name)",
  "Station 00:11:22:33:44:55 (on wl/an0)",
  "Station 00:11:22:33:44:55 (on )",
  "Station 00:11:22:33:44:55",
  "Station  00:11:22:33:44:55 (on wlan0)",
  " Station 00:11:22:33:44:55 (on wlan0)",
  "\tStation 00:11:22:33:44:55 (on wlan0)",
  "Station AA:BB:CC:DD:EE:FF (on wlan0)\r",
  "",
  "garbage",
];

/** One damaged variant of a dump: lines dropped, repeated, swapped, replaced, cut, CRLF. */
function mutate(text: string, next: () => number): string {
  const lines = text.split("\n");
  const pick = () => Math.floor(next() * lines.length);
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const kind = Math.floor(next() * 7);
    const i = pick();
    if (kind === 0) lines.splice(i, 1);
    else if (kind === 1) lines.splice(i, 0, lines[pick()] ?? "");
    else if (kind === 2) lines.splice(i, 0, HEADER_DAMAGE[Math.floor(next() * HEADER_DAMAGE.length)] ?? "");
    else if (kind === 3) lines[i] = `${lines[i] ?? ""}\r`;
    else if (kind === 4) lines[i] = (lines[i] ?? "").slice(0, Math.floor(next() * 40));
    else if (kind === 5) lines.splice(i, 0, `Station ${(lines[pick()] ?? "").slice(8)}`);
    else lines.splice(i, 0, "");
  }
  let out = lines.join("\n");
  if (next() < 0.2) out = out.slice(0, Math.floor(next() * out.length));
  if (next() < 0.1) out = out.replace(/\n/g, "\r\n");
  return out;
}

describe("listIwStations", () => {
  it("names exactly the stations parseIwStationDump reports, for every fixture", () => {
    for (const name of readdirSync(fixtures).filter((n) => n.endsWith(".txt"))) {
      const text = readFileSync(join(fixtures, name), "utf8");
      expect(listIwStations(text), name).toEqual(parsedMembers(text));
    }
  });

  it("names exactly the stations parseIwStationDump reports, for damaged dumps", () => {
    const bases = [
      ...readdirSync(fixtures)
        .filter((n) => n.endsWith(".txt"))
        .map((n) => readFileSync(join(fixtures, n), "utf8")),
      generateStationDump(40),
    ];
    let stations = 0;
    for (let seed = 1; seed <= 6000; seed++) {
      const next = random(seed);
      const text = mutate(bases[seed % bases.length] as string, next);
      const expected = parsedMembers(text);
      stations += expected.length;
      const actual = listIwStations(text);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect({ seed, actual }, JSON.stringify(text)).toEqual({ seed, actual: expected });
      }
    }
    // The damage leaves most stations in place: the comparison is not between empty lists.
    expect(stations).toBeGreaterThan(6000);
  });
});
