import { describe, expect, it } from "vitest";
import type { Neighbor } from "../../protocol/index.js";
import {
  attachFdbPorts,
  DOT1D_BASE_PORT_ENTRY,
  DOT1D_TP_FDB_ENTRY,
  DOT1Q_TP_FDB_ENTRY,
  parseBridgeFdb,
  type SnmpFdbEntry,
} from "./bridgeFdb.js";

const names = new Map([
  [3, "br-lan"],
  [4, "lan1"],
  [5, "lan2"],
  [6, "wlan0"],
]);
// Bridge port numbers are not ifIndexes: port 1 is ifIndex 4, port 2 ifIndex 5, port 3 ifIndex 6.
const basePorts = new Map<string, unknown>([
  [`${DOT1D_BASE_PORT_ENTRY}.2.1`, 4],
  [`${DOT1D_BASE_PORT_ENTRY}.2.2`, 5],
  [`${DOT1D_BASE_PORT_ENTRY}.2.3`, 6],
  [`${DOT1D_BASE_PORT_ENTRY}.2.4`, 0],
]);
const macIndex = (mac: string) =>
  mac
    .split(":")
    .map((h) => Number.parseInt(h, 16))
    .join(".");

function fdb(entry: string, rows: [string, unknown, unknown][]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [index, port, status] of rows) {
    if (port !== undefined) map.set(`${entry}.2.${index}`, port);
    if (status !== undefined) map.set(`${entry}.3.${index}`, status);
  }
  return map;
}

describe("parseBridgeFdb", () => {
  it("maps bridge ports through dot1dBasePortIfIndex to interface names", () => {
    const dot1d = fdb(DOT1D_TP_FDB_ENTRY, [
      [macIndex("00:1b:11:20:dc:2c"), 1, 3],
      [macIndex("3a:7f:02:11:aa:05"), 3, 3],
      [macIndex("02:00:00:00:00:01"), 1, 4],
      [macIndex("00:e0:4c:68:00:01"), 2, 5],
      [macIndex("00:e0:4c:68:00:02"), 0, 3], // port not learned
      [macIndex("00:e0:4c:68:00:03"), 2, 2], // invalid
      [macIndex("00:e0:4c:68:00:04"), 2, undefined],
    ]);
    const result = parseBridgeFdb({ basePorts, dot1dTpFdb: dot1d, dot1qTpFdb: new Map() }, names);
    expect(result.skipped).toEqual([]);
    expect(result.records).toEqual([
      { mac: "00:1b:11:20:dc:2c", port: "lan1", basePort: 1, fdbId: null, status: "learned" },
      { mac: "3a:7f:02:11:aa:05", port: "wlan0", basePort: 3, fdbId: null, status: "learned" },
      { mac: "02:00:00:00:00:01", port: "lan1", basePort: 1, fdbId: null, status: "self" },
      { mac: "00:e0:4c:68:00:01", port: "lan2", basePort: 2, fdbId: null, status: "mgmt" },
      { mac: "00:e0:4c:68:00:04", port: "lan2", basePort: 2, fdbId: null, status: "other" },
    ]);
  });

  it("reads Q-BRIDGE rows with their FDB id, which is not taken for a VLAN id", () => {
    const dot1q = fdb(DOT1Q_TP_FDB_ENTRY, [
      [`1.${macIndex("00:1b:11:20:dc:2c")}`, 1, 3],
      [`4094.${macIndex("00:1b:11:20:dc:2c")}`, 2, 3],
    ]);
    const result = parseBridgeFdb({ basePorts, dot1dTpFdb: new Map(), dot1qTpFdb: dot1q }, names);
    expect(result.records).toEqual([
      { mac: "00:1b:11:20:dc:2c", port: "lan1", basePort: 1, fdbId: 1, status: "learned" },
      { mac: "00:1b:11:20:dc:2c", port: "lan2", basePort: 2, fdbId: 4094, status: "learned" },
    ]);
  });

  it("skips malformed rows and ports missing from dot1dBasePortTable", () => {
    const dot1d = fdb(DOT1D_TP_FDB_ENTRY, [
      [`6.${macIndex("00:1b:11:20:dc:2c")}`, 1, 3], // length-prefixed MAC: not how MacAddress is indexed
      [macIndex("00:1b:11:20:dc:2d"), 9, 3],
      [macIndex("00:1b:11:20:dc:2e"), "1", 3],
      [macIndex("00:1b:11:20:dc:2f"), 1, 7],
      ["0.27.17.32.220.300", 1, 3],
    ]);
    const ports = new Map(basePorts);
    ports.set(`${DOT1D_BASE_PORT_ENTRY}.2.70000`, 4);
    ports.set(`${DOT1D_BASE_PORT_ENTRY}.2.5`, "x");
    const result = parseBridgeFdb({ basePorts: ports, dot1dTpFdb: dot1d, dot1qTpFdb: new Map() }, names);
    expect(result.records).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "dot1dBasePort index is not a port number 1..65535",
      "dot1dBasePortIfIndex is not an INTEGER",
      "index is not a 6-octet MAC",
      "bridge port 9 is not in dot1dBasePortTable",
      "FdbPort is not an INTEGER",
      "unknown FdbStatus 7",
      "MAC octet above 255",
    ]);
  });
});

describe("attachFdbPorts", () => {
  const neighbor = (ip: string, mac: string | null): Neighbor => ({
    ip,
    mac,
    interface: "br-lan",
    state: "reachable",
    bridgePort: null,
  });
  const entry = (
    mac: string,
    port: string,
    fdbId: number | null,
    status: SnmpFdbEntry["status"] = "learned",
  ) => ({
    mac,
    port,
    basePort: 1,
    fdbId,
    status,
  });

  it("sets the port for a MAC learned on one port; ignores self rows and unresolved neighbours", () => {
    const result = attachFdbPorts(
      [
        neighbor("10.0.0.2", "00:1b:11:20:dc:2c"),
        neighbor("10.0.0.3", "02:00:00:00:00:01"),
        neighbor("10.0.0.4", null),
      ],
      [entry("00:1b:11:20:dc:2c", "lan1", null), entry("02:00:00:00:00:01", "lan2", null, "self")],
    );
    expect(result.map((n) => n.bridgePort)).toEqual(["lan1", null, null]);
  });

  it("prefers Q-BRIDGE rows and leaves a MAC on several ports unset", () => {
    const result = attachFdbPorts(
      [neighbor("10.0.0.2", "00:1b:11:20:dc:2c"), neighbor("10.0.0.3", "3a:7f:02:11:aa:05")],
      [
        entry("00:1b:11:20:dc:2c", "wlan0", null), // dot1d view, superseded
        entry("00:1b:11:20:dc:2c", "lan1", 1),
        entry("3a:7f:02:11:aa:05", "lan1", 1),
        entry("3a:7f:02:11:aa:05", "lan2", 2),
      ],
    );
    expect(result.map((n) => n.bridgePort)).toEqual(["lan1", null]);
  });
});
