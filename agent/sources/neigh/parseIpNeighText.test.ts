import { describe, expect, it } from "vitest";
import { parseIpNeighText } from "./parseIpNeighText.js";

describe("parseIpNeighText", () => {
  it("reads BusyBox lines, including the double space where lladdr is missing", () => {
    const text =
      "192.168.1.23 dev br-lan lladdr 00:1b:11:20:dc:2c ref 1 used 0/0/0 probes 1 REACHABLE\n" +
      "192.168.1.77 dev br-lan  used 0/0/0 probes 3 FAILED\n" +
      "192.168.1.81 dev br-lan  used 0/0/0 probes 0\n";
    expect(parseIpNeighText(text)).toEqual({
      records: [
        {
          ip: "192.168.1.23",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "reachable",
          bridgePort: null,
        },
        { ip: "192.168.1.77", mac: null, interface: "br-lan", state: "failed", bridgePort: null },
        { ip: "192.168.1.81", mac: null, interface: "br-lan", state: "none", bridgePort: null },
      ],
      skipped: [],
    });
  });

  it("reads iproute2 lines with trailing spaces, flags and the glued `0/0/0probes`", () => {
    const text =
      "fe80::21b:11ff:fe20:dc2c dev br-lan lladdr 00:1b:11:20:dc:2c router STALE \n" +
      "192.168.1.79 dev br-lan lladdr 00:e0:4c:68:01:79  ref 1 used 0/60/0probes 1 PROBE \n" +
      "192.168.1.78 dev br-lan INCOMPLETE \n";
    expect(parseIpNeighText(text).records.map((r) => [r.ip, r.mac, r.state])).toEqual([
      ["fe80::21b:11ff:fe20:dc2c", "00:1b:11:20:dc:2c", "stale"],
      ["192.168.1.79", "00:e0:4c:68:01:79", "probe"],
      ["192.168.1.78", null, "incomplete"],
    ]);
  });

  it("parses 5,000 BusyBox rows", () => {
    let text = "";
    for (let i = 0; i < 5000; i++) {
      const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;
      text += `10.1.${i >> 8}.${i & 0xff} dev br-lan lladdr ${mac} used 0/0/0 probes 0 STALE\n`;
    }
    const result = parseIpNeighText(text);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toMatchObject({
      ip: "10.1.19.135",
      mac: "02:00:00:00:13:87",
      state: "stale",
    });
  });
});
