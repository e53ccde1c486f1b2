import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../runCommand.js";
import type { SourceContext } from "../source.js";
import { createIwSource, IW_DEV_REFRESH_MS, IW_SURVEY_REFRESH_MS } from "./iwSource.js";

const fixtures = join(import.meta.dirname, "../../../fixtures");
const fixture = (path: string) => readFileSync(join(fixtures, path), "utf8");

/** A SourceContext whose commands answer from a table; every call is recorded. */
function fakeContext(answers: Record<string, CommandResult>): SourceContext & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    root: "/",
    readSystemFile: async () => null,
    readSystemBytes: async () => null,
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

/** What an OpenWrt 23.05 router with an ath10k and an ath9k radio prints (three interfaces). */
const openWrtAnswers = (): Record<string, CommandResult> => ({
  "iw dev": ok(fixture("iw-dev/openwrt-23.05-ath10k-ath9k.txt")),
  "iw dev phy1-ap1 station dump": ok(""),
  "iw dev phy1-ap0 station dump": ok(fixture("iw-station-dump/ath9k-2ghz-ht-iw5.19.txt")),
  "iw dev phy0-ap0 station dump": ok(fixture("iw-station-dump/ath10k-5ghz-vht-iw5.19.txt")),
  "iw dev phy1-ap1 survey dump": ok(fixture("iw-survey-dump/ath9k-2ghz-ext-busy.txt")),
  "iw dev phy0-ap0 survey dump": ok(fixture("iw-survey-dump/ath10k-5ghz-acs.txt")),
});

describe("iw source", () => {
  it("collects radios and stations and merges the in-use survey into each radio of the phy", async () => {
    const ctx = fakeContext(openWrtAnswers());
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

describe("iw source: remembered iw dev and surveys", () => {
  const T0 = 1_732_357_812_345;
  const GONE: CommandResult = {
    status: "error",
    error: "iw dev phy1-ap1 station dump failed: command failed: No such device (-19)",
  };
  const ONLY_PHY0 =
    "phy#0\n\tInterface phy0-ap0\n\t\ttype AP\n\t\tchannel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz\n";

  /** fakeContext with a clock, answers that can change between cycles, and a /sys/class/net listing. */
  function clockedContext() {
    // The OpenWrt router, with damaged lines in phy1's survey (remembered skips are reported too).
    const answers: Record<string, CommandResult> = {
      ...openWrtAnswers(),
      "iw dev phy1-ap1 survey dump": ok(fixture("iw-survey-dump/damaged-lines.txt")),
    };
    const state = { now: T0, netDevices: ["br-lan", "phy0-ap0", "phy1-ap0", "phy1-ap1"] as string[] | null };
    const ctx = {
      ...fakeContext(answers),
      answers,
      state,
      now: () => state.now,
      listSystemDir: async (path: string) => (path === "/sys/class/net" ? state.netDevices : null),
    };
    // fakeContext's runCommand reads the table it was given: keep using the same object.
    const cycle = async (source: ReturnType<typeof createIwSource>, at: number) => {
      state.now = at;
      ctx.calls.length = 0;
      const outcome = await source.collect(ctx);
      return { outcome, calls: [...ctx.calls] };
    };
    return { ctx, cycle };
  }

  const STATION_DUMPS = [
    "iw dev phy1-ap1 station dump",
    "iw dev phy1-ap0 station dump",
    "iw dev phy0-ap0 station dump",
  ];
  const SURVEYS = ["iw dev phy1-ap1 survey dump", "iw dev phy0-ap0 survey dump"];

  it("runs only the station dumps between refreshes, and reports remembered output as fresh", async () => {
    const { cycle } = clockedContext();
    const source = createIwSource();
    const first = await cycle(source, T0);
    expect(first.calls).toEqual(["iw dev", ...STATION_DUMPS, ...SURVEYS]);
    if (first.outcome.status !== "ok") throw new Error("expected ok");
    // The damaged survey's skipped lines come from the remembered parse on later cycles too.
    expect(first.outcome.skipped.length).toBeGreaterThan(0);
    expect(first.outcome.records.radios?.some((r) => r.noiseDbm !== null)).toBe(true);

    const second = await cycle(source, T0 + 5_000);
    expect(second.calls).toEqual(STATION_DUMPS);
    expect(second.outcome).toEqual(first.outcome);
    // The remembered radios are copies: filling in the survey twice did not change them.
    const third = await cycle(source, T0 + 10_000);
    expect(third.outcome).toEqual(first.outcome);

    // The first surveys are taken again after half their interval, then every interval.
    expect((await cycle(source, T0 + IW_SURVEY_REFRESH_MS / 2)).calls).toEqual([
      ...STATION_DUMPS,
      ...SURVEYS,
    ]);
    expect((await cycle(source, T0 + IW_SURVEY_REFRESH_MS / 2 + 5_000)).calls).toEqual(STATION_DUMPS);
    expect((await cycle(source, T0 + IW_DEV_REFRESH_MS - 1)).calls).toEqual(STATION_DUMPS);
    expect((await cycle(source, T0 + IW_DEV_REFRESH_MS)).calls).toEqual(["iw dev", ...STATION_DUMPS]);
    expect((await cycle(source, T0 + IW_SURVEY_REFRESH_MS * 1.5)).calls).toEqual([
      ...STATION_DUMPS,
      ...SURVEYS,
    ]);
  });

  it("runs iw dev again at once when the clock goes backwards (NTP stepping it)", async () => {
    const { cycle } = clockedContext();
    const source = createIwSource();
    await cycle(source, T0);
    expect((await cycle(source, T0 - 1_000)).calls).toEqual(["iw dev", ...STATION_DUMPS, ...SURVEYS]);
  });

  it("does not remember a failing iw dev or survey: both run again at the next cycle", async () => {
    const { ctx, cycle } = clockedContext();
    const source = createIwSource();
    const good = ctx.answers["iw dev"] as CommandResult;
    ctx.answers["iw dev"] = { status: "error", error: "iw timed out after 5000 ms" };
    expect((await cycle(source, T0)).outcome).toEqual({
      status: "error",
      error: "iw timed out after 5000 ms",
    });
    ctx.answers["iw dev"] = good;
    ctx.answers["iw dev phy0-ap0 survey dump"] = { status: "error", error: "iw timed out after 5000 ms" };
    const second = await cycle(source, T0 + 5_000);
    expect(second.calls).toEqual(["iw dev", ...STATION_DUMPS, ...SURVEYS]);
    if (second.outcome.status !== "ok") throw new Error("expected ok");
    expect(second.outcome.skipped).toContainEqual(
      expect.objectContaining({ line: 0, reason: "iw dev phy0-ap0 survey dump: iw timed out after 5000 ms" }),
    );
    const third = await cycle(source, T0 + 10_000);
    expect(third.calls).toEqual([...STATION_DUMPS, "iw dev phy0-ap0 survey dump"]);
  });

  it("runs iw dev again at once when a remembered interface has vanished, and reports as if fresh", async () => {
    const { ctx, cycle } = clockedContext();
    const source = createIwSource();
    await cycle(source, T0);
    ctx.answers["iw dev"] = ok(ONLY_PHY0);
    ctx.answers["iw dev phy1-ap1 station dump"] = GONE;
    const after = await cycle(source, T0 + 5_000);
    expect(after.calls).toEqual([
      "iw dev phy1-ap1 station dump",
      "iw dev",
      "iw dev phy0-ap0 station dump",
      // phy0's survey is still remembered: only the interface list was out of date.
    ]);
    const fresh = await createIwSource().collect(ctx);
    expect(after.outcome).toEqual(fresh);
    if (after.outcome.status !== "ok") throw new Error("expected ok");
    expect(after.outcome.skipped).toEqual([]);
    expect(after.outcome.records.radios?.map((r) => r.interface)).toEqual(["phy0-ap0"]);
  });

  it("reports a vanished interface as skipped when a fresh iw dev still lists it", async () => {
    const { ctx, cycle } = clockedContext();
    const source = createIwSource();
    await cycle(source, T0);
    ctx.answers["iw dev phy1-ap1 station dump"] = GONE;
    const after = await cycle(source, T0 + 5_000);
    expect(after.calls.filter((c) => c === "iw dev")).toHaveLength(1);
    if (after.outcome.status !== "ok") throw new Error("expected ok");
    expect(after.outcome.skipped[0]).toMatchObject({
      line: 0,
      reason: `iw dev phy1-ap1 station dump: ${GONE.error}`,
    });
  });

  it("runs iw dev again at once when /sys/class/net changes or a station is on an unknown interface", async () => {
    const { ctx, cycle } = clockedContext();
    const source = createIwSource();
    await cycle(source, T0);
    ctx.state.netDevices = [...(ctx.state.netDevices ?? []), "phy0-ap1"];
    expect((await cycle(source, T0 + 5_000)).calls).toEqual(["iw dev", ...STATION_DUMPS]);
    expect((await cycle(source, T0 + 10_000)).calls).toEqual(STATION_DUMPS);

    // A station dump naming an interface the remembered list does not have (renamed, added).
    const renamed = fixture("iw-station-dump/ath10k-5ghz-vht-iw5.19.txt").replaceAll(
      "(on phy0-ap0)",
      "(on phy0-ap9)",
    );
    ctx.answers["iw dev phy0-ap0 station dump"] = ok(renamed);
    const after = await cycle(source, T0 + 15_000);
    expect(after.calls).toEqual([...STATION_DUMPS, "iw dev", ...STATION_DUMPS]);
    if (after.outcome.status !== "ok") throw new Error("expected ok");
    // With a fresh list the stations are reported as iw printed them, as before.
    expect(after.outcome.records.stations?.filter((s) => s.interface === "phy0-ap9")).toHaveLength(4);
  });

  it("surveys again at once when iw dev shows the channel moved", async () => {
    const { ctx, cycle } = clockedContext();
    const source = createIwSource();
    await cycle(source, T0);
    await cycle(source, T0 + IW_SURVEY_REFRESH_MS / 2);
    const moved = fixture("iw-dev/openwrt-23.05-ath10k-ath9k.txt").replace(
      "channel 36 (5180 MHz)",
      "channel 44 (5220 MHz)",
    );
    ctx.answers["iw dev"] = ok(moved);
    const after = await cycle(source, T0 + IW_DEV_REFRESH_MS);
    expect(after.calls).toEqual(["iw dev", ...STATION_DUMPS, "iw dev phy0-ap0 survey dump"]);
  });
});

describe("iw source: the change check's probe", () => {
  it("names the stations collect() reports, running only the station dumps and a stale iw dev", async () => {
    const source = createIwSource();
    const ctx = fakeContext(openWrtAnswers());
    const outcome = await source.collect(ctx);
    if (outcome.status !== "ok") throw new Error("expected ok");
    ctx.calls.length = 0;
    const probed = await source.probe?.(ctx);
    expect(probed?.stations).toEqual(
      (outcome.records.stations ?? []).map((s) => ({ mac: s.mac, interface: s.interface })),
    );
    expect(probed?.stations).toHaveLength(8);
    // iw dev is remembered from the collection; the surveys are not the probe's business.
    expect(ctx.calls).toEqual([
      "iw dev phy1-ap1 station dump",
      "iw dev phy1-ap0 station dump",
      "iw dev phy0-ap0 station dump",
    ]);
  });

  it("lists iw dev afresh when a station is on an interface the remembered list lacks", async () => {
    const source = createIwSource();
    const table = openWrtAnswers();
    const ctx = fakeContext(table);
    await source.collect(ctx);
    table["iw dev phy0-ap0 station dump"] = ok(
      fixture("iw-station-dump/ath10k-5ghz-vht-iw5.19.txt").replaceAll("(on phy0-ap0)", "(on phy0-ap9)"),
    );
    ctx.calls.length = 0;
    const probed = await source.probe?.(ctx);
    expect(ctx.calls.filter((c) => c === "iw dev")).toHaveLength(1);
    expect(probed?.stations?.filter((s) => s.interface === "phy0-ap9")).toHaveLength(4);
  });

  it("gives nothing when iw is missing or a dump fails, so the check sees a change", async () => {
    const missing = fakeContext({ "iw dev": { status: "absent", reason: "iw is not installed" } });
    expect(await createIwSource().probe?.(missing)).toEqual({});
    const table = openWrtAnswers();
    table["iw dev phy0-ap0 station dump"] = { status: "error", error: "iw timed out after 5000 ms" };
    const probed = await createIwSource().probe?.(fakeContext(table));
    expect(probed?.stations?.map((s) => s.interface)).toEqual(Array(4).fill("phy1-ap0"));
  });
});
