import { describe, expect, it } from "vitest";
import type { Neighbor } from "../../../protocol/index.js";
import { attachBridgePorts, type BridgeFdbEntry, parseBridgeFdbJson } from "./parseBridgeFdbJson.js";

const neighbor = (ip: string, mac: string | null, iface = "br-lan"): Neighbor => ({
  ip,
  mac,
  interface: iface,
  state: mac ? "stale" : "incomplete",
  bridgePort: null,
});
const fdbRow = (mac: string, port: string, extra: Partial<BridgeFdbEntry> = {}): BridgeFdbEntry => ({
  mac,
  interface: port,
  bridge: "br-lan",
  vlan: null,
  permanent: false,
  self: false,
  ...extra,
});

describe("parseBridgeFdbJson", () => {
  it("reads learned, static, permanent and self rows", () => {
    const text =
      '[{"mac":"00:1b:11:20:dc:2c","ifname":"lan1","vlan":1,"flags":[],"master":"br-lan","state":""},' +
      '{"mac":"82:7c:fe:2a:f3:b7","ifname":"lan1","flags":[],"master":"br-lan","state":"permanent"},' +
      '{"mac":"33:33:00:00:00:01","ifname":"lan1","flags":["self"],"state":"permanent"}]\n';
    expect(parseBridgeFdbJson(text)).toEqual({
      records: [
        fdbRow("00:1b:11:20:dc:2c", "lan1", { vlan: 1 }),
        fdbRow("82:7c:fe:2a:f3:b7", "lan1", { permanent: true }),
        fdbRow("33:33:00:00:00:01", "lan1", { bridge: null, permanent: true, self: true }),
      ],
      skipped: [],
    });
  });

  it("parses a 5,000-row table", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
      ifname: `lan${(i % 4) + 1}`,
      flags: [],
      master: "br-lan",
      state: "",
    }));
    const result = parseBridgeFdbJson(JSON.stringify(rows));
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toEqual(fdbRow("02:00:00:00:13:87", "lan4"));
  });
});

describe("attachBridgePorts", () => {
  it("sets the port a neighbour's MAC was learned on", () => {
    const neighbors = [
      neighbor("192.168.1.23", "00:1b:11:20:dc:2c"),
      neighbor("192.168.1.42", "d2:5f:3a:91:0c:7e"),
    ];
    const fdb = [fdbRow("00:1b:11:20:dc:2c", "lan1"), fdbRow("d2:5f:3a:91:0c:7e", "phy0-ap0")];
    expect(attachBridgePorts(neighbors, fdb).map((n) => n.bridgePort)).toEqual(["lan1", "phy0-ap0"]);
    expect(neighbors.map((n) => n.bridgePort)).toEqual([null, null]);
  });

  it("ignores self duplicates and the bridge's own permanent addresses", () => {
    const neighbors = [
      neighbor("192.168.1.23", "00:1b:11:20:dc:2c"),
      neighbor("192.168.1.1", "94:83:c4:00:00:01"),
    ];
    const fdb = [
      fdbRow("00:1b:11:20:dc:2c", "lan9", { self: true, bridge: null }),
      fdbRow("00:1b:11:20:dc:2c", "lan1"),
      fdbRow("94:83:c4:00:00:01", "lan1", { permanent: true }),
    ];
    expect(attachBridgePorts(neighbors, fdb).map((n) => n.bridgePort)).toEqual(["lan1", null]);
  });

  it("matches the bridge by name, and a VLAN device on it by VLAN", () => {
    const neighbors = [
      neighbor("192.168.1.23", "00:1b:11:20:dc:2c", "br-lan.10"),
      neighbor("192.168.2.23", "00:1b:11:20:dc:2c", "br-guest"),
      neighbor("10.0.0.23", "00:1b:11:20:dc:2c", "eth0"),
    ];
    const fdb = [
      fdbRow("00:1b:11:20:dc:2c", "lan1", { vlan: 1 }),
      fdbRow("00:1b:11:20:dc:2c", "lan3", { vlan: 10 }),
      fdbRow("00:1b:11:20:dc:2c", "guest1", { bridge: "br-guest" }),
    ];
    expect(attachBridgePorts(neighbors, fdb).map((n) => n.bridgePort)).toEqual(["lan3", "guest1", null]);
  });

  it("answers for a VLAN device from a table without VLAN ids (sysfs), and only from such a table", () => {
    const neighbors = [
      neighbor("192.168.10.23", "00:1b:11:20:dc:2c", "br-lan.10"),
      neighbor("192.168.20.23", "d2:5f:3a:91:0c:7e", "br-lan.20"),
    ];
    const withoutVlans = [fdbRow("00:1b:11:20:dc:2c", "lan3"), fdbRow("d2:5f:3a:91:0c:7e", "lan2")];
    expect(attachBridgePorts(neighbors, withoutVlans).map((n) => n.bridgePort)).toEqual(["lan3", "lan2"]);
    // With VLAN ids, a MAC not learned in the neighbour's VLAN is not placed from another VLAN.
    const withVlans = [
      fdbRow("00:1b:11:20:dc:2c", "lan3", { vlan: 10 }),
      fdbRow("d2:5f:3a:91:0c:7e", "lan2", { vlan: 1 }),
    ];
    expect(attachBridgePorts(neighbors, withVlans).map((n) => n.bridgePort)).toEqual(["lan3", null]);
  });

  it("leaves neighbours without a MAC alone", () => {
    const neighbors = [neighbor("192.168.1.77", null)];
    expect(attachBridgePorts(neighbors, [fdbRow("00:00:00:00:00:00", "lan1")])).toEqual(neighbors);
  });
});
