import { describe, expect, it } from "vitest";
import { parseIpNeighJson } from "./parseIpNeighJson.js";

describe("parseIpNeighJson", () => {
  it("maps every NUD state iproute2 prints, and a missing state to none", () => {
    const states = ["REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED", "NOARP", "PERMANENT"];
    const rows = states.map((s, i) => ({ dst: `10.0.0.${i + 1}`, dev: "br-lan", state: [s] }));
    rows.push({ dst: "10.0.0.99", dev: "br-lan" } as (typeof rows)[number]);
    const result = parseIpNeighJson(JSON.stringify(rows));
    expect(result.skipped).toEqual([]);
    expect(result.records.map((r) => r.state)).toEqual([
      "reachable",
      "stale",
      "delay",
      "probe",
      "incomplete",
      "failed",
      "noarp",
      "permanent",
      "none",
    ]);
    expect(result.records.every((r) => r.mac === null)).toBe(true);
  });

  it("treats flags as keys with null values and drops proxy rows", () => {
    const text =
      '[{"dst":"fe80::1","dev":"br-lan","lladdr":"00:1B:11:20:DC:2C","router":null,"state":["STALE"]},' +
      '{"dst":"192.168.1.200","dev":"br-lan","proxy":null}]\n';
    expect(parseIpNeighJson(text)).toEqual({
      records: [
        { ip: "fe80::1", mac: "00:1b:11:20:dc:2c", interface: "br-lan", state: "stale", bridgePort: null },
      ],
      skipped: [],
    });
  });

  it("parses 5,000 IPv4 and IPv6 rows", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      dst: i % 2 === 0 ? `10.1.${i >> 8}.${i & 0xff}` : `fd00::${i.toString(16)}`,
      dev: "br-lan",
      lladdr: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
      state: ["REACHABLE"],
    }));
    const result = parseIpNeighJson(`${JSON.stringify(rows)}\n`);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toEqual({
      ip: "fd00::1387",
      mac: "02:00:00:00:13:87",
      interface: "br-lan",
      state: "reachable",
      bridgePort: null,
    });
  });

  it("reports non-JSON output as a whole-input problem", () => {
    const result = parseIpNeighJson("192.168.1.23 dev br-lan lladdr 00:1b:11:20:dc:2c REACHABLE\n");
    expect(result.records).toEqual([]);
    expect(result.skipped).toEqual([expect.objectContaining({ line: 0, reason: "expected a JSON array" })]);
  });
});
