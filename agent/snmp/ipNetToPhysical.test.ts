import { describe, expect, it } from "vitest";
import { parseIfTable } from "./ifTable.js";
import {
  IP_NET_TO_MEDIA_ENTRY,
  IP_NET_TO_PHYSICAL_ENTRY,
  parseIpNetToMedia,
  parseIpNetToPhysical,
} from "./ipNetToPhysical.js";
import { loadCapture, table } from "./testdata/capture.js";

const capture = loadCapture("snmpd-5.9.3-linux.json");
const names = parseIfTable(table(capture, "ifTable"), table(capture, "ifXTable")).names;
const mac = (m: string) => Buffer.from(m.replaceAll(":", ""), "hex");
const P = IP_NET_TO_PHYSICAL_ENTRY;

/** One ipNetToPhysical row: PhysAddress, Type, State under the given index. */
function row(index: string, phys: unknown, type: unknown, state: unknown): [string, unknown][] {
  const cells: [string, unknown][] = [];
  if (phys !== undefined) cells.push([`${P}.4.${index}`, phys]);
  if (type !== undefined) cells.push([`${P}.6.${index}`, type]);
  if (state !== undefined) cells.push([`${P}.7.${index}`, state]);
  return cells;
}

describe("parseIpNetToPhysical", () => {
  it("reads snmpd's table: IPv4 and IPv6 (length-prefixed) indexes, NUD states, static and incomplete", () => {
    expect(parseIpNetToPhysical(table(capture, "ipNetToPhysicalTable"), names)).toEqual({
      records: [
        {
          ip: "10.9.0.2",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "permanent",
          bridgePort: null,
        },
        { ip: "10.9.0.3", mac: "3a:7f:02:11:aa:05", interface: "br-lan", state: "stale", bridgePort: null },
        {
          ip: "10.9.0.4",
          mac: "00:e0:4c:68:00:01",
          interface: "br-lan",
          state: "reachable",
          bridgePort: null,
        },
        // snmpd types an unresolved entry invalid(2) with state incomplete(7) and an empty address.
        { ip: "10.9.0.5", mac: null, interface: "br-lan", state: "incomplete", bridgePort: null },
        {
          ip: "2001:db8:9::2",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "stale",
          bridgePort: null,
        },
        {
          ip: "fe80::21b:11ff:fe20:dc2c",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "reachable",
          bridgePort: null,
        },
      ],
      skipped: [],
    });
  });

  it("decodes zoned and full-length IPv6 indexes and maps every state", () => {
    const v6 = "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"; // 2001:db8::1
    const varbinds = new Map<string, unknown>([
      ...row(`3.2.16.${v6}`, mac("00:11:22:33:44:55"), 3, 3),
      ...row("3.4.20.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.9.0.0.0.3", mac("00:11:22:33:44:56"), 3, 4),
      ...row("3.3.8.192.168.1.9.0.0.0.3", mac("00:11:22:33:44:57"), 3, 5),
      ...row("3.1.4.192.168.1.10", mac("00:11:22:33:44:58"), 3, 6),
      ...row("3.1.4.192.168.1.11", mac("00:11:22:33:44:59"), 5, 1),
      ...row("3.1.4.192.168.1.12", mac("00:11:22:33:44:5a"), 3, undefined),
      ...row("3.1.4.192.168.1.13", Buffer.alloc(6), 3, undefined),
      ...row("3.2.16.255.2.0.0.0.0.0.0.0.0.0.0.0.0.0.1", mac("33:33:00:00:00:01"), 4, 1),
      ...row("9.1.4.192.168.7.1", mac("00:11:22:33:44:5b"), 3, 1),
    ]);
    expect(parseIpNetToPhysical(varbinds, names).records).toEqual([
      { ip: "2001:db8::1", mac: "00:11:22:33:44:55", interface: "vc1", state: "delay", bridgePort: null },
      { ip: "fe80::9", mac: "00:11:22:33:44:56", interface: "vc1", state: "probe", bridgePort: null },
      { ip: "192.168.1.9", mac: "00:11:22:33:44:57", interface: "vc1", state: "failed", bridgePort: null },
      { ip: "192.168.1.10", mac: "00:11:22:33:44:58", interface: "vc1", state: "none", bridgePort: null },
      { ip: "192.168.1.11", mac: "00:11:22:33:44:59", interface: "vc1", state: "noarp", bridgePort: null },
      { ip: "192.168.1.12", mac: "00:11:22:33:44:5a", interface: "vc1", state: "stale", bridgePort: null },
      { ip: "192.168.1.13", mac: null, interface: "vc1", state: "incomplete", bridgePort: null },
      { ip: "ff02::1", mac: "33:33:00:00:00:01", interface: "vc1", state: "permanent", bridgePort: null },
      // An ifIndex the ifTable did not name.
      {
        ip: "192.168.7.1",
        mac: "00:11:22:33:44:5b",
        interface: "ifIndex.9",
        state: "reachable",
        bridgePort: null,
      },
    ]);
  });

  it("leaves out invalidated entries and skips malformed rows with the reason", () => {
    const varbinds = new Map<string, unknown>([
      ...row("2.1.4.10.0.0.1", mac("00:11:22:33:44:55"), 2, 1), // invalidated: left out
      ...row("2.1.5.10.0.0.0.2", mac("00:11:22:33:44:55"), 3, 1),
      ...row("2.1.4.10.0.0", mac("00:11:22:33:44:55"), 3, 1),
      ...row("2.16.4.10.0.0.3", mac("00:11:22:33:44:55"), 3, 1),
      ...row("2.1.4.10.0.0.256", mac("00:11:22:33:44:55"), 3, 1),
      ...row("2.1.4.10.0.0.5", "00:11:22:33:44:55", 3, 1),
      ...row("2.1.4.10.0.0.6", Buffer.alloc(21, 1), 3, 1),
      ...row("2.1.4.10.0.0.7", mac("00:11:22:33:44:55"), 3, 9),
      ...row("2.1.4.10.0.0.8", mac("00:11:22:33:44:55"), "3", 1),
      ...row("2.1", mac("00:11:22:33:44:55"), 3, 1),
    ]);
    const result = parseIpNetToPhysical(varbinds, names);
    expect(result.records).toEqual([]);
    expect(result.skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, "address length 5 with 5 octets does not fit type 1"],
      [3, "address length 4 with 3 octets does not fit type 1"],
      [4, "unsupported InetAddressType 16"],
      [5, "address octet above 255"],
      [6, "ipNetToPhysicalPhysAddress is not an OCTET STRING"],
      [7, "ipNetToPhysicalPhysAddress is longer than 20 octets"],
      [8, "unknown ipNetToPhysicalState 9"],
      [9, "ipNetToPhysicalType is not an INTEGER"],
      [10, "index is not ifIndex.addrType.length.address"],
    ]);
    expect(result.skipped[6]?.text).toBe(`${P}.7.2.1.4.10.0.0.7 = 9`);
  });

  it("parses 5,000 IPv6 neighbours", () => {
    const varbinds = new Map<string, unknown>();
    for (let i = 0; i < 5000; i++) {
      const index = `2.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.${i >> 8}.${i & 0xff}`;
      for (const [oid, value] of row(
        index,
        mac(
          `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
        ),
        3,
        2,
      )) {
        varbinds.set(oid, value);
      }
    }
    const result = parseIpNetToPhysical(varbinds, names);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toEqual({
      ip: "2001:db8::1387",
      mac: "02:00:00:00:13:87",
      interface: "br-lan",
      state: "stale",
      bridgePort: null,
    });
  });
});

describe("parseIpNetToMedia", () => {
  it("reads snmpd's legacy table (IPv4 only, no state, incomplete entries absent)", () => {
    expect(parseIpNetToMedia(table(capture, "ipNetToMediaTable"), names)).toEqual({
      records: [
        {
          ip: "10.9.0.2",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "permanent",
          bridgePort: null,
        },
        { ip: "10.9.0.3", mac: "3a:7f:02:11:aa:05", interface: "br-lan", state: "stale", bridgePort: null },
        { ip: "10.9.0.4", mac: "00:e0:4c:68:00:01", interface: "br-lan", state: "stale", bridgePort: null },
      ],
      skipped: [],
    });
  });

  it("leaves out invalid entries and skips indexes that are not ifIndex.a.b.c.d", () => {
    const M = IP_NET_TO_MEDIA_ENTRY;
    const varbinds = new Map<string, unknown>([
      [`${M}.2.3.10.0.0.1`, mac("00:11:22:33:44:55")],
      [`${M}.4.3.10.0.0.1`, 2],
      [`${M}.2.3.10.0.0.2`, Buffer.alloc(0)],
      [`${M}.4.3.10.0.0.2`, 3],
      [`${M}.2.3.4.10.0.0.3`, mac("00:11:22:33:44:55")],
      [`${M}.2.3.10.0.0.300`, mac("00:11:22:33:44:55")],
    ]);
    const result = parseIpNetToMedia(varbinds, names);
    expect(result.records).toEqual([
      { ip: "10.0.0.2", mac: null, interface: "vc1", state: "incomplete", bridgePort: null },
    ]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "index is not ifIndex.a.b.c.d",
      "index is not ifIndex.a.b.c.d",
    ]);
  });
});
