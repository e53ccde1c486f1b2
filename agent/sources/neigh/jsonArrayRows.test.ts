import { describe, expect, it } from "vitest";
import { jsonArrayRows } from "./jsonArrayRows.js";

const values = (text: string): unknown[] =>
  jsonArrayRows(text).map((r) => (r.ok ? r.value : r.skipped.reason));

describe("jsonArrayRows", () => {
  it("splits rows without being fooled by brackets, commas and escaped quotes in strings", () => {
    const text = '[{"a":"x,]}\\"[{","b":[1,{"c":2}]},{"d":null}]\n';
    expect(values(text)).toEqual([{ a: 'x,]}"[{', b: [1, { c: 2 }] }, { d: null }]);
  });

  it("gives the line each row starts on in pretty output", () => {
    const text = '[ {\n    "a": 1\n  },{\n    "a": 2\n  } ]\n';
    expect(jsonArrayRows(text).map((r) => (r.ok ? [r.line, r.index] : null))).toEqual([
      [1, 1],
      [3, 2],
    ]);
  });

  it("reads arrays printed back to back", () => {
    expect(values('[{"a":1}]\n[{"a":2}]\n')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("keeps the rows before a cut and reports the cut row", () => {
    expect(values('[{"a":1},{"a":2},{"a"')).toEqual([
      { a: 1 },
      { a: 2 },
      "row 3: cut off (output was truncated)",
    ]);
    expect(values('[{"a":1},')).toEqual([{ a: 1 }, "JSON array is not closed (output was cut off)"]);
  });

  it("reports a broken row and goes on with the next", () => {
    expect(values('[{"a":1},{a:2},{"a":3}]')).toEqual([{ a: 1 }, "row 2: not valid JSON", { a: 3 }]);
    expect(values('[{"a":1}},{"a":3}]')).toEqual([{ a: 1 }, "row 2: not valid JSON", { a: 3 }]);
  });

  it("reports text that is not an array as a whole-input problem (line 0)", () => {
    const rows = jsonArrayRows('Option "-j" is unknown\n');
    expect(rows).toEqual([
      { ok: false, skipped: expect.objectContaining({ line: 0, reason: "expected a JSON array" }) },
    ]);
    expect(jsonArrayRows("  \n")).toEqual([]);
  });
});
