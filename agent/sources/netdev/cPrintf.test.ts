import { describe, expect, it } from "vitest";
import { cPrintf } from "./cPrintf.js";

describe("cPrintf", () => {
  it("pads left- and right-aligned fields like C", () => {
    expect(cPrintf("[%6s:][%-4s][0x%-4x][%4llu]", "lo", "ab", 255, 7)).toBe("[    lo:][ab  ][0xff  ][   7]");
  });
  it("never truncates a value wider than its field", () => {
    expect(cPrintf("%6s:%8lu", "eth0", 4046496815)).toBe("  eth0:4046496815");
  });
  it("prints full u64 values from bigint", () => {
    expect(cPrintf("%7llu", 18446744073709551615n)).toBe("18446744073709551615");
  });
});
