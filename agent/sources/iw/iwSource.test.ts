import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../runCommand.js";
import type { SourceContext } from "../source.js";
import { createIwSource } from "./iwSource.js";

const fixtures = join(import.meta.dirname, "../../../fixtures");
const fixture = (path: string) => readFileSync(join(fixtures, path), "utf8");

/** A SourceContext whose commands answer from a table; every call is recorded. */
function fakeContext(answers: Record<string, CommandResult>): SourceContext & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    root: "/",
    readSystemFile: async () => null,
    listSystemDir: async () => null,
    async runCommand(command, args) {
      const line = [command, ...args].join(" ");
      calls.push(line);
      return answers[line] ?? { status: "error", error: `unexpected command ${line}` };
    },
    now: () => 1_732_357_812_345,
  };
}

const ok = (stdout: string): CommandResult => ({ status: "ok", stdout });

describe("iw source", () => {
  it("collects radios and stations and merges the in-use survey into each radio of the phy", async () => {
    const ctx = fakeContext({
      "iw dev": ok(fixture("iw-dev/openwrt-23.05-ath10k-ath9k.txt")),
      "iw dev phy1-ap1 station dump": ok(""),
      "iw dev phy1-ap0 station dump": ok(fixture("iw-station-dump/ath9k-2ghz-ht-iw5.19.txt")),
      "iw dev phy0-ap0 station dump": ok(fixture("iw-station-dump/ath10k-5ghz-vht-iw5.19.txt")),
      "iw dev phy1-ap1 survey dump": ok(fixture("iw-survey-dump/ath9k-2ghz-ext-busy.txt")),
      "iw dev phy0-ap0 survey dump": ok(fixture("iw-survey-dump/ath10k-5ghz-acs.txt")),
    });
    const outcome = await createIwSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
    expect(outcome.skipped).toEqual([]);
    // One survey per phy, read through its first AP interface.
    expect(ctx.calls).toEqual([
      "iw dev",
      "iw dev phy1-ap1 station dump",
      "iw dev phy1-ap0 station dump",
      "iw dev phy0-ap0 station dump",
      "iw dev phy1-ap1 survey dump",
      "iw dev phy0-ap0 survey dump",
    ]);
    const radios = outcome.records.radios ?? [];
    expect(radios.map((r) => [r.interface, r.noiseDbm, r.channelBusyMs])).toEqual([
      ["phy1-ap1", -95, 401229330],
      ["phy1-ap0", -95, 401229330],
      ["phy0-ap0", -107, 91233112],
    ]);
    expect(radios[2]).toMatchObject({
      channelActiveMs: 864012344,
      channelRxMs: 70112334,
      channelTxMs: 15011223,
    });
    const stations = outcome.records.stations ?? [];
    expect(stations).toHaveLength(8);
    expect(stations.filter((s) => s.interface === "phy0-ap0")).toHaveLength(4);
  });

  it("reports a missing iw binary as absent", async () => {
    const ctx = fakeContext({ "iw dev": { status: "absent", reason: "iw is not installed" } });
    expect(await createIwSource().collect(ctx)).toEqual({ status: "absent", reason: "iw is not installed" });
    expect(await createIwSource().detect(fakeContext({}))).toBe(true);
    expect(
      await createIwSource().detect(
        fakeContext({ "iw --version": { status: "absent", reason: "iw is not installed" } }),
      ),
    ).toBe(false);
  });

  it("reports a failing iw dev as an error", async () => {
    const ctx = fakeContext({ "iw dev": { status: "error", error: "iw timed out after 5000 ms" } });
    expect(await createIwSource().collect(ctx)).toEqual({
      status: "error",
      error: "iw timed out after 5000 ms",
    });
  });

  it("skips an interface whose station or survey dump fails and keeps the others", async () => {
    const dev =
      "phy#1\n\tInterface wlan1\n\t\ttype AP\n\t\tchannel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz\n" +
      "phy#0\n\tInterface wlan0\n\t\ttype AP\n\t\tchannel 6 (2437 MHz), width: 20 MHz, center1: 2437 MHz\n";
    const ctx = fakeContext({
      "iw dev": ok(dev),
      "iw dev wlan1 station dump": {
        status: "error",
        error: "iw dev wlan1 station dump failed: command failed: Network is down (-100)",
      },
      "iw dev wlan0 station dump": ok(fixture("iw-station-dump/truncated.txt")),
      "iw dev wlan1 survey dump": { status: "error", error: "iw timed out after 5000 ms" },
      "iw dev wlan0 survey dump": ok(fixture("iw-survey-dump/none-in-use.txt")),
    });
    const outcome = await createIwSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error("expected ok");
    expect(outcome.records.stations?.map((s) => s.mac)).toEqual([
      "70:3a:51:02:11:aa",
      "70:3a:51:02:11:ab",
      "70:3a:51:02:11:ac",
    ]);
    expect(outcome.records.radios?.every((r) => r.noiseDbm === null)).toBe(true);
    expect(outcome.skipped.map((s) => [s.line, s.reason])).toEqual([
      [
        0,
        "iw dev wlan1 station dump: iw dev wlan1 station dump failed: command failed: Network is down (-100)",
      ],
      [65, "iw dev wlan0 station dump: unterminated last line (output cut short)"],
      [0, "iw dev wlan1 survey dump: iw timed out after 5000 ms"],
    ]);
  });

  it("does not dump stations of client, monitor or mesh interfaces, nor survey an AP that is down", async () => {
    const ctx = fakeContext({
      "iw dev": ok(fixture("iw-dev/openwrt-24.10-mt76-he.txt")),
      "iw dev phy1-ap1 station dump": ok(""),
      "iw dev phy1-ap0 station dump": ok(""),
      "iw dev phy0-ap0 station dump": ok(""),
      "iw dev phy1-ap0 survey dump": ok(fixture("iw-survey-dump/mt76-5ghz-iw6.17.txt")),
      "iw dev phy0-ap0 survey dump": ok(""),
    });
    const outcome = await createIwSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error("expected ok");
    expect(outcome.skipped).toEqual([]);
    expect(ctx.calls).not.toContain("iw dev phy1-mesh0 station dump");
    expect(ctx.calls).not.toContain("iw dev phy0-sta0 station dump");
    expect(ctx.calls).not.toContain("iw dev phy1-ap1 survey dump");
    const byName = new Map(outcome.records.radios?.map((r) => [r.interface, r]));
    // The mesh point shares phy1's channel, so it shares the channel's noise; the down AP does not.
    expect(byName.get("phy1-mesh0")?.noiseDbm).toBe(-91);
    expect(byName.get("phy1-ap0")?.noiseDbm).toBe(-91);
    expect(byName.get("phy1-ap1")?.noiseDbm).toBeNull();
  });
});
