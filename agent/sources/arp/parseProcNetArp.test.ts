import { describe, expect, it } from "vitest";
import { cPrintf } from "../netdev/cPrintf.js";
import { parseProcNetArp } from "./parseProcNetArp.js";

/** The kernel's own format strings (net/ipv4/arp.c: arp_seq_show, arp_format_neigh_entry, arp_format_pneigh_entry). */
const HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n";
const entry = (ip: string, flags: number, mac: string, dev: string): string =>
  cPrintf("%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ip, 1, flags, mac, "*", dev);
const proxy = (ip: string, dev: string): string =>
  cPrintf("%-16s 0x%-10x0x%-10x%s     *        %s\n", ip, 1, 0xc, "00:00:00:00:00:00", dev);

describe("parseProcNetArp", () => {
  it("maps ATF flags to the closest NUD state", () => {
    const text =
      HEADER +
      entry("192.168.1.2", 0x6, "00:e0:4c:68:01:02", "br-lan") +
      entry("192.168.1.23", 0x2, "00:1b:11:20:dc:2c", "br-lan") +
      entry("192.168.1.77", 0x0, "00:00:00:00:00:00", "br-lan");
    expect(parseProcNetArp(text)).toEqual({
      records: [
        {
          ip: "192.168.1.2",
          mac: "00:e0:4c:68:01:02",
          interface: "br-lan",
          state: "permanent",
          bridgePort: null,
        },
        {
          ip: "192.168.1.23",
          mac: "00:1b:11:20:dc:2c",
          interface: "br-lan",
          state: "stale",
          bridgePort: null,
        },
        { ip: "192.168.1.77", mac: null, interface: "br-lan", state: "incomplete", bridgePort: null },
      ],
      skipped: [],
    });
  });

  it("drops proxy entries without counting them as malformed", () => {
    const result = parseProcNetArp(HEADER + proxy("192.168.1.200", "br-lan") + proxy("192.168.1.201", "*"));
    expect(result).toEqual({ records: [], skipped: [] });
  });

  it("parses a table without its header line", () => {
    const result = parseProcNetArp(entry("10.0.0.2", 0x2, "00:1b:11:20:dc:2c", "eth0"));
    expect(result.records.map((r) => r.ip)).toEqual(["10.0.0.2"]);
  });

  it("skips a line cut off by a short read instead of storing a cut device name", () => {
    const full = HEADER + entry("192.168.1.23", 0x2, "00:1b:11:20:dc:2c", "br-lan");
    const result = parseProcNetArp(full.slice(0, -3));
    expect(result.records).toEqual([]);
    expect(result.skipped).toEqual([
      expect.objectContaining({ line: 2, reason: "unterminated last line (output was cut off)" }),
    ]);
  });

  it("parses a 5,000-row table printed with the kernel format", () => {
    let text = HEADER;
    for (let i = 0; i < 5000; i++) {
      const mac = `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;
      text += entry(
        `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
        i % 3 === 0 ? 0x0 : 0x2,
        mac,
        "br-lan",
      );
    }
    const result = parseProcNetArp(text);
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(result.records[4999]).toEqual({
      ip: "10.0.19.135",
      mac: "02:00:00:00:13:87",
      interface: "br-lan",
      state: "stale",
      bridgePort: null,
    });
    expect(result.records.filter((r) => r.state === "incomplete")).toHaveLength(1667);
  });

  it("never throws on arbitrary bytes", () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 200; n++) {
      const chars = Array.from({ length: 200 }, () => String.fromCharCode(Math.floor(random() * 128)));
      const result = parseProcNetArp(HEADER + chars.join(""));
      for (const r of result.records) expect(r.interface.length).toBeGreaterThan(0);
    }
  });
});
