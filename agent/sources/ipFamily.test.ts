import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { ipFamily } from "./ipFamily.js";

describe("ipFamily", () => {
  const texts = [
    "192.168.1.23",
    "fe80::1",
    "FE80::1",
    "::ffff:192.168.1.1",
    "192.168.1.256",
    "",
    "br-lan",
    "1.2.3",
  ];

  it.each(texts)("answers %j as isIP, the first time and again", (text) => {
    expect(ipFamily(text)).toBe(isIP(text));
    expect(ipFamily(text)).toBe(isIP(text));
  });

  it("still answers right once more addresses were asked than it remembers", () => {
    for (let i = 0; i < 10_000; i++) {
      const text =
        i % 2 === 0 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `fd00::${i.toString(16)}`;
      expect(ipFamily(text)).toBe(i % 2 === 0 ? 4 : 6);
    }
    expect(ipFamily("10.0.0.300")).toBe(0);
  });
});
