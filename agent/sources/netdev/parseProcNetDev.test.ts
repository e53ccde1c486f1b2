import { describe, expect, it } from "vitest";
import { cPrintf } from "./cPrintf.js";
import { parseProcNetDev, readCounter } from "./parseProcNetDev.js";

/** net/core/net-procfs.c: dev_seq_show's header and dev_seq_printf_stats' line format (3.x and later). */
const HEADER =
  "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
const NEW_FORMAT =
  "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n";
/** The same line in 2.6 kernels: no space after the colon. */
const OLD_FORMAT = "%6s:%8lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu %5lu %7lu %10lu\n";
const line = (format: string, name: string, ...counters: (number | bigint)[]): string =>
  cPrintf(format, name, ...counters);

describe("parseProcNetDev", () => {
  it("takes rx columns 1-4 and tx columns 9-12", () => {
    const text = HEADER + line(NEW_FORMAT, "eth0", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    expect(parseProcNetDev(text)).toEqual({
      records: [
        {
          name: "eth0",
          rxBytes: 1,
          txBytes: 9,
          rxPackets: 2,
          txPackets: 10,
          rxErrors: 3,
          txErrors: 11,
          rxDropped: 4,
          txDropped: 12,
        },
      ],
      skipped: [],
    });
  });

  it("splits an old kernel's line where the first counter touches the colon, and alias names at the last colon", () => {
    const text =
      HEADER +
      line(
        OLD_FORMAT,
        "eth0",
        4046496815,
        31224466,
        0,
        0,
        0,
        0,
        0,
        0,
        1987443210,
        22013114,
        0,
        0,
        0,
        0,
        0,
        0,
      ) +
      line(OLD_FORMAT, "eth0:1", 12345678, 9, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0);
    expect(text).toContain("  eth0:4046496815 ");
    expect(text).toContain("eth0:1:12345678 ");
    expect(parseProcNetDev(text).records.map((r) => [r.name, r.rxBytes, r.txBytes])).toEqual([
      ["eth0", 4046496815, 1987443210],
      ["eth0:1", 12345678, 1],
    ]);
  });

  it("skips a line whose stored counter is not exact as a JS number", () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const text =
      HEADER +
      line(NEW_FORMAT, "ok", max, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) +
      line(NEW_FORMAT, "big", 0, 0, 0, 0, 0, 0, 0, 0, max + 1n, 0, 0, 0, 0, 0, 0, 0);
    const result = parseProcNetDev(text);
    expect(result.records.map((r) => [r.name, r.rxBytes])).toEqual([["ok", Number.MAX_SAFE_INTEGER]]);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        line: 4,
        reason: "txBytes: 9007199254740992 is 2^53 or more and cannot be stored exactly",
      }),
    ]);
  });

  it("parses 5,000 interfaces", () => {
    let text = HEADER;
    for (let i = 0; i < 5000; i++) {
      text += line(NEW_FORMAT, `vlan${i}`, i * 1000, i, 0, 0, 0, 0, 0, 0, i * 2000, i * 2, 0, 0, 0, 0, 0, 0);
    }
    const result = parseProcNetDev(text);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toMatchObject({
      name: "vlan4999",
      rxBytes: 4999000,
      txBytes: 9998000,
      txPackets: 9998,
    });
  });

  it("reads counters as exact numbers or says why not", () => {
    expect(readCounter("18446744073709551615")).toEqual({
      ok: false,
      reason: "18446744073709551615 is 2^53 or more and cannot be stored exactly",
    });
    expect(readCounter("18446744073709551616")).toEqual({
      ok: false,
      reason: "18446744073709551616 exceeds 64 bits",
    });
    expect(readCounter("-1")).toEqual({ ok: false, reason: '"-1" is not a counter' });
    expect(readCounter("0042")).toEqual({ ok: true, value: 42 });
  });
});
