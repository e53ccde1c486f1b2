import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Radio, radioSchema } from "../../../protocol/index.js";
import { INVALID, type ValidationError } from "../../../protocol/schema.js";
import { decodeIwSsid, parseIwDev } from "./parseIwDev.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/iw-dev");

/** An interface block as `iw dev` prints it under a phy#N header (interface.c formats). */
function iface(name: string, lines: string[]): string {
  return [`\tInterface ${name}`, ...lines.map((l) => `\t\t${l}`)].map((l) => `${l}\n`).join("");
}

describe("parseIwDev", () => {
  it("reads an AP interface and ignores the multicast TXQ table", () => {
    const text =
      "phy#0\n" +
      iface("wlan0", [
        "ifindex 5",
        "wdev 0x1",
        "addr 02:00:00:00:00:00",
        "ssid MyNet",
        "type AP",
        "channel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz",
        "txpower 20.00 dBm",
        "multicast TXQ:",
        "\tqsz-byt\tqsz-pkt\tflows\tdrops\tmarks\toverlmt\thashcol\ttx-bytes\ttx-packets",
        "\t0\t0\t0\t0\t0\t0\t0\t0\t\t0",
      ]);
    expect(parseIwDev(text)).toEqual({
      records: [
        {
          interface: "wlan0",
          phy: "phy0",
          type: "AP",
          ssid: "MyNet",
          mac: "02:00:00:00:00:00",
          frequencyMhz: 5180,
          channel: 36,
          channelWidthMhz: 80,
          txPowerDbm: 20,
          noiseDbm: null,
          channelActiveMs: null,
          channelBusyMs: null,
          channelRxMs: null,
          channelTxMs: null,
        },
      ],
      skipped: [],
    });
  });

  it("keeps an AP without a channel line (not up) with channel, frequency and width null", () => {
    const [radio] = parseIwDev(
      `phy#1\n${iface("wlan1", ["ssid Down", "type AP", "txpower 0.00 dBm"])}`,
    ).records;
    expect(radio).toMatchObject({ interface: "wlan1", type: "AP", channel: null, frequencyMhz: null });
    expect(radio?.channelWidthMhz).toBeNull();
  });

  it("assigns each interface the phy of the header above it", () => {
    const text = `phy#1\n${iface("a", ["type AP"])}${iface("b", ["type AP"])}phy#0\n${iface("c", ["type managed"])}`;
    expect(parseIwDev(text).records.map((r) => [r.interface, r.phy])).toEqual([
      ["a", "phy1"],
      ["b", "phy1"],
      ["c", "phy0"],
    ]);
  });

  it("reads the `iw dev IF info` form: no phy header, one tab less, a wiphy line", () => {
    const text =
      "Interface wlan0\n\tifindex 5\n\taddr 02:00:00:00:00:01\n\ttype AP\n\twiphy 2\n\tchannel 1 (2412 MHz), width: 20 MHz, center1: 2412 MHz\n";
    expect(parseIwDev(text).records[0]).toMatchObject({ interface: "wlan0", phy: "phy2", channel: 1 });
  });

  it("reads channel widths in every spelling iw uses", () => {
    const widths: [string, number | null][] = [
      ["channel 1 (2412 MHz), width: 20 MHz (no HT), center1: 2412 MHz", 20],
      ["channel 1 (2412 MHz), width: 40 MHz, center1: 2422 MHz", 40],
      ["channel 36 (5180 MHz), width: 80+80 MHz, center1: 5210 MHz, center2: 5775 MHz", 160],
      ["channel 37 (6135 MHz), width: 320 MHz, center1: 6105 MHz, punctured: 0x3", 320],
      ["channel 36 (5180 MHz), width: unknown", null],
      ["channel 6 (2437 MHz) HT40+", 40],
      ["channel 6 (2437 MHz) NO HT", 20],
      ["channel 6 (2437 MHz)", null],
    ];
    for (const [line, width] of widths) {
      const [radio] = parseIwDev(iface("wlan0", ["type AP", line])).records;
      expect(radio?.channelWidthMhz, line).toBe(width);
    }
  });

  it("reads txpower printed with C's signed %d.%.2d", () => {
    const power = (line: string) => parseIwDev(iface("wlan0", ["type AP", line])).records[0]?.txPowerDbm;
    expect(power("txpower 23.00 dBm")).toBe(23);
    expect(power("txpower 3.50 dBm")).toBe(3.5);
    expect(power("txpower -1.-50 dBm")).toBe(-1.5);
    expect(power("txpower 0.-25 dBm")).toBe(-0.25);
  });

  it("takes an MLD interface's channel from its first link and ignores the link lines otherwise", () => {
    const text = iface("mld0", [
      "type AP",
      "MLD with links:",
      " - link ID  0 link addr 00:0c:43:e1:76:2b",
      "   channel 37 (6135 MHz), width: 320 MHz, center1: 6105 MHz",
      "   txpower 23.00 dBm",
      " - link ID  1 link addr 00:0c:43:e1:76:2c",
      "   channel 36 (5180 MHz), width: 160 MHz, center1: 5250 MHz",
    ]);
    expect(parseIwDev(text).records[0]).toMatchObject({
      channel: 37,
      frequencyMhz: 6135,
      channelWidthMhz: 320,
      txPowerDbm: 23,
    });
    // Indented link lines outside an MLD list are not the interface's own channel.
    const stray = iface("wlan0", ["type AP", "   channel 36 (5180 MHz)"]);
    expect(parseIwDev(stray).records[0]?.channel).toBeNull();
  });

  it("drops interfaces without a netdev and skips blocks it cannot name or type", () => {
    const text =
      "phy#0\n" +
      "\tUnnamed/non-netdev interface\n\t\twdev 0x3\n\t\ttype P2P-device\n" +
      iface("bad name", ["type AP"]) +
      iface("wlan0", ["ifindex 5"]) +
      iface("wlan1", ["type AP"]) +
      iface("wlan1", ["type AP"]);
    const result = parseIwDev(text);
    expect(result.records.map((r) => r.interface)).toEqual(["wlan1"]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "invalid interface name",
      "interface block without a type line (output cut short?)",
      "interface listed twice",
    ]);
  });

  it("skips damaged lines but keeps the interface", () => {
    const result = parseIwDev(
      iface("wlan0", ["addr zz:00:00:00:00:00", "type AP", "channel thirty-six", "txpower lots"]),
    );
    expect(result.records[0]).toMatchObject({
      interface: "wlan0",
      mac: null,
      channel: null,
      txPowerDbm: null,
    });
    expect(result.skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, "invalid interface address"],
      [4, "unrecognised channel line"],
      [5, "unrecognised txpower line"],
    ]);
  });

  it("never throws and returns schema-valid radios for every fixture and for junk", () => {
    const inputs = [
      ...readdirSync(fixtures)
        .filter((f) => f.endsWith(".txt"))
        .map((f) => readFileSync(join(fixtures, f), "utf8")),
      "phy#\nInterface\n\tssid \\x\n",
      `Interface w\n\ttype ${"x".repeat(300)}\n\tssid ${"\\xff".repeat(40)}\n`,
      "\u0000\ud800\r\n\r\n",
    ];
    for (const text of inputs) {
      for (const radio of parseIwDev(text).records) expectValid(radio);
    }
  });
});

describe("decodeIwSsid", () => {
  it("decodes escaped UTF-8, backslashes and edge spaces", () => {
    expect(decodeIwSsid("Caf\\xc3\\xa9 Wi-Fi")).toBe("Café Wi-Fi");
    expect(decodeIwSsid("\\xe5\\xae\\xb6\\xe5\\xba\\xad")).toBe("家庭");
    expect(decodeIwSsid("\\xf0\\x9f\\x93\\xb6 a\\x5cb\\x20")).toBe("📶 a\\b ");
    expect(decodeIwSsid("\\x20Lead")).toBe(" Lead");
  });

  it("keeps iw's escaped form when the bytes are not UTF-8 text", () => {
    expect(decodeIwSsid("Caf\\xe9")).toBe("Caf\\xe9");
    expect(decodeIwSsid("Tab\\x09Net")).toBe("Tab\\x09Net");
    expect(decodeIwSsid("\\x00\\x00\\x00")).toBe("\\x00\\x00\\x00");
  });

  it("keeps a byte-order mark and a lone backslash as they are", () => {
    expect(decodeIwSsid("\\xef\\xbb\\xbfNet")).toBe("\ufeffNet");
    expect(decodeIwSsid("a\\xZZ")).toBe("a\\xZZ");
  });
});

function expectValid(radio: Radio): void {
  const errors: ValidationError[] = [];
  const checked = radioSchema.check(radio, "radio", errors);
  expect(errors).toEqual([]);
  expect(checked).not.toBe(INVALID);
}
