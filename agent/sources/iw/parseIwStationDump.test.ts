import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Station, stationSchema } from "../../../protocol/index.js";
import { INVALID, type ValidationError } from "../../../protocol/schema.js";
import { generateStationDump } from "./generateStationDump.js";
import { parseIwStationDump } from "./parseIwStationDump.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/iw-station-dump");

/** A block as iw 6.9 prints it for an AP client (station.c formats). */
function block(mac: string, extra: string[] = [], ifName = "wlan0"): string {
  return [
    `Station ${mac} (on ${ifName})`,
    "\tinactive time:\t120 ms",
    "\trx bytes:\t1000",
    "\trx packets:\t10",
    "\ttx bytes:\t2000",
    "\ttx packets:\t20",
    ...extra,
    "\tcurrent time:\t1732357812345 ms",
    "",
  ].join("\n");
}

function only(text: string): Station {
  const result = parseIwStationDump(text);
  expect(result.records).toHaveLength(1);
  return result.records[0] as Station;
}

describe("parseIwStationDump", () => {
  it("reads the signal with its per-chain list and the odd two-space-and-tab separator", () => {
    const station = only(
      block("AA:BB:CC:00:11:22", ["\tsignal:  \t-63 [-71, -66] dBm", "\tsignal avg:\t-62 dBm"]),
    );
    expect(station.mac).toBe("aa:bb:cc:00:11:22");
    expect(station.signalDbm).toBe(-63);
    expect(station.signalAvgDbm).toBe(-62);
    expect(station.suspect).toEqual([]);
  });

  it("does not mistake `last ack signal:` or `beacon signal avg:` for the station's signal", () => {
    const station = only(
      block("aa:bb:cc:00:11:22", [
        "\tlast ack signal:-79 dBm",
        "\tavg ack signal:\t-78 dBm",
        "\tbeacon signal avg:\t-40 dBm",
        "\tbeacon interval:100",
        "\tshort slot time:yes",
        "\tMFP:\t\tno",
        "\texpected throughput:\t63.15Mbps",
      ]),
    );
    expect(station.signalDbm).toBeNull();
    expect(station.signalAvgDbm).toBeNull();
  });

  it("splits bitrates into the number and iw's description, legacy and unknown included", () => {
    const cases: [string, number | null, string][] = [
      ["54.0 MBit/s", 54, ""],
      ["57.8 MBit/s MCS 5 short GI", 57.8, "MCS 5 short GI"],
      ["1733.3 MBit/s VHT-MCS 9 160MHz short GI VHT-NSS 2", 1733.3, "VHT-MCS 9 160MHz short GI VHT-NSS 2"],
      [
        "1200.9 MBit/s 80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0",
        1200.9,
        "80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0",
      ],
      ["(unknown)", null, ""],
    ];
    for (const [text, mbps, description] of cases) {
      const station = only(block("aa:bb:cc:00:11:22", [`\ttx bitrate:\t${text}`, `\trx bitrate:\t${text}`]));
      expect(station.txBitrateMbps).toBe(mbps);
      expect(station.txBitrate).toBe(description);
      expect(station.rxBitrateMbps).toBe(mbps);
      expect(station.rxBitrate).toBe(description);
    }
  });

  it("reads every field whatever the label order (iw 6.17 prints the flags first)", () => {
    const fields = [
      "\tauthorized:\tno",
      "\tassociated:\tyes",
      "\tinactive time:\t4010 ms",
      "\trx bytes:\t2209331",
      "\trx packets:\t12004",
      "\ttx bytes:\t8812033",
      "\ttx packets:\t9233",
      "\ttx retries:\t1203",
      "\ttx failed:\t7",
      "\tsignal:  \t-70 [-72, -74] dBm",
      "\tsignal avg:\t-71 [-73, -75] dBm",
      "\ttx bitrate:\t866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2",
      "\trx bitrate:\t650.0 MBit/s VHT-MCS 7 80MHz VHT-NSS 2",
      "\tconnected time:\t5230 seconds",
    ];
    const expected: Station = {
      mac: "34:7d:e4:a8:02:5f",
      interface: "phy0-ap0",
      signalDbm: -70,
      signalAvgDbm: -71,
      rxBytes: 2209331,
      txBytes: 8812033,
      rxPackets: 12004,
      txPackets: 9233,
      txRetries: 1203,
      txFailed: 7,
      rxBitrateMbps: 650,
      txBitrateMbps: 866.7,
      rxBitrate: "VHT-MCS 7 80MHz VHT-NSS 2",
      txBitrate: "VHT-MCS 9 80MHz short GI VHT-NSS 2",
      connectedSeconds: 5230,
      inactiveMs: 4010,
      authorized: false,
      associated: true,
      suspect: [],
    };
    const header = "Station 34:7d:e4:a8:02:5f (on phy0-ap0)";
    const forward = `${[header, ...fields].join("\n")}\n`;
    const reversed = `${[header, ...fields.slice().reverse()].join("\n")}\n\n`;
    expect(parseIwStationDump(forward)).toEqual({ records: [expected], skipped: [] });
    expect(parseIwStationDump(reversed)).toEqual({ records: [expected], skipped: [] });
  });

  it("ignores MLO per-link sections and other lines indented by two tabs", () => {
    const station = only(
      block("aa:bb:cc:00:11:22", [
        "\tsignal:  \t-45 dBm",
        "\t\tbeacon rx:\t99",
        "\tLink 0:",
        "\t\taddress: ae:bb:cc:00:11:23",
        "\t\tsignal:  \t-80 dBm",
        "\t\trx bytes:\t7",
      ]),
    );
    expect(station.signalDbm).toBe(-45);
    expect(station.rxBytes).toBe(1000);
  });

  it("flags implausible driver values and nulls the ones that would mislead", () => {
    const station = only(
      block("aa:bb:cc:00:11:22", [
        "\ttx retries:\t5113",
        "\ttx failed:\t44",
        "\tsignal:  \t0 [0, 0] dBm",
        "\tsignal avg:\t4 dBm",
        "\tinactive time:\t4294967286 ms",
      ]).replace("\tinactive time:\t120 ms\n", ""),
    );
    expect(station.signalDbm).toBeNull();
    expect(station.signalAvgDbm).toBeNull();
    expect(station.inactiveMs).toBeNull();
    expect(station.txRetries).toBe(5113);
    expect(station.txFailed).toBe(44);
    expect(station.suspect).toEqual(["signalDbm", "signalAvgDbm", "txRetries", "txFailed", "inactiveMs"]);
  });

  it("treats a signal whose chains are all -95 placeholders as no measurement", () => {
    const station = only(
      block("aa:bb:cc:00:11:22", ["\tsignal:  \t-95 [-95, -95] dBm", "\tsignal avg:\t-95 dBm"]),
    );
    expect(station.signalDbm).toBeNull();
    // Without a chain list a -95 reading is indistinguishable from a real weak client.
    expect(station.signalAvgDbm).toBe(-95);
    expect(station.suspect).toEqual(["signalDbm"]);
  });

  it("keeps a station with only a few fields, storing missing counters as 0 and naming them", () => {
    const station = only(
      "Station aa:bb:cc:00:11:22 (on wlan0)\n\tinactive time:\t300 ms\n\trx bytes:\t5512\n",
    );
    expect(station).toMatchObject({ rxBytes: 5512, txBytes: 0, rxPackets: 0, txPackets: 0, txRetries: null });
    expect(station.suspect).toEqual(["txBytes", "rxPackets", "txPackets"]);
  });

  it("skips blocks without a valid MAC or interface, and a second block for the same station", () => {
    const text =
      block("aa:bb:cc:00:11") +
      block("not-a-mac") +
      block("aa:bb:cc:00:11:22", [], "") +
      block("aa:bb:cc:00:11:33") +
      block("aa:bb:cc:00:11:33");
    const result = parseIwStationDump(text);
    expect(result.records.map((s) => s.mac)).toEqual(["aa:bb:cc:00:11:33"]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "station block without a valid MAC",
      "station block without a valid MAC",
      "station block without a valid interface name",
      "station listed twice",
    ]);
  });

  it("skips a cut-off last line instead of storing half a counter", () => {
    const result = parseIwStationDump(
      "Station aa:bb:cc:00:11:22 (on wlan0)\n\tinactive time:\t5 ms\n\trx bytes:\t123",
    );
    expect(result.records[0]?.rxBytes).toBe(0);
    expect(result.records[0]?.suspect).toContain("rxBytes");
    expect(result.skipped).toEqual([
      { line: 3, reason: "unterminated last line (output cut short)", text: "\trx bytes:\t123" },
    ]);
  });

  it("reports unreadable values and stray lines as skipped, keeping the station", () => {
    const text = `garbage before any station\n${block("aa:bb:cc:00:11:22", [
      "\ttx bitrate:\tfailed to parse nested rate attributes!",
      "\tauthorized:\tmaybe",
      "no tab and no colon",
    ])}`;
    const result = parseIwStationDump(text);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ txBitrate: null, txBitrateMbps: null, authorized: null });
    expect(result.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, "line outside a Station block"],
      [10, "not a label: value line"],
      [8, "unreadable tx bitrate"],
      [9, "unreadable authorized"],
    ]);
  });

  it("never throws and always returns schema-valid stations, whatever the input", () => {
    const samples = [
      "",
      "\n\n\n",
      "Station",
      "Station (on )",
      "Station aa:bb:cc:dd:ee:ff (on wlan0)",
      "Station aa:bb:cc:dd:ee:ff (on wlan0)\n\tsignal:\n\trx bytes:\t99999999999999999999\n",
      "Station aa:bb:cc:dd:ee:ff (on wlan0)\n\ttx bitrate:\t9999999.9 MBit/s\n\tsignal:  \t-999 dBm\n",
      "\u0000\u00ff\ud800",
      readFileSync(join(fixtures, "buggy-drivers.txt"), "utf8"),
    ];
    for (const text of samples) {
      const result = parseIwStationDump(text);
      for (const station of result.records) expectValid(station);
    }
  });

  it("reads a huge counter beyond 2^53 as unreadable rather than as a rounded number", () => {
    const station = only(
      block("aa:bb:cc:00:11:22").replace("rx bytes:\t1000", "rx bytes:\t18446744073709551615"),
    );
    expect(station.rxBytes).toBe(0);
    expect(station.suspect).toContain("rxBytes");
  });

  it("parses every fixture station dump into schema-valid records", () => {
    for (const name of [
      "ath10k-5ghz-vht-iw5.19.txt",
      "ath9k-2ghz-ht-iw5.19.txt",
      "mt76-he-eht-mlo-iw6.17.txt",
      "generated-250.txt",
    ]) {
      const result = parseIwStationDump(readFileSync(join(fixtures, name), "utf8"));
      expect(result.skipped, name).toEqual([]);
      for (const station of result.records) expectValid(station);
    }
  });
});

describe("generated station dumps", () => {
  const fixture = join(fixtures, "generated-250.txt");

  it("the 250-station fixture is exactly what the generator writes", () => {
    const generated = generateStationDump(250);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(fixture, generated);
    expect(readFileSync(fixture, "utf8")).toBe(generated);
  });

  it("parses 5,000 stations (the protocol's array limit) without losing one", () => {
    const result = parseIwStationDump(generateStationDump(5000, { seed: 7 }));
    expect(result.skipped).toEqual([]);
    expect(result.records).toHaveLength(5000);
    expect(new Set(result.records.map((s) => s.mac)).size).toBe(5000);
    expect(result.records.every((s) => s.suspect.length === 0 && s.signalDbm !== null)).toBe(true);
  });
});

function expectValid(station: Station): void {
  const errors: ValidationError[] = [];
  const checked = stationSchema.check(station, "station", errors);
  expect(errors).toEqual([]);
  expect(checked).not.toBe(INVALID);
}
