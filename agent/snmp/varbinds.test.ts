import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import {
  compareOids,
  decodeCounter64,
  decodePhysAddress,
  decodeText,
  formatIpv6,
  tableRows,
} from "./varbinds.js";

describe("decodeCounter64", () => {
  const hex = (h: string) => Buffer.from(h, "hex");

  it("reads big-endian Buffers of any length up to 8 bytes, plus the BER sign byte", () => {
    expect(decodeCounter64(hex("00"), "c")).toEqual({ ok: true, value: 0 });
    expect(decodeCounter64(hex("0080"), "c")).toEqual({ ok: true, value: 128 });
    expect(decodeCounter64(hex("ffffffff"), "c")).toEqual({ ok: true, value: 4_294_967_295 });
    expect(decodeCounter64(hex("0000000100000000"), "c")).toEqual({ ok: true, value: 4_294_967_296 });
    expect(decodeCounter64(hex("00001fffffffffffff"), "c")).toEqual({ ok: true, value: 2 ** 53 - 1 });
  });

  it("refuses values JSON cannot carry exactly and Buffers that are not 64-bit integers", () => {
    expect(decodeCounter64(hex("0020000000000000"), "c")).toEqual({
      ok: false,
      error: "c exceeds 2^53 - 1 and cannot be sent exactly",
    });
    expect(decodeCounter64(hex("01ffffffffffffffff"), "c")).toEqual({
      ok: false,
      error: "c does not fit in 64 bits",
    });
    expect(decodeCounter64(hex(""), "c").ok).toBe(false);
    expect(decodeCounter64(hex("00000000000000000001"), "c").ok).toBe(false);
    expect(decodeCounter64("123", "c").ok).toBe(false);
    expect(decodeCounter64(-1, "c").ok).toBe(false);
    expect(decodeCounter64(null, "c").ok).toBe(false);
  });

  it("accepts a plain number, as agents answering Counter32 in an HC column send", () => {
    expect(decodeCounter64(42, "c")).toEqual({ ok: true, value: 42 });
  });
});

describe("formatIpv6", () => {
  const cases: [number[], string][] = [
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8::1"],
    [
      [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1b, 0x11, 0xff, 0xfe, 0x20, 0xdc, 0x2c],
      "fe80::21b:11ff:fe20:dc2c",
    ],
    [new Array(16).fill(0), "::"],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], "2001:db8:0:1::"],
    // A single zero group is not shortened; of two equal runs the first is (RFC 5952 §4.2).
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "2001:db8:0:1:1:1:1:1"],
    [[0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1], "2001::1:1:0:0:1"],
  ];
  it.each(cases)("%j → %s", (bytes, text) => {
    expect(formatIpv6(bytes)).toBe(text);
    expect(isIP(text)).toBe(6);
  });

  it("agrees with the WHATWG URL serialiser on random addresses", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 500; n++) {
      // Mostly zeros so that zero runs of every length occur.
      const bytes = Array.from({ length: 16 }, () => (random() % 3 === 0 ? random() % 256 : 0));
      const text = formatIpv6(bytes);
      expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
    }
  });
});

describe("decodeText and decodePhysAddress", () => {
  it("strips NUL terminators and reads UTF-8", () => {
    expect(decodeText(Buffer.from("eth0\0\0"), "n")).toEqual({ ok: true, value: "eth0" });
    expect(decodeText(Buffer.from("Küche"), "n")).toEqual({ ok: true, value: "Küche" });
    expect(decodeText(7, "n").ok).toBe(false);
  });

  it("gives null for empty and all-zero addresses", () => {
    expect(decodePhysAddress(Buffer.alloc(0), "p")).toEqual({ ok: true, value: null });
    expect(decodePhysAddress(Buffer.alloc(6), "p")).toEqual({ ok: true, value: null });
    expect(decodePhysAddress(Buffer.from("0001020a0b0c", "hex"), "p")).toEqual({
      ok: true,
      value: "00:01:02:0a:0b:0c",
    });
  });
});

describe("compareOids and tableRows", () => {
  it("orders OIDs by number, not by text", () => {
    expect(compareOids("1.3.6.1.2.1.2.2.1.10.2", "1.3.6.1.2.1.2.2.1.2.10")).toBeGreaterThan(0);
    expect(compareOids("1.3.6.1", "1.3.6.1.0")).toBeLessThan(0);
    expect(compareOids("1.3.6", "1.3.6")).toBe(0);
  });

  it("groups cells by row index in walk order and ignores OIDs outside the entry", () => {
    const { rows, skipped } = tableRows(
      new Map<string, unknown>([
        [".1.3.6.1.2.1.2.2.1.2.5", "a"],
        ["1.3.6.1.2.1.2.2.1.2.1", "b"],
        ["1.3.6.1.2.1.2.2.1.10.5", 1],
        ["1.3.6.1.2.1.31.1.1.1.1.5", "elsewhere"],
        ["1.3.6.1.2.1.2.2.1.2", "no index"],
      ]),
      "1.3.6.1.2.1.2.2.1",
    );
    expect(rows.map((r) => [r.index, r.position, [...r.cells.keys()]])).toEqual([
      ["5", 1, [2, 10]],
      ["1", 2, [2]],
    ]);
    expect(skipped.map((s) => s.reason)).toEqual(["OID has no column and row index"]);
  });
});
