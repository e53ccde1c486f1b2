import { describe, expect, it } from "vitest";
import { parseUnsigned, parseUnsignedWithUnit } from "./iwValues.js";

/** The reading before its quick path: the plain-digits test alone. */
function byPattern(text: string): number | null {
  if (!/^\d{1,20}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

describe("parseUnsigned", () => {
  // Texts Number() reads but the plain-digits rule refuses, and the edges of both.
  const texts = [
    "0",
    "7",
    "007",
    "00",
    "-0",
    "-5",
    "+5",
    " 5",
    "5 ",
    "",
    "1e3",
    "0x10",
    "0b1",
    "1.0",
    "1.",
    ".5",
    "Infinity",
    "NaN",
    "9007199254740991",
    "9007199254740992",
    "18446744073709551615",
    "123456789012345678901",
    "4294967295",
  ];
  it.each(texts)("reads %j as the plain-digits rule does", (text) => {
    expect(parseUnsigned(text)).toBe(byPattern(text));
  });

  it("agrees with the rule on every number up to 1e5 and a spread above", () => {
    for (let n = 0; n <= 100_000; n++) expect(parseUnsigned(String(n))).toBe(n);
    for (let n = 1; n < 2 ** 53; n = n * 3 + 1) expect(parseUnsigned(String(n))).toBe(n);
  });

  it("reads units", () => {
    expect(parseUnsignedWithUnit("1234 ms", " ms")).toBe(1234);
    expect(parseUnsignedWithUnit("0012 ms", " ms")).toBe(12);
    expect(parseUnsignedWithUnit("-1 ms", " ms")).toBeNull();
  });
});
