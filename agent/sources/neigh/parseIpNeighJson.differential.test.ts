/**
 * Differential test: rememberingIpNeighJsonParser (rows remembered by their text across calls)
 * and parseIpNeighJson (every row parsed) against the parser as it was before rows were
 * remembered (REFERENCE below, a verbatim copy of its row reader on parseJsonObjectRows), on the
 * fixtures, the other tests' inputs and fuzzed tables parsed in sequence so rows repeat.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { Prng } from "../../../common/prng.js";
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { ipFamily } from "../ipFamily.js";
import type { ParseResult } from "../parseResult.js";
import { parseJsonObjectRows, type RowOutcome } from "./jsonArrayRows.js";
import { neighborStateFromNames } from "./nudState.js";
import { parseIpNeighJson, rememberingIpNeighJsonParser } from "./parseIpNeighJson.js";

/** One remembering parser for the whole file, so rows repeat across the calls of every test. */
const parseRemembering = rememberingIpNeighJsonParser();

/** parseIpNeighJson before rows were remembered. */
function REFERENCE(text: string): ParseResult<Neighbor> {
  return parseJsonObjectRows(text, (row): RowOutcome<Neighbor> => {
    if ("proxy" in row) return null;
    const { dst, dev, lladdr, state } = row;
    if (typeof dst !== "string" || ipFamily(dst) === 0) {
      return { skip: "dst is not an IP address" };
    }
    if (typeof dev !== "string" || dev === "" || dev.length > MAX_STRING_LENGTH) {
      return { skip: "dev is missing" };
    }
    let names: string[] = [];
    if (state !== undefined) {
      if (!Array.isArray(state) || !state.every((s) => typeof s === "string")) {
        return { skip: "state is not an array of names" };
      }
      names = state;
    }
    const neighborState = neighborStateFromNames(names);
    if (!neighborState) {
      return { skip: `unknown state ${names.join(",")}` };
    }
    let mac: string | null = null;
    if (lladdr !== undefined) {
      mac = typeof lladdr === "string" ? normalizeMac(lladdr) : null;
      if (!mac) {
        return { skip: "lladdr is not a hardware address" };
      }
    }
    return {
      record: {
        ip: dst.toLowerCase(),
        mac,
        interface: dev,
        state: neighborState,
        bridgePort: null,
      },
    };
  });
}

let compared = 0;
let withRecords = 0;
let withSkips = 0;

function check(text: string): void {
  const expected = REFERENCE(text);
  const remembered = parseRemembering(text);
  const rows = parseIpNeighJson(text);
  compared++;
  if (expected.records.length > 0) withRecords++;
  if (expected.skipped.length > 0) withSkips++;
  if (!isDeepStrictEqual(remembered, expected))
    expect({ text, result: remembered }).toStrictEqual({ text, result: expected });
  if (!isDeepStrictEqual(rows, expected))
    expect({ text, result: rows }).toStrictEqual({ text, result: expected });
}

const STATES = ["REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED", "NOARP", "PERMANENT", "NONE"];
const ODD = [
  null,
  0,
  1.5,
  true,
  false,
  "",
  " ",
  "x",
  [],
  {},
  ["a"],
  { a: 1 },
  "},{",
  "],[",
  '"},{"',
  "a\\b",
  '"',
  "\u0000",
  "é",
  "\u2028",
];
const MACS = [
  "00:1b:11:20:dc:2c",
  "00:1B:11:20:DC:2C",
  "001b1120dc2c",
  "00-1b-11-20-dc-2c",
  "001b.1120.dc2c",
  "0:1b:11:2:dc:2c",
  "10.64.0.1",
  "",
  "00:00:00:00:00:00",
  "zz:1b:11:20:dc:2c",
  " 00:1b:11:20:dc:2c ",
  "00:1b:11:20:dc:2c:00:00",
  "00:1b:11:20:dc",
];
const IPS = [
  "192.168.1.23",
  "10.0.0.1",
  "fe80::1",
  "FE80::1",
  "2001:DB8::23",
  "fe80::1%br-lan",
  "192.168.1.300",
  "192.168.1",
  " 192.168.1.23",
  "::",
  "::ffff:192.168.1.1",
  "not-an-ip",
  "",
];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

/** A row as iproute2 prints it, or odd in one of many ways. */
function makeRow(rnd: () => number, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const odd = rnd() < 0.15;
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  row.dst =
    odd && rnd() < 0.3
      ? pick(rnd, rnd() < 0.5 ? IPS : ODD)
      : i % 3 === 0
        ? `fd00::${i.toString(16)}`
        : `10.1.${i >> 8}.${i & 0xff}`;
  row.dev =
    odd && rnd() < 0.2
      ? pick(rnd, [...ODD, "x".repeat(MAX_STRING_LENGTH + 1), "x".repeat(MAX_STRING_LENGTH)])
      : pick(rnd, ["br-lan", "eth1", "wg0", "br-lan.10"]);
  if (!(odd && rnd() < 0.2)) {
    row.lladdr =
      odd && rnd() < 0.3
        ? pick(rnd, rnd() < 0.6 ? MACS : ODD)
        : `02:00:00:00:${hex(i >> 8)}:${hex(i & 0xff)}`;
  }
  if (rnd() < 0.15) row.router = null;
  if (rnd() < 0.05) row.proxy = null;
  if (rnd() < 0.05) row.extern_learn = null;
  if (rnd() < 0.1) Object.assign(row, { used: 0, confirmed: Math.floor(rnd() * 100), updated: 0, probes: 0 });
  if (odd && rnd() < 0.04) row.nested = { a: [1, { b: "},{" }], c: "],[" };
  if (odd && rnd() < 0.08) row.note = pick(rnd, ODD);
  if (!(odd && rnd() < 0.15)) {
    const r = rnd();
    row.state = !odd
      ? [pick(rnd, STATES.slice(0, 8))]
      : r < 0.3
        ? [pick(rnd, STATES).toLowerCase()]
        : r < 0.5
          ? [pick(rnd, STATES), pick(rnd, STATES)]
          : r < 0.6
            ? []
            : r < 0.7
              ? ["BOGUS"]
              : r < 0.8
                ? [pick(rnd, STATES), 1]
                : pick(rnd, ODD);
  }
  if (odd && rnd() < 0.05) {
    // A key no plain object has, and keys in another order.
    return JSON.parse(`{"__proto__":{"proxy":null},${JSON.stringify(row).slice(1)}`);
  }
  if (odd && rnd() < 0.1) return Object.fromEntries(Object.entries(row).reverse());
  return row;
}

/** The table printed as iproute2 does, or mangled as text. */
function print(rnd: () => number, rows: unknown[]): string {
  let text = `${JSON.stringify(rows)}\n`;
  const r = rnd();
  if (r < 0.7) return text;
  if (r < 0.75) return JSON.stringify(rows); // no final newline
  if (r < 0.78) return `${JSON.stringify(rows, null, 4)}\n`; // -p
  if (r < 0.8) return `${JSON.stringify(rows)}\r\n`;
  if (r < 0.82) return `  ${text}`;
  if (r < 0.84) return `${text}${text}`; // two arrays back to back
  if (r < 0.86) return text.replaceAll("},{", "}, {");
  if (r < 0.88) return text.replace(",", ",\n");
  if (r < 0.93)
    text = text.slice(0, Math.floor(rnd() * text.length)); // cut off
  else {
    // Characters dropped or doubled somewhere.
    const at = Math.floor(rnd() * text.length);
    text = rnd() < 0.5 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + text.slice(at - 1);
  }
  return text;
}

describe("parseIpNeighJson against the parser before rows were remembered", () => {
  it("agrees on the fixtures and the other tests' inputs", () => {
    const dir = join(import.meta.dirname, "../../../fixtures/ip-neigh-json");
    const fixtures = readdirSync(dir)
      .filter((f) => !f.endsWith(".expected.json") && !f.startsWith("."))
      .map((f) => readFileSync(join(dir, f), "utf8"));
    const others = [
      '[{"dst":"192.168.1.23","dev":"br-lan","lladdr":"00:1b:11:20:dc:2c","state":["REACHABLE"]}]\n',
      '[{"dst":"fe80::1","dev":"br-lan","lladdr":"00:1B:11:20:DC:2C","router":null,"state":["STALE"]},{"dst":"192.168.1.200","dev":"br-lan","proxy":null}]\n',
      "192.168.1.23 dev br-lan lladdr 00:1b:11:20:dc:2c REACHABLE\n",
      '[{"a":"x,]}\\"[{","b":[1,{"c":2}]},{"d":null}]\n',
      '[ {\n    "a": 1\n  },{\n    "a": 2\n  } ]\n',
      '[{"a":1}]\n[{"a":2}]\n',
      '[{"a":1},{"a":2},{"a"',
      '[{"a":1},',
      '[{"a":1},{a:2},{"a":3}]',
      '[{"a":1}},{"a":3}]',
      'Option "-j" is unknown\n',
      "  \n",
      "",
      "[]",
      "[]\n",
      "[{}]",
      "[{}]\n",
      "[{},{}]",
      "[{]",
      "[{}",
      "[{}}]",
      "[{},{}]\n\n",
      '[{"dst":"10.0.0.1","dev":"x","s":"},{"}]',
      '[{"dst":"10.0.0.1","dev":"x","s":"a},{b"},{"dst":"10.0.0.2","dev":"y"}]',
      '[{"dst":"10.0.0.1","dev":"x"} ,{"dst":"10.0.0.2","dev":"y"}]',
      '[{"dst":"10.0.0.1","dev":"x"},5,{"dst":"10.0.0.2","dev":"y"}]',
      '[{"dst":"10.0.0.1","dev":"x"},{"dst":"10.0.0.2","dev":"y"}]]',
      '[{"dst":"10.0.0.1","dev":"x","n":{"a":{}},"m":[{},{}]}]',
    ];
    const states = ["REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED", "NOARP", "PERMANENT"];
    const rows = states.map((s, i) => ({ dst: `10.0.0.${i + 1}`, dev: "br-lan", state: [s] }));
    others.push(JSON.stringify([...rows, { dst: "10.0.0.99", dev: "br-lan" }]));
    const big = Array.from({ length: 5000 }, (_, i) => ({
      dst: i % 2 === 0 ? `10.1.${i >> 8}.${i & 0xff}` : `fd00::${i.toString(16)}`,
      dev: "br-lan",
      lladdr: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
      state: ["REACHABLE"],
    }));
    others.push(
      `${JSON.stringify(big)}\n`,
      `${JSON.stringify(big.slice(0, 700))}\n`,
      `${JSON.stringify(big.slice(0, 800))}\n`,
    );
    // Twice, the second time from what was remembered.
    for (const text of [...fixtures, ...others, ...fixtures, ...others]) check(text);
  });

  it("agrees on 10,500 fuzzed tables parsed in sequence, most rows repeating", () => {
    // Seeded, so a failure can be replayed.
    const prng = new Prng(0x1ea5e);
    const rnd = () => prng.next();
    // A household whose rows change a little from one cycle to the next.
    let table: Record<string, unknown>[] = Array.from({ length: 40 }, (_, i) => makeRow(rnd, i));
    for (let n = 0; n < 10_500; n++) {
      const r = rnd();
      if (r < 0.05) {
        // Another gateway, or a table of its own.
        const size = rnd() < 0.02 ? 700 + Math.floor(rnd() * 200) : Math.floor(rnd() * 40);
        table = Array.from({ length: size }, (_, i) => makeRow(rnd, Math.floor(rnd() * 4000) + i));
      } else {
        table = table.map((row, i) => (rnd() < 0.05 ? makeRow(rnd, i + (rnd() < 0.5 ? 0 : 1000)) : row));
        if (rnd() < 0.1 && table.length > 0) table.splice(Math.floor(rnd() * table.length), 1);
        if (rnd() < 0.1) table.push(makeRow(rnd, Math.floor(rnd() * 4000)));
        if (rnd() < 0.05 && table.length > 0) table.push(pick(rnd, table)); // a duplicated row
      }
      const rows: unknown[] = rnd() < 0.03 ? [...table, pick(rnd, [1, "x", null, [], [{}]])] : table;
      check(print(rnd, rows));
    }
    expect(compared).toBeGreaterThan(10_500);
    // The fuzz reached both outcomes, not only one.
    expect(withRecords).toBeGreaterThan(5_000);
    expect(withSkips).toBeGreaterThan(2_000);
  });

  it("shares an unchanged row's record between calls and never a skipped entry", () => {
    const text =
      '[{"dst":"10.9.0.1","dev":"br-lan","lladdr":"02:00:00:09:00:01","state":["STALE"]},{"dst":"x","dev":"br-lan"}]\n';
    const first = parseRemembering(text);
    const second = parseRemembering(`${text} `.slice(0, -1));
    expect(second).toStrictEqual(first);
    expect(second.records[0]).toBe(first.records[0]);
    expect(second.skipped[0]).not.toBe(first.skipped[0]);
  });
});
