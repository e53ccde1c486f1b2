import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIwSurveyDump, type SurveyRecord, surveyInUse } from "./parseIwSurveyDump.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/iw-survey-dump");

/** A block with survey.c's label padding. */
const inUse5180 =
  "Survey data from wlan0\n" +
  "\tfrequency:\t\t\t5180 MHz [in use]\n" +
  "\tnoise:\t\t\t\t-95 dBm\n" +
  "\tchannel active time:\t\t1234 ms\n" +
  "\tchannel busy time:\t\t321 ms\n" +
  "\textension channel busy time:\t7 ms\n" +
  "\tchannel receive time:\t\t200 ms\n" +
  "\tchannel BSS receive time:\t150 ms\n" +
  "\tchannel transmit time:\t\t50 ms\n";
const only5200 = "Survey data from wlan0\n\tfrequency:\t\t\t5200 MHz\n";

describe("parseIwSurveyDump", () => {
  it("reads the in-use block and frequency-only blocks", () => {
    expect(parseIwSurveyDump(only5200 + inUse5180)).toEqual({
      records: [
        {
          interface: "wlan0",
          frequencyMhz: 5200,
          inUse: false,
          noiseDbm: null,
          channelActiveMs: null,
          channelBusyMs: null,
          channelRxMs: null,
          channelTxMs: null,
        },
        {
          interface: "wlan0",
          frequencyMhz: 5180,
          inUse: true,
          noiseDbm: -95,
          channelActiveMs: 1234,
          channelBusyMs: 321,
          channelRxMs: 200,
          channelTxMs: 50,
        },
      ],
      skipped: [],
    });
  });

  it("reads labels in any order", () => {
    const reordered = `Survey data from wlan0\n${inUse5180.split("\n").slice(1, -1).reverse().join("\n")}\n`;
    expect(parseIwSurveyDump(reordered).records).toEqual(parseIwSurveyDump(inUse5180).records);
  });

  it("stores a noise of 0 dBm or above as not measured", () => {
    const text = "Survey data from wlan0\n\tfrequency:\t\t\t5520 MHz\n\tnoise:\t\t\t\t0 dBm\n";
    expect(parseIwSurveyDump(text).records[0]?.noiseDbm).toBeNull();
  });

  it("skips damaged and cut-off lines", () => {
    const text = `stray\n${inUse5180.replace("321 ms", "lots")}\tnoise:\t\t\t\t0.1 mW\n\tchannel active time:\t\t12`;
    const result = parseIwSurveyDump(text);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]?.channelBusyMs).toBeNull();
    expect(result.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, "line outside a Survey data block"],
      [6, "unreadable channel busy time"],
      [11, "unreadable noise"],
      [12, "unterminated last line (output cut short)"],
    ]);
  });

  it("never throws on junk", () => {
    for (const text of [
      "",
      "Survey data from \n\tfrequency:\n",
      "\u0000\ud800",
      "Survey data from x\n:::\n\t:\n",
    ]) {
      expect(() => parseIwSurveyDump(text)).not.toThrow();
    }
  });
});

describe("surveyInUse", () => {
  const records = (name: string): SurveyRecord[] =>
    parseIwSurveyDump(readFileSync(join(fixtures, name), "utf8")).records;

  it("returns the in-use channel's noise and times", () => {
    expect(surveyInUse(records("ath10k-5ghz-acs.txt"))).toEqual({
      noiseDbm: -107,
      channelActiveMs: 864012344,
      channelBusyMs: 91233112,
      channelRxMs: 70112334,
      channelTxMs: 15011223,
    });
  });

  it("matches the radio's frequency when one is given", () => {
    const list = records("mt76-5ghz-iw6.17.txt");
    expect(surveyInUse(list, 5500)?.noiseDbm).toBe(-91);
    expect(surveyInUse(list, 5180)).toBeNull();
  });

  it("returns null when no channel is in use", () => {
    expect(surveyInUse(records("none-in-use.txt"))).toBeNull();
    expect(surveyInUse([])).toBeNull();
  });
});
