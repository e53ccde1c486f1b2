import { describe, expect, it } from "vitest";
import { isLocallyAdministered, normalizeMac } from "./mac.js";

describe("normalizeMac", () => {
  it.each([
    ["AC:DE:48:00:11:22", "ac:de:48:00:11:22"],
    ["acde48001122", "ac:de:48:00:11:22"],
    ["0:e0:4c:1:2:3", "00:e0:4c:01:02:03"],
    ["AC-DE-48-00-11-22", "ac:de:48:00:11:22"],
    ["acde.4800.1122", "ac:de:48:00:11:22"],
  ])("%s → %s", (raw, expected) => expect(normalizeMac(raw)).toBe(expected));

  it.each(["", "zz:11:22:33:44:55", "001:22:33:44:55:66", "12345"])("rejects %j", (raw) => {
    expect(normalizeMac(raw)).toBeNull();
  });

  it("answers a spelling the same when asked again, also past what it remembers", () => {
    for (let i = 0; i < 10_000; i++) {
      const hex = i.toString(16).padStart(4, "0");
      const expected = `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
      expect(normalizeMac(`0200 0000 ${hex}`.replaceAll(" ", ""))).toBe(expected);
      expect(normalizeMac(expected.toUpperCase())).toBe(expected);
    }
    expect(normalizeMac("zz:11:22:33:44:55")).toBeNull();
    expect(normalizeMac("AC:DE:48:00:11:22")).toBe("ac:de:48:00:11:22");
  });

  it("flags locally administered (randomised) addresses", () => {
    expect(isLocallyAdministered("d2:5f:3a:91:0c:7e")).toBe(true);
    expect(isLocallyAdministered("ac:de:48:00:11:22")).toBe(false);
  });
});
