import { describe, expect, it } from "vitest";
import { rememberByText, rememberLastText } from "./rememberByText.js";

describe("rememberByText", () => {
  it("computes each text once, null and 0 answers included", () => {
    const calls: string[] = [];
    const length = rememberByText((t: string) => {
      calls.push(t);
      return t === "none" ? null : t.length - 1;
    }, 10);
    expect([length("a"), length("a"), length("none"), length("none"), length("abc")]).toEqual([
      0,
      0,
      null,
      null,
      2,
    ]);
    expect(calls).toEqual(["a", "none", "abc"]);
  });

  it("starts over past its limit, still answering right", () => {
    let calls = 0;
    const upper = rememberByText((t: string) => {
      calls++;
      return t.toUpperCase();
    }, 2);
    for (const t of ["a", "b", "c", "a"]) expect(upper(t)).toBe(t.toUpperCase());
    expect(calls).toBe(4);
  });
});

describe("rememberLastText", () => {
  it("computes again only when the text differs from the last one, equal copies included", () => {
    const calls: string[] = [];
    const parse = rememberLastText((t: string) => {
      calls.push(t);
      return { lines: t.split("\n").length };
    });
    const first = parse("a\nb");
    expect(parse(`a\n${"b"}`)).toBe(first);
    expect(parse("a")).toEqual({ lines: 1 });
    expect(parse("a\nb")).toEqual(first);
    expect(calls).toEqual(["a\nb", "a", "a\nb"]);
  });
});
