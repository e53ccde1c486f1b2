import { describe, expect, it } from "vitest";
import { IF_ENTRY, IFX_ENTRY, parseIfTable } from "./ifTable.js";
import { loadCapture, table } from "./testdata/capture.js";

const capture = loadCapture("snmpd-5.9.3-linux.json");
const none = new Map<string, unknown>();

/** Builds ifTable/ifXTable varbinds from column → { ifIndex → value }. */
function vb(entry: string, columns: Record<number, Record<number | string, unknown>>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [column, rows] of Object.entries(columns)) {
    for (const [index, value] of Object.entries(rows)) map.set(`${entry}.${column}.${index}`, value);
  }
  return map;
}

const hex = (h: string) => Buffer.from(h, "hex");

describe("parseIfTable", () => {
  it("reads snmpd's ifTable and ifXTable, with Counter64 in snmpd's minimal encoding", () => {
    const result = parseIfTable(table(capture, "ifTable"), table(capture, "ifXTable"));
    expect(result.skipped).toEqual([]);
    expect(result.records).toEqual([
      {
        name: "lo",
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      },
      // ifHCInOctets 0x01e8, ifHCInMulticastPkts 7, ifHCOutOctets 0x0356, ifHCOutUcastPkts 9.
      {
        name: "br-lan",
        rxBytes: 488,
        txBytes: 854,
        rxPackets: 7,
        txPackets: 9,
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      },
      {
        name: "vc1",
        rxBytes: 1440,
        txBytes: 586,
        rxPackets: 0,
        txPackets: 7,
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      },
      {
        name: "vh1",
        rxBytes: 586,
        txBytes: 1440,
        rxPackets: 0,
        txPackets: 16,
        rxErrors: 0,
        txErrors: 0,
        rxDropped: 0,
        txDropped: 0,
      },
    ]);
    expect([...result.names]).toEqual([
      [1, "lo"],
      [2, "br-lan"],
      [3, "vc1"],
      [4, "vh1"],
    ]);
  });

  it("decodes Counter64 Buffers of every length, including the sign byte, up to 2^53 - 1", () => {
    const octets = {
      1: hex("00"),
      2: hex("ff"), // one byte, top bit set (a lenient decoder would read -1)
      3: hex("012a05f200"), // 5,000,000,000: past 2^32
      4: hex("001fffffffffffff"), // 2^53 - 1 in 8 bytes
      5: hex("00ffffffffffffffff"), // 2^64 - 1 with the BER sign byte: too big for JSON
      6: hex("0020000000000000"), // 2^53
    };
    const ifx = vb(IFX_ENTRY, {
      1: { 1: "a", 2: "b", 3: "c", 4: "d", 5: "e", 6: "f" },
      6: octets,
      10: octets,
    });
    const result = parseIfTable(none, ifx);
    expect(result.records.map((r) => [r.name, r.rxBytes, r.txBytes])).toEqual([
      ["a", 0, 0],
      ["b", 255, 255],
      ["c", 5_000_000_000, 5_000_000_000],
      ["d", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ]);
    expect(result.skipped).toEqual([
      {
        line: 5,
        reason: "ifHCInOctets exceeds 2^53 - 1 and cannot be sent exactly",
        text: `${IFX_ENTRY}.6.5 = 0x00ffffffffffffffff`,
      },
      {
        line: 6,
        reason: "ifHCInOctets exceeds 2^53 - 1 and cannot be sent exactly",
        text: `${IFX_ENTRY}.6.6 = 0x0020000000000000`,
      },
    ]);
    // The skipped rows still name their interface for the neighbour table.
    expect(result.names.get(5)).toBe("e");
  });

  it("falls back to the 32-bit ifTable counters and ifDescr when there is no ifXTable", () => {
    const ift = vb(IF_ENTRY, {
      2: { 1: "eth0", 7: Buffer.from("Intel 82574L\0") },
      10: { 1: 4_294_967_295, 7: 5 },
      11: { 1: 100, 7: 1 },
      12: { 1: 20, 7: 0 },
      13: { 1: 1, 7: 0 },
      14: { 1: 2, 7: 0 },
      16: { 1: 3000, 7: 6 },
      17: { 1: 30, 7: 1 },
      18: { 1: 4, 7: 0 },
      19: { 1: 5, 7: 0 },
      20: { 1: 6, 7: 0 },
    });
    expect(parseIfTable(ift, none)).toEqual({
      records: [
        {
          name: "eth0",
          rxBytes: 4_294_967_295,
          txBytes: 3000,
          rxPackets: 120,
          txPackets: 34,
          rxErrors: 2,
          txErrors: 6,
          rxDropped: 1,
          txDropped: 5,
        },
        // A NUL-terminated ifDescr (seen on some embedded agents) loses the terminator.
        {
          name: "Intel 82574L",
          rxBytes: 5,
          txBytes: 6,
          rxPackets: 1,
          txPackets: 1,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 0,
        },
      ],
      skipped: [],
      names: new Map([
        [1, "eth0"],
        [7, "Intel 82574L"],
      ]),
    });
  });

  it("prefers the HC columns per row and ifName over ifDescr", () => {
    const ift = vb(IF_ENTRY, {
      2: { 1: "Broadcom BCM63xx" },
      10: { 1: 1 },
      11: { 1: 1 },
      16: { 1: 2 },
      17: { 1: 2 },
    });
    const ifx = vb(IFX_ENTRY, {
      1: { 1: Buffer.from("wan") },
      6: { 1: hex("0100000001") },
      7: { 1: hex("0100000001") },
      8: { 1: hex("02") },
      9: { 1: hex("03") },
      10: { 1: hex("0100000002") },
    });
    const [record] = parseIfTable(ift, ifx).records;
    // rxPackets = HC unicast + HC multicast + HC broadcast; tx has no HC packets: 32-bit unicast.
    expect(record).toEqual({
      name: "wan",
      rxBytes: 4_294_967_297,
      txBytes: 4_294_967_298,
      rxPackets: 4_294_967_297 + 2 + 3,
      txPackets: 2,
      rxErrors: 0,
      txErrors: 0,
      rxDropped: 0,
      txDropped: 0,
    });
  });

  it("skips malformed rows with their position and the OID at fault, keeping the others", () => {
    const ift = vb(IF_ENTRY, {
      2: { 1: "ok0", 2: "bad-hc", 3: "bad32", 4: "", 5: "no-octets" },
      10: { 1: 1, 2: 1, 3: -5, 4: 1, 1.2: 1 },
      16: { 1: 1, 2: 1, 3: 1, 4: 1, 1.2: 1 },
    });
    const ifx = vb(IFX_ENTRY, { 6: { 2: "12345" } });
    ift.delete(`${IF_ENTRY}.10.5`);
    ift.set(`${IF_ENTRY}.2.x`, "junk");
    const result = parseIfTable(ift, ifx);
    expect(result.records.map((r) => r.name)).toEqual(["ok0"]);
    expect(result.skipped).toEqual([
      { line: 0, reason: "OID has no column and row index", text: `${IF_ENTRY}.2.x = "junk"` },
      {
        line: 1,
        reason: "ifHCInOctets is not a Counter64 (expected 1 to 9 bytes)",
        text: `${IFX_ENTRY}.6.2 = "12345"`,
      },
      { line: 3, reason: "ifInOctets is not an unsigned 32-bit integer", text: `${IF_ENTRY}.10.3 = -5` },
      { line: 4, reason: "no ifName or ifDescr", text: `${IF_ENTRY}.2.4 = ""` },
      {
        line: 5,
        reason: "no ifInOctets/ifHCInOctets or ifOutOctets/ifHCOutOctets",
        text: `${IF_ENTRY}.2.5 = "no-octets"`,
      },
      {
        line: 6,
        reason: "ifIndex is not a single integer between 1 and 2^31-1",
        text: `${IF_ENTRY}.10.1.2 = 1`,
      },
    ]);
  });

  it("parses a 5,000-interface table", () => {
    const names: Record<number, unknown> = {};
    const octets: Record<number, unknown> = {};
    for (let i = 1; i <= 5000; i++) {
      names[i] = Buffer.from(`vlan${i}`);
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(i) * 1_000_000_007n);
      octets[i] = b;
    }
    const result = parseIfTable(none, vb(IFX_ENTRY, { 1: names, 6: octets, 10: octets }));
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toMatchObject({ name: "vlan5000", rxBytes: 5000 * 1_000_000_007 });
  });
});
