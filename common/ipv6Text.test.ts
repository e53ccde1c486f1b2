import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { ipv6FromGroups } from "./ipv6Text.js";

describe("ipv6FromGroups", () => {
  it.each([
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "2001:db8::1"],
    [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
    [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
    [[0xfe80, 0, 0, 0, 0x1234, 0, 0, 0xab], "fe80::1234:0:0:ab"],
    // One zero group is not shortened (RFC 5952 4.2.2); of equal runs the first goes.
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1"],
    [[0x2001, 0, 0, 1, 0, 0, 1, 1], "2001::1:0:0:1:1"],
    [[0x2001, 0xdb8, 1, 0, 0, 0, 0, 0], "2001:db8:1::"],
  ])("%j → %s", (groups, text) => {
    expect(ipv6FromGroups(groups)).toBe(text);
    expect(isIP(text)).toBe(6);
  });
});
